#pragma once
// REST API of the order service (documented in api/openapi.json):
//   POST /api/orders               CreateOrderDto (Idempotency-Key) -> 202 OrderResponseDto + Location
//   GET  /api/orders/{id}          OrderResponseDto (ETag = order version)
//   GET  /api/orders               page of OrderResponseDto (status, customerId, limit, offset)
//   PUT  /api/orders/{id}/cancel   (If-Match) -> 200 OrderResponseDto
//   GET  /api/orders/{id}/status   OrderStatusDto
// Prices, totals and the status are derived by the server; a body that tries to set them is
// refused. Handlers only parse, call OrderApp and map the result.
// Access (OrderRoutePolicies): customers place, see and cancel their own orders (the token's
// subject is the customer id; another customer's order answers 404); admins everything;
// the service role reads (the payment service asks for totals); sagas are for admin and service.

#include <string_view>

#include "saga/http/router.hpp"
#include "saga/service/idempotency.hpp"
#include "saga/service/security.hpp"
#include "services/order/app/order_app.hpp"

namespace saga::order {

void AddOrderRoutes(http::Router& router, OrderApp& app, service::IdempotencyStore& idempotency);
/// Who may call each route above: the one table of the service's access policies.
[[nodiscard]] std::vector<service::RoutePolicy> OrderRoutePolicies();

/// The OpenAPI document of these routes (api/openapi.json, embedded at build time).
[[nodiscard]] std::string_view OrderOpenApi();

}  // namespace saga::order
