#pragma once
// The one seam where librdkafka error codes become saga exceptions (STYLE principle 8).

#include <string>

#include "saga/core/errors.hpp"

namespace saga::kafka {

/// A broker or client failure. `Code()` is librdkafka's rd_kafka_resp_err_t as an int.
class KafkaError : public core::InfraError {
 public:
  KafkaError(const std::string& what, int code, bool retryable)
      : core::InfraError(what, retryable), code_(code) {}
  [[nodiscard]] int Code() const noexcept { return code_; }

 private:
  int code_;
};

/// Throws KafkaError for `code` (an rd_kafka_resp_err_t) with "<context>: <librdkafka text>".
/// Retryable: timeouts, transport failures, queue full, leader changes, unknown broker state.
[[noreturn]] void ThrowKafkaError(int code, const std::string& context);

/// True when librdkafka classifies `code` as transient (see ThrowKafkaError).
[[nodiscard]] bool IsRetryableCode(int code) noexcept;

}  // namespace saga::kafka
