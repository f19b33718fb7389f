#pragma once
// InventoryItem aggregate: the stock of one product. Invariants, always true:
//   0 <= Reserved() <= Quantity();  Available() = Quantity() - Reserved() >= 0;
//   Quantity() = Received() - Sold();  Sold() >= 0.
// Quantity counts units on hand, reserved ones included; a committed sale removes units from
// both. The ledger explains the quantity: Received() counts every unit that came in (initial
// stock, restocks, stock-count deltas, which may be negative), Sold() the units sold net of
// returns. Every accepted change records a StockChanged event; a refused one changes nothing.

#include <cstdint>
#include <vector>

#include "saga/core/ids.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/domain/inventory_errors.hpp"

namespace saga::inventory {

struct StockChanged {
  core::ProductId product_id;
  std::int64_t quantity;
  std::int64_t reserved;
  core::Timestamp at;
};

class InventoryItem {
 public:
  [[nodiscard]] static core::Result<InventoryItem, InventoryError> Create(core::InventoryItemId id,
                                                                          core::ProductId product_id,
                                                                          std::int64_t quantity,
                                                                          core::Timestamp now);
  /// Rebuilds a stored item; an error when the stored numbers break an invariant
  /// (kInvalidQuantity for negative numbers or a ledger that does not add up,
  /// kStockBelowReserved).
  [[nodiscard]] static core::Result<InventoryItem, InventoryError> Restore(
      core::InventoryItemId id, core::ProductId product_id, std::int64_t quantity, std::int64_t reserved,
      std::int64_t received, std::int64_t sold, core::Timestamp last_updated, std::int64_t version);

  /// Holds `count` units for an order: kInvalidQuantity, kInsufficientStock.
  [[nodiscard]] core::Result<void, InventoryError> Reserve(std::int64_t count, core::Timestamp now);
  /// Returns held units to the available stock: kInvalidQuantity, kReleaseExceedsReserved.
  [[nodiscard]] core::Result<void, InventoryError> Release(std::int64_t count, core::Timestamp now);
  /// Turns held units into a sale (they leave the stock; Sold() grows): kInvalidQuantity,
  /// kCommitExceedsReserved.
  [[nodiscard]] core::Result<void, InventoryError> CommitSale(std::int64_t count, core::Timestamp now);
  /// Puts sold units back on hand (a compensated sale): Quantity() grows and Sold() shrinks by
  /// `count`. kInvalidQuantity, kReturnExceedsSold, kQuantityOverflow.
  [[nodiscard]] core::Result<void, InventoryError> ReturnSale(std::int64_t count, core::Timestamp now);
  /// Adds units (Received() grows): kInvalidQuantity, kQuantityOverflow.
  [[nodiscard]] core::Result<void, InventoryError> Restock(std::int64_t count, core::Timestamp now);
  /// Sets the units on hand (a stock count; Received() changes by the difference):
  /// kInvalidQuantity (< 0), kStockBelowReserved, kQuantityOverflow.
  [[nodiscard]] core::Result<void, InventoryError> SetStock(std::int64_t quantity, core::Timestamp now);

  [[nodiscard]] const core::InventoryItemId& Id() const noexcept { return id_; }
  [[nodiscard]] const core::ProductId& ProductId() const noexcept { return product_id_; }
  [[nodiscard]] std::int64_t Quantity() const noexcept { return quantity_; }
  [[nodiscard]] std::int64_t Reserved() const noexcept { return reserved_; }
  [[nodiscard]] std::int64_t Available() const noexcept { return quantity_ - reserved_; }
  [[nodiscard]] std::int64_t Received() const noexcept { return received_; }
  [[nodiscard]] std::int64_t Sold() const noexcept { return sold_; }
  [[nodiscard]] core::Timestamp LastUpdated() const noexcept { return last_updated_; }
  [[nodiscard]] std::int64_t Version() const noexcept { return version_; }
  void MarkPersisted(std::int64_t new_version) noexcept { version_ = new_version; }

  [[nodiscard]] const std::vector<StockChanged>& DomainEvents() const noexcept { return events_; }
  void ClearDomainEvents() noexcept { events_.clear(); }

 private:
  InventoryItem(core::InventoryItemId id, core::ProductId product_id, std::int64_t quantity,
                std::int64_t reserved, std::int64_t received, std::int64_t sold, core::Timestamp last_updated,
                std::int64_t version)
      : id_(id),
        product_id_(product_id),
        quantity_(quantity),
        reserved_(reserved),
        received_(received),
        sold_(sold),
        last_updated_(last_updated),
        version_(version) {}
  void Changed(core::Timestamp now);

  core::InventoryItemId id_;
  core::ProductId product_id_;
  std::int64_t quantity_;
  std::int64_t reserved_;
  std::int64_t received_;
  std::int64_t sold_;
  core::Timestamp last_updated_;
  std::int64_t version_;
  std::vector<StockChanged> events_;
};

}  // namespace saga::inventory
