#pragma once
// PostgreSQL implementation of IInventoryRepository (inventory_db), in one of two modes:
//   - pool mode, PgInventoryRepository(pool): every call is one transaction of its own on a
//     pooled connection and commits before it returns. Thread-safe. Records no stock writes.
//   - transaction mode, PgInventoryRepository(tx): every call runs inside the caller's
//     transaction and never commits or aborts it; the caller decides (a unit of work, or the
//     reliable consumer's inbox transaction). Records its stock writes for TakeStockWrites().
//     Not thread-safe, like the transaction; must not outlive it.
// Rows of several products are always locked in product-id order, so concurrent reservations
// cannot deadlock each other. A refused call writes nothing in either mode.

#include <pqxx/transaction_base>

#include "saga/pg/pool.hpp"
#include "services/inventory/domain/inventory_repository.hpp"

namespace saga::inventory {

class PgInventoryRepository final : public IInventoryRepository {
 public:
  explicit PgInventoryRepository(pg::ConnectionPool& pool) : pool_(&pool) {}
  explicit PgInventoryRepository(pqxx::transaction_base& tx) : tx_(&tx) {}

  void CreateProduct(const Product& product, InventoryItem& item) override;
  [[nodiscard]] std::optional<ProductStock> GetProduct(const core::ProductId& id) override;
  [[nodiscard]] std::vector<ProductStock> GetProducts(const std::vector<core::ProductId>& ids) override;
  [[nodiscard]] std::optional<ProductStock> GetProductBySku(const Sku& sku) override;
  [[nodiscard]] core::Page<ProductStock> ListProducts(const core::PageRequest& page) override;
  [[nodiscard]] core::Page<ProductStock> LowStock(std::int64_t threshold,
                                                  const core::PageRequest& page) override;
  [[nodiscard]] std::optional<InventoryItem> GetByProductId(const core::ProductId& product_id) override;
  void UpdateStock(InventoryItem& item) override;
  [[nodiscard]] core::Result<std::vector<Reservation>, ReserveFailure> Reserve(
      const core::OrderId& order_id, const std::vector<ReservationLine>& lines, core::Timestamp now,
      core::Timestamp expires_at) override;
  [[nodiscard]] core::Result<std::vector<Reservation>, InventoryError> Release(const core::OrderId& order_id,
                                                                               core::Timestamp now) override;
  [[nodiscard]] core::Result<std::vector<Reservation>, InventoryError> Commit(const core::OrderId& order_id,
                                                                              core::Timestamp now) override;
  [[nodiscard]] std::vector<Reservation> GetReservations(const core::OrderId& order_id) override;
  std::vector<Reservation> ExpireReservations(core::Timestamp now, int limit) override;
  [[nodiscard]] std::vector<StockWrite> TakeStockWrites() override;

 private:
  // Runs fn(pqxx::transaction_base&) in the bound transaction, or in a new one that commits.
  template <typename F>
  decltype(auto) Write(F&& fn);
  // Runs fn(pqxx::transaction_base&) in the bound transaction, or statement by statement
  // (autocommit) on a pooled connection: for reads only.
  template <typename F>
  decltype(auto) Read(F&& fn);
  void WriteItem(pqxx::transaction_base& tx, InventoryItem& item,
                 const std::optional<core::OrderId>& order_id);
  // WriteItem for several stock rows (each at most once) in ONE statement.
  void WriteItems(pqxx::transaction_base& tx, const std::vector<InventoryItem*>& items,
                  const std::optional<core::OrderId>& order_id);

  pg::ConnectionPool* pool_ = nullptr;    // pool mode
  pqxx::transaction_base* tx_ = nullptr;  // transaction mode
  std::vector<StockWrite> writes_;        // transaction mode only
};

}  // namespace saga::inventory
