// The inventory command handler behind a real ReliableConsumer: a ReserveInventory command
// produced to Kafka (twice, as a redelivery would) holds the stock once and leaves one
// InventoryReserved in the outbox, committed with the inbox row. A unique topic and database.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "saga/kafka/producer.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/testing/manual_clock.hpp"
#include "saga/testing/migrated_database.hpp"
#include "saga/testing/test_env.hpp"
#include "services/inventory/infra/inventory_command_handler.hpp"
#include "services/inventory/infra/migrations.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"
#include "services/inventory/tests/builders.hpp"

namespace saga::inventory {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(InventoryCommandsKafkaTest, ARedeliveredReserveHoldsOnceAndRepliesOnce) {
  saga::testing::MigratedDatabase db(Migrations(), 4);
  PgInventoryRepository repository(db.Pool());
  testing::ProductBuilder product;
  product.WithStock(10);
  auto item = product.BuildItem();
  repository.CreateProduct(product.BuildProduct(), item);

  kafka::KafkaConfig kafka;
  kafka = saga::testing::KafkaTestConfig();
  kafka.client_id = "inventory_commands_kafkatest";
  const auto topic = saga::testing::UniqueName("inventory-commands");
  kafka::EnsureTopics(kafka, {{topic, 3, 1, 3600000, 1}, {topic + ".dlq", 1, 1, 3600000, 1}}, seconds(15));

  const auto order = core::NewId<core::OrderId>();
  saga::testing::ManualClock clock;
  const auto command =
      contracts::MakeEnvelope("ReserveInventory",
                              {{"orderId", order.Get().ToString()},
                               {"items", {{{"productId", product.Id().Get().ToString()}, {"quantity", 3}}}},
                               {"expiresAt", core::ToRfc3339(clock.Now() + std::chrono::minutes(15))}},
                              {"corr-1", std::nullopt, core::NewId<core::SagaId>(), order, "order-service",
                               "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", clock.Now()})
          .Value();

  kafka::Producer producer(kafka);
  outbox::ConsumerConfig config;
  config.name = saga::testing::UniqueName("inventory-commands");
  config.topics = {topic};
  outbox::ReliableConsumer consumer(config, kafka, db.Pool(), producer, MakeInventoryCommandHandler(clock));
  consumer.Start();
  for (int i = 0; i < 2; ++i) {
    producer.Produce({topic, order.Get().ToString(), contracts::Encode(command), outbox::HeadersFor(command)})
        .get();
  }
  const bool handled = saga::testing::WaitFor(
      [&] { return consumer.Stats().processed + consumer.Stats().duplicates_skipped >= 2; }, seconds(60));
  consumer.Stop();
  ASSERT_TRUE(handled) << "processed " << consumer.Stats().processed;

  EXPECT_EQ(consumer.Stats().processed, 1U);
  EXPECT_EQ(consumer.Stats().duplicates_skipped, 1U);
  EXPECT_EQ(consumer.Stats().dead_lettered, 0U);
  EXPECT_EQ(repository.GetByProductId(product.Id())->Reserved(), 3);
  EXPECT_EQ(db.Count("SELECT count(*) FROM outbox WHERE payload LIKE '%\"type\":\"InventoryReserved\"%'"), 1);
  EXPECT_EQ(db.Count("SELECT count(*) FROM outbox WHERE topic = 'saga.inventory.events' AND message_key = '" +
                     order.Get().ToString() + "'"),
            2)
      << "the reply and one StockUpdated";
  EXPECT_EQ(
      db.Count("SELECT count(*) FROM inbox WHERE message_id = '" + command.message_id.Get().ToString() + "'"),
      1);
}

}  // namespace
}  // namespace saga::inventory
