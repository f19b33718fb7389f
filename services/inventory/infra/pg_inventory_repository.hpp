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

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/row>
#include <pqxx/transaction_base>

#include "saga/outbox/loaded_rows.hpp"
#include "saga/pg/pool.hpp"
#include "services/inventory/domain/inventory_repository.hpp"

namespace saga::inventory {

/// The reservations and stock rows a consumer transaction read, and locked, with its inbox rows
/// (PgInventoryRepository::PreloadQuery, run through outbox::ConsumerConfig::load), kept for the
/// transaction's handlers. Each serves until the transaction writes it (Wrote); after that, and
/// for whatever was not asked for, the repository reads the database as before. Not
/// thread-safe; lives as long as its transaction.
class PreloadedStock {
 public:
  /// `rows` of PreloadQuery, asked for the reservations of `orders` and the stock of `products`
  /// (the stock of the products of those orders' reservations comes too).
  PreloadedStock(const std::vector<pqxx::row>& rows, const std::set<std::string>& orders,
                 const std::set<std::string>& products);
  /// The order's reservations in product-id order (none: it has none); nothing when they were
  /// not asked for or have been written since.
  [[nodiscard]] std::optional<std::vector<Reservation>> Reservations(const core::OrderId& order_id) const;
  /// The stock rows of `product_ids` that exist, by product id; nothing unless every one was
  /// asked for and none has been written since.
  [[nodiscard]] std::optional<std::map<std::string, InventoryItem>> Items(
      const std::vector<std::string>& product_ids) const;
  void Wrote(const core::OrderId& order_id);
  void Wrote(const InventoryItem& item);

 private:
  outbox::LoadedRows<Reservation> reservations_;  // by order
  outbox::LoadedRows<InventoryItem> items_;       // by product, one each (none: no stock row)
};

class PgInventoryRepository final : public IInventoryRepository {
 public:
  explicit PgInventoryRepository(pg::ConnectionPool& pool) : pool_(&pool) {}
  /// Transaction mode; with `preloaded`, the reservations and stock rows it holds are taken from
  /// it (and a Reserve that finds its order's reservations there takes no per-order lock: the
  /// unique key of reservations refuses a racing duplicate, as a ConcurrencyConflict).
  explicit PgInventoryRepository(pqxx::transaction_base& tx, PreloadedStock* preloaded = nullptr)
      : tx_(&tx), preloaded_(preloaded) {}

  /// The query PreloadedStock's rows come from: the reservations of the orders in uuid-array
  /// parameter $`orders`, and the stock rows of the products in $`products` and of those
  /// reservations, locked (reservations first, each in id order, as Reserve, Commit and Release
  /// lock them).
  [[nodiscard]] static std::string PreloadQuery(int orders, int products);

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

  // The order's reservations and the stock rows of `product_ids`, locked: from preloaded_ when
  // it has them, from the database otherwise.
  std::vector<Reservation> LockReservationsOf(pqxx::transaction_base& tx, const core::OrderId& order_id);
  std::map<std::string, InventoryItem> LockItemsOf(pqxx::transaction_base& tx,
                                                   const std::vector<std::string>& product_ids);
  std::map<std::string, InventoryItem> LockItemsOf(pqxx::transaction_base& tx,
                                                   const std::vector<Reservation>& reservations);
  template <typename Plan>
  core::Result<std::vector<Reservation>, InventoryError> MoveReservations(pqxx::transaction_base& tx,
                                                                          const core::OrderId& order_id,
                                                                          core::Timestamp now, Plan plan);

  pg::ConnectionPool* pool_ = nullptr;    // pool mode
  pqxx::transaction_base* tx_ = nullptr;  // transaction mode
  PreloadedStock* preloaded_ = nullptr;   // transaction mode, optional
  std::vector<StockWrite> writes_;        // transaction mode only
};

}  // namespace saga::inventory
