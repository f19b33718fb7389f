// The order API's handlers through the router, with fakes (no I/O), and the routes against
// the OpenAPI document.
#include "services/order/api/order_api.hpp"

#include <gtest/gtest.h>

#include "saga/testing/manual_clock.hpp"
#include "saga/testing/route_coverage.hpp"
#include "services/order/tests/fakes.hpp"

namespace saga::order {
namespace {

class OrderRoutesTest : public ::testing::Test {
 protected:
  // The idempotency store is never reached: these requests carry no Idempotency-Key.
  pg::ConnectionPool unused_pool_{pg::PgConfig{}, 1, std::chrono::milliseconds(1)};
  service::IdempotencyStore idempotency_{unused_pool_, std::chrono::hours(1)};
  testing::FakeOrderRepository orders_;
  testing::FakeCatalogue catalogue_;
  saga::testing::ManualClock clock_;
  testing::FakeSagaStore sagas_{orders_};
  testing::RecordingSagaMetrics metrics_;
  testing::FakeTokenSealer sealer_;
  SagaOrchestrator orchestrator_{clock_, SagaSettings{}, metrics_, sealer_};
  OrderApp app_{orders_, catalogue_, clock_, orchestrator_, sagas_, sagas_};
  http::Router router_;

  void SetUp() override { AddOrderRoutes(router_, app_, idempotency_); }

  // The caller as the authorization middleware would set it (an admin unless said otherwise).
  http::Response Send(http::Verb verb, const std::string& target, const std::string& body = {},
                      http::Caller caller = {"ops", {"admin"}}) {
    http::Request request{verb, target, 11};
    if (!body.empty()) request.set(http::beast_http::field::content_type, "application/json");
    request.body() = body;
    http::RequestContext context;
    context.caller = std::move(caller);
    try {
      return router_.Dispatch(request, context);
    } catch (const http::ProblemError& e) {
      return e.ToResponse();
    }
  }
};

TEST_F(OrderRoutesTest, EveryRouteIsDocumentedAndEveryDocumentedRouteIsServed) {
  saga::testing::ExpectServiceRoutesMatchDocument(router_, OrderOpenApi(), OrderRoutePolicies());
}

// Handlers grant nothing to a request without a caller (the middleware always sets one), and a
// customer's token subject decides which orders it reaches.
TEST_F(OrderRoutesTest, OwnershipFollowsTheCallersSubject) {
  const auto product = core::NewId<core::ProductId>();
  catalogue_.prices.emplace(product, core::Money(250, *core::Currency::Parse("EUR")));
  const auto customer = core::Uuid::Random().ToString();
  const std::string body = R"({"customerId":")" + customer + R"(","items":[{"productId":")" +
                           product.Get().ToString() + R"(","quantity":1}],"paymentToken":"tok_sim_approve"})";
  EXPECT_EQ(Send(http::Verb::post, "/api/orders", body, {}).result(), http::Status::forbidden);
  EXPECT_EQ(Send(http::Verb::post, "/api/orders", body, {"not-a-uuid", {"customer"}}).result(),
            http::Status::forbidden);
  EXPECT_EQ(
      Send(http::Verb::post, "/api/orders", body, {core::Uuid::Random().ToString(), {"customer"}}).result(),
      http::Status::forbidden)
      << "for another customer";
  const auto placed = Send(http::Verb::post, "/api/orders", body, {customer, {"customer"}});
  ASSERT_EQ(placed.result(), http::Status::accepted) << placed.body();
  const std::string location(placed[http::beast_http::field::location]);
  EXPECT_EQ(Send(http::Verb::get, location, {}, {customer, {"customer"}}).result(), http::Status::ok);
  EXPECT_EQ(Send(http::Verb::get, location, {}, {"payment-service", {"service"}}).result(), http::Status::ok);
  EXPECT_EQ(Send(http::Verb::get, location, {}, {core::Uuid::Random().ToString(), {"customer"}}).result(),
            http::Status::not_found);
  EXPECT_EQ(Send(http::Verb::put, location + "/cancel", {}, {core::Uuid::Random().ToString(), {"customer"}})
                .result(),
            http::Status::not_found);
}

TEST_F(OrderRoutesTest, CatalogueOutageIsRetryable) {
  catalogue_.unavailable = true;
  const std::string body = R"({"customerId":")" + core::Uuid::Random().ToString() +
                           R"(","items":[{"productId":")" + core::Uuid::Random().ToString() +
                           R"(","quantity":1}],"paymentToken":"tok_sim_approve"})";
  try {
    (void)Send(http::Verb::post, "/api/orders", body);
    FAIL() << "the server maps a retryable InfraError to 503";
  } catch (const core::InfraError& e) {
    EXPECT_TRUE(e.IsRetryable());
  }
}

TEST_F(OrderRoutesTest, PlaceAndGetThroughTheRouter) {
  const auto product = core::NewId<core::ProductId>();
  catalogue_.prices.emplace(product, core::Money(250, *core::Currency::Parse("EUR")));
  const std::string body = R"({"customerId":")" + core::Uuid::Random().ToString() +
                           R"(","items":[{"productId":")" + product.Get().ToString() +
                           R"(","quantity":4}],"paymentToken":"tok_sim_approve"})";
  auto placed = Send(http::Verb::post, "/api/orders", body);
  ASSERT_EQ(placed.result(), http::Status::accepted) << placed.body();
  auto json = nlohmann::json::parse(placed.body());
  EXPECT_EQ(json["totalAmount"]["amountMinor"], 1000);
  auto got = Send(http::Verb::get, std::string(placed[http::beast_http::field::location]));
  EXPECT_EQ(got.result(), http::Status::ok);
  EXPECT_EQ(got[http::beast_http::field::etag], "\"1\"");
}

}  // namespace
}  // namespace saga::order
