// The broker is killed (SIGKILL) in the middle of a stream of outbox messages and restarted 10 s
// later, while the relay and the consumer keep running: afterwards every message written has
// been delivered and applied exactly once. Runs alone (RUN_SERIAL): it stops the shared test
// broker through `./saga broker kill|start --test`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "outbox_fixture.hpp"
#include "saga/outbox/outbox_relay.hpp"

namespace saga::outbox {
namespace {

void Broker(const std::string& action) {
  const std::string command =
      testing::RequiredEnv("SAGA_TEST_SAGA") + " broker " + action + " --test >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(OutboxTest, NothingLostNothingAppliedTwiceAcrossABrokerOutage) {
  kafka::Producer producer(kafka_);
  RelayConfig relay_config;
  relay_config.poll_interval = milliseconds(100);
  relay_config.backoff_max = milliseconds(1000);
  relay_config.ack_timeout = seconds(2);  // passes fail during the outage and are retried
  OutboxRelay relay(relay_config, pg_, producer);
  ReliableConsumer consumer(Config(2), kafka_, pool_, producer, RecordEffect(), [&] { relay.Notify(); });
  relay.Start();
  consumer.Start();

  std::vector<core::OrderId> orders;
  for (int k = 0; k < 5; ++k) orders.push_back(core::NewId<core::OrderId>());
  int seq = 0;
  auto write = [&](int count) {
    for (int i = 0; i < count; ++i, ++seq) {
      AppendCommitted(Message(orders[static_cast<std::size_t>(seq) % orders.size()], seq / 5 + 1));
      relay.Notify();
    }
  };

  write(100);
  ASSERT_TRUE(testing::WaitFor([&] { return Count("SELECT count(*) FROM effects") >= 50; }, seconds(60)))
      << "the stream is flowing before the outage";
  Broker("kill");
  const auto killed_at = std::chrono::steady_clock::now();
  write(100);  // committed while the broker is down: they wait in the outbox
  std::this_thread::sleep_until(killed_at + seconds(10));  // the outage itself is the point here
  Broker("start");
  write(100);

  ASSERT_TRUE(testing::WaitFor([&] { return Count("SELECT count(*) FROM effects") == 300; }, seconds(180)))
      << Count("SELECT count(*) FROM effects")
      << " effects; pending outbox rows: " << Count("SELECT count(*) FROM outbox WHERE published_at IS NULL");
  consumer.Stop();
  relay.Stop();
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE published_at IS NULL"), 0) << "every row published";
  EXPECT_EQ(Count("SELECT count(DISTINCT message_id) FROM effects"), 300) << "no message applied twice";
  EXPECT_EQ(Count("SELECT count(*) FROM inbox"), 300);
  EXPECT_GE(relay.Stats().failed_passes, 1U) << "the relay saw the outage and retried";
}

}  // namespace
}  // namespace saga::outbox
