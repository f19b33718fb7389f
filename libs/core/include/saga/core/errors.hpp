#pragma once
// Typed infrastructure exceptions. Every third-party error (libpq/pqxx, librdkafka, Beast) is
// translated at one seam per library into one of these, so callers decide on retry by asking
// IsRetryable() instead of parsing messages. Business outcomes never use exceptions.

#include <stdexcept>
#include <string>

namespace saga::core {

/// Base of all infrastructure failures (database, broker, network, configuration).
class InfraError : public std::runtime_error {
 public:
  InfraError(const std::string& what, bool retryable) : std::runtime_error(what), retryable_(retryable) {}

  /// True when the same operation may succeed if simply tried again later
  /// (lost connection, broker unavailable, serialization failure, timeout).
  [[nodiscard]] bool IsRetryable() const noexcept { return retryable_; }

 private:
  bool retryable_;
};

/// Invalid or missing configuration at start-up. Never retryable.
class ConfigError : public InfraError {
 public:
  explicit ConfigError(const std::string& what) : InfraError(what, false) {}
};

}  // namespace saga::core

namespace saga::core {

/// An optimistic-concurrency check failed: the row changed (its version moved on) since it was
/// read, or it was deleted. Never a silent overwrite; the caller reloads and decides (HTTP maps
/// it to 409, or 412 when the client sent If-Match). Not retryable as the same operation.
class ConcurrencyConflict : public InfraError {
 public:
  explicit ConcurrencyConflict(const std::string& what) : InfraError(what, false) {}
};

}  // namespace saga::core
