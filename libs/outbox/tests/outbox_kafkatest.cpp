// The messaging runtime against the real PostgreSQL and Kafka: outbox rows are published in
// order and marked only after acknowledgement; rows left by a crash are published later; one
// relay publishes at a time; the consumer applies each message once despite redelivery; poison
// messages go to the DLQ with their reason while the partition moves on; a replayed dead letter
// is processed once; per-key order holds with several partitions and consumer threads.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "outbox_fixture.hpp"
#include "saga/contracts/envelope.hpp"
#include "saga/core/errors.hpp"
#include "saga/kafka/consumer.hpp"
#include "saga/kafka/errors.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/outbox/dead_letters.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/outbox/outbox_relay.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/pg/errors.hpp"
#include "saga/testing/metric_samples.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::outbox {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_F(OutboxTest, RelayPublishesCommittedRowsInOrderAndDeletesThem) {
  const auto a = core::NewId<core::OrderId>();
  const auto b = core::NewId<core::OrderId>();
  for (int i = 1; i <= 20; ++i) {
    AppendCommitted(Message(a, i));
    AppendCommitted(Message(b, i));
  }
  {
    auto lease = pool_.Acquire();
    pqxx::work tx(*lease);
    Append(tx, topic_, Message(a, 999));  // rolled back: must never be published
  }
  observability::Metrics metrics;
  kafka::Producer producer(kafka_, metrics);
  OutboxRelay relay(RelayConfig{}, pg_, producer, nullptr, metrics);
  EXPECT_EQ(relay.PublishOnce(), 40);
  EXPECT_EQ(relay.PublishOnce(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 0) << "acknowledged rows are deleted";
  const auto samples = testing::MetricSamples::Parse(metrics.Expose());
  EXPECT_EQ(samples.Find("saga_outbox_published_total"), 40);
  EXPECT_EQ(samples.Find("saga_outbox_publish_delay_seconds_count"), 40);
  EXPECT_EQ(samples.Find("saga_outbox_relay_leader"), 1);
  EXPECT_EQ(samples.Find("saga_outbox_failed_passes_total"), 0);
  EXPECT_EQ(samples.Find("saga_kafka_messages_produced_total", {{"topic", topic_}}), 40);
  EXPECT_EQ(samples.Find("saga_kafka_produce_errors_total", {{"topic", topic_}}), 0);
  EXPECT_EQ(samples.Find("saga_kafka_delivery_latency_seconds_count", {{"topic", topic_}}), 40);

  auto messages = ReadTopic(topic_, 40);
  ASSERT_EQ(messages.size(), 40U);
  std::map<std::string, int> last;
  for (const auto& m : messages) {
    auto e = contracts::Decode(m.payload).Value();
    EXPECT_EQ(m.key, e.order_id.Get().ToString()) << "key = order id";
    EXPECT_EQ(m.Header("message-id"), e.message_id.Get().ToString());
    EXPECT_EQ(m.Header("type"), "OrderUpdated");
    const int version = e.payload["version"];
    EXPECT_NE(version, 999);
    EXPECT_EQ(version, last[m.key] + 1) << "per-key order";
    last[m.key] = version;
  }
}

// A transaction that took a lower outbox id commits after one with a higher id was already
// published: the relay must still publish it (no high-water mark that would skip it).
TEST_F(OutboxTest, ARowCommittedAfterAHigherIdIsNotSkipped) {
  kafka::Producer producer(kafka_);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  auto slow_lease = pool_.Acquire();
  pqxx::work slow(*slow_lease);
  const auto low_id = Append(slow, topic_, Message(core::NewId<core::OrderId>(), 1));  // not committed yet
  AppendCommitted(Message(core::NewId<core::OrderId>(), 2));
  EXPECT_EQ(relay.PublishOnce(), 1) << "only the committed, higher id is visible";
  slow.commit();
  EXPECT_EQ(relay.PublishOnce(), 1) << "the late commit is picked up";
  EXPECT_EQ(relay.PublishOnce(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE id = " + std::to_string(low_id)), 0)
      << "published, then deleted";
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 0);
}

// A pass's acknowledged rows are deleted by the next pass's one statement, which does not select
// them again; what is left at the relay's end is deleted then.
TEST_F(OutboxTest, AcknowledgedRowsAreDeletedByTheNextPassAndNeverSentTwice) {
  observability::Metrics metrics;
  kafka::Producer producer(kafka_, metrics);
  const auto produced = [&] {
    return testing::MetricSamples::Parse(metrics.Expose())
        .Find("saga_kafka_messages_produced_total", {{"topic", topic_}});
  };
  auto relay = std::make_unique<OutboxRelay>(RelayConfig{}, pg_, producer);
  for (int i = 1; i <= 3; ++i) AppendCommitted(Message(core::NewId<core::OrderId>(), i));
  ASSERT_EQ(relay->PublishOnce(), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 3) << "acknowledged, to be deleted by the next pass";
  AppendCommitted(Message(core::NewId<core::OrderId>(), 4));
  EXPECT_EQ(relay->PublishOnce(), 1) << "the three acknowledged rows are not selected again";
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 1) << "the next pass deleted them";
  EXPECT_EQ(relay->PublishOnce(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 0);
  AppendCommitted(Message(core::NewId<core::OrderId>(), 5));
  ASSERT_EQ(relay->PublishOnce(), 1);
  relay.reset();
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 0) << "deleted when the relay stops";
  EXPECT_EQ(produced(), 5) << "each row sent once";

  // With keep_published the rows are marked the same way.
  RelayConfig keep;
  keep.keep_published = true;
  OutboxRelay marking(keep, pg_, producer);
  for (int i = 6; i <= 7; ++i) AppendCommitted(Message(core::NewId<core::OrderId>(), i));
  ASSERT_EQ(marking.PublishOnce(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"), 2);
  EXPECT_EQ(marking.PublishOnce(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND attempts = 1"), 2);
  EXPECT_EQ(produced(), 7);
}

// The relay's passes go by the outbox's indexes even when the table's statistics say it is empty
// (just vacuumed and analyzed): a sequential scan would read every page of rows deleted since.
TEST_F(OutboxTest, PassesNeverScanTheWholeOutbox) {
  Exec("ANALYZE outbox");  // empty: any plan would do, a sequential scan looks cheapest
  // Rows read by sequential scans: the set-up's scans of the empty table read none, however late
  // their backends report them, so any growth is the relay's.
  const auto scanned = [&](const char* column) {
    return Count(std::string("SELECT coalesce(") + column +
                 ", 0) FROM pg_stat_user_tables WHERE relname = 'outbox'");
  };
  const auto read_before = scanned("seq_tup_read");
  const auto idx_before = scanned("idx_scan");
  kafka::Producer producer(kafka_);
  auto relay = std::make_unique<OutboxRelay>(RelayConfig{}, pg_, producer);
  for (int i = 1; i <= 3; ++i) {
    AppendCommitted(Message(core::NewId<core::OrderId>(), i));
    ASSERT_EQ(relay->PublishOnce(), 1);
  }
  relay.reset();  // its backend ends and reports its statistics
  ASSERT_TRUE(testing::WaitFor([&] { return scanned("idx_scan") > idx_before + 3; }, seconds(10)));
  EXPECT_EQ(scanned("seq_tup_read"), read_before);
}

// outbox.keep_published: acknowledged rows stay, marked, for the retention sweeper.
TEST_F(OutboxTest, KeptPublishedRowsAreMarkedAndNotSentAgain) {
  for (int i = 1; i <= 5; ++i) AppendCommitted(Message(core::NewId<core::OrderId>(), i));
  kafka::Producer producer(kafka_);
  RelayConfig config;
  config.keep_published = true;
  OutboxRelay relay(config, pg_, producer);
  EXPECT_EQ(relay.PublishOnce(), 5);
  EXPECT_EQ(relay.PublishOnce(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL AND attempts = 1"), 5);
  EXPECT_EQ(ReadTopic(topic_, 5).size(), 5U);
}

TEST_F(OutboxTest, RowsLeftByACrashArePublishedAndAppliedOnce) {
  const auto order = core::NewId<core::OrderId>();
  for (int i = 1; i <= 10; ++i) AppendCommitted(Message(order, i));
  kafka::Producer producer(kafka_);
  {
    RelayConfig keep;
    keep.keep_published = true;  // so that a crash before the delete can be staged below
    OutboxRelay first(keep, pg_, producer);
    ASSERT_EQ(first.PublishOnce(), 10);
  }
  // The process died after the broker acknowledged but before the rows were deleted.
  Exec("UPDATE outbox SET published_at = NULL WHERE id % 2 = 0");
  OutboxRelay second(RelayConfig{}, pg_, producer);
  EXPECT_EQ(second.PublishOnce(), 5);  // republished: five duplicates on the topic

  ReliableConsumer consumer(Config(), kafka_, pool_, producer, RecordEffect());
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor(
      [&] { return consumer.Stats().processed + consumer.Stats().duplicates_skipped == 15; }, seconds(30)));
  consumer.Stop();
  EXPECT_EQ(consumer.Stats().processed, 10U);
  EXPECT_EQ(consumer.Stats().duplicates_skipped, 5U);
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 10) << "each message has exactly one effect";
  EXPECT_EQ(Count("SELECT count(DISTINCT message_id) FROM effects"), 10);
}

TEST_F(OutboxTest, OnlyOneRelayPublishesAtATime) {
  kafka::Producer producer(kafka_);
  auto leader = std::make_unique<OutboxRelay>(RelayConfig{}, pg_, producer);
  AppendCommitted(Message(core::NewId<core::OrderId>(), 1));
  EXPECT_EQ(leader->PublishOnce(), 1);
  EXPECT_TRUE(leader->Stats().leader);
  AppendCommitted(Message(core::NewId<core::OrderId>(), 2));
  OutboxRelay standby(RelayConfig{}, pg_, producer);
  EXPECT_EQ(standby.PublishOnce(), 0) << "a second instance waits";
  EXPECT_FALSE(standby.Stats().leader);
  leader.reset();  // releases the lock
  int published = 0;
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        published += standby.PublishOnce();
        return published == 1;
      },
      seconds(10)))
      << "the standby takes over";
  EXPECT_TRUE(standby.Stats().leader);
}

// A pass sends its messages at once rather than after kafka.linger_ms: with a linger longer than
// the ack timeout, a relay that waited for it would see no acknowledgement and fail the pass.
TEST_F(OutboxTest, APassDoesNotWaitForTheProducersLinger) {
  auto lingering = kafka_;
  lingering.linger = seconds(60);
  lingering.delivery_timeout = seconds(120);  // librdkafka: must exceed linger.ms
  kafka::Producer producer(lingering);
  RelayConfig config;
  config.ack_timeout = seconds(20);
  OutboxRelay relay(config, pg_, producer);
  AppendCommitted(Message(core::NewId<core::OrderId>(), 1));
  AppendCommitted(Message(core::NewId<core::OrderId>(), 1));
  EXPECT_EQ(relay.PublishOnce(), 2);
  EXPECT_EQ(relay.Stats().failed_passes, 0U);
  EXPECT_EQ(relay.PublishOnce(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 0);
}

TEST_F(OutboxTest, StartedRelayIsWokenByNotify) {
  kafka::Producer producer(kafka_);
  RelayConfig config;
  config.poll_interval = seconds(30);  // only Notify() can make it publish within the test
  OutboxRelay relay(config, pg_, producer);
  relay.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return relay.Stats().leader; }, seconds(10)));
  AppendCommitted(Message(core::NewId<core::OrderId>(), 1));
  relay.Notify();
  EXPECT_TRUE(testing::WaitFor([&] { return relay.Stats().published == 1; }, seconds(10)));
  relay.Stop();
}

// Rows committed by an instance whose relay stands by go out at once: its wake reaches the
// leader through the database (NOTIFY), not at the leader's next poll.
TEST_F(OutboxTest, AStandbyPassesItsInstancesWakeToTheLeader) {
  kafka::Producer producer(kafka_);
  RelayConfig config;
  config.poll_interval = seconds(30);  // only a wake can make the leader publish within the test
  OutboxRelay leader(config, pg_, producer);
  leader.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return leader.Stats().leader; }, seconds(10)));
  OutboxRelay standby(config, pg_, producer);
  standby.Start();
  const auto listening = [&] {
    return Count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE "
        "'LISTEN%saga_outbox_wake%'");
  };
  ASSERT_TRUE(testing::WaitFor([&] { return listening() == 2; }, seconds(10))) << "both relays listen";

  AppendCommitted(Message(core::NewId<core::OrderId>(), 1));
  standby.Notify();  // what the standby's instance does after its commit
  EXPECT_TRUE(testing::WaitFor([&] { return leader.Stats().published == 1; }, seconds(10)));
  EXPECT_EQ(standby.Stats().published, 0U);
  EXPECT_FALSE(standby.Stats().leader);
  EXPECT_TRUE(testing::WaitFor([&] { return Count("SELECT count(*) FROM outbox") == 0; }, seconds(10)))
      << "the acknowledged row is deleted by a pass within settle_within, not at the next poll";
  standby.Stop();
  leader.Stop();
  EXPECT_TRUE(testing::WaitFor([&] { return listening() == 0; }, seconds(10)))
      << "the listeners' connections close with the relays";
}

TEST_F(OutboxTest, PoisonMessagesGoToTheDlqAndThePartitionMovesOn) {
  // One partition, so everything below is strictly sequential.
  topic_ = testing::UniqueName("poison");
  kafka::EnsureTopics(kafka_, {{topic_, 1, 1, 3600000, 1}, {topic_ + ".dlq", 1, 1, 3600000, 1}}, seconds(15));
  const auto order = core::NewId<core::OrderId>();
  kafka::Producer producer(kafka_);
  auto send = [&](const std::string& payload, kafka::Headers headers = {}) {
    producer.Produce({topic_, order.Get().ToString(), payload, std::move(headers)}).get();
  };
  auto permanent = Message(order, 3);
  auto transient = Message(order, 4);
  send(contracts::Encode(Message(order, 1)));
  send("{not json", {{"message-id", "junk-1"}});
  auto bad_schema = nlohmann::json::parse(contracts::Encode(Message(order, 2)));
  bad_schema["payload"]["version"] = "two";
  send(bad_schema.dump());
  send(contracts::Encode(permanent));
  send(contracts::Encode(transient));
  send(contracts::Encode(Message(order, 5)));

  std::atomic<int> reported{0};
  auto handler = [&](HandlerContext& c) {
    c.after_commit.emplace_back([&reported] { ++reported; });  // dropped when the attempt fails
    if (c.envelope.message_id == permanent.message_id) throw PermanentError("business rule says no");
    if (c.envelope.message_id == transient.message_id) throw core::InfraError("database briefly away", true);
    RecordEffect()(c);
  };
  observability::Metrics metrics;
  const auto config = Config();
  ReliableConsumer consumer(config, kafka_, pool_, producer, handler, {}, nullptr, metrics);
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return Count("SELECT count(*) FROM effects WHERE version = 5") == 1; },
                               seconds(30)))
      << "the message after the poison ones was processed";
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().dead_lettered == 4; }, seconds(10)));
  consumer.Stop();
  EXPECT_EQ(consumer.Stats().retries, 2U) << "the transient failure was retried up to max_attempts";
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 2);
  EXPECT_EQ(reported, 2) << "after-commit actions of committed messages only";
  const auto samples = testing::MetricSamples::Parse(metrics.Expose());
  const testing::MetricSamples::Labels consumer_label{{"consumer", config.name}};
  EXPECT_EQ(samples.Find("saga_kafka_dead_letters_total", {{"consumer", config.name}, {"topic", topic_}}), 4);
  EXPECT_EQ(samples.Find("saga_consumer_messages_total",
                         {{"consumer", config.name}, {"type", "undecodable"}, {"outcome", "dead_lettered"}}),
            2);
  EXPECT_EQ(
      samples.Sum("saga_consumer_messages_total", {{"consumer", config.name}, {"outcome", "dead_lettered"}}),
      4);
  EXPECT_EQ(samples.Sum("saga_consumer_messages_total", {{"consumer", config.name}, {"outcome", "applied"}}),
            2);
  EXPECT_EQ(samples.Find("saga_consumer_retries_total", consumer_label), 2);
  EXPECT_EQ(
      samples.Find("saga_kafka_messages_consumed_total", {{"consumer", config.name}, {"topic", topic_}}), 6);
  EXPECT_EQ(samples.Find("saga_consumer_handle_duration_seconds_count", consumer_label), 2);
  EXPECT_EQ(samples.Count("saga_kafka_consumer_lag", consumer_label), 0U)
      << "the stopped member's series went";

  auto dead = ReadTopic(topic_ + ".dlq", 4);
  ASSERT_EQ(dead.size(), 4U);
  EXPECT_NE(dead[0].Header("dlq-reason")->find("malformed-json"), std::string::npos);
  EXPECT_EQ(dead[0].Header("dlq-attempts"), "0");
  EXPECT_EQ(dead[0].payload, "{not json") << "the original bytes are kept";
  EXPECT_NE(dead[1].Header("dlq-reason")->find("payload.version"), std::string::npos)
      << *dead[1].Header("dlq-reason");
  EXPECT_NE(dead[2].Header("dlq-reason")->find("business rule says no"), std::string::npos);
  EXPECT_EQ(dead[2].Header("dlq-attempts"), "1");
  EXPECT_NE(dead[3].Header("dlq-reason")->find("database briefly away"), std::string::npos);
  EXPECT_EQ(dead[3].Header("dlq-attempts"), "3");
  for (const auto& d : dead) {
    EXPECT_EQ(d.Header("dlq-original-topic"), topic_);
    EXPECT_EQ(d.Header("dlq-original-partition"), "0");
    EXPECT_TRUE(d.Header("dlq-original-offset").has_value());
    EXPECT_EQ(d.key, order.Get().ToString());
  }
  EXPECT_EQ(dead[2].Header("message-id"), std::nullopt) << "produced without headers in this test";
}

TEST_F(OutboxTest, ALostConcurrencyRaceIsRetriedNotDeadLettered) {
  const auto order = core::NewId<core::OrderId>();
  AppendCommitted(Message(order, 1));
  kafka::Producer producer(kafka_);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), 1);
  std::atomic<int> calls{0};
  auto handler = [&](HandlerContext& c) {
    if (calls++ == 0) throw core::ConcurrencyConflict("order changed meanwhile");
    RecordEffect()(c);
  };
  ReliableConsumer consumer(Config(), kafka_, pool_, producer, handler);
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 1; }, seconds(30)));
  consumer.Stop();
  EXPECT_EQ(consumer.Stats().retries, 1U);
  EXPECT_EQ(consumer.Stats().dead_lettered, 0U);
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 1)
      << "the failed attempt rolled back, the retry applied once";
}

TEST_F(OutboxTest, AReplayedDeadLetterIsProcessedOnce) {
  kafka::Producer producer(kafka_);
  (void)PublishOne(producer, 7);
  std::atomic<bool> broken{true};
  ReliableConsumer consumer(Config(), kafka_, pool_, producer, RecordEffectUnless(broken));
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().dead_lettered == 1; }, seconds(30)));
  broken = false;  // the operator fixed the cause

  const std::string dlq = topic_ + ".dlq";
  EXPECT_EQ(ReplayDeadLetters(kafka_, producer, dlq, testing::UniqueName("replay"), 10, {}, seconds(5)), 1);
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 1; }, seconds(30)));
  // Replaying the same dead letter again (another replay group) has no second effect.
  EXPECT_EQ(ReplayDeadLetters(kafka_, producer, dlq, testing::UniqueName("replay"), 10, {}, seconds(5)), 1);
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().duplicates_skipped == 1; }, seconds(30)));
  consumer.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 1);
  // Selective replay skips other ids.
  EXPECT_EQ(ReplayDeadLetters(kafka_, producer, dlq, testing::UniqueName("replay"), 10, {"not-this-one"},
                              seconds(3)),
            0);
}

TEST_F(OutboxTest, ADeadLetterIsRecordedForOperatorsAndReplayedThroughTheOutboxOnce) {
  kafka::Producer producer(kafka_);
  const auto flaky = PublishOne(producer, 9);
  std::atomic<bool> broken{true};
  ReliableConsumer consumer(Config(), kafka_, pool_, producer, RecordEffectUnless(broken));
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().dead_lettered == 1; }, seconds(30)));
  std::optional<DeadLetter> letter;
  {
    auto lease = pool_.Acquire();
    pqxx::work tx(*lease);
    const auto page = ListDeadLetters(tx, {topic_, DeadLetterStatus::kPending}, {});
    ASSERT_EQ(page.total, 1);
    letter = page.items.front();
  }
  EXPECT_EQ(letter->topic, topic_);
  EXPECT_EQ(letter->dlq_topic, topic_ + ".dlq");
  EXPECT_EQ(letter->message_id, flaky.message_id.Get().ToString());
  EXPECT_EQ(letter->key, flaky.order_id.Get().ToString());
  EXPECT_NE(letter->reason.find("dependency misconfigured"), std::string::npos);

  broken = false;  // the operator fixed the cause, then replays
  {
    auto lease = pool_.Acquire();
    pqxx::work tx(*lease);
    ASSERT_TRUE(ReplayDeadLetter(tx, letter->id, "ops", "").HasValue());
    tx.commit();
  }
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), 1);
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 1; }, seconds(30)));
  consumer.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM dead_letters WHERE status = 'replayed'"), 1);
}

TEST_F(OutboxTest, TypesTheConsumerDoesNotTakeArePassedOverWithoutATransaction) {
  const auto order = core::NewId<core::OrderId>();
  for (int i = 1; i <= 6; ++i) AppendCommitted(Message(order, i));  // OrderUpdated
  kafka::Producer producer(kafka_);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), 6);
  // Passed over by its headers (a registered type and version), without being decoded: a payload
  // that would not decode is not a dead letter here. Headers naming a type the consumer takes,
  // or a type no contract registers, decide nothing: the decoded envelope does (these do not
  // decode: dead letters).
  producer
      .Produce({topic_,
                order.Get().ToString(),
                "not an envelope",
                {{"type", "OrderUpdated"}, {"schema-version", "1"}}})
      .get();
  producer
      .Produce({topic_,
                order.Get().ToString(),
                "not an envelope either",
                {{"type", "OrderCreated"}, {"schema-version", "1"}}})
      .get();
  producer
      .Produce({topic_, order.Get().ToString(), "nor this", {{"type", "MadeUp"}, {"schema-version", "1"}}})
      .get();

  observability::Metrics metrics;
  auto config = Config();
  config.accepts = [](std::string_view type) { return type == "OrderCreated"; };
  ReliableConsumer consumer(config, kafka_, pool_, producer, RecordEffect(), {}, nullptr, metrics);
  consumer.Start();
  const testing::MetricSamples::Labels skipped{{"consumer", config.name}, {"outcome", "skipped"}};
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return testing::MetricSamples::Parse(metrics.Expose()).Sum("saga_consumer_messages_total", skipped) ==
               7;
      },
      seconds(30)));
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().dead_lettered == 2; }, seconds(30)));
  consumer.Stop();
  EXPECT_EQ(consumer.Stats().processed, 0U);
  EXPECT_EQ(testing::MetricSamples::Parse(metrics.Expose())
                .Sum("saga_consumer_messages_total",
                     {{"consumer", config.name}, {"type", "MadeUp"}, {"outcome", "skipped"}}),
            0)
      << "an unregistered type is never a label of a skipped message";
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM inbox WHERE consumer = '" + config.name + "'"), 0) << "no inbox row";
}

// Messages that have already arrived are applied several per inbox transaction, each once, in
// per-key order; one the inbox already holds is skipped inside the batch.
TEST_F(OutboxTest, ArrivedMessagesAreAppliedTogetherOnceEachInOrder) {
  constexpr int kKeys = 4;
  constexpr int kPerKey = 10;
  std::vector<core::OrderId> orders;
  for (int k = 0; k < kKeys; ++k) orders.push_back(core::NewId<core::OrderId>());
  std::vector<contracts::Envelope> sent;
  for (int i = 1; i <= kPerKey; ++i) {
    for (const auto& order : orders) sent.push_back(Message(order, i));
  }
  for (const auto& message : sent) AppendCommitted(message);
  Exec("INSERT INTO inbox (consumer, message_id) VALUES ('batch-consumer', '" +
       sent[5].message_id.Get().ToString() + "')");  // already processed before
  Exec("CREATE TABLE applied_in (message_id uuid PRIMARY KEY, txid bigint NOT NULL)");
  kafka::Producer producer(kafka_);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), kKeys * kPerKey);

  observability::Metrics metrics;
  auto config = Config();
  config.name = "batch-consumer";
  config.batch_size = 16;
  std::atomic<int> reported{0};
  auto handler = [&](HandlerContext& c) {
    c.after_commit.emplace_back([&reported] { ++reported; });
    RecordEffect()(c);
    c.tx.exec_params0("INSERT INTO applied_in (message_id, txid) VALUES ($1, txid_current())",
                      c.envelope.message_id.Get().ToString());
  };
  ReliableConsumer consumer(config, kafka_, pool_, producer, handler, {}, nullptr, metrics);
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return Count("SELECT count(*) FROM effects") == kKeys * kPerKey - 1; },
                               seconds(30)));
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().duplicates_skipped == 1; }, seconds(10)));
  consumer.Stop();
  EXPECT_EQ(consumer.Stats().processed, static_cast<std::uint64_t>(kKeys * kPerKey - 1));
  EXPECT_EQ(reported, kKeys * kPerKey - 1) << "every applied message's after-commit action, once";
  EXPECT_EQ(
      Count("SELECT count(*) FROM effects WHERE message_id = '" + sent[5].message_id.Get().ToString() + "'"),
      0);
  EXPECT_EQ(Count("SELECT count(DISTINCT message_id) FROM effects"), kKeys * kPerKey - 1);
  EXPECT_LT(Count("SELECT count(DISTINCT txid) FROM applied_in"), kKeys * kPerKey - 1)
      << "messages that had arrived shared transactions";
  EXPECT_LE(Count("SELECT max(n) FROM (SELECT count(*) AS n FROM applied_in GROUP BY txid) t"), 16);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT version, lag(version) OVER (PARTITION BY order_id ORDER BY "
                  "seq) AS previous FROM effects) t WHERE previous IS NOT NULL AND version <> previous + 1 "
                  "AND NOT (previous = 1 AND version = 3)"),  // sent[5] is version 2 of orders[1]
            0);
  const auto samples = testing::MetricSamples::Parse(metrics.Expose());
  EXPECT_EQ(samples.Sum("saga_consumer_messages_total", {{"consumer", config.name}, {"outcome", "applied"}}),
            kKeys * kPerKey - 1);
  EXPECT_EQ(
      samples.Sum("saga_consumer_messages_total", {{"consumer", config.name}, {"outcome", "duplicate"}}), 1);
}

// The handlers of one transaction share its TransactionWork: they see every message it applies
// (what a handler may load at once), the work is flushed once before the commit, and the replies
// they publish through TransactionOutboxOf are stored by ONE statement per transaction (one
// command id per transaction among the outbox rows). A message that arrives twice inside one
// batch (a re-publication) is applied once.
TEST_F(OutboxTest, ABatchSharesOneTransactionWorkAndItsOutbox) {
  const auto order = core::NewId<core::OrderId>();
  std::vector<contracts::Envelope> sent;
  for (int i = 1; i <= 12; ++i) sent.push_back(Message(order, i));
  kafka::Producer producer(kafka_);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    producer.Produce({topic_, order.Get().ToString(), contracts::Encode(sent[i]), HeadersFor(sent[i])}).get();
    if (i == 3) {  // sent again right away: the same message twice in one batch
      producer.Produce({topic_, order.Get().ToString(), contracts::Encode(sent[i]), HeadersFor(sent[i])})
          .get();
    }
  }
  struct Flushes final : TransactionWork {
    explicit Flushes(std::atomic<int>& n) : flushed(n) {}
    void Flush() override { ++flushed; }
    std::atomic<int>& flushed;
  };
  std::atomic<int> flushed{0};
  std::atomic<int> largest{0};
  std::atomic<bool> seen_all{true};
  auto counting = [&](HandlerContext& c) {
    largest = std::max<int>(largest, static_cast<int>(c.applying.size()));
    if (std::find(c.applying.begin(), c.applying.end(), &c.envelope) == c.applying.end()) seen_all = false;
    if (!c.work) c.work = std::make_unique<Flushes>(flushed);
    RecordEffect()(c);
  };
  auto config = Config();
  config.batch_size = 16;
  // The effects arrive after the consumer started: they may come in one batch or several.
  {
    ReliableConsumer consumer(config, kafka_, pool_, producer, counting);
    consumer.Start();
    ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 12; }, seconds(30)));
    ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().duplicates_skipped == 1; }, seconds(10)));
    consumer.Stop();
  }
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 12) << "the message sent twice applied once";
  EXPECT_TRUE(seen_all) << "each handler finds its message among those its transaction applies";
  EXPECT_EQ(flushed.load(), Count("SELECT count(DISTINCT xmin::text) FROM effects"))
      << "one flush per transaction that applied messages";
  EXPECT_GT(largest.load(), 1) << "messages that had arrived were applied together";

  // Replies through the transaction's outbox: one insert per transaction. A new group reads the
  // topic from the start: the 12 messages above, then 10 more.
  auto replying = [&](HandlerContext& c) {
    RecordEffect()(c);
    auto reply = Message(c.envelope.order_id, c.envelope.payload["version"].get<int>() + 100);
    TransactionOutboxOf(c).Publish(topic_ + ".replies", reply);
  };
  std::vector<contracts::Envelope> more;
  for (int i = 1; i <= 10; ++i) more.push_back(Message(order, i));
  for (const auto& message : more) AppendCommitted(message);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), 10);
  config.name = testing::UniqueName("replying");
  ReliableConsumer consumer(config, kafka_, pool_, producer, replying);
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 22; }, seconds(30)));
  consumer.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE topic = '" + topic_ + ".replies'"), 22);
  EXPECT_EQ(Count("SELECT max(n) FROM (SELECT count(DISTINCT cmin::text) AS n FROM outbox WHERE topic = '" +
                  topic_ + ".replies' GROUP BY xmin::text) t"),
            1)
      << "a transaction's replies were inserted by one statement";
  const auto versions = [&] {
    auto lease = pool_.Acquire();
    pqxx::read_transaction tx(*lease);
    std::vector<int> out;
    for (const auto& row :
         tx.exec("SELECT (payload::json->'payload'->>'version')::int FROM outbox WHERE topic = '" + topic_ +
                 ".replies' ORDER BY id")) {
      out.push_back(row[0].as<int>());
    }
    return out;
  }();
  std::vector<int> expected;
  for (int i = 1; i <= 12; ++i) expected.push_back(100 + i);
  for (int i = 1; i <= 10; ++i) expected.push_back(100 + i);
  EXPECT_EQ(versions, expected) << "replies keep the order of the messages that caused them";
}

// ConsumerConfig::load: what a transaction's handlers read comes with its inbox rows. Every
// handler of the transaction sees the rows of the orders the transaction takes, locked until it
// commits; the inbox still tells first deliveries from duplicates (one already in the inbox, one
// sent twice in a row); an order without a row loads nothing, and a load of nothing is no load.
TEST_F(OutboxTest, ABatchsLoadComesWithItsInboxRows) {
  std::vector<core::OrderId> orders;
  for (int k = 0; k < 4; ++k) orders.push_back(core::NewId<core::OrderId>());
  Exec("CREATE TABLE load_rows (order_id uuid PRIMARY KEY, note text NOT NULL)");
  for (int k = 0; k < 3; ++k) {  // orders[3] has no row
    Exec("INSERT INTO load_rows VALUES ('" + orders[k].Get().ToString() + "', 'note " + std::to_string(k) +
         "')");
  }
  std::vector<contracts::Envelope> sent;
  for (int i = 1; i <= 5; ++i) {
    for (const auto& order : orders) sent.push_back(Message(order, i));
  }
  Exec("INSERT INTO inbox (consumer, message_id) VALUES ('load-consumer', '" +
       sent[6].message_id.Get().ToString() + "')");  // already processed before
  kafka::Producer producer(kafka_);
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const auto key = sent[i].order_id.Get().ToString();
    producer.Produce({topic_, key, contracts::Encode(sent[i]), HeadersFor(sent[i])}).get();
    if (i == 9) producer.Produce({topic_, key, contracts::Encode(sent[i]), HeadersFor(sent[i])}).get();
  }
  std::mutex mu;
  std::vector<std::string> problems;
  int loads = 0;
  int with_rows = 0;
  auto config = Config();
  config.name = "load-consumer";
  config.batch_size = 16;
  config.load = [&](const std::vector<const contracts::Envelope*>& taken,
                    int first) -> std::optional<BatchLoad> {
    std::lock_guard lock(mu);
    ++loads;
    std::string ids = "{";
    for (const auto* envelope : taken)
      ids += (ids.size() > 1 ? "," : "") + envelope->order_id.Get().ToString();
    return BatchLoad{"SELECT order_id::text, note FROM load_rows WHERE order_id = ANY($" +
                         std::to_string(first) + "::uuid[]) ORDER BY order_id FOR UPDATE",
                     {ids + "}"}};
  };
  pqxx::connection other(pg_.dsn);
  auto handler = [&](HandlerContext& c) {
    RecordEffect()(c);
    std::lock_guard lock(mu);
    if (c.loaded == nullptr) {
      problems.push_back("no rows given to a consumer with a load");
      return;
    }
    bool mine = false;
    for (const auto& row : *c.loaded) {
      const std::string order = row[0].c_str();
      mine = mine || order == c.envelope.order_id.Get().ToString();
      if (std::string(row[1].c_str()).rfind("note ", 0) != 0) problems.push_back("a row without its note");
      pqxx::work probe(other);  // the loaded rows are locked by the handler's transaction
      try {
        probe.exec("SELECT 1 FROM load_rows WHERE order_id = '" + order + "' FOR UPDATE NOWAIT");
        problems.push_back("loaded row " + order + " was not locked");
      } catch (const pqxx::sql_error&) {
      }
    }
    const bool has_row = c.envelope.order_id != orders[3];
    if (mine != has_row)
      problems.push_back("message of " + c.envelope.order_id.Get().ToString() + ": own row " +
                         (mine ? "loaded" : "missing"));
    if (!c.loaded->empty()) ++with_rows;
  };
  ReliableConsumer consumer(config, kafka_, pool_, producer, handler);
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 19; }, seconds(30)));
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().duplicates_skipped == 2; }, seconds(10)));
  consumer.Stop();
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 19)
      << "the duplicate skipped, the message sent twice once";
  EXPECT_EQ(
      Count("SELECT count(*) FROM effects WHERE message_id = '" + sent[6].message_id.Get().ToString() + "'"),
      0);
  EXPECT_GT(loads, 0);
  EXPECT_GT(with_rows, 0);

  // A load that returns nothing is no load: the handlers are given no rows (nullptr).
  config.name = testing::UniqueName("no-load");
  config.load = [](const std::vector<const contracts::Envelope*>&, int) -> std::optional<BatchLoad> {
    return std::nullopt;
  };
  std::atomic<int> without{0};
  ReliableConsumer plain(config, kafka_, pool_, producer, [&](HandlerContext& c) {
    RecordEffect()(c);
    if (c.loaded == nullptr) ++without;
  });
  plain.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return plain.Stats().processed == 20; }, seconds(30)));
  plain.Stop();
  EXPECT_EQ(without.load(), 20);
}

// A load locks nothing before its transaction's inbox rows are in: while the insert waits for
// another transaction holding the same message's inbox row, the rows the load would lock are
// free (otherwise two transactions of overlapping batches could wait for each other). Once the
// holder rolls back, the message is applied.
TEST_F(OutboxTest, ALoadLocksNothingBeforeItsInboxRowsAreIn) {
  const auto order = core::NewId<core::OrderId>();
  Exec("CREATE TABLE load_rows (order_id uuid PRIMARY KEY)");
  Exec("INSERT INTO load_rows VALUES ('" + order.Get().ToString() + "')");
  const auto message = Message(order, 1);
  auto config = Config();
  config.load = [](const std::vector<const contracts::Envelope*>& taken,
                   int first) -> std::optional<BatchLoad> {
    return BatchLoad{"SELECT order_id::text FROM load_rows WHERE order_id = ANY($" + std::to_string(first) +
                         "::uuid[]) FOR UPDATE",
                     {"{" + taken.front()->order_id.Get().ToString() + "}"}};
  };
  pqxx::connection holder_conn(pg_.dsn);
  pqxx::work holder(holder_conn);  // the same message's inbox row, not committed
  holder.exec0("INSERT INTO inbox (consumer, message_id) VALUES ('" + config.name + "', '" +
               message.message_id.Get().ToString() + "')");
  kafka::Producer producer(kafka_);
  producer.Produce({topic_, order.Get().ToString(), contracts::Encode(message), HeadersFor(message)}).get();
  ReliableConsumer consumer(config, kafka_, pool_, producer, RecordEffect());
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        return Count(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE "
                   "'%INSERT INTO inbox%'") > 0;
      },
      seconds(30)))
      << "the consumer's insert waits for the holder";
  {
    pqxx::connection probe_conn(pg_.dsn);
    pqxx::work probe(probe_conn);
    EXPECT_NO_THROW(probe.exec("SELECT 1 FROM load_rows FOR UPDATE NOWAIT"))
        << "the load locked its rows before its inbox rows were in";
  }
  holder.abort();
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 1; }, seconds(30)));
  consumer.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 1);
}

// One message of a batch fails for good: the batch rolls back, and each message is handled again
// on its own: the failing one is dead-lettered, the others are applied once.
TEST_F(OutboxTest, AFailureInsideABatchConcernsOnlyItsMessage) {
  const auto order = core::NewId<core::OrderId>();
  std::vector<contracts::Envelope> sent;
  for (int i = 1; i <= 8; ++i) sent.push_back(Message(order, i));
  for (const auto& message : sent) AppendCommitted(message);
  kafka::Producer producer(kafka_);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), 8);
  std::atomic<int> calls{0};
  auto handler = [&](HandlerContext& c) {
    ++calls;
    if (c.envelope.message_id == sent[4].message_id) throw PermanentError("business rule says no");
    RecordEffect()(c);
  };
  auto config = Config();
  config.batch_size = 16;
  ReliableConsumer consumer(config, kafka_, pool_, producer, handler);
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().dead_lettered == 1; }, seconds(30)));
  ASSERT_TRUE(testing::WaitFor([&] { return consumer.Stats().processed == 7; }, seconds(10)));
  consumer.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 7);
  EXPECT_EQ(Count("SELECT count(DISTINCT message_id) FROM effects"), 7) << "nothing applied twice";
  EXPECT_EQ(Count("SELECT count(*) FROM effects WHERE version = 5"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM dead_letters"), 1);
  EXPECT_EQ(consumer.Stats().retries, 0U) << "the batch's attempt is not a retry of any message";
  EXPECT_GT(calls.load(), 8) << "the rolled-back batch ran before the messages were handled one by one";
}

TEST_F(OutboxTest, PerKeyOrderHoldsUnderParallelConsumption) {
  topic_ = testing::UniqueName("parallel");
  kafka::EnsureTopics(kafka_, {{topic_, 6, 1, 3600000, 1}, {topic_ + ".dlq", 1, 1, 3600000, 1}}, seconds(15));
  constexpr int kKeys = 12;
  constexpr int kPerKey = 25;
  std::vector<core::OrderId> orders;
  for (int k = 0; k < kKeys; ++k) orders.push_back(core::NewId<core::OrderId>());
  for (int i = 1; i <= kPerKey; ++i) {
    for (const auto& order : orders) AppendCommitted(Message(order, i));
  }
  kafka::Producer producer(kafka_);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), kKeys * kPerKey);

  observability::Metrics metrics;
  const auto config = Config(3);
  ReliableConsumer consumer(config, kafka_, pool_, producer, RecordEffect(), {}, nullptr, metrics);
  consumer.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return Count("SELECT count(*) FROM effects") == kKeys * kPerKey; },
                               seconds(60)));
  // Membership and lag, as readiness reports them: 3 members share the 6 partitions (each was
  // assigned some: one member may have drained everything before the others joined), no lag.
  const testing::MetricSamples::Labels label{{"consumer", config.name}};
  const testing::MetricSamples::Labels assigned{{"consumer", config.name}, {"kind", "assigned"}};
  testing::MetricSamples samples;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        auto stats = consumer.Stats();
        samples = testing::MetricSamples::Parse(metrics.Expose());
        return stats.members == 3 && stats.assigned_partitions == 6 && stats.lag == 0 &&
               samples.Find("saga_kafka_rebalances_total", assigned) >= 3;
      },
      seconds(30)))
      << consumer.Stats().members << " members, " << consumer.Stats().assigned_partitions
      << " partitions, lag " << consumer.Stats().lag << ", "
      << samples.Find("saga_kafka_rebalances_total", assigned).value_or(0) << " assignments";
  // The metrics agree: one lag series per partition whichever member owns it, all at 0.
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        samples = testing::MetricSamples::Parse(metrics.Expose());
        return samples.Find("saga_kafka_consumer_assigned_partitions", label) == 6 &&
               samples.Count("saga_kafka_consumer_lag", label) == 6U;
      },
      seconds(10)));
  EXPECT_EQ(samples.Sum("saga_kafka_consumer_lag", label), 0);
  EXPECT_EQ(samples.Sum("saga_consumer_messages_total", {{"consumer", config.name}, {"outcome", "applied"}}),
            kKeys * kPerKey);
  consumer.Stop();
  samples = testing::MetricSamples::Parse(metrics.Expose());
  EXPECT_EQ(samples.Find("saga_kafka_consumer_assigned_partitions", label), 0);
  EXPECT_EQ(samples.Count("saga_kafka_consumer_lag", label), 0U);
  EXPECT_EQ(consumer.Stats().members, 0);
  // effects.seq is the order in which effects committed: per order it must follow version.
  auto lease = pool_.Acquire();
  pqxx::read_transaction tx(*lease);
  const auto out_of_order = tx.exec1(
                                  "SELECT count(*) FROM (SELECT version, lag(version) OVER (PARTITION BY "
                                  "order_id ORDER BY seq) AS previous "
                                  "FROM effects) t WHERE previous IS NOT NULL AND version <> previous + 1")[0]
                                .as<int>();
  EXPECT_EQ(out_of_order, 0);
}

}  // namespace
}  // namespace saga::outbox

namespace saga::outbox {
namespace {

// The database is unreachable: the message must wait (no dead letter, no offset commit), the
// breaker opens, and the next member of the group applies it once the database is back.
TEST_F(OutboxTest, ADatabaseOutageMakesMessagesWaitInsteadOfDeadLettering) {
  const auto order = core::NewId<core::OrderId>();
  AppendCommitted(Message(order, 1));
  kafka::Producer producer(kafka_);
  OutboxRelay relay(RelayConfig{}, pg_, producer);
  ASSERT_EQ(relay.PublishOnce(), 1);

  auto config = Config();
  core::SystemClock clock;
  core::CircuitBreaker breaker("postgres", {2, std::chrono::milliseconds(200)}, clock);
  pg::ConnectionPool unreachable(pg::PgConfig{"host=127.0.0.1 port=1 dbname=x user=x", seconds(1)}, 2,
                                 seconds(1));
  {
    ReliableConsumer down(config, kafka_, unreachable, producer, RecordEffect(), {}, &breaker);
    down.Start();
    ASSERT_TRUE(testing::WaitFor([&] { return breaker.Trips() >= 2; }, seconds(30)))
        << "the breaker opened, and re-opened after a failed probe";
    down.Stop();
    EXPECT_EQ(down.Stats().dead_lettered, 0U);
    EXPECT_EQ(down.Stats().processed, 0U);
  }
  ReliableConsumer up(config, kafka_, pool_, producer, RecordEffect());
  up.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return up.Stats().processed == 1; }, seconds(30)))
      << "the uncommitted message came back to the group";
  up.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM effects"), 1);
}

TEST_F(OutboxTest, AnOpenProducerBreakerSkipsPasses) {
  AppendCommitted(Message(core::NewId<core::OrderId>(), 1));
  kafka::Producer producer(kafka_);
  core::SystemClock clock;
  core::CircuitBreaker breaker("kafka-producer", {1, std::chrono::seconds(60)}, clock);
  breaker.RecordFailure();
  OutboxRelay relay(RelayConfig{}, pg_, producer, &breaker);
  EXPECT_THROW(relay.PublishOnce(), kafka::KafkaError);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"), 1) << "nothing was sent";
}

}  // namespace
}  // namespace saga::outbox
