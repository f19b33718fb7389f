#include "services/order/api/order_api.hpp"

#include <algorithm>
#include <set>

#include "saga/core/card_data.hpp"
#include "saga/core/trace_context.hpp"
#include "saga/http/json_body.hpp"
#include "saga/http/middleware.hpp"

namespace saga::order {
namespace {

using http::beast_http::field;

// OrderItemDto
nlohmann::json ToDto(const OrderItem& item) {
  return {{"productId", item.ProductId().Get().ToString()},
          {"quantity", item.Quantity()},
          {"unitPrice", http::MoneyJson(item.UnitPrice())},
          {"subtotal", http::MoneyJson(item.Subtotal())}};
}

// OrderResponseDto
nlohmann::json ToDto(const Order& order) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& item : order.Items()) items.push_back(ToDto(item));
  return {{"id", order.Id().Get().ToString()},
          {"customerId", order.CustomerId().Get().ToString()},
          {"status", ToString(order.Status())},
          {"currency", order.Currency().Code()},
          {"totalAmount", http::MoneyJson(order.TotalAmount())},
          {"items", std::move(items)},
          {"createdAt", core::ToRfc3339(order.CreatedAt())},
          {"updatedAt", core::ToRfc3339(order.UpdatedAt())},
          {"version", order.Version()}};
}

std::string Location(const Order& order) {
  return "/api/orders/" + order.Id().Get().ToString();
}

http::Response OrderResponse(http::Status status, const Order& order) {
  auto res = http::JsonResponse(status, ToDto(order));
  res.set(field::etag, http::VersionETag(order.Version()));
  return res;
}

// Staff (admin, service) act on every order; a customer only for the customer id that is its
// token's subject. The route policies let nobody else through.
Requester RequesterOf(const http::RequestContext& context) {
  if (context.caller.HasRole("admin") || context.caller.HasRole("service")) return Requester::Staff();
  if (context.caller.HasRole("customer")) {
    if (auto id = core::Uuid::Parse(context.caller.subject))
      return Requester::Customer(core::CustomerId(*id));
    throw http::ProblemError(http::Status::forbidden, "Forbidden",
                             "a customer token's subject must be the customer id (a UUID)",
                             {{"type", "urn:saga:problem:forbidden"}});
  }
  throw http::ProblemError(http::Status::forbidden, "Forbidden", "no role of this token may use orders",
                           {{"type", "urn:saga:problem:forbidden"}});
}

[[noreturn]] void ThrowNotFound(const core::OrderId& id) {
  throw http::ProblemError(http::Status::not_found, "Not Found", "no order " + id.Get().ToString());
}

http::Response Place(OrderApp& app, const http::Request& request, const http::RequestContext& context,
                     const core::Uuid& order_id, bool new_id) {
  const auto body = http::ParseJsonObject(request);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  auto customer = reader.IdOf<core::CustomerId>("customerId");
  std::vector<OrderLine> lines;
  std::set<core::ProductId> seen;
  reader.Objects("items", 1, kMaxItemsPerOrder, [&](http::JsonReader& item) {
    auto product = item.IdOf<core::ProductId>("productId");
    auto quantity = item.Integer("quantity", 1, kMaxQuantityPerItem);
    item.Forbidden({"unitPrice", "price", "subtotal"});
    if (product && !seen.insert(*product).second) {
      errors.push_back({item.PathOf("productId"), "appears twice; one line per product"});
    }
    if (product && quantity) lines.push_back({*product, static_cast<std::int32_t>(*quantity)});
  });
  auto token = reader.String("paymentToken", 1, 64);
  if (token && core::ContainsCardNumber(*token)) {
    errors.push_back({"paymentToken", "must be a payment gateway token, never a card number"});
  }
  reader.Forbidden({"id", "status", "totalAmount", "total", "currency", "version", "createdAt", "updatedAt"});
  reader.RejectUnknown();
  http::ThrowIfInvalid(errors);

  const auto request_id = request["X-Request-Id"];
  std::string correlation(request_id.data(), std::min<std::size_t>(request_id.size(), 128));
  if (correlation.empty()) correlation = "order-" + order_id.ToString();
  auto placed = app.PlaceOrder(PlaceOrderCommand{core::OrderId(order_id), *customer, std::move(lines), *token,
                                                 std::move(correlation), context.traceparent, new_id},
                               RequesterOf(context));
  if (!placed) {
    const auto& error = placed.Error();
    if (error.kind == OrderAppError::Kind::kNotOwnCustomer) {
      throw http::ProblemError(http::Status::forbidden, "Forbidden",
                               "a customer places orders for itself: customerId must be the token's subject",
                               {{"type", "urn:saga:problem:forbidden"}});
    }
    nlohmann::json extra{{"type", "urn:saga:problem:order-rule"}};
    std::string detail(ToString(error.rule));
    if (error.kind == OrderAppError::Kind::kUnknownProduct) {
      extra["productId"] = error.product_id.Get().ToString();
      detail = "product " + error.product_id.Get().ToString() + " is not in the catalogue";
    } else if (error.kind == OrderAppError::Kind::kMixedCurrencies) {
      extra["productId"] = error.product_id.Get().ToString();
      detail = "the products of one order must be priced in one currency";
    }
    throw http::ProblemError(http::Status::unprocessable_entity, "Business rule violated", detail, extra);
  }
  auto res = OrderResponse(http::Status::accepted, placed.Value());
  res.set(field::location, Location(placed.Value()));
  return res;
}

http::Response Get(OrderApp& app, const http::RequestContext& context) {
  const auto id = http::PathId<core::OrderId>(context, "id");
  http::RejectQuery(context);
  auto order = app.GetOrder(id, RequesterOf(context));
  if (!order) ThrowNotFound(id);
  return OrderResponse(http::Status::ok, *order);
}

http::Response Status(OrderApp& app, const http::RequestContext& context) {
  const auto id = http::PathId<core::OrderId>(context, "id");
  http::RejectQuery(context);
  auto order = app.GetOrder(id, RequesterOf(context));
  if (!order) ThrowNotFound(id);
  // OrderStatusDto
  auto res = http::JsonResponse(http::Status::ok, {{"id", order->Id().Get().ToString()},
                                                   {"status", ToString(order->Status())},
                                                   {"updatedAt", core::ToRfc3339(order->UpdatedAt())},
                                                   {"version", order->Version()}});
  res.set(field::etag, http::VersionETag(order->Version()));
  return res;
}

http::Response List(OrderApp& app, const http::RequestContext& context) {
  std::vector<http::FieldError> errors;
  http::QueryReader query(context, errors);
  const auto page = query.Page();
  OrderFilter filter;
  if (auto customer = query.Uuid("customerId")) filter.customer_id = core::CustomerId(*customer);
  if (auto status = query.String("status", 32)) {
    filter.status = ParseOrderStatus(*status);
    if (!filter.status) {
      query.Error(
          "status",
          "must be one of Created, InventoryReserved, PaymentProcessing, Completed, Failed, Cancelled");
    }
  }
  query.RejectUnknown();
  http::ThrowIfInvalid(errors);
  const auto orders = app.ListOrders(filter, page, RequesterOf(context));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& order : orders.items) items.push_back(ToDto(order));
  return http::JsonResponse(http::Status::ok, http::PageJson(std::move(items), orders.total, page));
}

http::Response Cancel(OrderApp& app, const http::Request& request, const http::RequestContext& context) {
  const auto id = http::PathId<core::OrderId>(context, "id");
  http::RejectQuery(context);
  // The action has no parameters: an empty body or an empty JSON object.
  const auto body = http::ParseJsonObject(request, true);
  std::vector<http::FieldError> errors;
  http::JsonReader(body, "", errors).RejectUnknown();
  http::ThrowIfInvalid(errors);
  const auto expected = http::IfMatchVersion(request);
  auto cancelled = app.CancelOrder(id, expected, RequesterOf(context));
  if (!cancelled) {
    const auto& error = cancelled.Error();
    switch (error.kind) {
      case OrderAppError::Kind::kNotFound:
        ThrowNotFound(id);
      case OrderAppError::Kind::kVersionMismatch:
        throw http::ProblemError(http::Status::precondition_failed, "Precondition Failed",
                                 "the order changed since the version in If-Match",
                                 {{"currentVersion", error.current_version}},
                                 {{field::etag, http::VersionETag(error.current_version)}});
      case OrderAppError::Kind::kCompensating:
        throw http::ProblemError(
            http::Status::conflict, "Conflict",
            "the order is already being compensated (status " + error.current_status + ")",
            {{"type", "urn:saga:problem:compensating"}, {"currentStatus", error.current_status}});
      default:
        throw http::ProblemError(
            http::Status::conflict, "Conflict",
            "the order cannot be cancelled in status " + error.current_status,
            {{"type", "urn:saga:problem:illegal-transition"}, {"currentStatus", error.current_status}});
    }
  }
  // Accepted: compensation runs; the order becomes Cancelled when it has finished.
  auto res = OrderResponse(http::Status::accepted, cancelled.Value());
  res.set(field::location, Location(cancelled.Value()) + "/saga");
  return res;
}

// SagaSummaryDto: a saga without its timeline.
nlohmann::json SummaryOf(const SagaInstance& saga) {
  nlohmann::json body{{"sagaId", saga.Id().Get().ToString()},
                      {"orderId", saga.OrderId().Get().ToString()},
                      {"state", ToString(saga.State())},
                      {"stepAttempts", saga.StepAttempts()},
                      {"compensationAttempts", saga.CompensationAttempts()},
                      {"updatedAt", core::ToRfc3339(saga.UpdatedAt())}};
  if (saga.Target()) body["compensationTarget"] = ToString(*saga.Target());
  if (!saga.Outcome().empty()) body["outcome"] = saga.Outcome();
  if (saga.Deadline()) body["deadline"] = core::ToRfc3339(*saga.Deadline());
  return body;
}

http::Response Sagas(OrderApp& app, const http::RequestContext& context) {
  std::vector<http::FieldError> errors;
  http::QueryReader query(context, errors);
  SagaState state = SagaState::kCompensationFailed;
  if (auto text = query.String("state", 32)) {
    if (auto parsed = ParseSagaState(*text)) {
      state = *parsed;
    } else {
      query.Error("state", "must be a saga state (ReservingInventory ... CompensationFailed)");
    }
  }
  const auto limit = query.Integer("limit", 1, core::PageRequest::kMaxLimit).value_or(50);
  std::optional<std::chrono::seconds> min_age;
  if (auto seconds = query.Integer("minAgeS", 0, 10LL * 365 * 24 * 3600))
    min_age = std::chrono::seconds(*seconds);
  query.RejectUnknown();
  http::ThrowIfInvalid(errors);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& saga : app.ListSagas(state, static_cast<int>(limit), min_age))
    items.push_back(SummaryOf(saga));
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& count : app.CountSagas()) counts[std::string(ToString(count.state))] = count.count;
  return http::JsonResponse(
      http::Status::ok,
      {{"state", ToString(state)}, {"items", std::move(items)}, {"counts", std::move(counts)}});
}

// POST /api/orders/{id}/saga/retry and /compensate: 202 with the saga as it is now.
http::Response Operate(OrderApp& app, const http::Request& request, const http::RequestContext& context,
                       bool compensate) {
  const auto id = http::PathId<core::OrderId>(context, "id");
  http::RejectQuery(context);
  const auto body = http::ParseJsonObject(request, true);
  std::vector<http::FieldError> errors;
  http::JsonReader reader(body, "", errors);
  std::string reason;
  if (compensate) reason = reader.String("reason", 1, 500, false).value_or("");
  reader.RejectUnknown();
  http::ThrowIfInvalid(errors);
  auto done = compensate ? app.CompensateSaga(id, reason) : app.RetrySaga(id);
  if (!done) {
    const auto& refusal = done.Error();
    switch (refusal.kind) {
      case OperatorRefusal::Kind::kNotFound:
        throw http::ProblemError(http::Status::not_found, "Not Found",
                                 "order " + id.Get().ToString() + " has no saga");
      case OperatorRefusal::Kind::kCompensating:
        throw http::ProblemError(
            http::Status::conflict, "Conflict",
            "the saga is already compensating (state " + refusal.state + "); retry its step instead",
            {{"type", "urn:saga:problem:compensating"}, {"currentState", refusal.state}});
      case OperatorRefusal::Kind::kAtRest:
        throw http::ProblemError(
            http::Status::conflict, "Conflict",
            "the saga is at rest in state " + refusal.state +
                (refusal.state == "Completed" && compensate ? "; cancel the order to undo it"
                                                            : ": no step runs"),
            {{"type", "urn:saga:problem:saga-at-rest"}, {"currentState", refusal.state}});
    }
  }
  auto res = http::JsonResponse(http::Status::accepted, SummaryOf(done.Value()));
  res.set(field::location, "/api/orders/" + id.Get().ToString() + "/saga");
  return res;
}

http::Response Saga(OrderApp& app, const http::RequestContext& context) {
  const auto id = http::PathId<core::OrderId>(context, "id");
  http::RejectQuery(context);
  auto view = app.GetSaga(id);
  if (!view) ThrowNotFound(id);
  const auto& saga = view->saga;
  nlohmann::json log = nlohmann::json::array();
  for (const auto& entry : view->log) {
    nlohmann::json line{{"at", core::ToRfc3339(entry.at)}, {"kind", entry.kind}};
    if (!entry.from_state.empty()) line["fromState"] = entry.from_state;
    if (!entry.to_state.empty()) line["toState"] = entry.to_state;
    if (!entry.message_type.empty()) line["messageType"] = entry.message_type;
    if (entry.message_id) line["messageId"] = entry.message_id->Get().ToString();
    if (!entry.detail.empty()) line["detail"] = entry.detail;
    log.push_back(std::move(line));
  }
  // SagaDto
  nlohmann::json body{{"sagaId", saga.Id().Get().ToString()},
                      {"orderId", saga.OrderId().Get().ToString()},
                      {"definition", "OrderCreationSaga"},
                      {"definitionVersion", saga.DefinitionVersion()},
                      {"state", ToString(saga.State())},
                      {"stepAttempts", saga.StepAttempts()},
                      {"compensationAttempts", saga.CompensationAttempts()},
                      {"createdAt", core::ToRfc3339(saga.CreatedAt())},
                      {"updatedAt", core::ToRfc3339(saga.UpdatedAt())},
                      {"version", saga.Version()},
                      {"log", std::move(log)}};
  if (saga.Target()) body["compensationTarget"] = ToString(*saga.Target());
  if (!saga.Outcome().empty()) body["outcome"] = saga.Outcome();
  if (saga.Deadline()) body["deadline"] = core::ToRfc3339(*saga.Deadline());
  // Sagas stored before the traceparent was kept use a trace derived from their id.
  const auto trace = core::TraceContext::Parse(saga.Traceparent());
  body["traceId"] = trace ? trace->TraceId() : core::TraceContext::ForTrace(saga.Id().Get()).TraceId();
  auto res = http::JsonResponse(http::Status::ok, body);
  res.set(field::etag, http::VersionETag(saga.Version()));
  return res;
}

}  // namespace

void AddOrderRoutes(http::Router& router, OrderApp& app, service::IdempotencyStore& idempotency) {
  using http::Verb;
  router.Add(Verb::post, "/api/orders",
             [&app, &idempotency](const http::Request& request, const http::RequestContext& context) {
               return service::Idempotent(idempotency, request, context, "POST /api/orders",
                                          [&](const core::Uuid& order_id, bool new_id) {
                                            return Place(app, request, context, order_id, new_id);
                                          });
             });
  router.Add(Verb::get, "/api/orders", [&app](const http::Request&, const http::RequestContext& context) {
    return List(app, context);
  });
  router.Add(Verb::get, "/api/orders/{id}",
             [&app](const http::Request&, const http::RequestContext& context) { return Get(app, context); });
  router.Add(
      Verb::get, "/api/orders/{id}/status",
      [&app](const http::Request&, const http::RequestContext& context) { return Status(app, context); });
  router.Add(Verb::get, "/api/sagas", [&app](const http::Request&, const http::RequestContext& context) {
    return Sagas(app, context);
  });
  router.Add(
      Verb::get, "/api/orders/{id}/saga",
      [&app](const http::Request&, const http::RequestContext& context) { return Saga(app, context); });
  router.Add(Verb::post, "/api/orders/{id}/saga/retry",
             [&app](const http::Request& request, const http::RequestContext& context) {
               return Operate(app, request, context, false);
             });
  router.Add(Verb::post, "/api/orders/{id}/saga/compensate",
             [&app](const http::Request& request, const http::RequestContext& context) {
               return Operate(app, request, context, true);
             });
  router.Add(Verb::put, "/api/orders/{id}/cancel",
             [&app](const http::Request& request, const http::RequestContext& context) {
               return Cancel(app, request, context);
             });
}

std::vector<service::RoutePolicy> OrderRoutePolicies() {
  using http::Verb;
  using service::Role;
  const auto everyone = Role::kCustomer | Role::kAdmin | Role::kService;
  const auto operators = Role::kAdmin | Role::kService;
  return {
      {Verb::post, "/api/orders", Role::kCustomer | Role::kAdmin},
      {Verb::get, "/api/orders", everyone},
      {Verb::get, "/api/orders/{id}", everyone},
      {Verb::get, "/api/orders/{id}/status", everyone},
      {Verb::put, "/api/orders/{id}/cancel", Role::kCustomer | Role::kAdmin},
      {Verb::get, "/api/orders/{id}/saga", operators},
      {Verb::get, "/api/sagas", operators},
      {Verb::post, "/api/orders/{id}/saga/retry", operators},
      {Verb::post, "/api/orders/{id}/saga/compensate", operators},
  };
}

}  // namespace saga::order
