// The authorization middleware over a router, without a server: the policy table decides,
// refusals are problem+json with the right headers, the caller reaches the handler, and what
// the middleware records for the audit trail. Token checking itself is auth_test's.
#include "saga/service/security.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/http/types.hpp"
#include "saga/testing/manual_clock.hpp"
#include "saga/testing/test_auth.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::service {
namespace {

using http::Verb;
using field = http::beast_http::field;

class RecordingAudit final : public IAuditSink {
 public:
  void Record(const audit::AuditEntry& entry) noexcept override { entries.push_back(entry); }
  std::vector<audit::AuditEntry> entries;
};

class SecurityTest : public ::testing::Test {
 protected:
  SecurityTest() {
    auth::JwtConfig config;
    config.keys = {{"", testing::AuthSecret()}};
    config.issuer = "saga-dev";
    config.audience = "saga-api";
    router_.Add(Verb::get, "/health/live", [](const http::Request&, const http::RequestContext&) {
      return http::JsonResponse(http::Status::ok, {{"status", "UP"}});
    });
    router_.Add(Verb::get, "/api/things/{id}",
                [this](const http::Request&, const http::RequestContext& context) {
                  seen_ = context;
                  return http::JsonResponse(http::Status::ok, {{"id", context.path_params.at("id")}});
                });
    router_.Add(Verb::post, "/api/things", [this](const http::Request&, const http::RequestContext& context) {
      seen_ = context;
      auto res = http::JsonResponse(http::Status::created, nlohmann::json::object());
      res.set(field::location, "/api/things/42");
      return res;
    });
    router_.Add(Verb::put, "/api/things/{id}",
                [](const http::Request&, const http::RequestContext&) -> http::Response {
                  throw http::ProblemError(http::Status::conflict, "Conflict", "no");
                });
    policies_ = StandardRoutePolicies();
    policies_.resize(1);  // /health/live only
    policies_.push_back({Verb::get, "/api/things/{id}", Role::kCustomer | Role::kAdmin});
    policies_.push_back({Verb::post, "/api/things", Role::kAdmin});
    policies_.push_back({Verb::put, "/api/things/{id}", Role::kAdmin | Role::kService});
    router_.Use(
        Authorize(policies_, std::make_shared<const auth::JwtVerifier>(config), audit_, clock_, metrics_));
    clock_.Set(core::SystemClock().Now());
  }

  http::Response Send(Verb method, const std::string& target, const std::string& authorization = "") {
    http::Request request{method, target, 11};
    if (!authorization.empty()) request.set(field::authorization, authorization);
    request.set("X-Request-Id", "req-1");
    http::RequestContext context;
    context.remote_address = "10.0.0.7";
    context.client_id = "10.0.0.7";
    try {
      return router_.Dispatch(request, context);
    } catch (...) {
      return http::ErrorResponse(request, std::current_exception());
    }
  }
  static std::string Bearer(const std::string& subject, const std::vector<std::string>& roles) {
    return "Bearer " + testing::BearerToken(subject, roles);
  }

  http::Router router_;
  std::vector<RoutePolicy> policies_;
  RecordingAudit audit_;
  saga::testing::ManualClock clock_;
  observability::Metrics metrics_;
  http::RequestContext seen_;
};

TEST_F(SecurityTest, PublicRoutesNeedNoToken) {
  EXPECT_EQ(Send(Verb::get, "/health/live").result(), http::Status::ok);
  EXPECT_TRUE(audit_.entries.empty());
}

TEST_F(SecurityTest, NoOrABadTokenIs401WithAChallengeAndAnAuditEntry) {
  const auto missing = Send(Verb::get, "/api/things/1");
  EXPECT_EQ(missing.result(), http::Status::unauthorized);
  EXPECT_EQ(missing[field::content_type], "application/problem+json");
  EXPECT_EQ(missing[field::www_authenticate], "Bearer realm=\"saga\"");
  clock_.Advance(std::chrono::minutes(5));
  const auto late = Send(Verb::get, "/api/things/1",
                         "Bearer " + testing::BearerToken("c1", {"customer"}, std::chrono::seconds(1)));
  EXPECT_EQ(late.result(), http::Status::unauthorized);
  EXPECT_NE(std::string(late[field::www_authenticate]).find("error=\"invalid_token\""), std::string::npos);
  EXPECT_EQ(Send(Verb::get, "/api/things/1", "Basic dXNlcjpwYXNz").result(), http::Status::unauthorized);
  EXPECT_FALSE(seen_.caller.Authenticated()) << "no handler ran";

  ASSERT_EQ(audit_.entries.size(), 3U) << "one entry per refusal";
  EXPECT_EQ(audit_.entries[0].action, "auth.failed");
  EXPECT_EQ(audit_.entries[0].actor, "anonymous");
  EXPECT_EQ(audit_.entries[0].outcome, "denied");
  EXPECT_EQ(audit_.entries[0].detail, "missing");
  EXPECT_EQ(audit_.entries[0].resource, "GET /api/things/1");
  EXPECT_EQ(audit_.entries[0].remote, "10.0.0.7");
  EXPECT_EQ(audit_.entries[0].correlation_id, "req-1");
  EXPECT_EQ(audit_.entries[1].detail, "expired");
  EXPECT_EQ(audit_.entries[2].detail, "malformed");
  EXPECT_NE(metrics_.Expose().find("saga_http_auth_failures_total{reason=\"expired\"} 1"), std::string::npos);
}

TEST_F(SecurityTest, AValidTokenWithoutTheRoleIs403) {
  const auto denied = Send(Verb::post, "/api/things", Bearer("c1", {"customer"}));
  EXPECT_EQ(denied.result(), http::Status::forbidden);
  EXPECT_EQ(nlohmann::json::parse(denied.body())["type"], "urn:saga:problem:forbidden");
  EXPECT_EQ(Send(Verb::get, "/api/things/1", Bearer("svc", {"service"})).result(), http::Status::forbidden);
  EXPECT_EQ(Send(Verb::get, "/api/things/1", Bearer("x", {"superuser"})).result(), http::Status::forbidden)
      << "unknown roles grant nothing";
  ASSERT_EQ(audit_.entries.size(), 3U);
  EXPECT_EQ(audit_.entries[0].action, "access.denied");
  EXPECT_EQ(audit_.entries[0].actor, "c1");
  EXPECT_EQ(audit_.entries[0].detail, "needs admin");
  EXPECT_NE(metrics_.Expose().find("saga_http_access_denied_total{route=\"/api/things\"} 1"),
            std::string::npos);
}

TEST_F(SecurityTest, TheCallerReachesTheHandlerAndChangesAreAudited) {
  EXPECT_EQ(Send(Verb::get, "/api/things/7", Bearer("c1", {"customer"})).result(), http::Status::ok);
  EXPECT_EQ(seen_.caller.subject, "c1");
  EXPECT_TRUE(seen_.caller.HasRole("customer"));
  EXPECT_EQ(seen_.client_id, "sub:c1") << "Idempotency-Keys are scoped per principal";
  EXPECT_TRUE(audit_.entries.empty()) << "reads are not audited";

  EXPECT_EQ(Send(Verb::post, "/api/things", Bearer("ops", {"admin"})).result(), http::Status::created);
  EXPECT_EQ(Send(Verb::put, "/api/things/9", Bearer("ops", {"admin"})).result(), http::Status::conflict);
  ASSERT_EQ(audit_.entries.size(), 2U);
  EXPECT_EQ(audit_.entries[0].actor, "ops");
  EXPECT_EQ(audit_.entries[0].action, "POST /api/things");
  EXPECT_EQ(audit_.entries[0].resource, "/api/things/42") << "the created resource";
  EXPECT_EQ(audit_.entries[0].outcome, "succeeded");
  EXPECT_EQ(audit_.entries[0].detail, "status 201");
  EXPECT_EQ(audit_.entries[1].action, "PUT /api/things/{id}");
  EXPECT_EQ(audit_.entries[1].resource, "/api/things/9");
  EXPECT_EQ(audit_.entries[1].outcome, "refused") << "a handler's ProblemError is mapped before recording";
  EXPECT_EQ(audit_.entries[1].detail, "status 409");
}

TEST_F(SecurityTest, UnknownRoutesAndMethodsFallThroughToTheRouter) {
  EXPECT_EQ(Send(Verb::get, "/api/nothing").result(), http::Status::not_found);
  EXPECT_EQ(Send(Verb::delete_, "/api/things/1").result(), http::Status::method_not_allowed);
  EXPECT_TRUE(audit_.entries.empty());
}

// Two patterns equally literal that both match one path: the policy checked is always the one of
// the route that runs (a review found the POST handler running under the GET pattern's missing
// policy, with no token).
TEST(OverlappingRoutesTest, ThePolicyCheckedIsTheOneOfTheRouteThatRuns) {
  http::Router router;
  bool ran = false;
  router.Add(Verb::get, "/api/pay/order/{orderId}", [](const http::Request&, const http::RequestContext&) {
    return http::JsonResponse(http::Status::ok, {});
  });
  router.Add(Verb::post, "/api/pay/{id}/refund", [&ran](const http::Request&, const http::RequestContext&) {
    ran = true;
    return http::JsonResponse(http::Status::ok, {});
  });
  RecordingAudit audit;
  saga::testing::ManualClock clock;
  clock.Set(core::SystemClock().Now());
  observability::Metrics metrics;
  auth::JwtConfig config;
  config.keys = {{"", testing::AuthSecret()}};
  config.issuer = "saga-dev";
  config.audience = "saga-api";
  router.Use(Authorize({{Verb::get, "/api/pay/order/{orderId}", Role::kAdmin},
                        {Verb::post, "/api/pay/{id}/refund", Role::kAdmin}},
                       std::make_shared<const auth::JwtVerifier>(config), audit, clock, metrics));
  http::Request request{Verb::post, "/api/pay/order/refund", 11};
  EXPECT_EQ(router.Dispatch(request).result(), http::Status::unauthorized);
  EXPECT_FALSE(ran);
  request.set(field::authorization, "Bearer " + testing::BearerToken("ops", {"admin"}));
  EXPECT_EQ(router.Dispatch(request).result(), http::Status::ok);
  EXPECT_TRUE(ran) << "the refund route, under its own policy";
  http::Request get{Verb::get, "/api/pay/order/refund", 11};
  EXPECT_EQ(router.Dispatch(get).result(), http::Status::unauthorized);
}

TEST(PolicyCoverageTest, EveryServedRouteNeedsAPolicyAndEveryPolicyARoute) {
  http::Router router;
  const auto ok = [](const http::Request&, const http::RequestContext&) { return http::Response{}; };
  router.Add(Verb::get, "/api/a", ok);
  router.Add(Verb::post, "/api/a", ok);
  EXPECT_NO_THROW(CheckPolicyCoverage(
      router, {{Verb::get, "/api/a", Role::kAdmin}, {Verb::post, "/api/a", Role::kAdmin}}));
  try {
    CheckPolicyCoverage(router, {{Verb::get, "/api/a", Role::kAdmin}, {Verb::get, "/api/b", Role::kAdmin}});
    FAIL() << "accepted";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("served without an access policy: POST /api/a"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("not served: GET /api/b"), std::string::npos);
  }
}

TEST(AuthSettingsTest, AKeyIsRequiredAndProductionPinsAPublicKeyAlgorithm) {
  const auto load = [](std::map<std::string, std::string> values, const std::string& env) {
    return AuthSettings::FromSource(
        config::ConfigSource::FromMap(std::move(values),
                                      [](const std::string&) { return std::optional<std::string>(); }),
        env);
  };
  EXPECT_THROW(load({}, "development"), core::ConfigError);
  EXPECT_THROW(load({{"auth.key_file", "/nonexistent"}}, "development"), core::ConfigError);
  const auto settings = load({{"auth.key_file", testing::AuthKeyFile()}}, "development");
  EXPECT_EQ(settings.jwt.issuer, "saga-dev");
  EXPECT_EQ(settings.jwt.keys.at(0).material, testing::AuthSecret());
  EXPECT_THROW(load({{"auth.key_file", testing::AuthKeyFile()}, {"auth.issuer", "idp"}}, "production"),
               core::ConfigError)
      << "HS256 in production";
  // Production: a public key, an explicit issuer and the key's kid.
  const auto pem = std::filesystem::temp_directory_path() / (testing::UniqueName("jwt") + ".pem");
  std::ofstream(pem) << testing::GenerateKeyPair(false).public_pem;
  const std::map<std::string, std::string> production{{"auth.algorithm", "RS256"},
                                                      {"auth.key_file", pem.string()},
                                                      {"auth.issuer", "idp"},
                                                      {"auth.key_id", "k1"}};
  EXPECT_NO_THROW(load(production, "production"));
  for (const char* missing : {"auth.issuer", "auth.key_id"}) {
    auto without = production;
    without.erase(missing);
    EXPECT_THROW(load(without, "production"), core::ConfigError) << missing;
  }
  EXPECT_THROW(load({{"auth.key_file", testing::AuthKeyFile()}, {"auth.leeway_s", "900"}}, "development"),
               core::ConfigError);
  EXPECT_THROW(load({{"auth.key_file", testing::AuthKeyFile()}, {"auth.algorithm", "none"}}, "development"),
               core::ConfigError);
}

TEST(ServiceTokenTest, HsServicesMintTheirOwnServiceToken) {
  AuthSettings settings;
  settings.jwt.keys = {{"", testing::AuthSecret()}};
  settings.jwt.issuer = "saga-dev";
  settings.jwt.audience = "saga-api";
  saga::testing::ManualClock clock;
  clock.Set(core::SystemClock().Now());
  ServiceToken token(settings, "order-service", clock);
  const auto header = token.Provider()();
  ASSERT_EQ(header.rfind("Bearer ", 0), 0U);
  const auth::JwtVerifier verifier(settings.jwt);
  auto principal = verifier.VerifyBearer(header, clock.Now());
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal.Value().subject, "order-service");
  EXPECT_TRUE(principal.Value().HasRole("service"));
  EXPECT_EQ(token.AuthorizationHeader(), header) << "cached";
  clock.Advance(std::chrono::minutes(6));
  const auto renewed = token.AuthorizationHeader();
  EXPECT_NE(renewed, header);
  EXPECT_TRUE(verifier.VerifyBearer(renewed, clock.Now()));

  settings.jwt.algorithm = auth::JwtAlgorithm::kRS256;
  ServiceToken without(settings, "payment-service", clock);
  EXPECT_FALSE(without.Available());
  EXPECT_THROW((void)without.Provider(), core::ConfigError);
}

}  // namespace
}  // namespace saga::service
