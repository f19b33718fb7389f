// Security of the REST APIs over real HTTP against the real services: the negative token suite
// (each refused 401 with nothing changed), the algorithm-confusion attack on an RS256-configured
// instance, every documented route with every role against the access policy, customers'
// ownership of orders, and the audit trail (entries, and a hash chain sagactl verifies).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>

#include "saga/core/encoding.hpp"
#include "saga/core/time.hpp"
#include "saga/core/uuid.hpp"
#include "saga/testing/test_auth.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

std::int64_t NowS() {
  return core::ToUnixMicros(core::SystemClock().Now()) / 1'000'000;
}

std::string Hs256(const json& claims, const std::string& kid = "") {
  return testing::SignToken(claims, "HS256", testing::AuthSecret(), kid);
}

json NewProduct() {
  auto sku = "SEC-" + core::Uuid::Random().ToString().substr(0, 8);
  for (auto& c : sku) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {{"name", "Guarded mug"},
          {"sku", sku},
          {"price", {{"amountMinor", 900}, {"currency", "EUR"}}},
          {"quantity", 5}};
}

std::int64_t CountRows(const std::string& dsn, const std::string& sql) {
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  return tx.exec1(sql)[0].as<std::int64_t>();
}

class SecurityApiTest : public ::testing::Test {
 protected:
  ApiClient inventory_{System::Get().inventory()};
  ApiClient orders_{System::Get().order()};
  ApiClient payments_{System::Get().payment()};
};

// The negative list, each against a route that would change something: 401, a
// problem+json with a Bearer challenge, an audit entry naming the reason, and no product made.
TEST_F(SecurityApiTest, EveryBadTokenIs401AndChangesNothing) {
  const auto admin = testing::ValidClaims("e2e-admin", {"admin"});
  const auto valid = Hs256(admin);
  const auto payload_of = [](const std::string& token) {
    return token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  };
  const auto with = [&](const char* key, const json& value) {
    auto claims = admin;
    claims[key] = value;
    return claims;
  };
  auto no_exp = admin;
  no_exp.erase("exp");
  auto tampered_claims = testing::ValidClaims("customer-7", {"customer"});
  const auto customer_token = Hs256(tampered_claims);
  // A customer's signed token whose payload is swapped for an admin's.
  const auto tampered_payload = customer_token.substr(0, customer_token.find('.') + 1) + payload_of(valid) +
                                customer_token.substr(customer_token.rfind('.'));
  auto tampered_signature = valid;
  tampered_signature.back() = tampered_signature.back() == 'A' ? 'B' : 'A';
  const auto none_header = core::Base64UrlEncode(json{{"alg", "none"}, {"typ", "JWT"}}.dump());
  const auto rsa = testing::GenerateKeyPair(false);
  auto oversized = admin;
  oversized["padding"] = std::string(9000, 'x');

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no header", ""},
      {"basic scheme", "Basic ZTJlLWFkbWluOnNlY3JldA=="},
      {"bearer without token", "Bearer "},
      {"not a JWT", "Bearer not-a-jwt"},
      {"alg none", "Bearer " + none_header + "." + payload_of(valid) + "."},
      {"RS256 token where HS256 is pinned", "Bearer " + testing::SignToken(admin, "RS256", rsa.private_pem)},
      {"HS512", "Bearer " + testing::SignToken(admin, "HS512", testing::AuthSecret())},
      {"wrong key", "Bearer " + testing::SignToken(admin, "HS256", std::string(40, 'k'))},
      {"tampered payload", "Bearer " + tampered_payload},
      {"tampered signature", "Bearer " + tampered_signature},
      {"expired", "Bearer " + Hs256(with("exp", NowS() - 3600))},
      {"no exp", "Bearer " + Hs256(no_exp)},
      {"exp as a string", "Bearer " + Hs256(with("exp", std::to_string(NowS() + 600)))},
      {"future nbf", "Bearer " + Hs256(with("nbf", NowS() + 3600))},
      {"wrong iss", "Bearer " + Hs256(with("iss", "someone-else"))},
      {"wrong aud", "Bearer " + Hs256(with("aud", "another-api"))},
      {"unknown kid", "Bearer " + Hs256(admin, "k-unknown")},
      {"oversized", "Bearer " + Hs256(oversized)},
  };
  const auto dsn = System::Get().InventoryDsn();
  const auto products_before = CountRows(dsn, "SELECT count(*) FROM inventory_items");
  const auto failures_before = CountRows(dsn, "SELECT count(*) FROM audit_log WHERE action = 'auth.failed'");
  for (const auto& [name, authorization] : cases) {
    auto reply = inventory_.Call("POST", "/api/inventory", NewProduct(), {{"Authorization", authorization}});
    EXPECT_EQ(reply.status, 401) << name << ": " << reply.body;
    EXPECT_EQ(reply.Header("content-type"), "application/problem+json") << name;
    EXPECT_EQ(reply.Header("www-authenticate").rfind("Bearer realm=\"saga\"", 0), 0U) << name;
    EXPECT_EQ(reply.json.value("type", ""), "urn:saga:problem:unauthenticated") << name;
  }
  EXPECT_EQ(CountRows(dsn, "SELECT count(*) FROM inventory_items"), products_before) << "no side effect";
  EXPECT_EQ(CountRows(dsn, "SELECT count(*) FROM audit_log WHERE action = 'auth.failed'"),
            failures_before + static_cast<std::int64_t>(cases.size()))
      << "each refusal is an audit entry";
  EXPECT_GE(CountRows(dsn,
                      "SELECT count(*) FROM audit_log WHERE action = 'auth.failed' AND detail = 'expired' "
                      "AND actor = 'anonymous' AND remote = '127.0.0.1'"),
            1);
  // The valid token does what the others could not.
  EXPECT_EQ(
      inventory_.Call("POST", "/api/inventory", NewProduct(), {{"Authorization", "Bearer " + valid}}).status,
      201);
}

// A production-style instance verifying RS256 with a public key: the classic confusion attack
// (an HS256 token "signed" with that public key as the secret) is refused; its own tokens work.
TEST_F(SecurityApiTest, AnRs256InstanceRefusesTheAlgorithmConfusionAttack) {
  const auto keys = testing::GenerateKeyPair(false);
  const auto pem = System::Get().Dir() / "jwt-public.pem";
  std::ofstream(pem) << keys.public_pem;
  ServiceUnderTest rs("inventory", System::Get().Dir(), System::Get().InventoryDsn(),
                      {{"SAGA_AUTH_ALGORITHM", "RS256"},
                       {"SAGA_AUTH_KEY_FILE", pem.string()},
                       {"SAGA_KAFKA_TOPIC_PREFIX", System::Get().TopicPrefix()}});
  const auto admin = testing::ValidClaims("e2e-admin", {"admin"});
  ApiClient forged(rs, {{"Authorization", "Bearer " + testing::SignToken(admin, "HS256", keys.public_pem)}});
  EXPECT_EQ(forged.Call("POST", "/api/inventory", NewProduct()).status, 401);
  ApiClient hs(rs);  // the development HS256 admin token
  EXPECT_EQ(hs.Call("GET", "/api/inventory?limit=1").status, 401);
  ApiClient genuine(rs,
                    {{"Authorization", "Bearer " + testing::SignToken(admin, "RS256", keys.private_pem)}});
  EXPECT_EQ(genuine.Call("POST", "/api/inventory", NewProduct()).status, 201);
}

// The access policy, stated here independently of the services' tables: every documented
// operation of every service, called with each role (and with a valid token holding no known
// role), is refused 403 exactly when the role is not allowed. Allowed calls carry ids that do
// not exist and empty bodies, so nothing changes (404, 400...).
TEST_F(SecurityApiTest, EveryRouteWithEveryRoleFollowsThePolicy) {
  const std::set<std::string> all{"customer", "admin", "service"};
  const std::set<std::string> operators{"admin", "service"};
  const std::set<std::string> customer_admin{"customer", "admin"};
  const std::set<std::string> admin{"admin"};
  const std::set<std::string> open{"public"};
  std::map<std::string, std::map<std::string, std::set<std::string>>> policy{
      {"order",
       {{"POST /api/orders", customer_admin},
        {"GET /api/orders", all},
        {"GET /api/orders/{id}", all},
        {"GET /api/orders/{id}/status", all},
        {"PUT /api/orders/{id}/cancel", customer_admin},
        {"GET /api/orders/{id}/saga", operators},
        {"GET /api/sagas", operators},
        {"POST /api/orders/{id}/saga/retry", operators},
        {"POST /api/orders/{id}/saga/compensate", operators}}},
      {"inventory",
       {{"POST /api/inventory", admin},
        {"GET /api/inventory", all},
        {"GET /api/inventory/{id}", all},
        {"GET /api/inventory/low-stock", operators},
        {"POST /api/inventory/reserve", operators},
        {"PUT /api/inventory/{id}/stock", admin}}},
      {"payment",
       {{"POST /api/payments", operators},
        {"GET /api/payments/{id}", operators},
        {"GET /api/payments/order/{orderId}", operators},
        {"POST /api/payments/{id}/process", operators},
        {"POST /api/payments/{id}/complete", operators},
        {"POST /api/payments/{id}/fail", operators},
        {"POST /api/payments/{id}/refund", operators}}},
  };
  for (auto& [name, routes] : policy) {  // every service serves its own dead letters
    for (const char* route : {"GET /api/dead-letters", "GET /api/dead-letters/{id}",
                              "POST /api/dead-letters/{id}/replay", "POST /api/dead-letters/{id}/discard"}) {
      routes[route] = operators;
    }
  }
  const std::map<std::string, ServiceUnderTest*> services{{"order", &System::Get().order()},
                                                          {"inventory", &System::Get().inventory()},
                                                          {"payment", &System::Get().payment()}};
  int checked = 0;
  for (const auto& [name, service] : services) {
    ApiClient probe(*service);
    for (const auto& [method, path] : probe.Validator().Operations()) {
      const auto key = method + " " + path;
      std::string target = path;
      for (const char* param : {"{id}", "{orderId}"}) {
        if (auto at = target.find(param); at != std::string::npos) {
          target.replace(at, std::string(param).size(), core::Uuid::Random().ToString());
        }
      }
      const std::string body = method == "GET" ? "" : "{}";
      if (path.rfind("/api/", 0) != 0) {
        // health, metrics, openapi: open, no token needed
        EXPECT_EQ(probe.Call(method, target, body, {{"Authorization", ""}}).status, 200)
            << name << " " << key;
        continue;
      }
      const auto expected = policy.at(name).find(key);
      ASSERT_NE(expected, policy.at(name).end())
          << name << ": " << key << " has no expected policy in this test";
      for (const std::string role : {"customer", "admin", "service", "auditor"}) {
        const auto subject = role == "customer" ? core::Uuid::Random().ToString() : "e2e-" + role;
        ApiClient as(*service, testing::AuthHeaders(subject, {role}));
        const auto reply = as.Call(method, target, body);
        if (expected->second.count(role) != 0) {
          EXPECT_NE(reply.status, 403) << name << " " << key << " as " << role << ": " << reply.body;
          EXPECT_NE(reply.status, 401) << name << " " << key << " as " << role << ": " << reply.body;
        } else {
          EXPECT_EQ(reply.status, 403) << name << " " << key << " as " << role << ": " << reply.body;
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 4 * (9 + 6 + 7 + 3 * 4)) << "every /api operation of the three services, four roles each";
  // A path two patterns match equally (/api/payments/order/{orderId}, /api/payments/{id}/process):
  // the route that would run is the one whose policy is checked.
  EXPECT_EQ(payments_.Raw("POST", "/api/payments/order/process", "{}", {{"Authorization", ""}}).status, 401);
}

TEST_F(SecurityApiTest, CustomersReachOnlyTheirOwnOrders) {
  const auto product = CreateProduct(inventory_, 700, 50);
  const auto alice = core::Uuid::Random().ToString();
  const auto bob = core::Uuid::Random().ToString();
  ApiClient as_alice(System::Get().order(), testing::AuthHeaders(alice, {"customer"}));
  ApiClient as_bob(System::Get().order(), testing::AuthHeaders(bob, {"customer"}));
  const auto order_for = [&](const std::string& customer) {
    return json{{"customerId", customer},
                {"items", {{{"productId", product["id"]}, {"quantity", 1}}}},
                {"paymentToken", "tok_sim_approve"}};
  };
  auto refused = as_alice.Call("POST", "/api/orders", order_for(bob));
  EXPECT_EQ(refused.status, 403) << refused.body;
  auto placed = as_alice.Call("POST", "/api/orders", order_for(alice));
  ASSERT_EQ(placed.status, 202) << placed.body;
  const auto location = placed.Header("location");
  EXPECT_EQ(as_alice.Call("GET", location).status, 200);
  EXPECT_EQ(as_alice.Call("GET", location + "/status").status, 200);
  EXPECT_EQ(orders_.Call("GET", location).status, 200) << "admin";
  EXPECT_EQ(as_bob.Call("GET", location).status, 404) << "another customer's order looks missing";
  EXPECT_EQ(as_bob.Call("GET", location + "/status").status, 404);
  EXPECT_EQ(as_bob.Call("PUT", location + "/cancel").status, 404);
  EXPECT_EQ(as_bob.Call("GET", "/api/orders?customerId=" + alice).json["total"], 0);
  EXPECT_EQ(as_bob.Call("GET", "/api/orders").json["total"], 0);
  const auto own = as_alice.Call("GET", "/api/orders");
  ASSERT_EQ(own.json["total"], 1) << own.body;
  EXPECT_EQ(own.json["items"][0]["id"], placed.json["id"]);
  EXPECT_EQ(as_alice.Call("PUT", location + "/cancel").status, 202) << "compensation started";
}

// Who did what to which resource, from where, with which correlation id; then the chain checks
// out with sagactl (and a modified entry would not: audit_log_pgtest).
TEST_F(SecurityApiTest, ChangesAreAuditedAndTheChainVerifies) {
  auto created = inventory_.Call("POST", "/api/inventory", NewProduct(), {{"X-Request-Id", "audit-e2e-1"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const auto dsn = System::Get().InventoryDsn();
  pqxx::connection conn(dsn);
  pqxx::read_transaction tx(conn);
  const auto row = tx.exec_params1(
      "SELECT actor, action, resource, outcome, remote, detail FROM audit_log WHERE correlation_id = $1",
      "audit-e2e-1");
  EXPECT_EQ(row[0].as<std::string>(), "e2e-admin");
  EXPECT_EQ(row[1].as<std::string>(), "POST /api/inventory");
  EXPECT_EQ(row[2].as<std::string>(), created.Header("location"));
  EXPECT_EQ(row[3].as<std::string>(), "succeeded");
  EXPECT_EQ(row[4].as<std::string>(), "127.0.0.1");
  EXPECT_EQ(row[5].as<std::string>(), "status 201");

  for (const auto& database :
       {System::Get().InventoryDsn(), System::Get().OrderDsn(), System::Get().PaymentDsn()}) {
    const auto log = System::Get().Dir() / testing::UniqueName("audit-verify");
    testing::Process sagactl(std::string(SAGA_BUILD_DIR) + "/tools/sagactl/sagactl",
                             {"audit", "verify", "--dsn", database}, {}, log.string());
    EXPECT_EQ(sagactl.Wait(seconds(30)), 0) << testing::ReadFile(log.string());
    EXPECT_NE(testing::ReadFile(log.string()).find("chain intact"), std::string::npos)
        << testing::ReadFile(log.string());
  }
}

}  // namespace
}  // namespace saga::e2e
