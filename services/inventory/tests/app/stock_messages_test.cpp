// The stock messages of a change (no I/O: a fake outbox): one StockUpdated per stock write with
// the right key, a LowStockNotification only when available stock crosses the threshold
// downwards, and envelopes that carry their origin.
#include "services/inventory/app/stock_messages.hpp"

#include <gtest/gtest.h>

#include "saga/contracts/envelope.hpp"
#include "services/inventory/tests/builders.hpp"
#include "services/inventory/tests/fakes.hpp"

namespace saga::inventory {
namespace {

using testing::kT0;

StockWrite Write(const core::ProductId& product, std::optional<std::int64_t> before, std::int64_t quantity,
                 std::int64_t reserved, std::optional<core::OrderId> order = std::nullopt) {
  return StockWrite{product, "SKU-1", order, quantity, reserved, before, 10};
}

TEST(StockMessagesTest, EveryWriteIsAnnouncedAndOnlyADownwardCrossingNotifies) {
  const auto product = core::NewId<core::ProductId>();
  const auto order = core::NewId<core::OrderId>();
  struct Case {
    std::optional<std::int64_t> before;
    std::int64_t quantity, reserved;
    bool notifies;
  };
  const Case cases[] = {
      {10, 10, 1, true},            // 10 -> 9
      {12, 12, 2, false},           // 12 -> 10: not below
      {9, 9, 1, false},             // already below
      {5, 20, 0, false},            // upwards
      {std::nullopt, 3, 0, false},  // a new product crossed nothing
      {100, 100, 100, true},        // to zero
  };
  for (const auto& c : cases) {
    testing::FakeMessageOutbox outbox;
    PublishStockWrites(outbox, {Write(product, c.before, c.quantity, c.reserved, order)}, NewOrigin(), kT0);
    const auto label = ::testing::Message()
                       << "before " << c.before.value_or(-1) << " after " << c.quantity - c.reserved;
    ASSERT_EQ(outbox.published.size(), c.notifies ? 2U : 1U) << label;
    const auto& [topic, stock] = outbox.published[0];
    EXPECT_EQ(topic, "saga.inventory.events") << label;
    EXPECT_EQ(stock.type, "StockUpdated") << label;
    EXPECT_EQ(stock.order_id, order) << label;
    EXPECT_EQ(stock.payload["available"], c.quantity - c.reserved) << label;
    if (c.notifies) {
      const auto& [notify_topic, low] = outbox.published[1];
      EXPECT_EQ(notify_topic, "saga.notifications") << label;
      EXPECT_EQ(low.type, "LowStockNotification") << label;
      EXPECT_EQ(low.order_id.Get(), product.Get()) << "keyed by the product";
      EXPECT_EQ(low.payload["sku"], "SKU-1") << label;
      EXPECT_EQ(low.payload["threshold"], 10) << label;
    }
  }
}

TEST(StockMessagesTest, WithoutAnOrderTheProductIsTheKeyAndTheOriginIsCarried) {
  const auto product = core::NewId<core::ProductId>();
  testing::FakeMessageOutbox outbox;
  const auto origin = NewOrigin();
  EXPECT_TRUE(contracts::IsValidTraceparent(origin.traceparent)) << origin.traceparent;
  EXPECT_FALSE(origin.correlation_id.empty());
  EXPECT_NE(NewOrigin().correlation_id, origin.correlation_id);
  PublishStockWrites(outbox, {Write(product, 4, 4, 0), Write(product, 4, 5, 0)}, origin, kT0);
  ASSERT_EQ(outbox.Types(), (std::vector<std::string>{"StockUpdated", "StockUpdated"}));
  const auto& e = outbox.published[0].second;
  EXPECT_EQ(e.order_id.Get(), product.Get());
  EXPECT_EQ(e.correlation_id, origin.correlation_id);
  EXPECT_EQ(e.traceparent, origin.traceparent);
  EXPECT_EQ(e.producer, "inventory-service");
  EXPECT_EQ(e.occurred_at, kT0);
  EXPECT_FALSE(e.causation_id.has_value());
}

TEST(StockMessagesTest, RepliesAreCausedByTheirCommand) {
  const auto order = core::NewId<core::OrderId>();
  const auto saga = core::NewId<core::SagaId>();
  const auto command =
      contracts::MakeEnvelope("CommitInventory", {{"orderId", order.Get().ToString()}},
                              {"corr-9", std::nullopt, saga, order, "order-service",
                               "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", kT0})
          .Value();
  const auto origin = OriginOf(command);
  EXPECT_EQ(origin.causation_id, command.message_id);
  EXPECT_EQ(origin.correlation_id, "corr-9");
  EXPECT_EQ(origin.saga_id, saga);
  EXPECT_EQ(origin.traceparent, command.traceparent);
  EXPECT_THROW((void)BuildMessage("StockUpdated", {{"productId", "not-a-uuid"}}, origin, order, kT0),
               std::logic_error)
      << "a payload off its schema is a programmer error";
}

}  // namespace
}  // namespace saga::inventory
