#pragma once
// PostgreSQL implementation of IOrderRepository (order_db): over a pool, each call is its own
// transaction; over a caller's transaction, calls run inside it (and Get locks the row).

#include "saga/pg/transaction_scope.hpp"
#include "services/order/domain/order_repository.hpp"

namespace saga::order {

class PgOrderRepository final : public IOrderRepository {
 public:
  explicit PgOrderRepository(pg::ConnectionPool& pool) : scope_(pool) {}
  explicit PgOrderRepository(pqxx::transaction_base& tx) : scope_(tx) {}

  void Create(Order& order) override;
  void Update(Order& order) override;
  [[nodiscard]] std::optional<Order> Get(const core::OrderId& id) override;
  [[nodiscard]] core::Page<Order> GetAll(const OrderFilter& filter, const core::PageRequest& page) override;
  bool Delete(const core::OrderId& id, std::int64_t expected_version) override;

 private:
  template <typename F>
  decltype(auto) Run(F&& fn) const {
    return scope_.Run(std::forward<F>(fn));
  }
  pg::TransactionScope scope_;
};

}  // namespace saga::order
