#pragma once
// IPaymentGateway: the port through which the payment service takes and returns money.
// Implemented by infra/simulated_gateway (the built-in deterministic simulator) and by a fake in
// tests; a real provider's adapter implements the same contract.
//
// Contract:
//   - Charge() is idempotent per payment id: charging the same payment again never takes money
//     twice and answers with the same transaction id. Business refusals (declined, insufficient
//     funds, invalid token) and the gateway not answering in time are outcomes, not exceptions;
//     a timeout means no money was taken.
//   - Refund() is idempotent per transaction id: refunding it again returns nothing twice.
//   - A failure to reach the gateway at all throws core::InfraError (retryable when a retry may
//     succeed).
//   - The token is a gateway token. Implementations never store or log it, and refuse (as
//     kInvalidToken) any token that looks like a card number (ContainsCardNumber).
// Thread-safety: implementations are safe to call from several threads at once.

#include <cstddef>
#include <string>
#include <string_view>

#include "saga/core/card_data.hpp"
#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"

namespace saga::payment {

enum class ChargeOutcome { kApproved, kDeclined, kInsufficientFunds, kTimeout, kInvalidToken };

struct ChargeRequest {
  core::PaymentId payment_id;
  core::Money amount;
  std::string token;  // gateway token of the card; never a card number or CVV
};

struct ChargeResult {
  ChargeOutcome outcome = ChargeOutcome::kDeclined;
  std::string transaction_id;  // the gateway's id of the charge; set only when kApproved
};

enum class RefundOutcome {
  kRefunded,  // the money is on its way back (also when the transaction was refunded before)
  kRejected,  // the gateway refuses: unknown transaction or amount
};

struct RefundResult {
  RefundOutcome outcome = RefundOutcome::kRejected;
  std::string refund_id;  // the gateway's id of the refund; set only when kRefunded
};

class IPaymentGateway {
 public:
  virtual ~IPaymentGateway() = default;
  /// Charges `request.amount`; may block up to the gateway's timeout.
  [[nodiscard]] virtual ChargeResult Charge(const ChargeRequest& request) = 0;
  /// Returns `amount` of the charge `transaction_id` to the customer.
  [[nodiscard]] virtual RefundResult Refund(const std::string& transaction_id, const core::Money& amount) = 0;
};

/// Tokens holding a card number are refused (core/card_data.hpp).
using core::ContainsCardNumber;

}  // namespace saga::payment
