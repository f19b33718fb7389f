#pragma once
// Checks (gtest) that a router's routes and an OpenAPI document describe the same operations:
// every registered (method, pattern) is documented, and every documented operation is served.

#include <nlohmann/json.hpp>
#include <string_view>

#include "saga/http/router.hpp"
#include "saga/service/security.hpp"

namespace saga::testing {

void ExpectRoutesMatchDocument(const http::Router& router, const nlohmann::json& document);

/// The same for a service: `router` holds the service's own routes; the routes every service
/// has (health, /openapi.json) are added, and `service_document` is completed as at run time
/// (service::BuildOpenApiDocument). Also checks that every route has an access policy in
/// `policies` (the service's table; the standard routes' are added) and every policy a route.
void ExpectServiceRoutesMatchDocument(http::Router& router, std::string_view service_document,
                                      const std::vector<service::RoutePolicy>& policies);

}  // namespace saga::testing
