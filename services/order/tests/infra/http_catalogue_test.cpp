// HttpCatalogue against an inventory API on a loopback port (port 0): an order's prices come
// from one GET /api/inventory?ids=... (unknown products are left out), and an inventory service
// that does not know `ids` yet (400) is asked product by product.
#include "services/order/infra/http_catalogue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>

#include "saga/http/json_body.hpp"
#include "saga/http/server.hpp"

namespace saga::order {
namespace {

const core::ProductId kA(*core::Uuid::Parse("01a25178-1a9b-73a4-9200-ddce8ff5389f"));
const core::ProductId kB(*core::Uuid::Parse("6f1c1a2e-8f6e-4a8e-9a57-0a8c7b1d2e3f"));
const core::ProductId kUnknown(*core::Uuid::Parse("01a25178-0000-7000-8000-000000000000"));

nlohmann::json Product(const core::ProductId& id, std::int64_t minor) {
  return {{"id", id.Get().ToString()}, {"price", {{"amountMinor", minor}, {"currency", "EUR"}}}};
}

http::HttpServerConfig Config() {
  http::HttpServerConfig config;
  config.port = 0;
  config.threads = 1;
  config.plaintext = true;
  return config;
}

// An inventory API with the two products; `knows_ids`: whether it serves ?ids= (else 400).
http::Router Inventory(bool knows_ids, std::atomic<int>& calls) {
  http::Router router;
  router.Add(http::Verb::get, "/api/inventory",
             [knows_ids, &calls](const http::Request&, const http::RequestContext& context) {
               ++calls;
               const auto ids = context.query.find("ids");
               if (!knows_ids || ids == context.query.end())
                 http::ThrowIfInvalid({{"ids", "is not a known query parameter"}});
               nlohmann::json items = nlohmann::json::array();
               for (const auto& product : {Product(kA, 1250), Product(kB, 499)}) {
                 if (ids->second.find(product["id"].get<std::string>()) != std::string::npos)
                   items.push_back(product);
               }
               return http::JsonResponse(
                   http::Status::ok,
                   {{"items", items}, {"total", items.size()}, {"limit", 50}, {"offset", 0}});
             });
  router.Add(http::Verb::get, "/api/inventory/{id}",
             [&calls](const http::Request&, const http::RequestContext& context) {
               ++calls;
               const auto& id = context.path_params.at("id");
               if (id == kA.Get().ToString()) return http::JsonResponse(http::Status::ok, Product(kA, 1250));
               if (id == kB.Get().ToString()) return http::JsonResponse(http::Status::ok, Product(kB, 499));
               return http::JsonResponse(http::Status::not_found, {{"title", "Not Found"}});
             });
  return router;
}

std::map<core::ProductId, core::Money> PricesFrom(bool knows_ids, std::atomic<int>& calls) {
  http::HttpServer server(Config(), Inventory(knows_ids, calls));
  server.Start();
  HttpCatalogue catalogue(http::HttpClient(
      "inventory.url", "http://127.0.0.1:" + std::to_string(server.Port()), std::chrono::seconds(5)));
  auto prices = catalogue.Prices({kA, kB, kUnknown, kA});
  server.Stop();
  return prices;
}

TEST(HttpCatalogueTest, OneCallForAllTheProductsOfAnOrder) {
  std::atomic<int> calls{0};
  const auto prices = PricesFrom(true, calls);
  EXPECT_EQ(calls.load(), 1);
  ASSERT_EQ(prices.size(), 2U) << "the unknown product is left out";
  EXPECT_EQ(prices.at(kA).MinorUnits(), 1250);
  EXPECT_EQ(prices.at(kB).MinorUnits(), 499);
}

TEST(HttpCatalogueTest, AnInventoryServiceWithoutIdsIsAskedProductByProduct) {
  std::atomic<int> calls{0};
  const auto prices = PricesFrom(false, calls);
  EXPECT_EQ(calls.load(), 4) << "the refused batch call, then one per distinct product";
  ASSERT_EQ(prices.size(), 2U);
  EXPECT_EQ(prices.at(kA).MinorUnits(), 1250);
  EXPECT_EQ(prices.at(kB).MinorUnits(), 499);
}

}  // namespace
}  // namespace saga::order
