#pragma once
// CircuitBreaker: stops hammering a dependency that keeps failing.
//   Closed    -> calls go through; `failure_threshold` consecutive failures open it.
//   Open      -> calls are refused (Allow() false) for `open_for`; then one probe is let through.
//   Half-open -> the probe's success closes the breaker, its failure opens it again.
// No I/O: time comes from the injected Clock. Thread-safe. Readiness reports open breakers.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "saga/core/time.hpp"

namespace saga::core {

enum class BreakerState { kClosed, kOpen, kHalfOpen };

[[nodiscard]] std::string_view ToString(BreakerState state) noexcept;

struct BreakerConfig {
  int failure_threshold = 5;
  std::chrono::milliseconds open_for{2000};
};

class CircuitBreaker {
 public:
  CircuitBreaker(std::string name, BreakerConfig config, const Clock& clock);

  /// True when a call may be attempted now (closed, or the half-open probe).
  [[nodiscard]] bool Allow();
  void RecordSuccess();
  void RecordFailure();

  [[nodiscard]] BreakerState State() const;
  [[nodiscard]] const std::string& Name() const noexcept { return name_; }
  /// How many times it opened since creation.
  [[nodiscard]] std::uint64_t Trips() const;

 private:
  std::string name_;
  BreakerConfig config_;
  const Clock& clock_;
  mutable std::mutex mu_;
  BreakerState state_ = BreakerState::kClosed;  // guarded by mu_
  int consecutive_failures_ = 0;                // guarded by mu_
  Timestamp opened_at_{};                       // guarded by mu_
  bool probe_in_flight_ = false;                // guarded by mu_
  std::uint64_t trips_ = 0;                     // guarded by mu_
};

}  // namespace saga::core
