// Test helper process for outbox_crash_kafkatest: writes outbox rows in committed transactions
// (one message each, printing "committed <n>" after each commit), optionally while a relay
// publishes them; or, with --drain, only relays until nothing is pending. The test SIGKILLs it
// at chosen moments. Not installed; not a service.
#include <CLI/CLI.hpp>
#include <iostream>
#include <pqxx/pqxx>
#include <thread>

#include "saga/config/config_source.hpp"
#include "saga/contracts/envelope.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/outbox/outbox_relay.hpp"
#include "saga/pg/connection.hpp"

int main(int argc, char** argv) {
  CLI::App app{"outbox crash-test helper"};
  std::string dsn;
  std::string brokers;
  std::string topic;
  int rows = 0;
  int keys = 5;
  bool relay_while_writing = false;
  bool drain = false;
  app.add_option("--dsn", dsn)->required();
  app.add_option("--brokers", brokers)->required();
  app.add_option("--topic", topic)->required();
  app.add_option("--rows", rows);
  app.add_option("--keys", keys);
  app.add_flag("--relay", relay_while_writing);
  app.add_flag("--drain", drain);
  CLI11_PARSE(app, argc, argv);

  saga::pg::PgConfig pg{dsn, std::chrono::seconds(3)};
  // The broker credential, as a service gets it (SAGA_KAFKA_SECURITY_PROTOCOL, _SASL_*).
  auto kafka = saga::kafka::KafkaConfig::FromSource(saga::config::ConfigSource());
  kafka.brokers = brokers;
  kafka.client_id = "outbox-crash-tool";
  saga::kafka::Producer producer(kafka);
  saga::outbox::RelayConfig relay_config;
  relay_config.poll_interval = std::chrono::milliseconds(50);
  saga::outbox::OutboxRelay relay(relay_config, pg, producer);

  if (drain) {
    while (true) {
      const int published = relay.PublishOnce();
      auto conn = saga::pg::Connect(pg);
      pqxx::read_transaction tx(*conn);
      if (tx.exec1("SELECT count(*) FROM outbox WHERE published_at IS NULL")[0].as<int>() == 0) break;
      if (published == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::cout << "drained" << std::endl;
    return 0;
  }

  if (relay_while_writing) relay.Start();
  std::vector<saga::core::OrderId> orders;
  for (int k = 0; k < keys; ++k) orders.push_back(saga::core::NewId<saga::core::OrderId>());
  auto conn = saga::pg::Connect(pg);
  for (int i = 0; i < rows; ++i) {
    const auto& order = orders[static_cast<std::size_t>(i % keys)];
    saga::contracts::EnvelopeContext context{"crash-" + std::to_string(i),
                                             std::nullopt,
                                             std::nullopt,
                                             order,
                                             "outbox-crash-tool",
                                             "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                             saga::core::SystemClock().Now()};
    auto envelope = saga::contracts::MakeEnvelope(
        "OrderUpdated",
        {{"orderId", order.Get().ToString()}, {"status", "Created"}, {"version", i / keys + 1}}, context);
    pqxx::work tx(*conn);
    saga::outbox::Append(tx, topic, envelope.Value());
    // What was committed, for the test to count: the relay deletes the outbox rows it published.
    tx.exec0("INSERT INTO written DEFAULT VALUES");
    tx.commit();
    relay.Notify();
    std::cout << "committed " << i + 1 << std::endl;
  }
  relay.Stop();
  return 0;
}
