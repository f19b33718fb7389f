#include "services/order/domain/order.hpp"

#include <algorithm>
#include <set>

namespace saga::order {

Order::Order(core::OrderId id, core::CustomerId customer_id, core::Currency currency, core::Timestamp now)
    : id_(id),
      customer_id_(customer_id),
      currency_(currency),
      total_(core::Money::Zero(currency)),
      created_at_(now),
      updated_at_(now) {}

core::Result<core::Money, OrderError> Order::SumOf(const std::vector<OrderItem>& items,
                                                   core::Currency currency) {
  if (items.empty()) return core::Fail(OrderError::kNoItems);
  if (items.size() > kMaxItemsPerOrder) return core::Fail(OrderError::kTooManyItems);
  std::set<core::ProductId> products;
  core::Money total = core::Money::Zero(currency);
  for (const auto& item : items) {
    if (item.UnitPrice().GetCurrency() != currency) return core::Fail(OrderError::kCurrencyMismatch);
    if (!products.insert(item.ProductId()).second) return core::Fail(OrderError::kDuplicateProduct);
    auto sum = total.Plus(item.Subtotal());
    if (!sum) return core::Fail(OrderError::kAmountOverflow);
    total = sum.Value();
  }
  return total;
}

core::Result<Order, OrderError> Order::Create(core::OrderId id, core::CustomerId customer_id,
                                              core::Currency currency, std::vector<OrderItem> items,
                                              core::Timestamp now) {
  auto total = SumOf(items, currency);
  if (!total) return core::Fail(total.Error());
  Order order(id, customer_id, currency, now);
  order.items_ = std::move(items);
  order.total_ = total.Value();
  order.events_.emplace_back(OrderCreated{id, customer_id, order.total_, now});
  return order;
}

core::Result<Order, OrderError> Order::Restore(core::OrderId id, core::CustomerId customer_id,
                                               OrderStatus status, core::Currency currency,
                                               std::vector<OrderItem> items, core::Timestamp created_at,
                                               core::Timestamp updated_at, std::int64_t version) {
  auto total = SumOf(items, currency);
  if (!total) return core::Fail(total.Error());
  Order order(id, customer_id, currency, created_at);
  order.status_ = status;
  order.items_ = std::move(items);
  order.total_ = total.Value();
  order.updated_at_ = updated_at;
  order.version_ = version;
  return order;
}

core::Result<void, OrderError> Order::ReplaceItems(std::vector<OrderItem> candidate, core::Timestamp now) {
  auto total = SumOf(candidate, currency_);
  if (!total) return core::Fail(total.Error());
  items_ = std::move(candidate);
  items_changed_ = true;
  total_ = total.Value();
  updated_at_ = now;
  events_.emplace_back(OrderItemsChanged{id_, total_, now});
  return core::Ok<OrderError>();
}

core::Result<void, OrderError> Order::AddItem(OrderItem item, core::Timestamp now) {
  if (status_ != OrderStatus::kCreated) return core::Fail(OrderError::kNotModifiable);
  auto candidate = items_;
  candidate.push_back(std::move(item));
  return ReplaceItems(std::move(candidate), now);
}

core::Result<void, OrderError> Order::RemoveItem(const core::ProductId& product_id, core::Timestamp now) {
  if (status_ != OrderStatus::kCreated) return core::Fail(OrderError::kNotModifiable);
  auto candidate = items_;
  auto it = std::find_if(candidate.begin(), candidate.end(),
                         [&](const OrderItem& item) { return item.ProductId() == product_id; });
  if (it == candidate.end()) return core::Fail(OrderError::kItemNotFound);
  candidate.erase(it);
  return ReplaceItems(std::move(candidate), now);  // refuses removing the last item
}

core::Result<void, OrderError> Order::UpdateStatus(OrderStatus to, core::Timestamp now) {
  if (!CanTransition(status_, to)) return core::Fail(OrderError::kIllegalTransition);
  events_.emplace_back(OrderStatusChanged{id_, status_, to, now});
  status_ = to;
  updated_at_ = now;
  return core::Ok<OrderError>();
}

core::Money Order::CalculateTotal() const {
  core::Money total = core::Money::Zero(currency_);
  for (const auto& item : items_) total = total.Plus(item.Subtotal()).Value();  // checked at every change
  return total;
}

}  // namespace saga::order
