// The dead-letter API over real HTTP, against a message the payment service really gave up on:
// list with its reason, show it, replay it (it comes back through the outbox and is
// dead-lettered again: a new dead letter), discard, the 404/409/400/403 answers, and the audit
// trail naming the operator.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/kafka/producer.hpp"
#include "saga/testing/test_env.hpp"
#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class DeadLetterApiTest : public ::testing::Test {
 protected:
  ApiClient payment_{System::Get().payment(), testing::AuthHeaders("ops-dana", {"admin"})};
  const std::string topic_ = System::Get().TopicPrefix() + "saga.payment.commands";

  json Pending() {
    return payment_.Call("GET", "/api/dead-letters?status=pending&topic=" + topic_).json;
  }
};

TEST_F(DeadLetterApiTest, OperatorsListShowReplayAndDiscardWhatAConsumerGaveUpOn) {
  const std::string garbage = R"({"not":"an envelope"})";
  {
    kafka::Producer producer(testing::KafkaTestConfig());
    (void)producer.Produce({topic_, "dl-key-1", garbage, {{"type", "ProcessPayment"}}}).get();
  }
  ASSERT_TRUE(testing::WaitFor([&] { return Pending().value("total", 0) == 1; }, seconds(30)))
      << payment_.Call("GET", "/api/dead-letters").body;
  const auto listed = Pending()["items"][0];
  EXPECT_EQ(listed["originalTopic"], topic_);
  EXPECT_EQ(listed["topic"], topic_ + ".dlq");
  EXPECT_EQ(listed["consumer"], "payment-commands");
  EXPECT_EQ(listed["key"], "dl-key-1");
  EXPECT_EQ(listed["status"], "pending");
  EXPECT_FALSE(listed["reason"].get<std::string>().empty());
  EXPECT_FALSE(listed.contains("payload")) << "the list leaves payloads out";
  const auto first = std::to_string(listed["id"].get<std::int64_t>());

  auto shown = payment_.Call("GET", "/api/dead-letters/" + first);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.json["payload"], garbage);
  EXPECT_EQ(shown.json["headers"]["type"], "ProcessPayment");
  EXPECT_EQ(shown.json["headers"].count("dlq-reason"), 0U) << "the table keeps the message as consumed";

  auto replayed = payment_.Call("POST", "/api/dead-letters/" + first + "/replay");
  ASSERT_EQ(replayed.status, 202) << replayed.body;
  EXPECT_EQ(replayed.json["status"], "replayed");
  EXPECT_EQ(replayed.json["resolvedBy"], "ops-dana");
  auto twice = payment_.Call("POST", "/api/dead-letters/" + first + "/replay");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(twice.json["type"], "urn:saga:problem:dead-letter-resolved");
  // Still unreadable: it comes back and is dead-lettered again, as a new dead letter.
  ASSERT_TRUE(testing::WaitFor([&] { return Pending().value("total", 0) == 1; }, seconds(30)));
  const auto second = std::to_string(Pending()["items"][0]["id"].get<std::int64_t>());
  EXPECT_NE(second, first);
  EXPECT_EQ(payment_.Call("GET", "/api/dead-letters/" + second).json["headers"]["replayed-from"], topic_ + ".dlq");

  EXPECT_EQ(payment_.Call("POST", "/api/dead-letters/" + second + "/discard", json{{"reason", ""}}).status, 400);
  auto discarded = payment_.Call("POST", "/api/dead-letters/" + second + "/discard", json{{"reason", "test garbage"}});
  ASSERT_EQ(discarded.status, 200) << discarded.body;
  EXPECT_EQ(discarded.json["status"], "discarded");
  EXPECT_EQ(discarded.json["resolution"], "test garbage");
  EXPECT_EQ(payment_.Call("POST", "/api/dead-letters/" + second + "/discard").status, 409);
  EXPECT_EQ(payment_.Call("GET", "/api/dead-letters?status=discarded&topic=" + topic_).json["total"], 1);

  EXPECT_EQ(payment_.Call("GET", "/api/dead-letters/999999999").status, 404);
  EXPECT_EQ(payment_.Call("POST", "/api/dead-letters/999999999/replay").status, 404);
  EXPECT_EQ(payment_.Call("GET", "/api/dead-letters/abc").status, 400);
  EXPECT_EQ(payment_.Call("GET", "/api/dead-letters?status=lost").status, 400);
  ApiClient customer(System::Get().payment(), testing::AuthHeaders("c-1", {"customer"}));
  EXPECT_EQ(customer.Call("GET", "/api/dead-letters").status, 403);
  EXPECT_EQ(customer.Call("POST", "/api/dead-letters/" + first + "/replay").status, 403);

  // Every operator action is in the payment service's audit trail, with who did it.
  pqxx::connection db(System::Get().PaymentDsn());
  pqxx::work tx(db);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM audit_log WHERE actor = 'ops-dana' AND action LIKE "
                     "'POST /api/dead-letters/{id}/%' AND resource LIKE '%" +
                     first + "%'")[0]
                .as<int>(),
            2)
      << "the replay and the refused second replay";
  // The other services serve the same routes over their own tables.
  ApiClient order(System::Get().order());
  EXPECT_EQ(order.Call("GET", "/api/dead-letters").status, 200);
  ApiClient inventory(System::Get().inventory());
  EXPECT_EQ(inventory.Call("GET", "/api/dead-letters?limit=1").status, 200);
}

}  // namespace
}  // namespace saga::e2e
