#pragma once
// PostgreSQL implementation of IPaymentRepository over a connection pool (payment_db).

#include "saga/pg/pool.hpp"
#include "services/payment/domain/payment_repository.hpp"

namespace saga::payment {

class PgPaymentRepository final : public IPaymentRepository {
 public:
  explicit PgPaymentRepository(pg::ConnectionPool& pool) : pool_(pool) {}

  void Create(Payment& payment) override;
  void Update(Payment& payment) override;
  [[nodiscard]] std::optional<Payment> Get(const core::PaymentId& id) override;
  [[nodiscard]] std::vector<Payment> GetByOrderId(const core::OrderId& order_id) override;
  [[nodiscard]] std::optional<Payment> GetByTransactionId(const std::string& transaction_id) override;
  [[nodiscard]] core::Page<Payment> List(const PaymentFilter& filter, const core::PageRequest& page) override;

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace saga::payment
