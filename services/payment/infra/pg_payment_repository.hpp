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

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/row>
#include <pqxx/transaction_base>

#include "saga/contracts/envelope.hpp"
#include "saga/outbox/loaded_rows.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/pg/transaction_scope.hpp"
#include "services/payment/domain/payment_repository.hpp"

namespace saga::payment {

/// The payments of a consumer transaction's orders, read with its inbox rows
/// (PaymentCommandLoad), by order id, kept for the transaction's handlers: an order's serve until
/// the transaction writes one of its payments (outbox::LoadedRows); after that, and for other
/// orders, the repository reads the database as before.
using PreloadedPayments = outbox::LoadedRows<Payment>;

/// ConsumerConfig::load of the payment commands: the payments of the commands' orders, read by
/// the statement that records the transaction's inbox rows.
[[nodiscard]] std::optional<outbox::BatchLoad> PaymentCommandLoad(
    const std::vector<const contracts::Envelope*>& taken, int first_parameter);

/// The transaction's PreloadedPayments (made from HandlerContext::loaded on its first message,
/// kept next to its outbox, outbox::TransactionStateOf); nullptr without a load.
[[nodiscard]] PreloadedPayments* PreloadedPaymentsOf(outbox::HandlerContext& context);

class PgPaymentRepository final : public IPaymentRepository {
 public:
  explicit PgPaymentRepository(pg::ConnectionPool& pool) : scope_(pool) {}
  /// Transaction mode; with `preloaded`, GetByOrderId takes what it holds.
  explicit PgPaymentRepository(pqxx::transaction_base& tx, PreloadedPayments* preloaded = nullptr)
      : scope_(tx), preloaded_(preloaded) {}

  void Create(Payment& payment) override;
  void Update(Payment& payment) override;
  [[nodiscard]] std::optional<Payment> Get(const core::PaymentId& id) override;
  [[nodiscard]] std::vector<Payment> GetByOrderId(const core::OrderId& order_id) override;
  [[nodiscard]] std::optional<Payment> GetByTransactionId(const std::string& transaction_id) override;
  [[nodiscard]] core::Page<Payment> List(const PaymentFilter& filter, const core::PageRequest& page) override;

 private:
  pg::TransactionScope scope_;
  PreloadedPayments* preloaded_ = nullptr;
};

}  // namespace saga::payment
