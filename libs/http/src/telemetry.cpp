#include "saga/http/telemetry.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "saga/core/trace_context.hpp"
#include "saga/observability/logging.hpp"

namespace saga::http {
namespace {

std::string StatusClass(unsigned status) {
  return std::to_string(status / 100) + "xx";
}

std::string MethodLabel(const Request& request) {
  if (request.method() == Verb::unknown) return "OTHER";
  const auto name = beast_http::to_string(request.method());
  return std::string(name.data(), name.size());
}

}  // namespace

Middleware Telemetry(observability::Metrics& metrics, std::vector<std::string> quiet_prefixes) {
  auto& requests = metrics.CounterFamily("saga_http_requests_total",
                                         "HTTP requests answered, by method, route pattern and status class");
  auto& durations =
      metrics.HistogramFamily("saga_http_request_duration_seconds",
                              "Time from the parsed request to the response, by method and route");
  auto& in_flight =
      metrics.GaugeFamily("saga_http_requests_in_flight", "HTTP requests being handled now").Add({});
  return [&requests, &durations, &in_flight, quiet = std::move(quiet_prefixes)](
             const Request& request, RequestContext& context, const Next& next) {
    const auto started = std::chrono::steady_clock::now();
    const auto header = request.find("traceparent");
    std::optional<core::TraceContext> parent;
    if (header != request.end())
      parent = core::TraceContext::Parse({header->value().data(), header->value().size()});
    const auto span = parent ? parent->Child() : core::TraceContext::NewRoot();
    context.traceparent = span.ToTraceparent();
    const observability::ScopedLogFields fields{{"trace_id", span.TraceId()}, {"span_id", span.SpanId()}};
    const observability::ScopedTrace current(context.traceparent);

    in_flight.Increment();
    Response response;
    try {
      response = next();
    } catch (...) {
      response = ErrorResponse(request, std::current_exception());
    }
    in_flight.Decrement();
    const double seconds = observability::SecondsSince<std::chrono::steady_clock>(started);
    const auto method = MethodLabel(request);
    const std::string route = context.route.empty() ? std::string("unmatched") : context.route;
    const auto status = response.result_int();
    requests.Add({{"method", method}, {"route", route}, {"status_class", StatusClass(status)}}).Increment();
    durations.Add({{"method", method}, {"route", route}}, observability::LatencyBuckets()).Observe(seconds);
    response.set("traceresponse", context.traceparent);

    bool is_quiet = false;
    for (const auto& prefix : quiet) is_quiet = is_quiet || context.path.rfind(prefix, 0) == 0;
    const auto level = is_quiet ? spdlog::level::debug : spdlog::level::info;
    if (spdlog::should_log(level)) {
      const observability::ScopedLogFields access{{"route", route},
                                                  {"status", std::to_string(status)},
                                                  {"duration_ms", fmt::format("{:.3f}", seconds * 1000)},
                                                  {"client", context.client_id}};
      spdlog::log(level, "http {} {} {} {:.1f} ms", method, std::string_view(context.path).substr(0, 200),
                  status, seconds * 1000);
    }
    return response;
  };
}

}  // namespace saga::http
