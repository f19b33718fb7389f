#pragma once
// Test builders for orders: valid by default, each With*() changes one thing.

#include <vector>

#include "services/order/domain/order.hpp"

namespace saga::order::testing {

inline const core::Currency kEur = *core::Currency::Parse("EUR");
inline const core::Timestamp kT0 = core::FromUnixMicros(1'790'000'000'123'456);

class OrderBuilder {
 public:
  OrderBuilder& WithCustomer(core::CustomerId customer) {
    customer_ = customer;
    return *this;
  }
  /// Adds an item of a fresh product.
  OrderBuilder& WithItem(std::int32_t quantity, std::int64_t unit_price_minor) {
    items_.push_back(
        OrderItem::Create(core::NewId<core::ProductId>(), quantity, core::Money(unit_price_minor, kEur))
            .Value());
    return *this;
  }
  OrderBuilder& At(core::Timestamp at) {
    at_ = at;
    return *this;
  }
  [[nodiscard]] Order Build() const {
    auto items = items_;
    if (items.empty()) {
      items.push_back(OrderItem::Create(core::NewId<core::ProductId>(), 2, core::Money(1250, kEur)).Value());
      items.push_back(OrderItem::Create(core::NewId<core::ProductId>(), 1, core::Money(499, kEur)).Value());
    }
    return Order::Create(core::NewId<core::OrderId>(), customer_, kEur, std::move(items), at_).Value();
  }

 private:
  core::CustomerId customer_ = core::NewId<core::CustomerId>();
  std::vector<OrderItem> items_;
  core::Timestamp at_ = kT0;
};

}  // namespace saga::order::testing
