#pragma once
// PostgreSQL implementation of IInventoryRepository over a connection pool (inventory_db).
// Rows of several products are always locked in product-id order, so concurrent reservations
// cannot deadlock each other.

#include "saga/pg/pool.hpp"
#include "services/inventory/domain/inventory_repository.hpp"

namespace saga::inventory {

class PgInventoryRepository final : public IInventoryRepository {
 public:
  explicit PgInventoryRepository(pg::ConnectionPool& pool) : pool_(pool) {}

  void CreateProduct(const Product& product, InventoryItem& item) override;
  [[nodiscard]] std::optional<ProductStock> GetProduct(const core::ProductId& id) override;
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

 private:
  pg::ConnectionPool& pool_;
};

}  // namespace saga::inventory
