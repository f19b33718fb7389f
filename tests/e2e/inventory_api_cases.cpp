// Inventory REST API over real HTTP: every endpoint, its success and its error cases. Every
// answer is checked against the inventory service's /openapi.json by ApiClient.
#include <gtest/gtest.h>

#include <set>

#include "saga/core/uuid.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;

class InventoryApiTest : public ::testing::Test {
 protected:
  ApiClient api_{System::Get().inventory()};
};

TEST_F(InventoryApiTest, CreateThenGetWithLocationETagAndConditionalGet) {
  auto reply = api_.Call("POST", "/api/inventory",
                         json{{"name", "Blue mug"},
                              {"sku", "MUG-" + std::to_string(core::Uuid::Random().Bytes()[0] * 1000 +
                                                              core::Uuid::Random().Bytes()[1])},
                              {"price", {{"amountMinor", 1250}, {"currency", "EUR"}}},
                              {"quantity", 40}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  const auto id = reply.json["id"].get<std::string>();
  EXPECT_EQ(reply.Header("location"), "/api/inventory/" + id);
  EXPECT_EQ(reply.json["available"], 40);
  EXPECT_EQ(reply.json["reserved"], 0);
  EXPECT_EQ(reply.json["price"], (json{{"amountMinor", 1250}, {"currency", "EUR"}}));
  EXPECT_EQ(reply.json["version"], 1);

  auto got = api_.Call("GET", reply.Header("location"));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json["name"], "Blue mug");
  EXPECT_EQ(got.Header("etag"), "\"1\"");
  EXPECT_EQ(got.Header("cache-control"), "private, no-cache");
  auto not_modified = api_.Call("GET", "/api/inventory/" + id, "", {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(api_.Call("GET", "/api/inventory/" + id, "", {{"If-None-Match", "\"0\""}}).status, 200);
}

TEST_F(InventoryApiTest, CreateRefusesInvalidFieldsWithTheirPaths) {
  auto reply = api_.Call("POST", "/api/inventory",
                         json{{"name", ""},
                              {"sku", "bad sku"},
                              {"price", {{"amountMinor", 0}, {"currency", "euro"}}},
                              {"quantity", -1},
                              {"reserved", 3},
                              {"colour", "red"}});
  ASSERT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(reply.json["type"], "urn:saga:problem:validation");
  auto fields = reply.ErrorFields();
  for (const char* field :
       {"name", "sku", "price.amountMinor", "price.currency", "quantity", "reserved", "colour"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end()) << field << " in " << reply.body;
  }
  // Types: a string where a number belongs, a number where an object belongs.
  auto types = api_.Call("POST", "/api/inventory",
                         json{{"name", 5}, {"sku", "ABC-1"}, {"price", 100}, {"quantity", "10"}});
  ASSERT_EQ(types.status, 400);
  EXPECT_EQ(types.ErrorFields().size(), 3U) << types.body;
  // The domain's own SKU rule (format) reports the field too.
  auto sku = api_.Call("POST", "/api/inventory",
                       json{{"name", "x"},
                            {"sku", "AB--C"},
                            {"price", {{"amountMinor", 1}, {"currency", "EUR"}}},
                            {"quantity", 1}});
  EXPECT_EQ(sku.status, 400);
  EXPECT_EQ(sku.ErrorFields(), std::vector<std::string>{"sku"}) << sku.body;
}

TEST_F(InventoryApiTest, MalformedJsonAndWrongMediaType) {
  EXPECT_EQ(api_.Call("POST", "/api/inventory", std::string("{\"name\":")).status, 400);
  EXPECT_EQ(api_.Call("POST", "/api/inventory", std::string("[]")).status, 400);
  auto too_large = api_.Call("POST", "/api/inventory", "{\"name\":\"" + std::string(2 << 20, 'x') + "\"}");
  EXPECT_EQ(too_large.status, 413);
  auto media = api_.Call("POST", "/api/inventory", std::string("name=x"), {{"Content-Type", "text/plain"}});
  EXPECT_EQ(media.status, 415);
  EXPECT_EQ(media.Header("content-type"), "application/problem+json");
}

TEST_F(InventoryApiTest, DuplicateSkuIs409) {
  auto product = CreateProduct(api_, 100, 1);
  auto again = api_.Call("POST", "/api/inventory",
                         json{{"name", "Same"},
                              {"sku", product["sku"]},
                              {"price", {{"amountMinor", 1}, {"currency", "EUR"}}},
                              {"quantity", 1}});
  EXPECT_EQ(again.status, 409) << again.body;
}

TEST_F(InventoryApiTest, UnknownAndMalformedIds) {
  EXPECT_EQ(api_.Call("GET", "/api/inventory/" + core::Uuid::Random().ToString()).status, 404);
  auto bad = api_.Call("GET", "/api/inventory/not-a-uuid");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.ErrorFields(), std::vector<std::string>{"id"});
  EXPECT_EQ(
      api_.Call("PUT", "/api/inventory/" + core::Uuid::Random().ToString() + "/stock", json{{"quantity", 1}})
          .status,
      404);
  EXPECT_EQ(api_.Call("DELETE", "/api/inventory").status, 405);
  EXPECT_EQ(api_.Call("GET", "/api/inventory/reserve").status, 405);
  EXPECT_EQ(api_.Raw("GET", "/api/nothing", "").status, 404);
}

TEST_F(InventoryApiTest, ListPagesAndRejectsBadParameters) {
  for (int i = 0; i < 3; ++i) (void)CreateProduct(api_, 100 + i, 5);
  auto page = api_.Call("GET", "/api/inventory?limit=2&offset=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.json["items"].size(), 2U);
  EXPECT_GE(page.json["total"].get<int>(), 3);
  EXPECT_EQ(page.json["limit"], 2);
  EXPECT_EQ(page.json["offset"], 1);
  EXPECT_FALSE(page.Header("etag").empty());
  auto again =
      api_.Call("GET", "/api/inventory?limit=2&offset=1", "", {{"If-None-Match", page.Header("etag")}});
  EXPECT_EQ(again.status, 304);
  for (const char* bad : {"?limit=0", "?limit=201", "?limit=x", "?offset=-1", "?sort=name", "?limit=%zz"}) {
    EXPECT_EQ(api_.Call("GET", std::string("/api/inventory") + bad).status, 400) << bad;
  }
}

// The products of a list of ids in one call (what the order service reads an order's prices
// with): those that exist, in id order, each once; bad lists are refused.
TEST_F(InventoryApiTest, ListsTheProductsOfAListOfIds) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(CreateProduct(api_, 200 + i, 5)["id"].get<std::string>());
  const auto unknown = core::Uuid::Random().ToString();
  auto found = api_.Call("GET", "/api/inventory?ids=" + ids[2] + "," + unknown + "," + ids[0] + "," + ids[2]);
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(found.json["items"].size(), 2U);
  EXPECT_EQ(found.json["total"], 2);
  std::set<std::string> returned;
  for (const auto& item : found.json["items"]) returned.insert(item["id"].get<std::string>());
  EXPECT_EQ(returned, (std::set<std::string>{ids[0], ids[2]}));
  EXPECT_LT(found.json["items"][0]["id"].get<std::string>(), found.json["items"][1]["id"].get<std::string>())
      << "in id order";
  EXPECT_EQ(found.json["items"][0]["price"]["currency"], "EUR");
  EXPECT_EQ(api_.Call("GET", "/api/inventory?ids=" + unknown).json["items"].size(), 0U);
  std::string too_many;
  for (int i = 0; i < 201; ++i) too_many += (i == 0 ? "" : ",") + core::Uuid::Random().ToString();
  for (const std::string& bad : std::vector<std::string>{
           "?ids=", "?ids=not-a-uuid", "?ids=" + ids[0] + ",", "?ids=" + ids[0] + "&limit=5",
           "?ids=" + ids[0] + "&offset=1", "?ids=" + too_many}) {
    EXPECT_EQ(api_.Call("GET", "/api/inventory" + bad).status, 400) << bad.substr(0, 60);
  }
}

TEST_F(InventoryApiTest, LowStockUsesTheThreshold) {
  auto scarce = CreateProduct(api_, 100, 2);
  auto plenty = CreateProduct(api_, 100, 500);
  auto low = api_.Call("GET", "/api/inventory/low-stock?threshold=3&limit=200");
  ASSERT_EQ(low.status, 200) << low.body;
  EXPECT_EQ(low.json["threshold"], 3);
  bool found_scarce = false;
  for (const auto& item : low.json["items"]) {
    EXPECT_LT(item["available"].get<int>(), 3);
    found_scarce = found_scarce || item["id"] == scarce["id"];
    EXPECT_NE(item["id"], plenty["id"]);
  }
  EXPECT_TRUE(found_scarce) << low.body;
  EXPECT_EQ(api_.Call("GET", "/api/inventory/low-stock").json["threshold"], 10);
  EXPECT_EQ(api_.Call("GET", "/api/inventory/low-stock?threshold=0").status, 400);
  EXPECT_EQ(api_.Call("GET", "/api/inventory/low-stock?threshold=abc").status, 400);
}

TEST_F(InventoryApiTest, StockUpdateHonoursIfMatch) {
  auto product = CreateProduct(api_, 300, 10);
  const std::string path = "/api/inventory/" + product["id"].get<std::string>() + "/stock";
  auto updated = api_.Call("PUT", path, json{{"quantity", 25}}, {{"If-Match", "\"1\""}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json["quantity"], 25);
  EXPECT_EQ(updated.Header("etag"), "\"2\"");
  auto stale = api_.Call("PUT", path, json{{"quantity", 7}}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.Header("etag"), "\"2\"");
  EXPECT_EQ(stale.json["currentVersion"], 2);
  EXPECT_EQ(api_.Call("PUT", path, json{{"quantity", 7}}, {{"If-Match", "garbage"}}).status, 412);
  auto unconditional = api_.Call("PUT", path, json{{"quantity", 8}});
  EXPECT_EQ(unconditional.status, 200);
  EXPECT_EQ(unconditional.json["version"], 3);
  EXPECT_EQ(api_.Call("PUT", path, json{{"quantity", -1}}).status, 400);
  EXPECT_EQ(api_.Call("PUT", path, json{{"quantity", 1}, {"reserved", 0}}).status, 400);
  EXPECT_EQ(api_.Call("PUT", path, json{{"quantity", 1.5}}).status, 400);
}

TEST_F(InventoryApiTest, ReserveIsAllOrNothingAndRepeatable) {
  auto a = CreateProduct(api_, 100, 5);
  auto b = CreateProduct(api_, 200, 1);
  const auto order_id = core::Uuid::Random().ToString();
  json request{
      {"orderId", order_id},
      {"items", {{{"productId", a["id"]}, {"quantity", 2}}, {{"productId", b["id"]}, {"quantity", 1}}}}};
  auto reserved = api_.Call("POST", "/api/inventory/reserve", request);
  ASSERT_EQ(reserved.status, 200) << reserved.body;
  ASSERT_EQ(reserved.json["reservations"].size(), 2U);
  EXPECT_EQ(reserved.json["reservations"][0]["status"], "Active");
  auto repeated = api_.Call("POST", "/api/inventory/reserve", request);
  EXPECT_EQ(repeated.json["reservations"], reserved.json["reservations"]) << "a repeat changes nothing";
  EXPECT_EQ(api_.Call("GET", "/api/inventory/" + a["id"].get<std::string>()).json["reserved"], 2);

  // Not enough of b for another order: nothing is held for a either.
  json short_request{
      {"orderId", core::Uuid::Random().ToString()},
      {"items", {{{"productId", a["id"]}, {"quantity", 1}}, {{"productId", b["id"]}, {"quantity", 1}}}}};
  auto refused = api_.Call("POST", "/api/inventory/reserve", short_request);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(refused.json["productId"], b["id"]);
  EXPECT_EQ(refused.json["available"], 0);
  EXPECT_EQ(api_.Call("GET", "/api/inventory/" + a["id"].get<std::string>()).json["reserved"], 2);
  // Unknown product.
  json unknown{{"orderId", core::Uuid::Random().ToString()},
               {"items", {{{"productId", core::Uuid::Random().ToString()}, {"quantity", 1}}}}};
  EXPECT_EQ(api_.Call("POST", "/api/inventory/reserve", unknown).status, 422);
  // Validation: empty items, duplicate product, bad ttl, bad order id.
  auto invalid = api_.Call(
      "POST", "/api/inventory/reserve",
      json{
          {"orderId", "x"},
          {"ttlSeconds", 0},
          {"items", {{{"productId", a["id"]}, {"quantity", 1}}, {{"productId", a["id"]}, {"quantity", 0}}}}});
  ASSERT_EQ(invalid.status, 400);
  auto fields = invalid.ErrorFields();
  for (const char* field : {"orderId", "ttlSeconds", "items[1].productId", "items[1].quantity"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end())
        << field << " in " << invalid.body;
  }
  EXPECT_EQ(api_.Call("POST", "/api/inventory/reserve", json{{"orderId", order_id}, {"items", json::array()}})
                .status,
            400);
}

TEST_F(InventoryApiTest, HealthAndOpenApiAreServed) {
  EXPECT_EQ(api_.Call("GET", "/health/live").status, 200);
  auto ready = api_.Call("GET", "/health/ready");
  EXPECT_EQ(ready.status, 200);
  auto doc = api_.Call("GET", "/openapi.json");
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.json["info"]["title"], "Inventory service");
  EXPECT_EQ(doc.Header("cache-control"), "public, max-age=300");
}

TEST_F(InventoryApiTest, BurstOverTheRateLimitIs429WithRetryAfter) {
  // A second instance on the same database with a tight limit.
  ServiceUnderTest limited("inventory", System::Get().Dir(), System::Get().InventoryDsn(),
                           {{"SAGA_HTTP_RATE_LIMIT_PER_SECOND", "1"},
                            {"SAGA_HTTP_RATE_LIMIT_BURST", "5"},
                            {"SAGA_KAFKA_TOPIC_PREFIX", System::Get().TopicPrefix()}});
  ApiClient client(limited);
  int ok = 0;
  int limited_count = 0;
  std::string retry_after;
  for (int i = 0; i < 12; ++i) {
    auto reply = client.Call("GET", "/api/inventory?limit=1");
    if (reply.status == 200) ++ok;
    if (reply.status == 429) {
      ++limited_count;
      retry_after = reply.Header("retry-after");
    }
  }
  // The client's first request (GET /openapi.json) took one token of the burst of 5.
  EXPECT_GE(ok, 4);
  EXPECT_LE(ok, 6) << "the burst plus at most what refilled meanwhile";
  EXPECT_GE(limited_count, 5);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_EQ(client.Call("GET", "/health/live").status, 200) << "health probes are never limited";
}

}  // namespace
}  // namespace saga::e2e
