#include "services/payment/domain/payment.hpp"

#include "saga/core/enum_names.hpp"

namespace saga::payment {

namespace {

bool ValidTransactionId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c < 0x21 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace

bool CanTransition(PaymentStatus from, PaymentStatus to) noexcept {
  using S = PaymentStatus;
  switch (from) {
    case S::kPending:
      return to == S::kProcessing || to == S::kFailed;
    case S::kProcessing:
      return to == S::kCompleted || to == S::kFailed;
    case S::kCompleted:
      return to == S::kRefunded;
    case S::kFailed:
    case S::kRefunded:
      return false;
  }
  return false;
}

bool IsTerminal(PaymentStatus status) noexcept {
  return status == PaymentStatus::kFailed || status == PaymentStatus::kRefunded;
}

std::string_view ToString(PaymentStatus status) noexcept {
  switch (status) {
    case PaymentStatus::kPending:
      return "Pending";
    case PaymentStatus::kProcessing:
      return "Processing";
    case PaymentStatus::kCompleted:
      return "Completed";
    case PaymentStatus::kFailed:
      return "Failed";
    case PaymentStatus::kRefunded:
      return "Refunded";
  }
  return "Unknown";
}

std::optional<PaymentStatus> ParsePaymentStatus(std::string_view text) noexcept {
  return core::ParseByName(text, kAllPaymentStatuses);
}

std::string_view ToString(PaymentError error) noexcept {
  switch (error) {
    case PaymentError::kInvalidAmount:
      return "amount must be greater than zero";
    case PaymentError::kMissingTransactionId:
      return "a completed payment needs a transaction id";
    case PaymentError::kInvalidTransactionId:
      return "transaction id must be 1-128 printable characters";
    case PaymentError::kIllegalTransition:
      return "the payment cannot move to that status";
  }
  return "unknown payment error";
}

core::Result<Payment, PaymentError> Payment::Create(core::PaymentId id, core::OrderId order_id,
                                                    core::Money amount, core::Timestamp now) {
  if (!amount.IsPositive()) return core::Fail(PaymentError::kInvalidAmount);
  return Payment(id, order_id, amount, now);
}

core::Result<Payment, PaymentError> Payment::Restore(core::PaymentId id, core::OrderId order_id,
                                                     core::Money amount, PaymentStatus status,
                                                     std::optional<std::string> transaction_id,
                                                     std::optional<core::Timestamp> processed_at,
                                                     std::optional<std::string> failure_reason,
                                                     core::Timestamp created_at, core::Timestamp updated_at,
                                                     std::int64_t version) {
  if (!amount.IsPositive()) return core::Fail(PaymentError::kInvalidAmount);
  const bool needs_transaction = status == PaymentStatus::kCompleted || status == PaymentStatus::kRefunded;
  if (needs_transaction && !transaction_id) return core::Fail(PaymentError::kMissingTransactionId);
  if (transaction_id && !ValidTransactionId(*transaction_id))
    return core::Fail(PaymentError::kInvalidTransactionId);
  Payment payment(id, order_id, amount, created_at);
  payment.status_ = status;
  payment.transaction_id_ = std::move(transaction_id);
  payment.processed_at_ = processed_at;
  payment.failure_reason_ = std::move(failure_reason);
  payment.updated_at_ = updated_at;
  payment.version_ = version;
  return payment;
}

void Payment::MoveTo(PaymentStatus to, core::Timestamp now) {
  events_.push_back(PaymentStatusChanged{id_, order_id_, status_, to, now});
  status_ = to;
  updated_at_ = now;
}

core::Result<void, PaymentError> Payment::UpdateStatus(PaymentStatus to, core::Timestamp now) {
  if (!CanTransition(status_, to)) return core::Fail(PaymentError::kIllegalTransition);
  if (to == PaymentStatus::kCompleted && !transaction_id_)
    return core::Fail(PaymentError::kMissingTransactionId);
  if (to == PaymentStatus::kCompleted || to == PaymentStatus::kFailed) processed_at_ = now;
  MoveTo(to, now);
  return core::Ok<PaymentError>();
}

core::Result<void, PaymentError> Payment::Process(core::Timestamp now) {
  if (status_ != PaymentStatus::kPending) return core::Fail(PaymentError::kIllegalTransition);
  return UpdateStatus(PaymentStatus::kProcessing, now);
}

core::Result<void, PaymentError> Payment::Complete(std::string transaction_id, core::Timestamp now) {
  if (!CanTransition(status_, PaymentStatus::kCompleted)) return core::Fail(PaymentError::kIllegalTransition);
  if (transaction_id.empty()) return core::Fail(PaymentError::kMissingTransactionId);
  if (!ValidTransactionId(transaction_id)) return core::Fail(PaymentError::kInvalidTransactionId);
  transaction_id_ = std::move(transaction_id);
  return UpdateStatus(PaymentStatus::kCompleted, now);
}

core::Result<void, PaymentError> Payment::Fail(std::string reason, core::Timestamp now) {
  if (!CanTransition(status_, PaymentStatus::kFailed)) return core::Fail(PaymentError::kIllegalTransition);
  failure_reason_ = std::move(reason);
  return UpdateStatus(PaymentStatus::kFailed, now);
}

core::Result<void, PaymentError> Payment::Refund(core::Timestamp now) {
  if (status_ != PaymentStatus::kCompleted) return core::Fail(PaymentError::kIllegalTransition);
  return UpdateStatus(PaymentStatus::kRefunded, now);
}

}  // namespace saga::payment
