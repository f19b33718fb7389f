#include "services/payment/app/payment_app.hpp"

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"

namespace saga::payment {
namespace {

constexpr int kConflictRetries = 5;

PaymentAppError Error(PaymentAppError::Kind kind) {
  PaymentAppError error;
  error.kind = kind;
  return error;
}

bool Payable(const std::string& order_status) {
  return order_status == "Created" || order_status == "InventoryReserved" ||
         order_status == "PaymentProcessing";
}

}  // namespace

core::Result<Payment, PaymentAppError> PaymentApp::CreatePayment(const core::PaymentId& payment_id,
                                                                 const core::OrderId& order_id) {
  if (auto existing = payments_.Get(payment_id)) return std::move(*existing);
  const auto order = orders_.Find(order_id);
  if (!order) return core::Fail(Error(PaymentAppError::Kind::kUnknownOrder));
  if (!Payable(order->status)) {
    auto error = Error(PaymentAppError::Kind::kOrderNotPayable);
    error.order_status = order->status;
    return core::Fail(error);
  }
  auto payment = Payment::Create(payment_id, order_id, order->total, clock_.Now());
  if (!payment) {
    auto error = Error(PaymentAppError::Kind::kRule);
    error.rule = payment.Error();
    return core::Fail(error);
  }
  try {
    payments_.Create(payment.Value());
  } catch (const pg::ConstraintViolation& e) {
    if (e.Constraint() == "payments_pkey") {
      if (auto existing = payments_.Get(payment_id)) return std::move(*existing);
    }
    if (e.Constraint() == "payments_one_live_per_order")
      return core::Fail(Error(PaymentAppError::Kind::kAlreadyPaid));
    throw;
  }
  return std::move(payment).Value();
}

std::optional<Payment> PaymentApp::GetPayment(const core::PaymentId& id) {
  return payments_.Get(id);
}

std::vector<Payment> PaymentApp::PaymentsOfOrder(const core::OrderId& order_id) {
  return payments_.GetByOrderId(order_id);
}

core::Result<Payment, PaymentAppError> PaymentApp::Apply(const core::PaymentId& id,
                                                         const PaymentAction& action,
                                                         std::optional<std::int64_t> expected_version) {
  for (int attempt = 0;; ++attempt) {
    auto payment = payments_.Get(id);
    if (!payment) return core::Fail(Error(PaymentAppError::Kind::kNotFound));
    if (expected_version && *expected_version != payment->Version()) {
      auto error = Error(PaymentAppError::Kind::kVersionMismatch);
      error.current_version = payment->Version();
      return core::Fail(error);
    }
    const auto now = clock_.Now();
    core::Result<void, PaymentError> moved;
    switch (action.kind) {
      case PaymentAction::Kind::kProcess:
        moved = payment->Process(now);
        break;
      case PaymentAction::Kind::kComplete:
        moved = payment->Complete(action.transaction_id, now);
        break;
      case PaymentAction::Kind::kFail:
        moved = payment->Fail(action.reason, now);
        break;
      case PaymentAction::Kind::kRefund:
        moved = payment->Refund(now);
        break;
    }
    if (!moved) {
      auto error = Error(PaymentAppError::Kind::kRule);
      error.rule = moved.Error();
      error.current_status = payment->Status();
      return core::Fail(error);
    }
    try {
      payments_.Update(*payment);
      return std::move(*payment);
    } catch (const pg::ConstraintViolation& e) {
      if (e.Constraint() == "payments_transaction_id_key") {
        return core::Fail(Error(PaymentAppError::Kind::kTransactionIdTaken));
      }
      throw;
    } catch (const core::ConcurrencyConflict&) {
      if (expected_version || attempt + 1 >= kConflictRetries) {
        auto error = Error(PaymentAppError::Kind::kVersionMismatch);
        const auto current = payments_.Get(id);
        error.current_version = current ? current->Version() : 0;
        return core::Fail(error);
      }
    }
  }
}

}  // namespace saga::payment
