#pragma once
// The payment service's use cases behind the REST API. Business refusals are results;
// infrastructure failures propagate as core::InfraError. Thread-safety: stateless apart from
// its dependencies, which must be thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/payment/app/order_directory.hpp"
#include "services/payment/domain/payment_repository.hpp"

namespace saga::payment {

struct PaymentAppError {
  enum class Kind {
    kRule,                // `rule` says which domain rule
    kNotFound,            // no such payment
    kUnknownOrder,        // the order does not exist
    kOrderNotPayable,     // the order's status (`order_status`) does not take a payment
    kAlreadyPaid,         // the order has a payment that is not Failed
    kTransactionIdTaken,  // another payment has this gateway transaction id
    kVersionMismatch,     // expected version is not current (`current_version`)
  };
  Kind kind = Kind::kRule;
  PaymentError rule = PaymentError::kIllegalTransition;
  std::string order_status;
  std::int64_t current_version = 0;
  PaymentStatus current_status = PaymentStatus::kPending;
};

/// A move of the payment's status asked for by a client.
struct PaymentAction {
  enum class Kind { kProcess, kComplete, kFail, kRefund };
  Kind kind = Kind::kProcess;
  std::string transaction_id;  // kComplete
  std::string reason;          // kFail
};

class PaymentApp {
 public:
  PaymentApp(IPaymentRepository& payments, IOrderDirectory& orders, const core::Clock& clock)
      : payments_(payments), orders_(orders), clock_(clock) {}

  /// A Pending payment of the order's total under `payment_id`; repeating it with the same id
  /// returns the payment created first.
  [[nodiscard]] core::Result<Payment, PaymentAppError> CreatePayment(const core::PaymentId& payment_id,
                                                                     const core::OrderId& order_id);
  [[nodiscard]] std::optional<Payment> GetPayment(const core::PaymentId& id);
  /// Every payment of the order, newest first.
  [[nodiscard]] std::vector<Payment> PaymentsOfOrder(const core::OrderId& order_id);
  /// Applies the action if the status table allows it (and, with `expected_version`, only at
  /// that version).
  [[nodiscard]] core::Result<Payment, PaymentAppError> Apply(const core::PaymentId& id,
                                                             const PaymentAction& action,
                                                             std::optional<std::int64_t> expected_version);

 private:
  IPaymentRepository& payments_;
  IOrderDirectory& orders_;
  const core::Clock& clock_;
};

}  // namespace saga::payment
