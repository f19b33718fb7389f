#pragma once
// IPaymentRepository: the port through which the app layer stores payments. Implemented by
// infra/pg_payment_repository (PostgreSQL), faked in tests.
//
// Each call is one transaction. Update() is version-checked (core::ConcurrencyConflict on a
// lost race). The database allows at most one payment per order that is not Failed
// (pg::ConstraintViolation "payments_one_live_per_order") and unique transaction ids
// ("payments_transaction_id_key").

#include <optional>
#include <string>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/paging.hpp"
#include "services/payment/domain/payment.hpp"

namespace saga::payment {

struct PaymentFilter {
  std::optional<PaymentStatus> status;
};

class IPaymentRepository {
 public:
  virtual ~IPaymentRepository() = default;

  /// Stores a new payment (version becomes 1).
  virtual void Create(Payment& payment) = 0;
  /// Stores the payment's changes if its version is current; bumps it.
  virtual void Update(Payment& payment) = 0;
  [[nodiscard]] virtual std::optional<Payment> Get(const core::PaymentId& id) = 0;
  /// Every payment of the order, newest first (at most one is not Failed).
  [[nodiscard]] virtual std::vector<Payment> GetByOrderId(const core::OrderId& order_id) = 0;
  [[nodiscard]] virtual std::optional<Payment> GetByTransactionId(const std::string& transaction_id) = 0;
  /// Newest first, filtered, one page.
  [[nodiscard]] virtual core::Page<Payment> List(const PaymentFilter& filter,
                                                 const core::PageRequest& page) = 0;
};

}  // namespace saga::payment
