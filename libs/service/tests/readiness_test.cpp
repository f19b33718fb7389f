#include "saga/service/readiness.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "saga/http/router.hpp"
#include "saga/service/health.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::service {
namespace {

using std::chrono::milliseconds;

TEST(ReadinessTest, ReadyOnlyWhenEveryCheckPasses) {
  ReadinessMonitor monitor(milliseconds(10));
  std::atomic<bool> db_up{true};
  monitor.AddCheck("postgres", [&]() -> std::string {
    if (!db_up) throw std::runtime_error("connection refused");
    return "ok";
  });
  monitor.AddCheck("kafka", [] { return std::string("1 broker"); });
  EXPECT_FALSE(monitor.Snapshot().ready) << "nothing checked yet";
  monitor.Start();
  EXPECT_TRUE(monitor.Snapshot().ready);

  db_up = false;
  ASSERT_TRUE(testing::WaitFor([&] { return !monitor.Snapshot().ready; }, milliseconds(5000)));
  auto snapshot = monitor.Snapshot();
  ASSERT_EQ(snapshot.checks.size(), 2U);
  EXPECT_FALSE(snapshot.checks[0].ok);
  EXPECT_EQ(snapshot.checks[0].detail, "connection refused");
  EXPECT_TRUE(snapshot.checks[1].ok);

  db_up = true;
  EXPECT_TRUE(testing::WaitFor([&] { return monitor.Snapshot().ready; }, milliseconds(5000)));
  monitor.Stop();
}

TEST(HealthRoutesTest, ReadyAnswers503WithDetailsUntilChecksPass) {
  ReadinessMonitor monitor(milliseconds(1000));
  bool up = false;
  monitor.AddCheck("postgres", [&]() -> std::string {
    if (!up) throw std::runtime_error("refused");
    return "connected";
  });
  http::Router router;
  AddHealthRoutes(router, monitor);

  auto live = router.Dispatch(http::Request{http::Verb::get, "/health/live", 11});
  EXPECT_EQ(live.result(), http::Status::ok);

  monitor.RunChecks();
  auto down = router.Dispatch(http::Request{http::Verb::get, "/health/ready", 11});
  EXPECT_EQ(down.result(), http::Status::service_unavailable);
  auto body = nlohmann::json::parse(down.body());
  EXPECT_EQ(body["status"], "not_ready");
  EXPECT_EQ(body["checks"]["postgres"]["ok"], false);
  EXPECT_EQ(body["checks"]["postgres"]["detail"], "refused");

  up = true;
  monitor.RunChecks();
  auto ready = router.Dispatch(http::Request{http::Verb::get, "/health/ready", 11});
  EXPECT_EQ(ready.result(), http::Status::ok);
  EXPECT_EQ(nlohmann::json::parse(ready.body())["checks"]["postgres"]["detail"], "connected");
}

class FixedClock final : public core::Clock {
 public:
  [[nodiscard]] core::Timestamp Now() const override { return core::FromUnixMicros(0); }
};

TEST(BreakerProbeTest, FailsWhileABreakerIsOpen) {
  FixedClock clock;
  core::CircuitBreaker db("postgres", {1, std::chrono::seconds(60)}, clock);
  core::CircuitBreaker kafka("kafka-producer", {1, std::chrono::seconds(60)}, clock);
  auto probe = MakeBreakerProbe({&db, &kafka});
  EXPECT_EQ(probe(), "postgres closed, kafka-producer closed");
  kafka.RecordFailure();
  try {
    (void)probe();
    FAIL() << "an open breaker must fail readiness";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "circuit open: kafka-producer (postgres closed, kafka-producer open)");
  }
}

TEST(ConsumerProbeTest, ReportsMembershipAndLag) {
  pg::ConnectionPool pool(pg::PgConfig{"host=127.0.0.1 port=1", std::chrono::seconds(1)}, 1,
                          std::chrono::seconds(1));
  kafka::KafkaConfig kafka;
  kafka.brokers = "127.0.0.1:1";
  kafka::Producer producer(kafka);
  outbox::ConsumerConfig config;
  config.name = "probe-test";
  config.topics = {"t"};
  outbox::ReliableConsumer consumer(config, kafka, pool, producer, [](outbox::HandlerContext&) {});
  EXPECT_EQ(MakeConsumerProbe(consumer, 10)(), "0 member(s), 0 partition(s), lag 0, dead letters 0");
  EXPECT_NO_THROW(MakeConsumerProbe(consumer, 0)()) << "lag 0 is within a limit of 0";
}

// A producer that failed fatally never sends again (the outbox would silently stop draining):
// readiness says so for good.
TEST(ProducerProbeTest, AFatalProducerErrorMakesTheServiceUnready) {
  kafka::KafkaConfig kafka;
  kafka.brokers = "127.0.0.1:1";
  kafka::Producer producer(kafka);
  const auto probe = MakeProducerProbe(producer);
  EXPECT_EQ(probe(), "ok");
  EXPECT_FALSE(producer.FatalError());
  producer.InjectFatalErrorForTest("lost a sequence");
  ASSERT_TRUE(producer.FatalError());
  try {
    (void)probe();
    FAIL() << "a fatally failed producer was reported ready";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("restart the service"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("lost a sequence"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace saga::service
