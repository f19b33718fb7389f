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
