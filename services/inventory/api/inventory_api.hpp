#pragma once
// REST API of the inventory service (documented in api/openapi.json):
//   POST /api/inventory                 CreateInventoryItemDto -> 201 InventoryResponseDto + Location
//   GET  /api/inventory/{id}            InventoryResponseDto (ETag = stock version)
//   GET  /api/inventory                 page of InventoryResponseDto (limit, offset)
//   GET  /api/inventory/low-stock       products with fewer than `threshold` units available
//   POST /api/inventory/reserve         ReservationDto -> 200 reservations of the order
//   PUT  /api/inventory/{id}/stock      StockUpdateDto (If-Match) -> 200 InventoryResponseDto
// {id} is the product id. Handlers only parse, call InventoryApp and map the result.
// Access (InventoryRoutePolicies): anyone signed in reads the catalogue; catalogue and stock
// changes need admin; manual reservations and low-stock reports are for admin and service.

#include <string_view>

#include "saga/http/router.hpp"
#include "saga/service/security.hpp"
#include "services/inventory/app/inventory_app.hpp"

namespace saga::inventory {

void AddInventoryRoutes(http::Router& router, InventoryApp& app);
/// Who may call each route above: the one table of the service's access policies.
[[nodiscard]] std::vector<service::RoutePolicy> InventoryRoutePolicies();

/// The OpenAPI document of these routes (api/openapi.json, embedded at build time).
[[nodiscard]] std::string_view InventoryOpenApi();

}  // namespace saga::inventory
