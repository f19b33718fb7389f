#include "services/inventory/domain/inventory_item.hpp"

namespace saga::inventory {

using core::Fail;
using core::Ok;

core::Result<InventoryItem, InventoryError> InventoryItem::Create(core::InventoryItemId id,
                                                                  core::ProductId product_id,
                                                                  std::int64_t quantity,
                                                                  core::Timestamp now) {
  if (quantity < 0) return Fail(InventoryError::kInvalidQuantity);
  InventoryItem item(id, product_id, quantity, 0, now, 0);
  item.Changed(now);
  return item;
}

core::Result<InventoryItem, InventoryError> InventoryItem::Restore(
    core::InventoryItemId id, core::ProductId product_id, std::int64_t quantity, std::int64_t reserved,
    core::Timestamp last_updated, std::int64_t version) {
  if (quantity < 0 || reserved < 0) return Fail(InventoryError::kInvalidQuantity);
  if (reserved > quantity) return Fail(InventoryError::kStockBelowReserved);
  return InventoryItem(id, product_id, quantity, reserved, last_updated, version);
}

void InventoryItem::Changed(core::Timestamp now) {
  last_updated_ = now;
  events_.push_back(StockChanged{product_id_, quantity_, reserved_, now});
}

core::Result<void, InventoryError> InventoryItem::Reserve(std::int64_t count, core::Timestamp now) {
  if (count <= 0) return Fail(InventoryError::kInvalidQuantity);
  if (count > Available()) return Fail(InventoryError::kInsufficientStock);
  reserved_ += count;
  Changed(now);
  return Ok<InventoryError>();
}

core::Result<void, InventoryError> InventoryItem::Release(std::int64_t count, core::Timestamp now) {
  if (count <= 0) return Fail(InventoryError::kInvalidQuantity);
  if (count > reserved_) return Fail(InventoryError::kReleaseExceedsReserved);
  reserved_ -= count;
  Changed(now);
  return Ok<InventoryError>();
}

core::Result<void, InventoryError> InventoryItem::CommitSale(std::int64_t count, core::Timestamp now) {
  if (count <= 0) return Fail(InventoryError::kInvalidQuantity);
  if (count > reserved_) return Fail(InventoryError::kCommitExceedsReserved);
  reserved_ -= count;
  quantity_ -= count;
  Changed(now);
  return Ok<InventoryError>();
}

core::Result<void, InventoryError> InventoryItem::Restock(std::int64_t count, core::Timestamp now) {
  if (count <= 0) return Fail(InventoryError::kInvalidQuantity);
  std::int64_t sum = 0;
  if (__builtin_add_overflow(quantity_, count, &sum)) return Fail(InventoryError::kQuantityOverflow);
  quantity_ = sum;
  Changed(now);
  return Ok<InventoryError>();
}

core::Result<void, InventoryError> InventoryItem::SetStock(std::int64_t quantity, core::Timestamp now) {
  if (quantity < 0) return Fail(InventoryError::kInvalidQuantity);
  if (quantity < reserved_) return Fail(InventoryError::kStockBelowReserved);
  quantity_ = quantity;
  Changed(now);
  return Ok<InventoryError>();
}

}  // namespace saga::inventory
