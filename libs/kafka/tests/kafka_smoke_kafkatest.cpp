// Against the real broker of `./saga test`: the idempotent producer (acks=all) delivers, a
// consumer group reads the messages back in order with key and headers, committed offsets are
// honoured by the next member of the group, and topic creation is idempotent.
#include <gtest/gtest.h>

#include <map>

#include "saga/kafka/consumer.hpp"
#include "saga/kafka/errors.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::kafka {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

KafkaConfig TestConfig() {
  KafkaConfig config;
  config = testing::KafkaTestConfig();
  config.client_id = "kafka_smoke_kafkatest";
  return config;
}

std::vector<ConsumedMessage> ConsumeN(Consumer& consumer, std::size_t n, milliseconds timeout) {
  std::vector<ConsumedMessage> out;
  testing::WaitFor(
      [&] {
        if (auto msg = consumer.Poll(milliseconds(200))) out.push_back(std::move(*msg));
        return out.size() >= n;
      },
      timeout, milliseconds(0));
  return out;
}

class KafkaSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = testing::UniqueName("smoke");
    auto result = EnsureTopics(config_, {TopicSpec{topic_, 3, 1, 3600000, 1}}, seconds(15));
    ASSERT_EQ(result.created, std::vector<std::string>{topic_});
  }
  KafkaConfig config_ = TestConfig();
  std::string topic_;
};

TEST_F(KafkaSmokeTest, ProducesWithAcksAllAndConsumesBackInKeyOrder) {
  constexpr int kPerKey = 20;
  {
    Producer producer(config_);
    std::vector<std::future<DeliveryReport>> pending;
    for (int i = 0; i < kPerKey; ++i) {
      for (const char* key : {"order-a", "order-b"}) {
        pending.push_back(producer.Produce({topic_,
                                            key,
                                            std::string(key) + ":" + std::to_string(i),
                                            {{"saga-id", "s-" + std::string(key)}}}));
      }
    }
    for (auto& f : pending) {
      auto report = f.get();  // throws when the broker did not acknowledge
      EXPECT_EQ(report.topic, topic_);
      EXPECT_GE(report.offset, 0);
    }
  }

  Consumer consumer(config_, {testing::UniqueName("group"), {topic_}, "earliest", {}});
  auto messages = ConsumeN(consumer, 2 * kPerKey, seconds(30));
  ASSERT_EQ(messages.size(), 2U * kPerKey);

  std::map<std::string, int> next_index;
  std::map<std::string, std::int32_t> partition_of;
  for (const auto& msg : messages) {
    const int expected = next_index[msg.key]++;
    EXPECT_EQ(msg.payload, msg.key + ":" + std::to_string(expected)) << "out of order within key";
    EXPECT_EQ(msg.Header("saga-id"), "s-" + msg.key);
    auto [it, inserted] = partition_of.emplace(msg.key, msg.partition);
    EXPECT_EQ(it->second, msg.partition) << "one key must stay on one partition";
  }
  EXPECT_EQ(next_index["order-a"], kPerKey);
  EXPECT_EQ(next_index["order-b"], kPerKey);
}

// Flush sends what is queued without waiting for linger.ms: with a linger longer than the
// flush's timeout, the message is still acknowledged within it.
TEST_F(KafkaSmokeTest, FlushSendsAtOnceWhateverTheLinger) {
  auto lingering = config_;
  lingering.linger = seconds(60);
  lingering.delivery_timeout = seconds(120);  // librdkafka: must exceed linger.ms
  Producer producer(lingering);
  auto pending = producer.Produce({topic_, "order-a", "now", {}});
  EXPECT_TRUE(producer.Flush(seconds(20)));
  ASSERT_EQ(pending.wait_for(seconds(0)), std::future_status::ready);
  EXPECT_GE(pending.get().offset, 0);
  EXPECT_TRUE(producer.Flush(milliseconds(0))) << "nothing outstanding";
}

TEST_F(KafkaSmokeTest, CommittedOffsetsAreHonouredByTheNextGroupMember) {
  const std::string group = testing::UniqueName("group");
  {
    Producer producer(config_);
    for (int i = 0; i < 3; ++i) producer.Produce({topic_, "k", "m" + std::to_string(i), {}}).get();
  }
  {
    Consumer first(config_, {group, {topic_}, "earliest", {}});
    auto messages = ConsumeN(first, 3, seconds(30));
    ASSERT_EQ(messages.size(), 3U);
    first.Commit(messages[0]);
    first.Commit(messages[1]);  // m2 consumed but not committed: it must come again
    first.Close();
  }
  Consumer second(config_, {group, {topic_}, "earliest", {}});
  auto again = ConsumeN(second, 1, seconds(30));
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].payload, "m2");
}

TEST_F(KafkaSmokeTest, LagIsTheBacklogBehindTheMembersPosition) {
  {
    Producer producer(config_);
    for (int i = 0; i < 6; ++i) producer.Produce({topic_, "one-key", "m" + std::to_string(i), {}}).get();
  }
  Consumer consumer(config_, {testing::UniqueName("group"), {topic_}, "earliest", {}});
  auto first = ConsumeN(consumer, 2, seconds(30));  // two of the six read, none committed
  // The background fetcher keeps the cached watermarks fresh; Lag() never blocks.
  ASSERT_EQ(first.size(), 2U);
  std::int64_t total = 0;
  std::size_t partitions = 0;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        const auto lags = consumer.Lag();
        partitions = lags.size();
        total = 0;
        for (const auto& lag : lags) total += lag.lag;
        return partitions == 3 && total == 4;
      },
      seconds(20)))
      << partitions << " partitions, lag " << total;
}

TEST_F(KafkaSmokeTest, AMemberThatTakesOverACaughtUpPartitionHasNoLag) {
  // It receives nothing, so it has no position: the lag counts from the committed offset, not
  // from the start of the partition (which made every idle partition look like a backlog).
  const std::string group = testing::UniqueName("group");
  {
    Producer producer(config_);
    for (int i = 0; i < 6; ++i) producer.Produce({topic_, "one-key", "m" + std::to_string(i), {}}).get();
  }
  {
    Consumer first(config_, {group, {topic_}, "earliest", {}});
    const auto messages = ConsumeN(first, 6, seconds(30));
    ASSERT_EQ(messages.size(), 6U);
    for (const auto& message : messages) first.Commit(message);
    first.Close();  // sends the stored offsets
  }
  Consumer second(config_, {group, {topic_}, "earliest", {}});
  std::int64_t total = -1;
  std::size_t partitions = 0;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        EXPECT_FALSE(second.Poll(milliseconds(100)).has_value()) << "everything was committed";
        const auto lags = second.Lag();
        partitions = lags.size();
        total = 0;
        for (const auto& lag : lags) total += lag.lag;
        return partitions == 3;
      },
      seconds(30)))
      << partitions << " partitions";
  // Once the fetcher has seen the watermarks (6 on one partition), the lag must still be 0.
  EXPECT_FALSE(testing::WaitFor(
      [&] {
        (void)second.Poll(milliseconds(100));
        total = 0;
        for (const auto& lag : second.Lag()) total += lag.lag;
        return total != 0;
      },
      seconds(3)))
      << "lag " << total;
}

TEST_F(KafkaSmokeTest, EnsureTopicsIsIdempotentAndVisibleInMetadata) {
  auto second = EnsureTopics(config_, {TopicSpec{topic_, 3, 1, 3600000, 1}}, seconds(15));
  EXPECT_TRUE(second.created.empty());
  EXPECT_EQ(second.existing, std::vector<std::string>{topic_});

  ClusterProbe probe(config_);
  auto info = probe.Describe(seconds(10));
  EXPECT_GE(info.brokers, 1);
  ASSERT_EQ(info.topics.count(topic_), 1U);
  EXPECT_EQ(info.topics.at(topic_), 3);
}

TEST(KafkaUnreachableTest, DeliveryFailsWithARetryableErrorWhenNoBrokerAnswers) {
  KafkaConfig config;
  config.brokers = "127.0.0.1:1";  // nothing listens on port 1
  config.delivery_timeout = milliseconds(1500);
  Producer producer(config);
  auto future = producer.Produce({"any-topic", "k", "v", {}});
  try {
    future.get();
    FAIL() << "delivery cannot succeed without a broker";
  } catch (const KafkaError& e) {
    EXPECT_TRUE(e.IsRetryable()) << e.what();
  }
  ClusterProbe probe(config);
  EXPECT_THROW((void)probe.Describe(milliseconds(500)), KafkaError);
}

}  // namespace
}  // namespace saga::kafka
