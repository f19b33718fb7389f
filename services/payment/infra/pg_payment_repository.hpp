#pragma once
// PostgreSQL implementation of IPaymentRepository (payment_db), in one of two modes:
//   - pool mode (PgPaymentRepository(pool)): each call runs in its own transaction on a pooled
//     connection and commits, as the domain port describes;
//   - transaction mode (PgPaymentRepository(tx)): each call runs inside the caller's
//     transaction and never commits; the caller commits or rolls back everything together
//     (e.g. a consumer's inbox transaction, with the outbox rows of the same change). A failed
//     statement aborts that transaction, so after a pg error the caller must roll back.
// The pool or transaction must outlive the repository. Errors arrive translated (pg/errors.hpp).
// Thread-safety: pool mode is thread-safe; transaction mode belongs to the transaction's thread.

#include <pqxx/transaction_base>

#include "saga/pg/transaction_scope.hpp"
#include "services/payment/domain/payment_repository.hpp"

namespace saga::payment {

class PgPaymentRepository final : public IPaymentRepository {
 public:
  explicit PgPaymentRepository(pg::ConnectionPool& pool) : scope_(pool) {}
  explicit PgPaymentRepository(pqxx::transaction_base& tx) : scope_(tx) {}

  void Create(Payment& payment) override;
  void Update(Payment& payment) override;
  [[nodiscard]] std::optional<Payment> Get(const core::PaymentId& id) override;
  [[nodiscard]] std::vector<Payment> GetByOrderId(const core::OrderId& order_id) override;
  [[nodiscard]] std::optional<Payment> GetByTransactionId(const std::string& transaction_id) override;
  [[nodiscard]] core::Page<Payment> List(const PaymentFilter& filter, const core::PageRequest& page) override;

 private:
  pg::TransactionScope scope_;
};

}  // namespace saga::payment
