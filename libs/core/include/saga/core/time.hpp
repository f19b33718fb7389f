#pragma once
// Time as the system stores it: UTC, microsecond precision (PostgreSQL timestamptz precision).
// Domain code receives `now` as an argument; only adapters read a Clock.

#include <chrono>
#include <string>

namespace saga::core {

using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

/// The source of "now" for the app layer; SystemClock in production, a settable fake in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  }
};

/// RFC 3339 UTC with microseconds: "2026-11-24T23:59:59.123456Z".
[[nodiscard]] std::string ToRfc3339(Timestamp ts);

/// Microseconds since the Unix epoch, the representation used to move timestamps through SQL.
[[nodiscard]] inline std::int64_t ToUnixMicros(Timestamp ts) {
  return ts.time_since_epoch().count();
}
[[nodiscard]] inline Timestamp FromUnixMicros(std::int64_t micros) {
  return Timestamp(std::chrono::microseconds(micros));
}

}  // namespace saga::core
