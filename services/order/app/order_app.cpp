#include "services/order/app/order_app.hpp"

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"

namespace saga::order {
namespace {

constexpr int kConflictRetries = 5;

OrderAppError Rule(OrderError error) {
  return OrderAppError{OrderAppError::Kind::kRule, error, {}, 0};
}

}  // namespace

core::Result<Order, OrderAppError> OrderApp::PlaceOrder(const PlaceOrderCommand& command) {
  if (auto existing = orders_.Get(command.order_id)) return std::move(*existing);
  std::vector<core::ProductId> products;
  products.reserve(command.lines.size());
  for (const auto& line : command.lines) products.push_back(line.product_id);
  const auto prices = catalogue_.Prices(products);
  std::vector<OrderItem> items;
  std::optional<core::Currency> currency;
  for (const auto& line : command.lines) {
    const auto price = prices.find(line.product_id);
    if (price == prices.end()) {
      return core::Fail(OrderAppError{OrderAppError::Kind::kUnknownProduct, {}, line.product_id, 0});
    }
    if (currency && *currency != price->second.GetCurrency()) {
      return core::Fail(OrderAppError{OrderAppError::Kind::kMixedCurrencies, {}, line.product_id, 0});
    }
    currency = price->second.GetCurrency();
    auto item = OrderItem::Create(line.product_id, line.quantity, price->second);
    if (!item) return core::Fail(Rule(item.Error()));
    items.push_back(item.Value());
  }
  if (!currency) return core::Fail(Rule(OrderError::kNoItems));
  auto order =
      Order::Create(command.order_id, command.customer_id, *currency, std::move(items), clock_.Now());
  if (!order) return core::Fail(Rule(order.Error()));
  try {
    orders_.Create(order.Value());
  } catch (const pg::ConstraintViolation& e) {
    // A concurrent attempt with the same id (a retried request) stored it first.
    if (e.Constraint() != "orders_pkey") throw;
    if (auto existing = orders_.Get(command.order_id)) return std::move(*existing);
    throw;
  }
  return std::move(order).Value();
}

std::optional<Order> OrderApp::GetOrder(const core::OrderId& id) {
  return orders_.Get(id);
}

core::Page<Order> OrderApp::ListOrders(const OrderFilter& filter, const core::PageRequest& page) {
  return orders_.GetAll(filter, page);
}

core::Result<Order, OrderAppError> OrderApp::CancelOrder(const core::OrderId& id,
                                                         std::optional<std::int64_t> expected_version) {
  for (int attempt = 0;; ++attempt) {
    auto order = orders_.Get(id);
    if (!order) return core::Fail(OrderAppError{OrderAppError::Kind::kNotFound, {}, {}, 0});
    if (expected_version && *expected_version != order->Version()) {
      return core::Fail(OrderAppError{OrderAppError::Kind::kVersionMismatch, {}, {}, order->Version()});
    }
    if (auto moved = order->UpdateStatus(OrderStatus::kCancelled, clock_.Now()); !moved) {
      auto error = Rule(moved.Error());
      error.current_version = order->Version();
      return core::Fail(error);
    }
    try {
      orders_.Update(*order);
      return std::move(*order);
    } catch (const core::ConcurrencyConflict&) {
      if (expected_version || attempt + 1 >= kConflictRetries) {
        const auto current = orders_.Get(id);
        return core::Fail(
            OrderAppError{OrderAppError::Kind::kVersionMismatch, {}, {}, current ? current->Version() : 0});
      }
    }
  }
}

}  // namespace saga::order
