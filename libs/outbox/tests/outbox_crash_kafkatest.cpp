// A writer process is SIGKILLed after it committed outbox rows (in one case before any was
// published, in the other while its relay was publishing, at a random moment). A new process
// publishes what is left; the consumer then holds exactly one effect per committed row. Runs
// alone (RUN_SERIAL): it loads the database and broker heavily.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <random>

#include "outbox_fixture.hpp"
#include "saga/testing/process.hpp"

namespace saga::outbox {
namespace {

class OutboxCrashTest : public OutboxTest {
 protected:
  void SetUp() override {
    OutboxTest::SetUp();
    // One row per committed outbox row, in the same transaction (the relay deletes the outbox
    // rows it published, so they cannot be counted afterwards).
    Exec("CREATE TABLE written (n bigserial PRIMARY KEY)");
  }
  std::unique_ptr<testing::Process> Tool(const std::vector<std::string>& extra, const std::string& log) {
    std::vector<std::string> args = {"--dsn", db_.Dsn(), "--brokers", kafka_.brokers, "--topic", topic_};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<testing::Process>(SAGA_CRASH_TOOL, args, testing::KafkaServiceEnv(),
                                              (std::filesystem::temp_directory_path() / log).string());
  }
  void DrainAndConsume(std::int64_t committed) {
    auto drainer = Tool({"--drain"}, testing::UniqueName("drain") + ".log");
    ASSERT_EQ(drainer->Wait(seconds(120)), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0);
    kafka::Producer producer(kafka_);
    ReliableConsumer consumer(Config(2), kafka_, pool_, producer, RecordEffect());
    consumer.Start();
    ASSERT_TRUE(
        testing::WaitFor([&] { return Count("SELECT count(*) FROM effects") == committed; }, seconds(120)))
        << Count("SELECT count(*) FROM effects") << " of " << committed;
    consumer.Stop();
    EXPECT_EQ(Count("SELECT count(DISTINCT message_id) FROM effects"), committed) << "one effect per row";
    EXPECT_EQ(consumer.Stats().dead_lettered, 0U);
  }
};

TEST_F(OutboxCrashTest, KilledAfterCommitBeforePublish) {
  auto writer = Tool({"--rows", "3000"}, testing::UniqueName("writer") + ".log");  // no relay
  ASSERT_TRUE(testing::WaitFor([&] { return Count("SELECT count(*) FROM written") >= 200; }, seconds(60)));
  writer->Signal(SIGKILL);
  ASSERT_EQ(writer->Wait(seconds(10)), 128 + SIGKILL);
  const auto committed = Count("SELECT count(*) FROM written");
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"), committed)
      << "nothing was published yet";
  DrainAndConsume(committed);
}

TEST_F(OutboxCrashTest, KilledAtARandomMomentWhilePublishing) {
  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  const int threshold = 100 + static_cast<int>(rng() % 400);
  auto writer = Tool({"--rows", "3000", "--relay"}, testing::UniqueName("writer") + ".log");
  ASSERT_TRUE(
      testing::WaitFor([&] { return Count("SELECT count(*) FROM written") >= threshold; }, seconds(60)));
  writer->Signal(SIGKILL);
  ASSERT_EQ(writer->Wait(seconds(10)), 128 + SIGKILL);
  const auto committed = Count("SELECT count(*) FROM written");
  RecordProperty("killed_after_rows", static_cast<int>(committed));
  DrainAndConsume(committed);
}

}  // namespace
}  // namespace saga::outbox
