// Payment REST API over real HTTP (amounts from the real order service, prices from the real
// inventory service): every endpoint, its success and its error cases; each answer checked
// against /openapi.json.
#include <gtest/gtest.h>

#include "saga/core/uuid.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;

std::string NewUuid() {
  return core::Uuid::Random().ToString();
}

class PaymentApiTest : public ::testing::Test {
 protected:
  ApiClient inventory_{System::Get().inventory()};
  ApiClient orders_{System::Get().order()};
  ApiClient api_{System::Get().payment()};

  // An order of 3 units at 700 (total 2100 EUR); returns its id.
  std::string NewOrder() {
    auto product = CreateProduct(inventory_, 700, 50);
    auto reply = orders_.Call("POST", "/api/orders",
                              json{{"customerId", NewUuid()},
                                   {"items", {{{"productId", product["id"]}, {"quantity", 3}}}},
                                   {"paymentToken", "tok_sim_approve"}});
    EXPECT_EQ(reply.status, 202) << reply.body;
    return reply.json["id"];
  }

  json NewPayment() {
    auto reply = api_.Call("POST", "/api/payments", json{{"orderId", NewOrder()}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json;
  }
};

TEST_F(PaymentApiTest, CreateChargesTheOrderTotal) {
  const auto order_id = NewOrder();
  auto reply = api_.Call("POST", "/api/payments", json{{"orderId", order_id}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.json["amount"], (json{{"amountMinor", 2100}, {"currency", "EUR"}}));
  EXPECT_EQ(reply.json["status"], "Pending");
  EXPECT_EQ(reply.json["orderId"], order_id);
  EXPECT_FALSE(reply.json.contains("transactionId"));
  const auto id = reply.json["id"].get<std::string>();
  EXPECT_EQ(reply.Header("location"), "/api/payments/" + id);
  auto got = api_.Call("GET", "/api/payments/" + id);
  EXPECT_EQ(got.json, reply.json);
  EXPECT_EQ(got.Header("etag"), "\"1\"");
  EXPECT_EQ(api_.Call("GET", "/api/payments/" + id, "", {{"If-None-Match", "\"1\""}}).status, 304);
  auto of_order = api_.Call("GET", "/api/payments/order/" + order_id);
  ASSERT_EQ(of_order.status, 200);
  ASSERT_EQ(of_order.json["items"].size(), 1U);
  EXPECT_EQ(of_order.json["items"][0]["id"], id);
  EXPECT_EQ(api_.Call("GET", "/api/payments/order/" + NewUuid()).json["items"].size(), 0U);
}

TEST_F(PaymentApiTest, ClientCannotSetTheAmountAndOrdersMustExist) {
  auto reply =
      api_.Call("POST", "/api/payments",
                json{{"orderId", NewOrder()}, {"amount", {{"amountMinor", 1}, {"currency", "EUR"}}}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.ErrorFields(), std::vector<std::string>{"amount"}) << reply.body;
  EXPECT_EQ(api_.Call("POST", "/api/payments", json{{"orderId", NewUuid()}}).status, 422);
  EXPECT_EQ(api_.Call("POST", "/api/payments", json{{"orderId", "nope"}}).status, 400);
  EXPECT_EQ(api_.Call("POST", "/api/payments", json::object()).status, 400);
  EXPECT_EQ(api_.Call("POST", "/api/payments", std::string("{")).status, 400);
  EXPECT_EQ(api_.Call("POST", "/api/payments", std::string("a"), {{"Content-Type", "text/csv"}}).status, 415);
}

TEST_F(PaymentApiTest, OneLivePaymentPerOrder) {
  const auto order_id = NewOrder();
  ASSERT_EQ(api_.Call("POST", "/api/payments", json{{"orderId", order_id}}).status, 201);
  EXPECT_EQ(api_.Call("POST", "/api/payments", json{{"orderId", order_id}}).status, 409);
}

TEST_F(PaymentApiTest, IdempotencyKeyReplaysAndRefusesAnotherBody) {
  const auto order_id = NewOrder();
  const auto key = "pay-" + NewUuid();
  auto first = api_.Call("POST", "/api/payments", json{{"orderId", order_id}}, {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = api_.Call("POST", "/api/payments", json{{"orderId", order_id}}, {{"Idempotency-Key", key}});
  EXPECT_EQ(retry.status, 201) << "a retry is not a second payment (which would be a 409)";
  EXPECT_EQ(retry.json["id"], first.json["id"]);
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  EXPECT_EQ(api_.Call("GET", "/api/payments/order/" + order_id).json["items"].size(), 1U);
  EXPECT_EQ(
      api_.Call("POST", "/api/payments", json{{"orderId", NewOrder()}}, {{"Idempotency-Key", key}}).status,
      422);
}

TEST_F(PaymentApiTest, LifecycleProcessCompleteRefund) {
  const auto payment = NewPayment();
  const std::string base = "/api/payments/" + payment["id"].get<std::string>();
  auto processing = api_.Call("POST", base + "/process", "", {{"If-Match", "\"1\""}});
  ASSERT_EQ(processing.status, 200) << processing.body;
  EXPECT_EQ(processing.json["status"], "Processing");
  const auto transaction = "tx-" + NewUuid();
  auto completed = api_.Call("POST", base + "/complete", json{{"transactionId", transaction}});
  ASSERT_EQ(completed.status, 200) << completed.body;
  EXPECT_EQ(completed.json["status"], "Completed");
  EXPECT_EQ(completed.json["transactionId"], transaction);
  EXPECT_TRUE(completed.json.contains("processedAt"));
  auto refunded = api_.Call("POST", base + "/refund", json::object());
  ASSERT_EQ(refunded.status, 200) << refunded.body;
  EXPECT_EQ(refunded.json["status"], "Refunded");
  EXPECT_EQ(refunded.json["version"], 4);
  auto again = api_.Call("POST", base + "/refund");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(again.json["currentStatus"], "Refunded");
  EXPECT_EQ(api_.Call("POST", base + "/process").status, 409);
}

TEST_F(PaymentApiTest, FailAndActionErrors) {
  const auto payment = NewPayment();
  const std::string base = "/api/payments/" + payment["id"].get<std::string>();
  EXPECT_EQ(api_.Call("POST", base + "/refund").status, 409) << "a Pending payment cannot be refunded";
  EXPECT_EQ(api_.Call("POST", base + "/complete", json{{"transactionId", "tx"}}).status, 409)
      << "Pending cannot complete without processing";
  EXPECT_EQ(api_.Call("POST", base + "/fail").status, 415) << "fail needs a JSON body with a reason";
  EXPECT_EQ(api_.Call("POST", base + "/fail", json::object()).ErrorFields(),
            std::vector<std::string>{"reason"});
  EXPECT_EQ(api_.Call("POST", base + "/fail", json{{"reason", std::string(501, 'x')}}).status, 400);
  EXPECT_EQ(api_.Call("POST", base + "/process", json{{"status", "Completed"}}).status, 400);
  EXPECT_EQ(api_.Call("POST", base + "/process", "", {{"If-Match", "\"9\""}}).status, 412);
  auto failed = api_.Call("POST", base + "/fail", json{{"reason", "card declined"}});
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(failed.json["status"], "Failed");
  EXPECT_EQ(failed.json["failureReason"], "card declined");
  // A failed payment frees the order for another attempt.
  EXPECT_EQ(api_.Call("POST", "/api/payments", json{{"orderId", payment["orderId"]}}).status, 201);
  EXPECT_EQ(api_.Call("POST", "/api/payments/" + NewUuid() + "/process").status, 404);
  EXPECT_EQ(api_.Call("POST", "/api/payments/x/process").status, 400);
  EXPECT_EQ(api_.Call("GET", "/api/payments/x").status, 400);
  EXPECT_EQ(api_.Call("GET", "/api/payments/" + NewUuid()).status, 404);
  EXPECT_EQ(api_.Call("GET", "/api/payments/order/x").status, 400);
  EXPECT_EQ(api_.Call("GET", "/api/payments").status, 405);
}

TEST_F(PaymentApiTest, TransactionIdsAreUnique) {
  const auto transaction = "tx-" + NewUuid();
  for (int i = 0; i < 2; ++i) {
    const auto payment = NewPayment();
    const std::string base = "/api/payments/" + payment["id"].get<std::string>();
    ASSERT_EQ(api_.Call("POST", base + "/process").status, 200);
    EXPECT_EQ(api_.Call("POST", base + "/complete", json{{"transactionId", transaction}}).status,
              i == 0 ? 200 : 409);
  }
}

}  // namespace
}  // namespace saga::e2e
