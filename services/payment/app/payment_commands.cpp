#include "services/payment/app/payment_commands.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "saga/contracts/message_types.hpp"
#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"

namespace saga::payment {
namespace {

constexpr std::string_view kProducer = "payment-service";

std::string Text(const core::Uuid& id) {
  return id.ToString();
}

// The payment of the order whose outcome counts: the one that is not Failed (Completed or
// Refunded; the schema allows one), else the newest Failed. Pending and Processing count as
// absent. `payments` is newest first.
std::optional<Payment> Decisive(std::vector<Payment> payments) {
  std::optional<Payment> newest_failed;
  for (auto& payment : payments) {
    switch (payment.Status()) {
      case PaymentStatus::kCompleted:
      case PaymentStatus::kRefunded:
        return std::move(payment);
      case PaymentStatus::kFailed:
        if (!newest_failed) newest_failed = std::move(payment);
        break;
      case PaymentStatus::kPending:
      case PaymentStatus::kProcessing:
        break;
    }
  }
  return newest_failed;
}

// A transition the app itself just checked cannot be refused; if it is, the code is wrong.
void Require(const core::Result<void, PaymentError>& moved, std::string_view what) {
  if (!moved) {
    throw std::logic_error(std::string(what) + " refused: " + std::string(ToString(moved.Error())));
  }
}

}  // namespace

std::string_view ToString(PaymentCommandError error) noexcept {
  switch (error) {
    case PaymentCommandError::kInvalidPayment:
      return "InvalidPayment";
    case PaymentCommandError::kRefundRejected:
      return "RefundRejected";
  }
  return "Unknown";
}

std::string_view FailureReasonOf(ChargeOutcome outcome) noexcept {
  switch (outcome) {
    case ChargeOutcome::kDeclined:
      return "Declined";
    case ChargeOutcome::kInsufficientFunds:
      return "InsufficientFunds";
    case ChargeOutcome::kTimeout:
      return "GatewayTimeout";
    case ChargeOutcome::kInvalidToken:
      return "InvalidToken";
    case ChargeOutcome::kApproved:
      break;
  }
  return "";
}

core::PaymentId PaymentIdForOrder(const core::OrderId& order_id) noexcept {
  // A bijection of the order id (XOR with a fixed mask; the version and variant bits it overwrites
  // are the same in every id of one version), marked as a version 8 (custom) RFC 9562 UUID:
  // distinct orders get distinct payment ids, never one that NewId (version 7) or Random
  // (version 4) could make. A time-ordered order id keeps its payment id near its neighbours'.
  static constexpr std::array<std::uint8_t, 16> kMask = {0x5a, 0x17, 0xc3, 0x9e, 0x21, 0x64, 0xb8, 0x0d,
                                                         0x73, 0xe2, 0x4f, 0x91, 0x06, 0xad, 0x38, 0xcb};
  auto bytes = order_id.Get().Bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] ^= kMask[i];
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0FU) | 0x80U);  // version 8
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3FU) | 0x80U);  // RFC 4122 variant
  return core::PaymentId(core::Uuid(bytes));
}

contracts::EnvelopeContext ReplyContext(const contracts::Envelope& command, core::Timestamp now) {
  contracts::EnvelopeContext context;
  context.correlation_id = command.correlation_id;
  context.causation_id = command.message_id;
  context.saga_id = command.saga_id;
  context.order_id = command.order_id;
  context.producer = std::string(kProducer);
  context.traceparent = command.traceparent;
  context.occurred_at = now;
  return context;
}

void PaymentCommands::Publish(std::string_view type, nlohmann::json payload,
                              const contracts::Envelope& command) {
  auto envelope = contracts::MakeEnvelope(type, std::move(payload), ReplyContext(command, clock_.Now()));
  // Payloads are built here from typed values; a mismatch with the registry is a bug.
  if (!envelope) throw std::logic_error("reply " + std::string(type) + ": " + envelope.Error().Reason());
  outbox_.Publish(contracts::kPaymentEventsTopic, envelope.Value());
}

core::Result<Payment, PaymentCommandError> PaymentCommands::ProcessPayment(
    const ProcessPaymentCommand& command, const contracts::Envelope& envelope) {
  const auto order = Text(command.order_id.Get());
  if (auto existing = Decisive(payments_.GetByOrderId(command.order_id))) {
    const auto payment = Text(existing->Id().Get());
    if (existing->Status() == PaymentStatus::kFailed) {
      Publish(
          "PaymentFailed",
          {{"orderId", order}, {"paymentId", payment}, {"reason", existing->FailureReason().value_or("")}},
          envelope);
    } else {
      Publish("PaymentCompleted",
              {{"orderId", order},
               {"paymentId", payment},
               {"transactionId", existing->TransactionId().value_or("")},
               {"amount", contracts::MoneyJson(existing->Amount())}},
              envelope);
    }
    return std::move(*existing);
  }

  auto created =
      Payment::Create(PaymentIdForOrder(command.order_id), command.order_id, command.amount, clock_.Now());
  if (!created) return core::Fail(PaymentCommandError::kInvalidPayment);
  auto payment = std::move(created).Value();
  Require(payment.Process(clock_.Now()), "Process");
  try {
    payments_.Create(payment);
  } catch (const pg::ConstraintViolation& e) {
    // Another live payment of the order (or this one) was committed since we looked: the
    // retry sees it and answers with its outcome.
    if (e.Constraint() == "payments_one_live_per_order" || e.Constraint() == "payments_pkey") {
      throw core::ConcurrencyConflict("order " + order + " got a payment concurrently");
    }
    throw;
  }
  const auto payment_id = Text(payment.Id().Get());
  Publish("PaymentInitiated",
          {{"orderId", order}, {"paymentId", payment_id}, {"amount", contracts::MoneyJson(payment.Amount())}},
          envelope);

  // A card number never reaches the gateway (nor a log): it is refused here already.
  const auto charge =
      ContainsCardNumber(command.payment_token)
          ? ChargeResult{ChargeOutcome::kInvalidToken, {}}
          : gateway_.Charge(ChargeRequest{payment.Id(), payment.Amount(), command.payment_token});
  if (charge.outcome == ChargeOutcome::kApproved) {
    Require(payment.Complete(charge.transaction_id, clock_.Now()), "Complete");
    payments_.Update(payment);
    Publish("PaymentCompleted",
            {{"orderId", order},
             {"paymentId", payment_id},
             {"transactionId", charge.transaction_id},
             {"amount", contracts::MoneyJson(payment.Amount())}},
            envelope);
  } else {
    const std::string reason(FailureReasonOf(charge.outcome));
    Require(payment.Fail(reason, clock_.Now()), "Fail");
    payments_.Update(payment);
    Publish("PaymentFailed", {{"orderId", order}, {"paymentId", payment_id}, {"reason", reason}}, envelope);
  }
  return payment;
}

core::Result<std::optional<Payment>, PaymentCommandError> PaymentCommands::RefundPayment(
    const RefundPaymentCommand& command, const contracts::Envelope& envelope) {
  const auto order = Text(command.order_id.Get());
  auto payment = Decisive(payments_.GetByOrderId(command.order_id));
  if (!payment || payment->Status() == PaymentStatus::kFailed) {
    Publish("RefundCompleted", {{"orderId", order}}, envelope);
    return std::optional<Payment>();
  }
  const auto payment_id = Text(payment->Id().Get());
  const nlohmann::json refunded = {
      {"orderId", order}, {"paymentId", payment_id}, {"amount", contracts::MoneyJson(payment->Amount())}};
  if (payment->Status() == PaymentStatus::kCompleted) {
    const auto result = gateway_.Refund(payment->TransactionId().value_or(""), payment->Amount());
    if (result.outcome != RefundOutcome::kRefunded) return core::Fail(PaymentCommandError::kRefundRejected);
    Require(payment->Refund(clock_.Now()), "Refund");
    payments_.Update(*payment);
    Publish("RefundInitiated", refunded, envelope);
  }
  Publish("RefundCompleted", refunded, envelope);
  return payment;
}

}  // namespace saga::payment
