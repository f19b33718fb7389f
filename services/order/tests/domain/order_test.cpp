// Table-driven tests of the order domain: every invariant, every allowed and forbidden
// transition.
#include "services/order/domain/order.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>

namespace saga::order {
namespace {

using core::Money;

const core::Currency kEur = *core::Currency::Parse("EUR");
const core::Currency kUsd = *core::Currency::Parse("USD");
const core::Timestamp kT0 = core::FromUnixMicros(1'700'000'000'000'000);
const core::Timestamp kT1 = core::FromUnixMicros(1'700'000'100'000'000);

OrderItem Item(std::int32_t qty, std::int64_t price, core::Currency currency = kEur) {
  return OrderItem::Create(core::NewId<core::ProductId>(), qty, Money(price, currency)).Value();
}

Order NewOrder(std::vector<OrderItem> items = {Item(2, 1000), Item(1, 550)}) {
  return Order::Create(core::NewId<core::OrderId>(), core::NewId<core::CustomerId>(), kEur, std::move(items),
                       kT0)
      .Value();
}

TEST(OrderItemTest, ValidatesQuantityAndPriceAndComputesSubtotal) {
  struct Case {
    std::int32_t qty;
    std::int64_t price;
    std::optional<OrderError> error;
  };
  for (const auto& c :
       {Case{1, 1, {}}, Case{kMaxQuantityPerItem, 100, {}}, Case{0, 100, OrderError::kInvalidQuantity},
        Case{-1, 100, OrderError::kInvalidQuantity},
        Case{kMaxQuantityPerItem + 1, 100, OrderError::kInvalidQuantity},
        Case{1, 0, OrderError::kInvalidPrice}, Case{1, -5, OrderError::kInvalidPrice},
        Case{2, std::numeric_limits<std::int64_t>::max() / 2 + 1, OrderError::kAmountOverflow}}) {
    auto item = OrderItem::Create(core::NewId<core::ProductId>(), c.qty, Money(c.price, kEur));
    if (c.error) {
      ASSERT_FALSE(item.HasValue()) << c.qty << " x " << c.price;
      EXPECT_EQ(item.Error(), *c.error);
    } else {
      ASSERT_TRUE(item.HasValue()) << c.qty << " x " << c.price;
      EXPECT_EQ(item.Value().Subtotal(), Money(c.price * c.qty, kEur));
    }
  }
}

TEST(OrderTest, CreateComputesTotalAndRecordsEvent) {
  auto order = NewOrder();
  EXPECT_EQ(order.Status(), OrderStatus::kCreated);
  EXPECT_EQ(order.TotalAmount(), Money(2550, kEur));
  EXPECT_EQ(order.CalculateTotal(), order.TotalAmount());
  EXPECT_EQ(order.Version(), 0);
  ASSERT_EQ(order.DomainEvents().size(), 1U);
  EXPECT_TRUE(std::holds_alternative<OrderCreated>(order.DomainEvents()[0]));
}

TEST(OrderTest, CreateRefusesBrokenInvariants) {
  const auto product = core::NewId<core::ProductId>();
  const auto same_a = OrderItem::Create(product, 1, Money(100, kEur)).Value();
  const auto same_b = OrderItem::Create(product, 2, Money(100, kEur)).Value();
  std::vector<OrderItem> too_many;
  for (std::size_t i = 0; i <= kMaxItemsPerOrder; ++i) too_many.push_back(Item(1, 1));
  const auto huge = std::numeric_limits<std::int64_t>::max() / 2;
  struct Case {
    std::vector<OrderItem> items;
    OrderError error;
  };
  for (const auto& c :
       {Case{{}, OrderError::kNoItems}, Case{{Item(1, 100, kUsd)}, OrderError::kCurrencyMismatch},
        Case{{same_a, same_b}, OrderError::kDuplicateProduct}, Case{too_many, OrderError::kTooManyItems},
        Case{{Item(1, huge), Item(1, huge), Item(1, huge)}, OrderError::kAmountOverflow}}) {
    auto order =
        Order::Create(core::NewId<core::OrderId>(), core::NewId<core::CustomerId>(), kEur, c.items, kT0);
    ASSERT_FALSE(order.HasValue());
    EXPECT_EQ(order.Error(), c.error) << ToString(c.error);
  }
}

TEST(OrderTest, AddAndRemoveItemsKeepTheTotalEqualToTheSum) {
  auto order = NewOrder({Item(1, 100)});
  auto extra = Item(3, 200);
  EXPECT_FALSE(order.ItemsChanged()) << "a new order's items are stored with it";
  EXPECT_EQ(order.AddItem(Item(1, 5, kUsd), kT1).Error(), OrderError::kCurrencyMismatch);
  EXPECT_FALSE(order.ItemsChanged()) << "a refused change is no change";
  ASSERT_TRUE(order.AddItem(extra, kT1).HasValue());
  EXPECT_TRUE(order.ItemsChanged()) << "the repository rewrites the items";
  EXPECT_EQ(order.TotalAmount(), Money(700, kEur));
  EXPECT_EQ(order.UpdatedAt(), kT1);
  EXPECT_EQ(order.AddItem(extra, kT1).Error(), OrderError::kDuplicateProduct);
  EXPECT_EQ(order.AddItem(Item(1, 5, kUsd), kT1).Error(), OrderError::kCurrencyMismatch);
  EXPECT_EQ(order.TotalAmount(), Money(700, kEur)) << "a refused change leaves the order untouched";

  ASSERT_TRUE(order.RemoveItem(extra.ProductId(), kT1).HasValue());
  EXPECT_EQ(order.TotalAmount(), Money(100, kEur));
  EXPECT_EQ(order.RemoveItem(extra.ProductId(), kT1).Error(), OrderError::kItemNotFound);
  EXPECT_EQ(order.RemoveItem(order.Items()[0].ProductId(), kT1).Error(), OrderError::kNoItems);
  EXPECT_EQ(order.Items().size(), 1U);
  EXPECT_EQ(order.CalculateTotal(), order.TotalAmount());
  order.MarkPersisted(2);
  EXPECT_FALSE(order.ItemsChanged()) << "stored";
  ASSERT_TRUE(order.UpdateStatus(OrderStatus::kInventoryReserved, kT1).HasValue());
  EXPECT_FALSE(order.ItemsChanged()) << "a status change leaves the items alone";
}

TEST(OrderTest, ItemsAreFrozenOnceTheSagaMovesOn) {
  auto order = NewOrder();
  ASSERT_TRUE(order.UpdateStatus(OrderStatus::kInventoryReserved, kT1).HasValue());
  EXPECT_EQ(order.AddItem(Item(1, 1), kT1).Error(), OrderError::kNotModifiable);
  EXPECT_EQ(order.RemoveItem(order.Items()[0].ProductId(), kT1).Error(), OrderError::kNotModifiable);
}

// The whole 6x6 table: each pair is either allowed or refused, and refusal changes nothing.
TEST(OrderStatusTest, TransitionTable) {
  using S = OrderStatus;
  const std::set<std::pair<S, S>> allowed = {
      {S::kCreated, S::kInventoryReserved},   {S::kCreated, S::kFailed},
      {S::kCreated, S::kCancelled},           {S::kInventoryReserved, S::kPaymentProcessing},
      {S::kInventoryReserved, S::kFailed},    {S::kInventoryReserved, S::kCancelled},
      {S::kPaymentProcessing, S::kCompleted}, {S::kPaymentProcessing, S::kFailed},
      {S::kPaymentProcessing, S::kCancelled}, {S::kCompleted, S::kCancelled},
  };
  // A path from Created to each state, to put an order there.
  const std::map<S, std::vector<S>> path = {
      {S::kCreated, {}},
      {S::kInventoryReserved, {S::kInventoryReserved}},
      {S::kPaymentProcessing, {S::kInventoryReserved, S::kPaymentProcessing}},
      {S::kCompleted, {S::kInventoryReserved, S::kPaymentProcessing, S::kCompleted}},
      {S::kFailed, {S::kFailed}},
      {S::kCancelled, {S::kCancelled}},
  };
  for (auto from : kAllOrderStatuses) {
    for (auto to : kAllOrderStatuses) {
      const bool expected = allowed.count({from, to}) != 0;
      EXPECT_EQ(CanTransition(from, to), expected) << ToString(from) << " -> " << ToString(to);
      auto order = NewOrder();
      for (auto step : path.at(from)) ASSERT_TRUE(order.UpdateStatus(step, kT0).HasValue());
      order.ClearDomainEvents();
      auto result = order.UpdateStatus(to, kT1);
      EXPECT_EQ(result.HasValue(), expected) << ToString(from) << " -> " << ToString(to);
      if (expected) {
        EXPECT_EQ(order.Status(), to);
        ASSERT_EQ(order.DomainEvents().size(), 1U);
        const auto& event = std::get<OrderStatusChanged>(order.DomainEvents()[0]);
        EXPECT_EQ(event.from, from);
        EXPECT_EQ(event.to, to);
      } else {
        EXPECT_EQ(result.Error(), OrderError::kIllegalTransition);
        EXPECT_EQ(order.Status(), from);
        EXPECT_TRUE(order.DomainEvents().empty()) << "no event for a refused transition";
      }
    }
  }
}

TEST(OrderStatusTest, TerminalStatesAndNames) {
  for (auto status : kAllOrderStatuses) {
    EXPECT_EQ(ParseOrderStatus(ToString(status)), status);
    bool any_exit = false;
    for (auto to : kAllOrderStatuses) any_exit = any_exit || CanTransition(status, to);
    EXPECT_EQ(IsTerminal(status), !any_exit) << ToString(status);
    // Settled: terminal, or Completed (which only a return leaves); the saga's statuses are live.
    EXPECT_EQ(IsSettled(status), IsTerminal(status) || status == OrderStatus::kCompleted) << ToString(status);
  }
  EXPECT_FALSE(IsSettled(OrderStatus::kCreated));
  EXPECT_FALSE(IsSettled(OrderStatus::kPaymentProcessing));
  EXPECT_FALSE(ParseOrderStatus("created").has_value());
  EXPECT_FALSE(ParseOrderStatus("").has_value());
}

TEST(OrderTest, RestoreRejectsCorruptRows) {
  auto restored = Order::Restore(core::NewId<core::OrderId>(), core::NewId<core::CustomerId>(),
                                 OrderStatus::kCompleted, kEur, {}, kT0, kT1, 3);
  ASSERT_FALSE(restored.HasValue());
  EXPECT_EQ(restored.Error(), OrderError::kNoItems);
  auto ok = Order::Restore(core::NewId<core::OrderId>(), core::NewId<core::CustomerId>(),
                           OrderStatus::kCompleted, kEur, {Item(2, 50)}, kT0, kT1, 3);
  ASSERT_TRUE(ok.HasValue());
  EXPECT_EQ(ok.Value().Version(), 3);
  EXPECT_EQ(ok.Value().TotalAmount(), Money(100, kEur));
  EXPECT_TRUE(ok.Value().DomainEvents().empty());
}

}  // namespace
}  // namespace saga::order
