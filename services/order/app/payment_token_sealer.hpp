#pragma once
// The port through which the saga keeps the customer's payment token sealed: the token is
// sealed once, when the saga starts, for that saga (contracts::PaymentTokenBinding), and only
// the sealed text is stored (sagas.payment_token, the outbox) and sent (ProcessPayment). The
// order service never opens it; the payment service does, right before charging.
// Implementations must be thread-safe.

#include <string>
#include <string_view>

#include "saga/core/ids.hpp"

namespace saga::order {

class IPaymentTokenSealer {
 public:
  virtual ~IPaymentTokenSealer() = default;
  /// Throws (an infrastructure error) when the token cannot be sealed; never returns it in clear.
  [[nodiscard]] virtual std::string Seal(const core::SagaId& saga, std::string_view token) const = 0;
};

}  // namespace saga::order
