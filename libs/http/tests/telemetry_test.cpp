#include "saga/http/telemetry.hpp"

#include <gtest/gtest.h>

#include <mutex>

#include "saga/core/errors.hpp"
#include "saga/core/trace_context.hpp"
#include "saga/http/client.hpp"
#include "saga/http/server.hpp"
#include "saga/observability/logging.hpp"
#include "saga/testing/metric_samples.hpp"

namespace saga::http {
namespace {

using testing::MetricSamples;

struct Seen {
  std::string traceparent;
};

Router Observed(observability::Metrics& metrics, Seen& seen) {
  Router router;
  router.Use(Telemetry(metrics));
  router.Add(Verb::get, "/api/orders/{id}", [&seen](const Request&, const RequestContext& ctx) {
    seen.traceparent = ctx.traceparent;
    return JsonResponse(Status::ok, {});
  });
  router.Add(Verb::post, "/api/fail", [](const Request&, const RequestContext&) -> Response {
    throw core::InfraError("database gone", true);
  });
  router.Add(Verb::post, "/api/bad", [](const Request&, const RequestContext&) -> Response {
    throw ProblemError(Status::unprocessable_entity, "Unprocessable", "no");
  });
  return router;
}

TEST(TelemetryTest, CountsByRoutePatternAndStatusClassAndTimesRequests) {
  observability::Metrics metrics;
  Seen seen;
  const auto router = Observed(metrics, seen);
  EXPECT_EQ(router.Dispatch(Request{Verb::get, "/api/orders/1", 11}).result(), Status::ok);
  EXPECT_EQ(router.Dispatch(Request{Verb::get, "/api/orders/2", 11}).result(), Status::ok);
  EXPECT_EQ(router.Dispatch(Request{Verb::post, "/api/fail", 11}).result(), Status::service_unavailable);
  EXPECT_EQ(router.Dispatch(Request{Verb::post, "/api/bad", 11}).result(), Status::unprocessable_entity);
  EXPECT_EQ(router.Dispatch(Request{Verb::get, "/nowhere/at/all", 11}).result(), Status::not_found);
  EXPECT_EQ(router.Dispatch(Request{Verb::delete_, "/api/orders/3", 11}).result(),
            Status::method_not_allowed);

  const auto samples = MetricSamples::Parse(metrics.Expose());
  const auto count = [&](const std::string& method, const std::string& route, const std::string& klass) {
    return samples.Find("saga_http_requests_total",
                        {{"method", method}, {"route", route}, {"status_class", klass}});
  };
  EXPECT_EQ(count("GET", "/api/orders/{id}", "2xx"), 2) << "ids do not become labels";
  EXPECT_EQ(count("POST", "/api/fail", "5xx"), 1) << "exceptions are mapped before counting";
  EXPECT_EQ(count("POST", "/api/bad", "4xx"), 1);
  EXPECT_EQ(count("GET", "unmatched", "4xx"), 1);
  EXPECT_EQ(count("DELETE", "/api/orders/{id}", "4xx"), 1);
  EXPECT_EQ(samples.Find("saga_http_request_duration_seconds_count",
                         {{"method", "GET"}, {"route", "/api/orders/{id}"}}),
            2);
  EXPECT_EQ(samples.Find("saga_http_requests_in_flight"), 0);
}

TEST(TelemetryTest, ContinuesTheCallersTraceInAChildSpan) {
  observability::Metrics metrics;
  Seen seen;
  const auto router = Observed(metrics, seen);
  Request request{Verb::get, "/api/orders/1", 11};
  request.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const auto response = router.Dispatch(request);
  const auto span = core::TraceContext::Parse(seen.traceparent);
  ASSERT_TRUE(span) << seen.traceparent;
  EXPECT_EQ(span->TraceId(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_NE(span->SpanId(), "00f067aa0ba902b7");
  EXPECT_EQ(std::string(response["traceresponse"]), seen.traceparent);
}

TEST(TelemetryTest, StartsANewTraceWithoutOrWithAnInvalidHeader) {
  observability::Metrics metrics;
  Seen seen;
  const auto router = Observed(metrics, seen);
  Request request{Verb::get, "/api/orders/1", 11};
  request.set("traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
  (void)router.Dispatch(request);
  const auto first = core::TraceContext::Parse(seen.traceparent);
  ASSERT_TRUE(first);
  EXPECT_NE(first->TraceId(), std::string(32, '0'));
  (void)router.Dispatch(Request{Verb::get, "/api/orders/1", 11});
  const auto second = core::TraceContext::Parse(seen.traceparent);
  ASSERT_TRUE(second);
  EXPECT_NE(second->TraceId(), first->TraceId());
}

// A call made while handling a request carries the handler's span to the callee, which
// continues the same trace; the caller counts and times it per peer.
TEST(TelemetryTest, CallsToOtherServicesCarryTheTraceAndAreMeasured) {
  observability::Metrics metrics;
  std::mutex mu;
  std::string received;
  Router callee_routes;
  callee_routes.Use(Telemetry(metrics));
  callee_routes.Add(Verb::get, "/price", [&](const Request& request, const RequestContext& ctx) {
    std::lock_guard lock(mu);
    received = std::string(request["traceparent"]) + " " + ctx.traceparent;
    return JsonResponse(Status::ok, {});
  });
  HttpServerConfig config;
  config.port = 0;
  config.plaintext = true;
  HttpServer callee(config, std::move(callee_routes));
  callee.Start();
  const HttpClient client("inventory.url", "http://127.0.0.1:" + std::to_string(callee.Port()),
                          std::chrono::seconds(5), metrics);
  const std::string span = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  {
    const observability::ScopedTrace current(span);
    EXPECT_EQ(client.Get("/price").status, 200);
  }
  EXPECT_EQ(client.Get("/nothing").status, 404);
  callee.Stop();
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(received.substr(0, span.size()), span) << "the caller's span is the callee's parent";
    EXPECT_EQ(received.substr(span.size() + 1 + 3, 32), "4bf92f3577b34da6a3ce929d0e0e4736");
  }
  EXPECT_THROW((void)client.Get("/price"), core::InfraError) << "the callee is gone";
  const auto samples = MetricSamples::Parse(metrics.Expose());
  EXPECT_EQ(samples.Find("saga_http_client_requests_total", {{"peer", "inventory.url"}, {"outcome", "2xx"}}),
            1);
  EXPECT_EQ(samples.Find("saga_http_client_requests_total", {{"peer", "inventory.url"}, {"outcome", "4xx"}}),
            1);
  EXPECT_EQ(
      samples.Find("saga_http_client_requests_total", {{"peer", "inventory.url"}, {"outcome", "error"}}), 1);
  EXPECT_EQ(samples.Find("saga_http_client_request_duration_seconds_count", {{"peer", "inventory.url"}}), 3);
}

}  // namespace
}  // namespace saga::http
