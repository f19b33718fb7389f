#pragma once
// PostgreSQL implementation of IOrderRepository (order_db): over a pool, each call is its own
// transaction; over a caller's transaction, calls run inside it (and Get locks the row).

#include <vector>

#include "saga/pg/bulk.hpp"
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

  /// The select list of an order with its items (the orders table aliased `o`; the items are one
  /// column), for statements that read orders together with other rows; FromRow reads it back.
  [[nodiscard]] static const std::string& SelectList();
  /// The order in `row`'s columns from `first` on, read with SelectList(). Throws
  /// pg::QueryError when the stored row is not a valid order.
  [[nodiscard]] static Order FromRow(const pqxx::row& row, pqxx::row::size_type first = 0);
  /// One stored version change of an order whose items did not change: `order` as it is to be
  /// stored (its Version() included), `stored_version` the version its row holds now.
  struct StatusChange {
    const Order* order;
    std::int64_t stored_version;
  };
  /// The rows and the statement that store status, total, updated_at and version of every change
  /// in ONE statement (alone, or as a part of a pg::BulkStatement), each row checked against its
  /// stored version: the statement returns a row per order stored, so fewer rows than changes
  /// is a lost race.
  [[nodiscard]] static pg::BulkRows ChangeRows(const std::vector<StatusChange>& changes);
  [[nodiscard]] static const std::string& ChangeStatement();
  /// The rows and statements Create sends (new orders, their items), for a caller that sends
  /// them with other writes as one statement; each statement returns a row per row it stored.
  struct NewRows {
    pg::BulkRows orders;
    pg::BulkRows items;
  };
  [[nodiscard]] static NewRows MakeNewRows();
  /// Adds `order` as it is to be stored, at `version`.
  static void AddNew(NewRows& rows, const Order& order, std::int64_t version);
  [[nodiscard]] static const std::string& NewOrdersStatement();
  [[nodiscard]] static const std::string& NewItemsStatement();

 private:
  template <typename F>
  decltype(auto) Run(F&& fn) const {
    return scope_.Run(std::forward<F>(fn));
  }
  pg::TransactionScope scope_;
};

}  // namespace saga::order
