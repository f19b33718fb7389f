#pragma once
// The port that opens ProcessPayment's sealed payment token (sealed by the order service for
// the saga, contracts::PaymentTokenBinding) right before the charge; the clear token is never
// stored or logged. Implementations must be thread-safe.

#include <optional>
#include <string>
#include <string_view>

#include "saga/core/ids.hpp"

namespace saga::payment {

class IPaymentTokenOpener {
 public:
  virtual ~IPaymentTokenOpener() = default;
  /// The clear token, or nullopt when it does not open for `saga` (tampered, another saga's,
  /// an unknown key, no saga id): the command is then refused, loudly.
  [[nodiscard]] virtual std::optional<std::string> Open(const std::optional<core::SagaId>& saga,
                                                        std::string_view sealed) const = 0;
};

}  // namespace saga::payment
