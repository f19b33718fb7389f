#include "saga/service/api_support.hpp"

#include <stdexcept>
#include <string>

#include "saga/http/telemetry.hpp"

namespace saga::service {
namespace {

void MergeMissing(nlohmann::json& into, const nlohmann::json& from) {
  for (const auto& [key, value] : from.items()) {
    if (!into.contains(key)) into[key] = value;
  }
}

nlohmann::json ResponseRef(const std::string& name) {
  return {{"$ref", "#/components/responses/" + name}};
}

}  // namespace

nlohmann::json BuildOpenApiDocument(std::string_view service_document) {
  auto document = nlohmann::json::parse(service_document, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw std::invalid_argument("the service's OpenAPI document is not a JSON object");
  }
  const auto common = nlohmann::json::parse(CommonOpenApi());
  if (!document.contains("paths")) document["paths"] = nlohmann::json::object();
  MergeMissing(document["paths"], common["paths"]);
  if (!document.contains("components")) document["components"] = nlohmann::json::object();
  for (const auto& [section, entries] : common["components"].items()) {
    if (!document["components"].contains(section)) document["components"][section] = nlohmann::json::object();
    MergeMissing(document["components"][section], entries);
  }
  for (auto& [path, item] : document["paths"].items()) {
    for (auto& [method, operation] : item.items()) {
      if (!operation.is_object() || !operation.contains("responses")) continue;
      auto& responses = operation["responses"];
      nlohmann::json server_answers = {{"400", ResponseRef("BadRequest")},
                                       {"413", ResponseRef("PayloadTooLarge")},
                                       {"431", ResponseRef("HeadersTooLarge")},
                                       {"500", ResponseRef("InternalError")},
                                       {"503", ResponseRef("ServiceUnavailable")}};
      if (path.rfind("/api/", 0) == 0) {
        server_answers["429"] = ResponseRef("TooManyRequests");
        server_answers["401"] = ResponseRef("Unauthorized");
        server_answers["403"] = ResponseRef("Forbidden");
        if (!operation.contains("security")) operation["security"] = nlohmann::json::array({{{"bearerAuth", nlohmann::json::array()}}});
      }
      if (method == "get") server_answers["304"] = ResponseRef("NotModified");
      MergeMissing(responses, server_answers);
    }
  }
  return document;
}

void AddOpenApiRoute(http::Router& router, const nlohmann::json& document) {
  auto text = std::make_shared<const std::string>(document.dump());
  router.Add(http::Verb::get, "/openapi.json", [text](const http::Request&, const http::RequestContext&) {
    http::Response res{http::Status::ok, 11};
    res.set(http::beast_http::field::content_type, "application/json");
    res.set(http::beast_http::field::cache_control, "public, max-age=300");
    res.body() = *text;
    res.prepare_payload();
    return res;
  });
}

void AddMetricsRoute(http::Router& router, observability::Metrics& metrics) {
  router.Add(http::Verb::get, "/metrics", [&metrics](const http::Request&, const http::RequestContext&) {
    http::Response res{http::Status::ok, 11};
    res.set(http::beast_http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = metrics.Expose();
    res.prepare_payload();
    return res;
  });
}

void AddStandardMiddleware(http::Router& router, std::shared_ptr<http::RateLimiter> limiter,
                           observability::Metrics& metrics, http::Middleware authorize) {
  router.Use(http::Telemetry(metrics));
  router.Use(http::RateLimit(std::move(limiter), {"/health/", "/metrics"}));
  router.Use(std::move(authorize));
  router.Use(http::ConditionalGet());
}

}  // namespace saga::service
