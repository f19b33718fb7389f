// Order REST API over real HTTP (with the real inventory service as the price catalogue):
// every endpoint, its success and its error cases; each answer checked against /openapi.json.
#include <gtest/gtest.h>

#include "saga/core/uuid.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;

std::string NewUuid() {
  return core::Uuid::Random().ToString();
}

class OrderApiTest : public ::testing::Test {
 protected:
  ApiClient inventory_{System::Get().inventory()};
  ApiClient api_{System::Get().order()};

  json OrderOf(const json& product, int quantity, const std::string& customer = NewUuid()) {
    return json{{"customerId", customer},
                {"items", {{{"productId", product["id"]}, {"quantity", quantity}}}},
                {"paymentToken", "tok_sim_approve"}};
  }
};

TEST_F(OrderApiTest, CreateIsAcceptedWithServerDerivedPricesAndTotal) {
  auto mug = CreateProduct(inventory_, 1250, 100);
  auto tee = CreateProduct(inventory_, 1999, 100);
  const auto customer = NewUuid();
  auto reply = api_.Call(
      "POST", "/api/orders",
      json{{"customerId", customer},
           {"items",
            {{{"productId", mug["id"]}, {"quantity", 2}}, {{"productId", tee["id"]}, {"quantity", 1}}}},
           {"paymentToken", "tok_sim_approve"}});
  ASSERT_EQ(reply.status, 202) << reply.body;
  const auto id = reply.json["id"].get<std::string>();
  EXPECT_EQ(reply.Header("location"), "/api/orders/" + id);
  EXPECT_EQ(reply.json["status"], "Created");
  EXPECT_EQ(reply.json["customerId"], customer);
  EXPECT_EQ(reply.json["totalAmount"], (json{{"amountMinor", 2 * 1250 + 1999}, {"currency", "EUR"}}));
  EXPECT_EQ(reply.json["items"][0]["unitPrice"]["amountMinor"], 1250);
  EXPECT_EQ(reply.json["items"][0]["subtotal"]["amountMinor"], 2500);

  auto got = api_.Call("GET", "/api/orders/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json, reply.json);
  EXPECT_EQ(got.Header("etag"), "\"1\"");
  EXPECT_EQ(api_.Call("GET", "/api/orders/" + id, "", {{"If-None-Match", "\"1\""}}).status, 304);
  auto status = api_.Call("GET", "/api/orders/" + id + "/status");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.json["status"], "Created");
  EXPECT_EQ(status.json["version"], 1);
}

TEST_F(OrderApiTest, ClientCannotSetPricesTotalsStatusOrUnknownFields) {
  auto mug = CreateProduct(inventory_, 100, 10);
  auto reply = api_.Call("POST", "/api/orders",
                         json{{"customerId", NewUuid()},
                              {"status", "Completed"},
                              {"totalAmount", {{"amountMinor", 1}, {"currency", "EUR"}}},
                              {"discount", 50},
                              {"items",
                               {{{"productId", mug["id"]},
                                 {"quantity", 1},
                                 {"unitPrice", {{"amountMinor", 1}, {"currency", "EUR"}}}}}}});
  ASSERT_EQ(reply.status, 400) << reply.body;
  auto fields = reply.ErrorFields();
  for (const char* field : {"status", "totalAmount", "discount", "items[0].unitPrice"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end()) << field << " in " << reply.body;
  }
}

TEST_F(OrderApiTest, ValidationCoversTypesRangesCountsAndUuids) {
  auto mug = CreateProduct(inventory_, 100, 10);
  json too_many = json::array();
  for (int i = 0; i < 51; ++i) too_many.push_back({{"productId", NewUuid()}, {"quantity", 1}});
  const std::vector<std::pair<json, std::string>> cases = {
      {json{{"items", {{{"productId", mug["id"]}, {"quantity", 1}}}}}, "customerId"},
      {json{{"customerId", "123"}, {"items", {{{"productId", mug["id"]}, {"quantity", 1}}}}}, "customerId"},
      {json{{"customerId", NewUuid()}, {"items", json::array()}}, "items"},
      {json{{"customerId", NewUuid()}, {"items", too_many}}, "items"},
      {json{{"customerId", NewUuid()}, {"items", "mug"}}, "items"},
      {json{{"customerId", NewUuid()}, {"items", {{{"productId", mug["id"]}, {"quantity", 0}}}}},
       "items[0].quantity"},
      {json{{"customerId", NewUuid()}, {"items", {{{"productId", mug["id"]}, {"quantity", 10001}}}}},
       "items[0].quantity"},
      {json{{"customerId", NewUuid()}, {"items", {{{"productId", mug["id"]}, {"quantity", "2"}}}}},
       "items[0].quantity"},
      {json{{"customerId", NewUuid()},
            {"items", {{{"productId", mug["id"]}, {"quantity", 1}}}},
            {"paymentToken", "4111 1111111111111"}},
       "paymentToken"},
      {json{{"customerId", NewUuid()}, {"items", {{{"productId", mug["id"]}, {"quantity", 1}}}}},
       "paymentToken"},
      {json{{"customerId", NewUuid()}, {"items", {{{"productId", "nope"}, {"quantity", 1}}}}},
       "items[0].productId"},
      {json{{"customerId", NewUuid()},
            {"items",
             {{{"productId", mug["id"]}, {"quantity", 1}}, {{"productId", mug["id"]}, {"quantity", 2}}}}},
       "items[1].productId"},
  };
  for (const auto& [body, field] : cases) {
    auto reply = api_.Call("POST", "/api/orders", body);
    EXPECT_EQ(reply.status, 400) << body.dump();
    auto fields = reply.ErrorFields();
    EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end()) << field << " in " << reply.body;
  }
  EXPECT_EQ(api_.Call("POST", "/api/orders", std::string("{\"customerId\":")).status, 400);
  EXPECT_EQ(api_.Call("POST", "/api/orders", std::string("{}"), {{"Content-Type", "application/xml"}}).status,
            415);
}

TEST_F(OrderApiTest, UnknownProductAndMixedCurrenciesAre422) {
  auto unknown = api_.Call("POST", "/api/orders",
                           json{{"customerId", NewUuid()},
                                {"items", {{{"productId", NewUuid()}, {"quantity", 1}}}},
                                {"paymentToken", "tok_sim_approve"}});
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_TRUE(unknown.json.contains("productId"));
  auto eur = CreateProduct(inventory_, 100, 10, "EUR");
  auto usd = CreateProduct(inventory_, 100, 10, "USD");
  auto mixed = api_.Call(
      "POST", "/api/orders",
      json{{"customerId", NewUuid()},
           {"items",
            {{{"productId", eur["id"]}, {"quantity", 1}}, {{"productId", usd["id"]}, {"quantity", 1}}}},
           {"paymentToken", "tok_sim_approve"}});
  EXPECT_EQ(mixed.status, 422) << mixed.body;
}

TEST_F(OrderApiTest, IdempotencyKeyReplaysAndRefusesAnotherBody) {
  auto mug = CreateProduct(inventory_, 100, 10);
  const auto body = OrderOf(mug, 1);
  const auto key = "order-" + NewUuid();
  auto first = api_.Call("POST", "/api/orders", body, {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 202) << first.body;
  auto retry = api_.Call("POST", "/api/orders", body, {{"Idempotency-Key", key}});
  EXPECT_EQ(retry.status, 202);
  EXPECT_EQ(retry.json["id"], first.json["id"]) << "the retry returns the first order";
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  EXPECT_EQ(retry.Header("location"), first.Header("location"));
  auto list = api_.Call("GET", "/api/orders?customerId=" + body["customerId"].get<std::string>());
  EXPECT_EQ(list.json["total"], 1) << "nothing new was created";
  auto other = api_.Call("POST", "/api/orders", OrderOf(mug, 2), {{"Idempotency-Key", key}});
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(api_.Call("POST", "/api/orders", body, {{"Idempotency-Key", std::string(300, 'k')}}).status, 400);
  // Without a key, the same body places a second order.
  EXPECT_NE(api_.Call("POST", "/api/orders", body).json["id"], first.json["id"]);
}

TEST_F(OrderApiTest, ListFiltersByStatusAndCustomerAndPages) {
  auto mug = CreateProduct(inventory_, 100, 10);
  const auto customer = NewUuid();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(api_.Call("POST", "/api/orders", OrderOf(mug, 1, customer)).json["id"]);
  auto all = api_.Call("GET", "/api/orders?customerId=" + customer);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json["total"], 3);
  EXPECT_EQ(all.json["items"][0]["id"], ids[2]) << "newest first";
  auto created = api_.Call("GET", "/api/orders?customerId=" + customer + "&status=Created&limit=1&offset=1");
  EXPECT_EQ(created.json["total"], 3);
  ASSERT_EQ(created.json["items"].size(), 1U);
  EXPECT_EQ(created.json["items"][0]["id"], ids[1]);
  EXPECT_EQ(api_.Call("GET", "/api/orders?status=Completed&customerId=" + customer).json["total"], 0);
  for (const char* bad : {"?status=Shipped", "?customerId=x", "?limit=1000", "?page=2", "?status="}) {
    EXPECT_EQ(api_.Call("GET", std::string("/api/orders") + bad).status, 400) << bad;
  }
}

// Cancelling starts the saga's compensation (202); the order becomes Cancelled when it has
// finished (the saga tests follow that through; here the participants do not answer).
TEST_F(OrderApiTest, CancelHonoursIfMatchAndIsAcceptedOnce) {
  auto mug = CreateProduct(inventory_, 100, 10);
  const auto id = api_.Call("POST", "/api/orders", OrderOf(mug, 1)).json["id"].get<std::string>();
  auto stale = api_.Call("PUT", "/api/orders/" + id + "/cancel", "", {{"If-Match", "\"7\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.Header("etag"), "\"1\"");
  auto accepted = api_.Call("PUT", "/api/orders/" + id + "/cancel", "", {{"If-Match", "\"1\""}});
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  EXPECT_EQ(accepted.Header("location"), "/api/orders/" + id + "/saga");
  auto saga = api_.Call("GET", accepted.Header("location"));
  ASSERT_EQ(saga.status, 200);
  EXPECT_EQ(saga.json["state"], "ReleasingInventory");
  EXPECT_EQ(saga.json["compensationTarget"], "Cancelled");
  auto again = api_.Call("PUT", "/api/orders/" + id + "/cancel");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(api_.Call("PUT", "/api/orders/" + NewUuid() + "/cancel").status, 404);
  EXPECT_EQ(api_.Call("PUT", "/api/orders/abc/cancel").status, 400);
  EXPECT_EQ(api_.Call("PUT", "/api/orders/" + id + "/cancel", json{{"reason", "x"}}).status, 400);
  EXPECT_EQ(
      api_.Call("PUT", "/api/orders/" + id + "/cancel", std::string("x"), {{"Content-Type", "text/plain"}})
          .status,
      415);
}

TEST_F(OrderApiTest, SagaTimelineIsReadable) {
  auto mug = CreateProduct(inventory_, 100, 10);
  const auto id = api_.Call("POST", "/api/orders", OrderOf(mug, 1)).json["id"].get<std::string>();
  auto saga = api_.Call("GET", "/api/orders/" + id + "/saga");
  ASSERT_EQ(saga.status, 200) << saga.body;
  EXPECT_EQ(saga.json["state"], "ReservingInventory");
  EXPECT_EQ(saga.json["orderId"], id);
  ASSERT_GE(saga.json["log"].size(), 2U);
  EXPECT_EQ(saga.json["log"][0]["kind"], "started");
  EXPECT_EQ(saga.json["log"][1]["messageType"], "ReserveInventory");
  EXPECT_EQ(api_.Call("GET", "/api/orders/" + NewUuid() + "/saga").status, 404);
}

TEST_F(OrderApiTest, OperatorsRetryAStuckStepAndForceItsCompensation) {
  // The saga's commands go nowhere here (isolate_saga): the order stays in ReservingInventory.
  auto mug = CreateProduct(inventory_, 100, 10);
  const auto id = api_.Call("POST", "/api/orders", OrderOf(mug, 1)).json["id"].get<std::string>();
  const auto saga = "/api/orders/" + id + "/saga";

  auto stuck = api_.Call("GET", "/api/sagas?state=ReservingInventory&minAgeS=0&limit=200");
  ASSERT_EQ(stuck.status, 200) << stuck.body;
  bool listed = false;
  for (const auto& item : stuck.json["items"]) listed = listed || item["orderId"] == id;
  EXPECT_TRUE(listed) << stuck.body;
  auto young = api_.Call("GET", "/api/sagas?state=ReservingInventory&minAgeS=3600&limit=200");
  for (const auto& item : young.json["items"]) EXPECT_NE(item["orderId"], id) << "updated just now";
  EXPECT_EQ(api_.Call("GET", "/api/sagas?minAgeS=-1").status, 400);

  auto retried = api_.Call("POST", saga + "/retry");
  ASSERT_EQ(retried.status, 202) << retried.body;
  EXPECT_EQ(retried.json["state"], "ReservingInventory");
  EXPECT_EQ(retried.json["stepAttempts"], 0);
  EXPECT_EQ(retried.Header("location"), saga);
  auto timeline = api_.Call("GET", saga).json["log"];
  bool resent = false;
  for (const auto& line : timeline) {
    resent = resent || line.value("detail", "").find("operator retry: ReserveInventory sent again") != std::string::npos;
  }
  EXPECT_TRUE(resent) << timeline.dump();

  EXPECT_EQ(api_.Call("POST", saga + "/compensate", json{{"reason", ""}}).status, 400);
  EXPECT_EQ(api_.Call("POST", saga + "/compensate", json{{"why", "x"}}).status, 400);
  auto compensating = api_.Call("POST", saga + "/compensate", json{{"reason", "stuck in the test"}});
  ASSERT_EQ(compensating.status, 202) << compensating.body;
  EXPECT_EQ(compensating.json["state"], "ReleasingInventory");
  EXPECT_EQ(compensating.json["outcome"], "CompensatedByOperator");
  EXPECT_EQ(compensating.json["compensationTarget"], "Failed");
  auto twice = api_.Call("POST", saga + "/compensate");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(twice.json["type"], "urn:saga:problem:compensating");
  auto release_again = api_.Call("POST", saga + "/retry");
  ASSERT_EQ(release_again.status, 202) << release_again.body;
  EXPECT_EQ(release_again.json["state"], "ReleasingInventory");

  EXPECT_EQ(api_.Call("POST", "/api/orders/" + NewUuid() + "/saga/retry").status, 404);
  EXPECT_EQ(api_.Call("POST", "/api/orders/" + NewUuid() + "/saga/compensate").status, 404);
  EXPECT_EQ(api_.Call("POST", "/api/orders/nope/saga/retry").status, 400);
  ApiClient customer(System::Get().order(), testing::AuthHeaders(NewUuid(), {"customer"}));
  EXPECT_EQ(customer.Call("POST", saga + "/retry").status, 403);
}

TEST_F(OrderApiTest, UnknownIdsAndMethods) {
  EXPECT_EQ(api_.Call("GET", "/api/orders/" + NewUuid()).status, 404);
  EXPECT_EQ(api_.Call("GET", "/api/orders/" + NewUuid() + "/status").status, 404);
  EXPECT_EQ(api_.Call("GET", "/api/orders/not-a-uuid/status").status, 400);
  EXPECT_EQ(api_.Call("DELETE", "/api/orders/" + NewUuid()).status, 405);
  EXPECT_EQ(api_.Call("POST", "/api/orders/" + NewUuid() + "/cancel").status, 405);
}

}  // namespace
}  // namespace saga::e2e
