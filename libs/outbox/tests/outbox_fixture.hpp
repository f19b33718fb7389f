#pragma once
// Shared set-up of the messaging-runtime tests: a temporary database with the messaging tables
// and an `effects` table, unique topics with their DLQ, and a handler that records effects.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <pqxx/pqxx>
#include <sstream>

#include "saga/contracts/envelope.hpp"
#include "saga/kafka/consumer.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/outbox/outbox_relay.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/testing/process.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::outbox {

using std::chrono::milliseconds;
using std::chrono::seconds;

// An OrderUpdated envelope whose `version` carries a sequence number.
inline contracts::Envelope Message(const core::OrderId& order, int seq) {
  contracts::EnvelopeContext context;
  context.correlation_id = "corr-" + std::to_string(seq);
  context.order_id = order;
  context.producer = "outbox-test";
  context.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  context.occurred_at = core::SystemClock().Now();
  return contracts::MakeEnvelope(
             "OrderUpdated", {{"orderId", order.Get().ToString()}, {"status", "Created"}, {"version", seq}},
             context)
      .Value();
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* migration : {"/0002_messaging.up.sql", "/0008_dead_letters.up.sql"}) {
      Exec(testing::ReadFile(std::string(SAGA_OUTBOX_MIGRATIONS) + migration));
    }
    Exec(
        "CREATE TABLE effects (seq bigserial PRIMARY KEY, message_id uuid NOT NULL, order_id uuid NOT NULL, "
        "version int NOT NULL)");
    kafka_ = testing::KafkaTestConfig();
    kafka_.client_id = "outbox_kafkatest";
    topic_ = testing::UniqueName("outbox");
    kafka::EnsureTopics(kafka_, {{topic_, 3, 1, 3600000, 1}, {topic_ + ".dlq", 1, 1, 3600000, 1}},
                        seconds(15));
  }
  void Exec(const std::string& sql) {
    auto lease = pool_.Acquire();
    pqxx::work tx(*lease);
    tx.exec0(sql);
    tx.commit();
  }
  std::int64_t Count(const std::string& sql) {
    auto lease = pool_.Acquire();
    pqxx::read_transaction tx(*lease);
    return tx.exec1(sql)[0].as<std::int64_t>();
  }
  void AppendCommitted(const contracts::Envelope& envelope) {
    auto lease = pool_.Acquire();
    pqxx::work tx(*lease);
    Append(tx, topic_, envelope);
    tx.commit();
  }
  std::vector<kafka::ConsumedMessage> ReadTopic(const std::string& topic, std::size_t n) {
    kafka::Consumer consumer(kafka_, {testing::UniqueName("reader"), {topic}, "earliest", {}});
    std::vector<kafka::ConsumedMessage> out;
    testing::WaitFor(
        [&] {
          if (auto m = consumer.Poll(milliseconds(200))) out.push_back(*m);
          return out.size() >= n;
        },
        seconds(30), milliseconds(0));
    return out;
  }
  // The handler of the tests: records the message's effect.
  MessageHandler RecordEffect() {
    return [](HandlerContext& c) {
      c.tx.exec_params0("INSERT INTO effects (message_id, order_id, version) VALUES ($1, $2, $3)",
                        c.envelope.message_id.Get().ToString(), c.envelope.order_id.Get().ToString(),
                        c.envelope.payload["version"].get<int>());
    };
  }
  // RecordEffect, but failing for good (a dead letter) while `broken` is set: the cause an
  // operator fixes before a replay.
  MessageHandler RecordEffectUnless(const std::atomic<bool>& broken) {
    return [&broken, record = RecordEffect()](HandlerContext& c) {
      if (broken) throw PermanentError("dependency misconfigured");
      record(c);
    };
  }
  // One committed message of a new order, published.
  contracts::Envelope PublishOne(kafka::Producer& producer, int version) {
    auto message = Message(core::NewId<core::OrderId>(), version);
    AppendCommitted(message);
    OutboxRelay relay(RelayConfig{}, pg_, producer);
    EXPECT_EQ(relay.PublishOnce(), 1);
    return message;
  }
  ConsumerConfig Config(int threads = 1) {
    ConsumerConfig config;
    config.name = testing::UniqueName("consumer");
    config.topics = {topic_};
    config.threads = threads;
    config.max_attempts = 3;
    config.backoff_base = milliseconds(10);
    config.backoff_max = milliseconds(50);
    return config;
  }

  testing::TemporaryDatabase db_;
  pg::PgConfig pg_{db_.Dsn(), seconds(3)};
  pg::ConnectionPool pool_{pg_, 8, seconds(5)};
  kafka::KafkaConfig kafka_;
  std::string topic_;
};

}  // namespace saga::outbox
