#include "saga/testing/route_coverage.hpp"

#include <gtest/gtest.h>

#include "saga/service/api_support.hpp"
#include "saga/service/dead_letter_api.hpp"
#include "saga/service/health.hpp"
#include "saga/testing/openapi_validator.hpp"

namespace saga::testing {

void ExpectRoutesMatchDocument(const http::Router& router, const nlohmann::json& document) {
  const OpenApiValidator validator(document);
  const auto documented = validator.Operations();
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& [verb, pattern] : router.Routes()) {
    const auto name = http::beast_http::to_string(verb);
    served.emplace(std::string(name.data(), name.size()), pattern);
  }
  for (const auto& operation : served) {
    EXPECT_EQ(documented.count(operation), 1U)
        << operation.first << " " << operation.second << " is served but not in the OpenAPI document";
  }
  for (const auto& operation : documented) {
    EXPECT_EQ(served.count(operation), 1U)
        << operation.first << " " << operation.second << " is documented but not served";
  }
}

void ExpectServiceRoutesMatchDocument(http::Router& router, std::string_view service_document,
                                      const std::vector<service::RoutePolicy>& policies) {
  static const service::ReadinessMonitor monitor(std::chrono::seconds(1));  // never started
  service::AddHealthRoutes(router, monitor);
  const auto document = service::BuildOpenApiDocument(service_document);
  service::AddOpenApiRoute(router, document);
  service::AddMetricsRoute(router, observability::DefaultMetrics());
  static pg::ConnectionPool pool(pg::PgConfig{"host=never-used"}, 1, std::chrono::milliseconds(1));  // never used
  service::AddDeadLetterRoutes(router, pool, nullptr, "");
  ExpectRoutesMatchDocument(router, document);
  auto all = service::StandardRoutePolicies();
  all.insert(all.end(), policies.begin(), policies.end());
  try {
    service::CheckPolicyCoverage(router, all);
  } catch (const std::logic_error& e) {
    ADD_FAILURE() << e.what();
  }
}

}  // namespace saga::testing
