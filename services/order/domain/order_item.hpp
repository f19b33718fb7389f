#pragma once
// OrderItem: an immutable line of an order. Quantity in [1, kMaxQuantityPerItem], price > 0,
// subtotal = price * quantity computed once at creation (overflow is refused).

#include <cstdint>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "services/order/domain/order_errors.hpp"

namespace saga::order {

inline constexpr std::int32_t kMaxQuantityPerItem = 10000;

class OrderItem {
 public:
  [[nodiscard]] static core::Result<OrderItem, OrderError> Create(core::ProductId product_id,
                                                                  std::int32_t quantity,
                                                                  core::Money unit_price);

  [[nodiscard]] const core::ProductId& ProductId() const noexcept { return product_id_; }
  [[nodiscard]] std::int32_t Quantity() const noexcept { return quantity_; }
  [[nodiscard]] const core::Money& UnitPrice() const noexcept { return unit_price_; }
  [[nodiscard]] const core::Money& Subtotal() const noexcept { return subtotal_; }

  friend bool operator==(const OrderItem&, const OrderItem&) = default;

 private:
  OrderItem(core::ProductId product_id, std::int32_t quantity, core::Money unit_price, core::Money subtotal)
      : product_id_(product_id), quantity_(quantity), unit_price_(unit_price), subtotal_(subtotal) {}

  core::ProductId product_id_;
  std::int32_t quantity_;
  core::Money unit_price_;
  core::Money subtotal_;
};

}  // namespace saga::order
