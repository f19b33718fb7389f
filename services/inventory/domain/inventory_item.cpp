#include "services/inventory/domain/inventory_item.hpp"

namespace saga::inventory {

using core::Fail;
using core::Ok;

core::Result<InventoryItem, InventoryError> InventoryItem::Create(core::InventoryItemId id,
                                                                  core::ProductId product_id,
                                                                  std::int64_t quantity,
                                                                  core::Timestamp now) {
  if (quantity < 0) return Fail(InventoryError::kInvalidQuantity);
  InventoryItem item(id, product_id, quantity, 0, quantity, 0, now, 0);
  item.Changed(now);
  return item;
}

core::Result<InventoryItem, InventoryError> InventoryItem::Restore(
    core::InventoryItemId id, core::ProductId product_id, std::int64_t quantity, std::int64_t reserved,
    std::int64_t received, std::int64_t sold, core::Timestamp last_updated, std::int64_t version) {
  if (quantity < 0 || reserved < 0 || sold < 0) return Fail(InventoryError::kInvalidQuantity);
  std::int64_t on_hand = 0;
  if (__builtin_sub_overflow(received, sold, &on_hand) || on_hand != quantity)
    return Fail(InventoryError::kInvalidQuantity);
  if (reserved > quantity) return Fail(InventoryError::kStockBelowReserved);
  return InventoryItem(id, product_id, quantity, reserved, received, sold, last_updated, version);
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
  sold_ += count;  // cannot overflow: sold_ + count <= received_ (quantity_ >= count)
  Changed(now);
  return Ok<InventoryError>();
}

core::Result<void, InventoryError> InventoryItem::ReturnSale(std::int64_t count, core::Timestamp now) {
  if (count <= 0) return Fail(InventoryError::kInvalidQuantity);
  if (count > sold_) return Fail(InventoryError::kReturnExceedsSold);
  std::int64_t sum = 0;
  if (__builtin_add_overflow(quantity_, count, &sum)) return Fail(InventoryError::kQuantityOverflow);
  quantity_ = sum;
  sold_ -= count;
  Changed(now);
  return Ok<InventoryError>();
}

core::Result<void, InventoryError> InventoryItem::Restock(std::int64_t count, core::Timestamp now) {
  if (count <= 0) return Fail(InventoryError::kInvalidQuantity);
  std::int64_t sum = 0;
  std::int64_t received = 0;
  if (__builtin_add_overflow(quantity_, count, &sum) || __builtin_add_overflow(received_, count, &received))
    return Fail(InventoryError::kQuantityOverflow);
  quantity_ = sum;
  received_ = received;
  Changed(now);
  return Ok<InventoryError>();
}

core::Result<void, InventoryError> InventoryItem::SetStock(std::int64_t quantity, core::Timestamp now) {
  if (quantity < 0) return Fail(InventoryError::kInvalidQuantity);
  if (quantity < reserved_) return Fail(InventoryError::kStockBelowReserved);
  std::int64_t received = 0;  // a stock count corrects what came in: received moves by the delta
  if (__builtin_add_overflow(received_, quantity - quantity_, &received))
    return Fail(InventoryError::kQuantityOverflow);
  quantity_ = quantity;
  received_ = received;
  Changed(now);
  return Ok<InventoryError>();
}

}  // namespace saga::inventory
