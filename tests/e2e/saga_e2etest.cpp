// The OrderCreationSaga end to end: the three services as processes on real Kafka and
// PostgreSQL, every path a test, and the invariant checker over the three databases at the end.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/contracts/envelope.hpp"
#include "saga/core/uuid.hpp"
#include "saga/invariants/checker.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/testing/metric_samples.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

[[maybe_unused]] const bool kRegistered = [] {
  SystemOptions options;
  // The relays poll only every 10 minutes, longer than any wait below: every commit that
  // appends outbox rows (a consumer's, a POST's, a cancel's, a sweep's, an expiry's) must wake
  // its relay, or the saga waiting for that message times out.
  options.env = {{"SAGA_SAGA_SWEEP_INTERVAL_MS", "200"},
                 {"SAGA_GATEWAY_SLOW_MS", "1500"},
                 {"SAGA_OUTBOX_POLL_INTERVAL_MS", "600000"}};
  RegisterSystem(options);
  return true;
}();

std::vector<std::string>& Acknowledged() {
  static std::vector<std::string> ids;
  return ids;
}

class SagaTest : public ::testing::Test {
 protected:
  ApiClient inventory_{System::Get().inventory()};
  ApiClient orders_{System::Get().order()};
  ApiClient payments_{System::Get().payment()};

  std::string Place(const json& product, int quantity, const std::string& token) {
    auto reply = orders_.Call("POST", "/api/orders",
                              json{{"customerId", core::Uuid::Random().ToString()},
                                   {"items", {{{"productId", product["id"]}, {"quantity", quantity}}}},
                                   {"paymentToken", token}});
    EXPECT_EQ(reply.status, 202) << reply.body;
    Acknowledged().push_back(reply.json["id"]);
    return reply.json["id"];
  }

  // Waits until the order's saga has ended (or Completed); returns the saga.
  json AwaitSaga(const std::string& order_id,
                 const std::set<std::string>& states = {"Completed", "Failed", "Cancelled"}) {
    json saga;
    const bool ended = testing::WaitFor(
        [&] {
          saga = orders_.Call("GET", "/api/orders/" + order_id + "/saga").json;
          return saga.is_object() && states.count(saga.value("state", "")) != 0;
        },
        seconds(60), milliseconds(100));
    EXPECT_TRUE(ended) << "saga did not reach " << *states.begin() << ": " << saga.dump(1);
    return saga;
  }

  json Product(const std::string& id) { return inventory_.Call("GET", "/api/inventory/" + id).json; }
  json Payments(const std::string& order_id) {
    return payments_.Call("GET", "/api/payments/order/" + order_id).json["items"];
  }
  std::string OrderStatus(const std::string& id) {
    return orders_.Call("GET", "/api/orders/" + id + "/status").json["status"];
  }
  static std::vector<std::string> Types(const json& saga) {
    std::vector<std::string> types;
    for (const auto& line : saga["log"]) types.push_back(line.value("messageType", ""));
    return types;
  }
};

TEST_F(SagaTest, HappyPathCompletesSellsAndCharges) {
  auto product = CreateProduct(inventory_, 1500, 10);
  const auto id = Place(product, 3, "tok_sim_approve");
  auto saga = AwaitSaga(id);
  EXPECT_EQ(saga["state"], "Completed") << saga.dump(1);
  EXPECT_EQ(OrderStatus(id), "Completed");
  auto stock = Product(product["id"]);
  EXPECT_EQ(stock["quantity"], 7);
  EXPECT_EQ(stock["reserved"], 0);
  auto payments = Payments(id);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0]["status"], "Completed");
  EXPECT_EQ(payments[0]["amount"]["amountMinor"], 4500);
  const auto types = Types(saga);
  for (const char* step : {"ReserveInventory", "InventoryReserved", "ProcessPayment", "PaymentCompleted",
                           "CommitInventory", "InventoryCommitted"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), step), types.end()) << step << " missing from the log";
  }
}

TEST_F(SagaTest, OutOfStockFailsWithoutPayment) {
  auto product = CreateProduct(inventory_, 100, 2);
  const auto id = Place(product, 5, "tok_sim_approve");
  auto saga = AwaitSaga(id);
  EXPECT_EQ(saga["state"], "Failed");
  EXPECT_EQ(saga["outcome"], "InsufficientStock");
  EXPECT_EQ(OrderStatus(id), "Failed");
  EXPECT_TRUE(Payments(id).empty()) << "no payment is attempted";
  EXPECT_EQ(Product(product["id"])["available"], 2);
}

TEST_F(SagaTest, DeclinedPaymentReleasesTheStock) {
  for (const auto& [token, reason] :
       std::vector<std::pair<std::string, std::string>>{{"tok_sim_decline", "Declined"},
                                                        {"tok_sim_insufficient_funds", "InsufficientFunds"},
                                                        {"tok_sim_timeout", "GatewayTimeout"}}) {
    auto product = CreateProduct(inventory_, 100, 4);
    const auto id = Place(product, 4, token);
    auto saga = AwaitSaga(id);
    EXPECT_EQ(saga["state"], "Failed") << token;
    EXPECT_EQ(saga["outcome"], reason) << token;
    auto stock = Product(product["id"]);
    EXPECT_EQ(stock["available"], 4) << token << ": the reservation is released";
    EXPECT_EQ(stock["reserved"], 0);
    auto payments = Payments(id);
    ASSERT_EQ(payments.size(), 1U) << token;
    EXPECT_EQ(payments[0]["status"], "Failed");
  }
}

// The inventory is frozen right after the order is placed, so the reservation has not answered
// when the cancel arrives (a try where it already had is repeated with a new order); thawed, it
// handles ReserveInventory then ReleaseInventory (one partition, in order).
TEST_F(SagaTest, CancelBeforeTheReservationAnswers) {
  auto& inventory = System::Get().inventory();
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto product = CreateProduct(inventory_, 100, 5);
    const auto id = Place(product, 2, "tok_sim_approve");
    inventory.Pause();
    const auto state = orders_.Call("GET", "/api/orders/" + id + "/saga").json["state"];
    if (state != "ReservingInventory") {
      inventory.Resume();
      (void)AwaitSaga(id);
      continue;  // the reservation was faster than the freeze; try again
    }
    auto cancel = orders_.Call("PUT", "/api/orders/" + id + "/cancel");
    inventory.Resume();
    ASSERT_EQ(cancel.status, 202) << cancel.body;
    auto saga = AwaitSaga(id);
    EXPECT_EQ(saga["state"], "Cancelled") << saga.dump(1);
    EXPECT_EQ(OrderStatus(id), "Cancelled");
    auto stock = Product(product["id"]);
    EXPECT_EQ(stock["available"], 5);
    EXPECT_EQ(stock["reserved"], 0);
    EXPECT_TRUE(Payments(id).empty()) << "nothing was charged";
    return;
  }
  FAIL() << "the reservation always answered before the inventory could be frozen";
}

// Stock is held and the payment service is down: the cancel refunds first (nothing to refund,
// or the charge that lands meanwhile), then releases.
TEST_F(SagaTest, CancelAfterTheReservation) {
  auto product = CreateProduct(inventory_, 100, 5);
  System::Get().payment().Kill();
  const auto id = Place(product, 3, "tok_sim_approve");
  AwaitSaga(id, {"ProcessingPayment"});
  EXPECT_EQ(Product(product["id"])["reserved"], 3);
  auto cancel = orders_.Call("PUT", "/api/orders/" + id + "/cancel");
  ASSERT_EQ(cancel.status, 202) << cancel.body;
  System::Get().payment().Restart();
  auto saga = AwaitSaga(id);
  EXPECT_EQ(saga["state"], "Cancelled") << saga.dump(1);
  auto stock = Product(product["id"]);
  EXPECT_EQ(stock["available"], 5);
  EXPECT_EQ(stock["quantity"], 5);
  for (const auto& payment : Payments(id)) EXPECT_NE(payment["status"], "Completed") << payment.dump();
}

TEST_F(SagaTest, CancelWhileThePaymentIsInFlightRefunds) {
  auto product = CreateProduct(inventory_, 700, 5);
  const auto id = Place(product, 1, "tok_sim_slow");
  AwaitSaga(id, {"ProcessingPayment"});
  auto cancel = orders_.Call("PUT", "/api/orders/" + id + "/cancel");
  ASSERT_EQ(cancel.status, 202) << cancel.body;
  auto saga = AwaitSaga(id);
  EXPECT_EQ(saga["state"], "Cancelled") << saga.dump(1);
  EXPECT_EQ(Product(product["id"])["available"], 5);
  EXPECT_EQ(Product(product["id"])["quantity"], 5);
  auto payments = Payments(id);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0]["status"], "Refunded") << "the slow charge landed and was refunded";
}

TEST_F(SagaTest, AnOperatorCompensatesAPaymentStuckInFlight) {
  auto product = CreateProduct(inventory_, 800, 4);
  const auto id = Place(product, 2, "tok_sim_slow");
  AwaitSaga(id, {"ProcessingPayment"});
  auto forced = orders_.Call("POST", "/api/orders/" + id + "/saga/compensate", json{{"reason", "gateway stuck"}});
  ASSERT_EQ(forced.status, 202) << forced.body;
  EXPECT_EQ(forced.json["state"], "RefundingPayment") << "the charge may land: refund first";
  auto saga = AwaitSaga(id);
  EXPECT_EQ(saga["state"], "Failed") << saga.dump(1);
  EXPECT_EQ(saga["outcome"], "CompensatedByOperator");
  EXPECT_EQ(OrderStatus(id), "Failed");
  EXPECT_EQ(Product(product["id"])["available"], 4);
  auto payments = Payments(id);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0]["status"], "Refunded") << "the slow charge landed and was refunded";
  for (const char* action : {"retry", "compensate"}) {
    auto at_rest = orders_.Call("POST", "/api/orders/" + id + "/saga/" + action);
    EXPECT_EQ(at_rest.status, 409) << action << ": " << at_rest.body;
    EXPECT_EQ(at_rest.json["type"], "urn:saga:problem:saga-at-rest") << action;
  }
}

TEST_F(SagaTest, CancelAfterCompletionRefundsAndReturnsTheStock) {
  auto product = CreateProduct(inventory_, 900, 6);
  const auto id = Place(product, 2, "tok_sim_approve");
  ASSERT_EQ(AwaitSaga(id)["state"], "Completed");
  ASSERT_EQ(Product(product["id"])["quantity"], 4);
  auto cancel = orders_.Call(
      "PUT", "/api/orders/" + id + "/cancel", "",
      {{"If-Match",
        "\"" + std::to_string(orders_.Call("GET", "/api/orders/" + id).json["version"].get<int>()) + "\""}});
  ASSERT_EQ(cancel.status, 202) << cancel.body;
  auto saga = AwaitSaga(id, {"Cancelled", "Failed", "CompensationFailed"});
  EXPECT_EQ(saga["state"], "Cancelled") << saga.dump(1);
  EXPECT_EQ(OrderStatus(id), "Cancelled");
  auto stock = Product(product["id"]);
  EXPECT_EQ(stock["quantity"], 6) << "sold units are back";
  EXPECT_EQ(stock["available"], 6);
  auto payments = Payments(id);
  ASSERT_EQ(payments.size(), 1U);
  EXPECT_EQ(payments[0]["status"], "Refunded");
  EXPECT_EQ(orders_.Call("PUT", "/api/orders/" + id + "/cancel").status, 409) << "it has ended";
}

// Kafka delivers at least once and a broker may hand a consumer old messages: replies sent
// again (same message id) and stale replies (new ids, wrong moment) change nothing.
TEST_F(SagaTest, DuplicateAndReorderedRepliesAreHarmless) {
  auto product = CreateProduct(inventory_, 300, 10);
  const auto id = Place(product, 2, "tok_sim_approve");
  ASSERT_EQ(AwaitSaga(id)["state"], "Completed");
  const auto saga = orders_.Call("GET", "/api/orders/" + id + "/saga").json;

  auto config = testing::KafkaTestConfig();
  kafka::Producer producer(config);
  contracts::EnvelopeContext context;
  context.correlation_id = "e2e-replay";
  context.saga_id = core::SagaId(*core::Uuid::Parse(saga["sagaId"].get<std::string>()));
  context.order_id = core::OrderId(*core::Uuid::Parse(id));
  context.producer = "e2e";
  context.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  context.occurred_at = core::FromUnixMicros(1'790'000'000'000'000);
  const auto payment = Payments(id)[0];
  auto completed = contracts::MakeEnvelope("PaymentCompleted",
                                           {{"orderId", id},
                                            {"paymentId", payment["id"]},
                                            {"transactionId", payment["transactionId"]},
                                            {"amount", payment["amount"]}},
                                           context)
                       .Value();
  auto reserved = contracts::MakeEnvelope("InventoryReserved",
                                          {{"orderId", id},
                                           {"reservations",
                                            {{{"reservationId", core::Uuid::Random().ToString()},
                                              {"productId", product["id"]},
                                              {"quantity", 2}}}},
                                           {"expiresAt", "2030-01-01T00:00:00.000000Z"}},
                                          context)
                      .Value();
  const auto send = [&](const std::string& topic, const contracts::Envelope& envelope) {
    (void)producer
        .Produce({System::Get().TopicPrefix() + topic, id, contracts::Encode(envelope),
                  outbox::HeadersFor(envelope)})
        .get();
  };
  for (int i = 0; i < 2; ++i) send("saga.payment.events", completed);  // twice, one message id
  send("saga.inventory.events", reserved);                             // stale, out of order
  // Wait until the replies were handled (they show in the saga log), then check nothing moved.
  json after;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        after = orders_.Call("GET", "/api/orders/" + id + "/saga").json;
        return after["log"].size() >= saga["log"].size() + 2;
      },
      seconds(30), milliseconds(100)))
      << after.dump(1);
  EXPECT_EQ(after["state"], "Completed");
  EXPECT_EQ(OrderStatus(id), "Completed");
  std::size_t completed_seen = 0;
  for (const auto& line : after["log"]) {
    if (line.value("messageId", "") == completed.message_id.Get().ToString()) ++completed_seen;
  }
  EXPECT_EQ(completed_seen, 1U) << "the duplicate was absorbed by the inbox";
  auto stock = Product(product["id"]);
  EXPECT_EQ(stock["quantity"], 8);
  EXPECT_EQ(stock["reserved"], 0);
  EXPECT_EQ(Payments(id).size(), 1U);
}

TEST_F(SagaTest, OperatorsListSagasByStateWithCounts) {
  auto product = CreateProduct(inventory_, 100, 5);
  const auto id = Place(product, 1, "tok_sim_approve");
  ASSERT_EQ(AwaitSaga(id)["state"], "Completed");
  auto completed = orders_.Call("GET", "/api/sagas?state=Completed&limit=200");
  ASSERT_EQ(completed.status, 200) << completed.body;
  bool found = false;
  for (const auto& saga : completed.json["items"]) found = found || saga["orderId"] == id;
  EXPECT_TRUE(found);
  EXPECT_GE(completed.json["counts"]["Completed"].get<int>(), 1);
  auto stuck = orders_.Call("GET", "/api/sagas");
  EXPECT_EQ(stuck.json["state"], "CompensationFailed");
  EXPECT_EQ(stuck.json["items"].size(), 0U) << "nothing waits for an operator";
  EXPECT_EQ(orders_.Call("GET", "/api/sagas?state=Stuck").status, 400);
}

// An order that never got a saga (e.g. stored before sagas existed) is failed by the clean-up.
TEST_F(SagaTest, AbandonedOrdersAreCleanedUp) {
  const auto id = core::Uuid::Random().ToString();
  {
    pqxx::connection conn(System::Get().OrderDsn());
    pqxx::work tx(conn);
    tx.exec_params0(
        "INSERT INTO orders (id, customer_id, status, currency, total_minor, created_at, updated_at, "
        "version) "
        "VALUES ($1, $2, 'Created', 'EUR', 500, now() - interval '2 hours', now() - interval '2 hours', 1)",
        id, core::Uuid::Random().ToString());
    tx.exec_params0(
        "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price_minor, subtotal_minor) "
        "VALUES ($1, 0, $2, 1, 500, 500)",
        id, core::Uuid::Random().ToString());
    tx.commit();
  }
  EXPECT_TRUE(testing::WaitFor([&] { return OrderStatus(id) == "Failed"; }, seconds(30), milliseconds(100)))
      << OrderStatus(id);
}

// Runs last (gtest keeps file order): everything the tests above did must add up.
// A second order-service instance on the same database and topics: its saga consumer shares
// the partitions with the first one's, and its relay stands by while the first one's publishes.
// Orders placed through it complete, and the relays poll only every 10 minutes here, so each of
// its commits (the POST's, the replies it consumes) must wake the leading relay of the other
// process through the database. Nothing is applied twice (the invariants below).
TEST_F(SagaTest, OrdersPlacedThroughASecondInstanceComplete) {
  auto& system = System::Get();
  ServiceUnderTest second("order", system.Dir(), system.OrderDsn(), system.OrderEnv());
  ApiClient orders(second);
  const auto metrics = [](ServiceUnderTest& service) {
    return testing::MetricSamples::Parse(testing::HttpRequest("127.0.0.1", service.Port(), "GET", "/metrics").body);
  };
  ASSERT_TRUE(testing::WaitFor(
      [&] { return metrics(second).Sum("saga_kafka_rebalances_total", {{"kind", "assigned"}}) > 0; }, seconds(60)))
      << "the group gives the second instance's consumer partitions";
  // Rounds of 6 orders until the second instance's consumer has handled a reply: which member
  // gets an order's replies depends on its id's partition, so one round leaves it out 1 time in
  // 64 (an order's two replies share a partition number).
  auto product = CreateProduct(inventory_, 700, 30);
  int placed = 0;
  const auto second_applied = [&] {
    return metrics(second).Sum("saga_consumer_messages_total", {{"outcome", "applied"}});
  };
  for (int round = 0; round < 5 && (round == 0 || second_applied() == 0); ++round) {
    std::vector<std::string> ids;
    for (int i = 0; i < 6; ++i) {
      auto reply = orders.Call("POST", "/api/orders",
                               json{{"customerId", core::Uuid::Random().ToString()},
                                    {"items", {{{"productId", product["id"]}, {"quantity", 1}}}},
                                    {"paymentToken", "tok_sim_approve"}});
      ASSERT_EQ(reply.status, 202) << reply.body;
      ids.push_back(reply.json["id"]);
      Acknowledged().push_back(ids.back());
      ++placed;
    }
    for (const auto& id : ids) {
      const auto saga = AwaitSaga(id);
      EXPECT_EQ(saga["state"], "Completed") << id;
      // Had its messages waited for a poll, the reservation step would have timed out and been
      // sent again (a "deadline" line) before they went out.
      for (const auto& line : saga["log"]) EXPECT_NE(line["kind"], "deadline") << saga.dump(1);
    }
  }
  EXPECT_EQ(Product(product["id"])["quantity"], 30 - placed);
  EXPECT_GT(second_applied(), 0) << "the second instance's consumer took part";
  EXPECT_EQ(metrics(system.order()).Find("saga_outbox_relay_leader"), 1);
  EXPECT_EQ(metrics(second).Find("saga_outbox_relay_leader"), 0) << "the first instance publishes";
}

TEST_F(SagaTest, ZzInvariantsHoldOverTheThreeDatabases) {
  invariants::CheckInput input{System::Get().OrderDsn(), System::Get().InventoryDsn(),
                               System::Get().PaymentDsn(), Acknowledged(), true};
  invariants::CheckReport report;
  // Outboxes drain and late compensations finish within moments of the last test.
  testing::WaitFor(
      [&] {
        report = invariants::Check(input);
        return report.Ok();
      },
      seconds(30), milliseconds(200));
  EXPECT_TRUE(report.Ok()) << report.Summary();
  EXPECT_GE(report.stats["completed"], 2);
}

}  // namespace
}  // namespace saga::e2e
