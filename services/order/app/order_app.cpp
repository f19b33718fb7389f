#include "services/order/app/order_app.hpp"

#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"

namespace saga::order {
namespace {

OrderAppError Rule(OrderError error) {
  return OrderAppError{OrderAppError::Kind::kRule, error, {}, 0, {}};
}

}  // namespace

core::Result<Order, OrderAppError> OrderApp::PlaceOrder(const PlaceOrderCommand& command,
                                                        const Requester& requester) {
  if (!requester.MayActFor(command.customer_id)) {
    return core::Fail(OrderAppError{OrderAppError::Kind::kNotOwnCustomer, {}, {}, 0, {}});
  }
  if (!command.new_id) {
    if (auto existing = orders_.Get(command.order_id)) return std::move(*existing);
  }
  std::vector<core::ProductId> products;
  products.reserve(command.lines.size());
  for (const auto& line : command.lines) products.push_back(line.product_id);
  const auto prices = catalogue_.Prices(products);
  std::vector<OrderItem> items;
  std::optional<core::Currency> currency;
  for (const auto& line : command.lines) {
    const auto price = prices.find(line.product_id);
    if (price == prices.end()) {
      return core::Fail(OrderAppError{OrderAppError::Kind::kUnknownProduct, {}, line.product_id, 0, {}});
    }
    if (currency && *currency != price->second.GetCurrency()) {
      return core::Fail(OrderAppError{OrderAppError::Kind::kMixedCurrencies, {}, line.product_id, 0, {}});
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
    transactions_.Run([&](ISagaUnitOfWork& uow) {
      orchestrator_.Start(uow, order.Value(), command.payment_token, command.correlation_id,
                          command.traceparent);
    });
  } catch (const pg::ConstraintViolation& e) {
    // A concurrent attempt with the same id (a retried request) stored it first.
    if (e.Constraint() != "orders_pkey") throw;
    if (auto existing = orders_.Get(command.order_id)) return std::move(*existing);
    throw;
  }
  return std::move(order).Value();
}

std::optional<Order> OrderApp::GetOrder(const core::OrderId& id, const Requester& requester) {
  auto order = orders_.Get(id);
  if (order && !requester.MayActFor(order->CustomerId())) return std::nullopt;
  return order;
}

core::Page<Order> OrderApp::ListOrders(OrderFilter filter, const core::PageRequest& page,
                                       const Requester& requester) {
  if (const auto& own = requester.OwnCustomer()) {
    if (filter.customer_id && *filter.customer_id != *own) return core::Page<Order>{{}, 0};
    filter.customer_id = *own;
  }
  return orders_.GetAll(filter, page);
}

core::Result<Order, OrderAppError> OrderApp::CancelOrder(const core::OrderId& id,
                                                         std::optional<std::int64_t> expected_version,
                                                         const Requester& requester) {
  if (requester.OwnCustomer() && !GetOrder(id, requester)) {
    return core::Fail(OrderAppError{OrderAppError::Kind::kNotFound, {}, {}, 0, {}});
  }
  std::optional<core::Result<Order, CancelRefusal>> outcome;
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    outcome.emplace(orchestrator_.Cancel(uow, id, expected_version, "CancelledByCustomer"));
  });
  if (outcome->HasValue()) return std::move(*outcome).Value();
  const auto& refusal = outcome->Error();
  OrderAppError error;
  error.current_version = refusal.current_version;
  error.current_status = refusal.current_status;
  switch (refusal.kind) {
    case CancelRefusal::Kind::kNotFound:
      error.kind = OrderAppError::Kind::kNotFound;
      break;
    case CancelRefusal::Kind::kVersionMismatch:
      error.kind = OrderAppError::Kind::kVersionMismatch;
      break;
    case CancelRefusal::Kind::kAlreadyEnded:
      error.kind = OrderAppError::Kind::kAlreadyEnded;
      break;
    case CancelRefusal::Kind::kCompensating:
      error.kind = OrderAppError::Kind::kCompensating;
      break;
  }
  return core::Fail(error);
}

std::optional<SagaView> OrderApp::GetSaga(const core::OrderId& id) {
  auto saga = queries_.GetSaga(id);
  if (!saga) return std::nullopt;
  auto log = queries_.GetLog(saga->Id());
  return SagaView{std::move(*saga), std::move(log)};
}

std::vector<SagaInstance> OrderApp::ListSagas(SagaState state, int limit,
                                              std::optional<std::chrono::seconds> min_age) {
  std::optional<core::Timestamp> updated_before;
  if (min_age)
    updated_before = clock_.Now() - std::chrono::duration_cast<std::chrono::microseconds>(*min_age);
  return queries_.ListInState(state, limit, updated_before);
}

std::vector<SagaStateCount> OrderApp::CountSagas() {
  return queries_.CountByState();
}

core::Result<SagaInstance, OperatorRefusal> OrderApp::RetrySaga(const core::OrderId& id) {
  std::optional<core::Result<SagaInstance, OperatorRefusal>> outcome;
  transactions_.Run([&](ISagaUnitOfWork& uow) { outcome.emplace(orchestrator_.RetryStep(uow, id)); });
  return std::move(*outcome);
}

core::Result<SagaInstance, OperatorRefusal> OrderApp::CompensateSaga(const core::OrderId& id,
                                                                     const std::string& reason) {
  std::optional<core::Result<SagaInstance, OperatorRefusal>> outcome;
  transactions_.Run(
      [&](ISagaUnitOfWork& uow) { outcome.emplace(orchestrator_.ForceCompensate(uow, id, reason)); });
  return std::move(*outcome);
}

}  // namespace saga::order
