#include "services/order/app/order_app.hpp"

#include <gtest/gtest.h>

#include "saga/core/errors.hpp"
#include "saga/testing/manual_clock.hpp"
#include "services/order/tests/builders.hpp"
#include "services/order/tests/fakes.hpp"

namespace saga::order {
namespace {

using testing::kEur;
const Requester kStaff = Requester::Staff();

class OrderAppTest : public ::testing::Test {
 protected:
  core::ProductId Product(std::int64_t price_minor, const char* currency = "EUR") {
    auto id = core::NewId<core::ProductId>();
    catalogue_.prices.emplace(id, core::Money(price_minor, *core::Currency::Parse(currency)));
    return id;
  }
  PlaceOrderCommand Command(std::vector<OrderLine> lines) {
    return PlaceOrderCommand{core::NewId<core::OrderId>(),
                             core::NewId<core::CustomerId>(),
                             std::move(lines),
                             "tok_sim_approve",
                             "test",
                             ""};
  }

  testing::FakeOrderRepository orders_;
  testing::FakeCatalogue catalogue_;
  saga::testing::ManualClock clock_;
  testing::FakeSagaStore sagas_{orders_};
  testing::RecordingSagaMetrics metrics_;
  testing::FakeTokenSealer sealer_;
  SagaOrchestrator orchestrator_{clock_, SagaSettings{}, metrics_, sealer_};
  OrderApp app_{orders_, catalogue_, clock_, orchestrator_, sagas_, sagas_};
};

TEST_F(OrderAppTest, PricesComeFromTheCatalogue) {
  const auto mug = Product(1250);
  const auto tee = Product(1999);
  auto placed = app_.PlaceOrder(Command({{mug, 2}, {tee, 1}}), kStaff);
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed.Value().TotalAmount(), core::Money(4499, kEur));
  EXPECT_EQ(placed.Value().Status(), OrderStatus::kCreated);
  EXPECT_EQ(placed.Value().Version(), 1);
  EXPECT_EQ(placed.Value().CreatedAt(), clock_.Now());
}

TEST_F(OrderAppTest, UnknownProductsAndMixedCurrenciesAreRefused) {
  const auto unknown = core::NewId<core::ProductId>();
  auto refused = app_.PlaceOrder(Command({{Product(100), 1}, {unknown, 1}}), kStaff);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Error().kind, OrderAppError::Kind::kUnknownProduct);
  EXPECT_EQ(refused.Error().product_id, unknown);
  auto mixed = app_.PlaceOrder(Command({{Product(100, "EUR"), 1}, {Product(100, "USD"), 1}}), kStaff);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.Error().kind, OrderAppError::Kind::kMixedCurrencies);
  auto overflow =
      app_.PlaceOrder(Command({{Product(std::numeric_limits<std::int64_t>::max() / 2), 3}}), kStaff);
  ASSERT_FALSE(overflow);
  EXPECT_EQ(overflow.Error().rule, OrderError::kAmountOverflow);
  EXPECT_EQ(orders_.writes, 0);
}

TEST_F(OrderAppTest, PlacingTheSameIdTwiceReturnsTheFirstOrder) {
  auto command = Command({{Product(100), 1}});
  auto first = app_.PlaceOrder(command, kStaff);
  catalogue_.prices.clear();  // a retry must not need the catalogue again
  auto second = app_.PlaceOrder(command, kStaff);
  ASSERT_TRUE(second);
  EXPECT_EQ(second.Value().Id(), first.Value().Id());
  EXPECT_EQ(orders_.writes, 1);
}

TEST_F(OrderAppTest, ANewIdIsNotLookedUpAndAnOrderUnderItAllTheSameIsStillTheAnswer) {
  auto command = Command({{Product(100), 1}});
  command.new_id = true;
  auto first = app_.PlaceOrder(command, kStaff);
  ASSERT_TRUE(first);
  EXPECT_EQ(orders_.gets, 0) << "nothing can exist under a new id: no read before the insert";
  auto again = app_.PlaceOrder(command, kStaff);  // cannot happen with a really new id
  ASSERT_TRUE(again);
  EXPECT_EQ(again.Value().Id(), first.Value().Id());
  EXPECT_EQ(again.Value().Version(), first.Value().Version());
  EXPECT_EQ(orders_.writes, 1) << "the insert's conflict answered with the order placed first";
}

TEST_F(OrderAppTest, CatalogueOutagePropagatesAsRetryableInfraError) {
  catalogue_.unavailable = true;
  try {
    (void)app_.PlaceOrder(Command({{Product(100), 1}}), kStaff);
    FAIL();
  } catch (const core::InfraError& e) {
    EXPECT_TRUE(e.IsRetryable());
  }
}

TEST_F(OrderAppTest, PlacingStartsTheSagaInTheSameUnitOfWork) {
  const auto id = app_.PlaceOrder(Command({{Product(100), 1}}), kStaff).Value().Id();
  auto saga = sagas_.GetSaga(id);
  ASSERT_TRUE(saga);
  EXPECT_EQ(saga->State(), SagaState::kReservingInventory);
  EXPECT_EQ(sagas_.PublishedTypes(), (std::vector<std::string>{"OrderCreated", "ReserveInventory"}));
  EXPECT_EQ(sagas_.published[1].first, "saga.inventory.commands");
  EXPECT_EQ(sagas_.published[1].second.order_id, id);
  EXPECT_EQ(sagas_.published[1].second.saga_id, saga->Id());
}

TEST_F(OrderAppTest, OnlyTheSealedPaymentTokenIsKept) {
  const auto id = app_.PlaceOrder(Command({{Product(100), 1}}), kStaff).Value().Id();
  const auto saga = sagas_.GetSaga(id);
  ASSERT_TRUE(saga);
  EXPECT_EQ(saga->PaymentToken(), "sealed(" + saga->Id().Get().ToString() + ":tok_sim_approve)")
      << "sealed for this saga before it is stored";
}

TEST_F(OrderAppTest, CancelStartsCompensationAndChecksTheVersion) {
  const auto id = app_.PlaceOrder(Command({{Product(100), 1}}), kStaff).Value().Id();
  auto stale = app_.CancelOrder(id, 5, kStaff);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.Error().kind, OrderAppError::Kind::kVersionMismatch);
  EXPECT_EQ(stale.Error().current_version, 1);
  auto cancelled = app_.CancelOrder(id, 1, kStaff);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled.Value().Status(), OrderStatus::kCreated) << "Cancelled once the stock is released";
  EXPECT_EQ(sagas_.GetSaga(id)->State(), SagaState::kReleasingInventory);
  EXPECT_EQ(sagas_.PublishedTypes().back(), "ReleaseInventory");
  auto again = app_.CancelOrder(id, std::nullopt, kStaff);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.Error().kind, OrderAppError::Kind::kCompensating);
  EXPECT_EQ(app_.CancelOrder(core::NewId<core::OrderId>(), std::nullopt, kStaff).Error().kind,
            OrderAppError::Kind::kNotFound);
}

// Ownership: a customer places, sees, lists and cancels only its own orders; another
// customer's order looks exactly like a missing one.
TEST_F(OrderAppTest, ACustomerOnlyReachesItsOwnOrders) {
  auto mine = Command({{Product(100), 1}});
  const auto me = Requester::Customer(mine.customer_id);
  const auto other = Requester::Customer(core::NewId<core::CustomerId>());
  auto for_someone_else = Command({{Product(100), 1}});
  auto refused = app_.PlaceOrder(for_someone_else, me);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.Error().kind, OrderAppError::Kind::kNotOwnCustomer);
  EXPECT_FALSE(orders_.Get(for_someone_else.order_id)) << "nothing stored";

  const auto id = app_.PlaceOrder(mine, me).Value().Id();
  EXPECT_TRUE(app_.GetOrder(id, me));
  EXPECT_TRUE(app_.GetOrder(id, kStaff));
  EXPECT_FALSE(app_.GetOrder(id, other));

  (void)app_.PlaceOrder(Command({{Product(100), 1}}), kStaff);  // someone else's
  EXPECT_EQ(app_.ListOrders({}, {}, kStaff).total, 2);
  const auto own = app_.ListOrders({}, {}, me);
  ASSERT_EQ(own.total, 1);
  EXPECT_EQ(own.items[0].Id(), id);
  OrderFilter theirs;
  theirs.customer_id = core::NewId<core::CustomerId>();
  EXPECT_EQ(app_.ListOrders(theirs, {}, me).total, 0) << "a customer cannot widen the filter";
  EXPECT_EQ(app_.ListOrders({}, {}, other).total, 0);

  auto not_yours = app_.CancelOrder(id, std::nullopt, other);
  ASSERT_FALSE(not_yours);
  EXPECT_EQ(not_yours.Error().kind, OrderAppError::Kind::kNotFound);
  EXPECT_EQ(sagas_.GetSaga(id)->State(), SagaState::kReservingInventory) << "no compensation started";
  EXPECT_TRUE(app_.CancelOrder(id, std::nullopt, me));
}

}  // namespace
}  // namespace saga::order
