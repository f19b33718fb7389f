#pragma once
// IInventoryRepository: the port through which the app layer stores the catalogue, stock and
// reservations. Implemented by infra/pg_inventory_repository (PostgreSQL), faked in tests.
//
// Every call is atomic: either one transaction of its own, or part of the caller's transaction
// (a unit of work, app/unit_of_work.hpp); a call that is refused writes nothing. Stock updates
// are version-checked (core::ConcurrencyConflict on a lost race). Reserve / Release / Commit work
// on all the reservations of one order at once and are repeatable: calling them again changes
// nothing and returns the same reservations. Infrastructure failures throw core::InfraError
// subclasses.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/paging.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/domain/inventory_item.hpp"
#include "services/inventory/domain/product.hpp"
#include "services/inventory/domain/reservation.hpp"

namespace saga::inventory {

struct ProductStock {
  Product product;
  InventoryItem item;
};

struct ReservationLine {
  core::ProductId product_id;
  std::int64_t quantity = 0;
};

/// Why a Reserve was refused, and for which product.
struct ReserveFailure {
  InventoryError error;
  core::ProductId product_id;
  std::int64_t available = 0;  // units available for that product when refused
};

/// One write of a product's stock row, with what the notifications of that change need
/// (StockUpdated, LowStockNotification). Recorded by repositories bound to a unit of work.
struct StockWrite {
  core::ProductId product_id;
  std::string sku;
  std::optional<core::OrderId> order_id;         // the order whose reservation caused it, if any
  std::int64_t quantity = 0;                     // after the write
  std::int64_t reserved = 0;                     // after the write
  std::optional<std::int64_t> available_before;  // none for a product just created
  std::int64_t low_stock_threshold = 0;
  [[nodiscard]] std::int64_t Available() const noexcept { return quantity - reserved; }
};

class IInventoryRepository {
 public:
  virtual ~IInventoryRepository() = default;

  /// Stores a product with its stock record in one transaction. Throws pg::ConstraintViolation
  /// (constraint products_sku_key) when the SKU is taken.
  virtual void CreateProduct(const Product& product, InventoryItem& item) = 0;
  [[nodiscard]] virtual std::optional<ProductStock> GetProduct(const core::ProductId& id) = 0;
  [[nodiscard]] virtual std::optional<ProductStock> GetProductBySku(const Sku& sku) = 0;
  /// The products of `ids` that exist, in id order (one read however many).
  [[nodiscard]] virtual std::vector<ProductStock> GetProducts(const std::vector<core::ProductId>& ids) = 0;
  /// Oldest first.
  [[nodiscard]] virtual core::Page<ProductStock> ListProducts(const core::PageRequest& page) = 0;
  /// Products whose available units (quantity - reserved) are below `threshold`, fewest first.
  [[nodiscard]] virtual core::Page<ProductStock> LowStock(std::int64_t threshold,
                                                          const core::PageRequest& page) = 0;

  [[nodiscard]] virtual std::optional<InventoryItem> GetByProductId(const core::ProductId& product_id) = 0;
  /// Stores the item's quantity and reserved count if its version is current; bumps it.
  virtual void UpdateStock(InventoryItem& item) = 0;

  /// Holds every line for the order, all or nothing, until `expires_at`. Repeating it for an
  /// order that already has reservations returns them unchanged. Fails with
  /// kInsufficientStock / kInvalidQuantity for a line, or kUnknownProduct.
  [[nodiscard]] virtual core::Result<std::vector<Reservation>, ReserveFailure> Reserve(
      const core::OrderId& order_id, const std::vector<ReservationLine>& lines, core::Timestamp now,
      core::Timestamp expires_at) = 0;
  /// Gives back whatever the order has: Active -> Released (the held units are available again),
  /// Committed -> Returned (the sold units are back on hand, InventoryItem::ReturnSale).
  /// Released, Expired and Returned ones stay as they are, so it is repeatable; an order without
  /// reservations returns none. Fails only when a stock move is refused (corrupt data).
  [[nodiscard]] virtual core::Result<std::vector<Reservation>, InventoryError> Release(
      const core::OrderId& order_id, core::Timestamp now) = 0;
  /// Turns the order's active reservations into a sale. Fails with kReservationExpired or
  /// kIllegalTransition (nothing changes).
  [[nodiscard]] virtual core::Result<std::vector<Reservation>, InventoryError> Commit(
      const core::OrderId& order_id, core::Timestamp now) = 0;
  [[nodiscard]] virtual std::vector<Reservation> GetReservations(const core::OrderId& order_id) = 0;
  /// Expires up to `limit` active reservations past their expiry and returns their units to the
  /// stock. Safe with several instances running (rows are claimed with SKIP LOCKED).
  virtual std::vector<Reservation> ExpireReservations(core::Timestamp now, int limit) = 0;

  /// The stock writes made since the last call, in order, and forgets them. Only a repository
  /// bound to a unit of work records them (one that commits each call on its own returns none).
  [[nodiscard]] virtual std::vector<StockWrite> TakeStockWrites() = 0;
};

}  // namespace saga::inventory
