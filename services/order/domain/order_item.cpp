#include "services/order/domain/order_item.hpp"

namespace saga::order {

core::Result<OrderItem, OrderError> OrderItem::Create(core::ProductId product_id, std::int32_t quantity,
                                                      core::Money unit_price) {
  if (quantity <= 0 || quantity > kMaxQuantityPerItem) return core::Fail(OrderError::kInvalidQuantity);
  if (!unit_price.IsPositive()) return core::Fail(OrderError::kInvalidPrice);
  auto subtotal = unit_price.Times(quantity);
  if (!subtotal) return core::Fail(OrderError::kAmountOverflow);
  return OrderItem(product_id, quantity, unit_price, subtotal.Value());
}

}  // namespace saga::order
