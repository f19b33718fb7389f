#pragma once
// The payment service's part of the OrderCreationSaga: the commands of saga.payment.commands
// and the events they answer with on saga.payment.events. Everything a command does (payment
// rows, outbox rows) goes through ports bound to one transaction, the consumer's inbox
// transaction, so the effect, its replies and the processed-message row commit together. The
// gateway call happens inside that transaction.
//
// ProcessPayment charges an order at most once:
//   - the order already has a payment: no new charge; the outcome of that payment is published
//     again (Completed or Refunded -> PaymentCompleted; Failed -> PaymentFailed). A Pending or
//     Processing payment counts as absent (the saga never commits one);
//   - otherwise a payment of the command's amount is created under PaymentIdForOrder(order), put
//     in Processing, charged, and Completed or Failed ("Declined", "InsufficientFunds",
//     "GatewayTimeout", "InvalidToken"); PaymentInitiated then PaymentCompleted or PaymentFailed
//     are published. Because the id is derived from the order, a charge whose transaction rolled
//     back is repeated with the same payment id, which the gateway answers idempotently.
// RefundPayment (compensation, repeatable):
//   - a Completed payment: refunded at the gateway, Refunded, RefundInitiated and RefundCompleted
//     {paymentId, amount} published;
//   - already Refunded: RefundCompleted {paymentId, amount} published again;
//   - nothing charged (no payment, or only Failed ones): RefundCompleted {orderId} only.
// Replies copy correlation id, saga id, order id and traceparent from the command; their
// causation id is the command's message id; producer "payment-service".
//
// Errors: business outcomes of the charge are events, not errors. Results carry what cannot be
// handled by retrying (the handler dead-letters those). Infrastructure failures propagate as
// core::InfraError; another payment of the order committed concurrently (a write race) throws
// core::ConcurrencyConflict, which the consumer retries. Either way the transaction rolls back.
// Thread-safety: one instance per transaction.

#include <optional>
#include <string>
#include <string_view>

#include "saga/contracts/envelope.hpp"
#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "saga/outbox/message_outbox.hpp"
#include "services/payment/app/payment_gateway.hpp"
#include "services/payment/domain/payment_repository.hpp"

namespace saga::payment {

struct ProcessPaymentCommand {
  core::OrderId order_id;
  core::Money amount;
  std::string payment_token;  // a gateway token; never stored or logged
};

struct RefundPaymentCommand {
  core::OrderId order_id;
  std::string reason;
};

enum class PaymentCommandError {
  kInvalidPayment,  // the command's amount breaks a payment rule
  kRefundRejected,  // the gateway refused to refund a completed payment
};

[[nodiscard]] std::string_view ToString(PaymentCommandError error) noexcept;

/// The failure reason stored on a payment and published in PaymentFailed for a charge outcome
/// other than kApproved.
[[nodiscard]] std::string_view FailureReasonOf(ChargeOutcome outcome) noexcept;

/// The id of the payment the saga creates for `order_id`: derived (not random), so every
/// attempt to charge one order uses one payment id.
[[nodiscard]] core::PaymentId PaymentIdForOrder(const core::OrderId& order_id) noexcept;

/// The context of a reply to `command` (see above), occurring at `now`.
[[nodiscard]] contracts::EnvelopeContext ReplyContext(const contracts::Envelope& command,
                                                      core::Timestamp now);

class PaymentCommands {
 public:
  /// All references must outlive this object; `payments` and `outbox` share one transaction.
  PaymentCommands(IPaymentRepository& payments, outbox::IMessageOutbox& outbox, IPaymentGateway& gateway,
                  const core::Clock& clock)
      : payments_(payments), outbox_(outbox), gateway_(gateway), clock_(clock) {}

  /// Charges the order once (see above). Returns the payment whose outcome was published.
  [[nodiscard]] core::Result<Payment, PaymentCommandError> ProcessPayment(
      const ProcessPaymentCommand& command, const contracts::Envelope& envelope);
  /// Refunds the order's charge, if any (see above). Returns the refunded payment, or nullopt
  /// when nothing was charged.
  [[nodiscard]] core::Result<std::optional<Payment>, PaymentCommandError> RefundPayment(
      const RefundPaymentCommand& command, const contracts::Envelope& envelope);

 private:
  void Publish(std::string_view type, nlohmann::json payload, const contracts::Envelope& command);

  IPaymentRepository& payments_;
  outbox::IMessageOutbox& outbox_;
  IPaymentGateway& gateway_;
  const core::Clock& clock_;
};

}  // namespace saga::payment
