#pragma once
// PostgreSQL implementation of IOrderRepository over a connection pool (order_db).

#include "saga/pg/pool.hpp"
#include "services/order/domain/order_repository.hpp"

namespace saga::order {

class PgOrderRepository final : public IOrderRepository {
 public:
  explicit PgOrderRepository(pg::ConnectionPool& pool) : pool_(pool) {}

  void Create(Order& order) override;
  void Update(Order& order) override;
  [[nodiscard]] std::optional<Order> Get(const core::OrderId& id) override;
  [[nodiscard]] core::Page<Order> GetAll(const OrderFilter& filter, const core::PageRequest& page) override;
  bool Delete(const core::OrderId& id, std::int64_t expected_version) override;

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace saga::order
