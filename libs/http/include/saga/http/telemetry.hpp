#pragma once
// Telemetry: the outermost middleware of every service's router. For each request it
//  - continues the caller's W3C trace (a valid `traceparent` header) or starts one, handles the
//    request in a child span (RequestContext::traceparent) and answers with a `traceresponse`
//    header naming that span;
//  - puts trace_id and span_id into the log fields of everything logged while handling it;
//  - maps exceptions to responses (http::ErrorResponse) so it sees the final status;
//  - counts saga_http_requests_total{method,route,status_class}, observes
//    saga_http_request_duration_seconds{method,route}, tracks saga_http_requests_in_flight;
//  - logs one access line (info; debug for paths under `quiet_prefixes`, e.g. probes).
// Labels are bounded: `route` is the matched pattern or "unmatched", `method` a known verb or
// "OTHER".

#include <string>
#include <vector>

#include "saga/http/router.hpp"
#include "saga/observability/metrics.hpp"

namespace saga::http {

[[nodiscard]] Middleware Telemetry(observability::Metrics& metrics,
                                   std::vector<std::string> quiet_prefixes = {"/health/", "/metrics"});

}  // namespace saga::http
