#pragma once
// What every service's REST API shares: the OpenAPI document served at /openapi.json (the
// service's own document with the shared parts merged in), and the standard middleware.

#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "saga/http/middleware.hpp"
#include "saga/http/router.hpp"
#include "saga/observability/metrics.hpp"

namespace saga::service {

/// The service's OpenAPI 3 document (`service_document`, JSON text) completed with what every
/// service has: the /health/* and /openapi.json paths, the shared components (Money, Problem,
/// paging and conditional-request parameters, error responses), and on every operation the
/// answers the server itself may give (400, 413, 431, 500, 503; 304 for GET; under /api/ 429,
/// 401 and 403, and the bearer token requirement).
/// Throws std::invalid_argument when the text is not a JSON object.
[[nodiscard]] nlohmann::json BuildOpenApiDocument(std::string_view service_document);

/// GET /openapi.json.
void AddOpenApiRoute(http::Router& router, const nlohmann::json& document);

/// GET /metrics: `metrics` in the Prometheus text format 0.0.4.
void AddMetricsRoute(http::Router& router, observability::Metrics& metrics);

/// Telemetry (trace, access log, HTTP metrics into `metrics`) outermost, then rate limiting per
/// remote address (health probes and /metrics exempt; before authentication, so a flood of bad
/// tokens is limited too), then `authorize` (security.hpp's Authorize), then ETags and 304s on GET.
void AddStandardMiddleware(http::Router& router, std::shared_ptr<http::RateLimiter> limiter,
                           observability::Metrics& metrics, http::Middleware authorize);

/// The text of libs/service/openapi/common.json (embedded at build time).
[[nodiscard]] std::string_view CommonOpenApi();

}  // namespace saga::service
