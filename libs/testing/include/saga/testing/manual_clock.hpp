#pragma once
// A Clock whose time moves only when a test says so. Thread-safe.

#include <atomic>

#include "saga/core/time.hpp"

namespace saga::testing {

class ManualClock final : public core::Clock {
 public:
  explicit ManualClock(core::Timestamp start = core::FromUnixMicros(1'790'000'000'000'000)) : now_(start) {}
  [[nodiscard]] core::Timestamp Now() const override { return now_.load(); }
  void Advance(std::chrono::microseconds by) { now_.store(now_.load() + by); }
  void Set(core::Timestamp at) { now_.store(at); }

 private:
  std::atomic<core::Timestamp> now_;
};

}  // namespace saga::testing
