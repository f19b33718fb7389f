#include "services/payment/app/payment_app.hpp"

#include <gtest/gtest.h>

#include "saga/testing/manual_clock.hpp"
#include "services/payment/tests/fakes.hpp"

namespace saga::payment {
namespace {

const core::Currency kEur = *core::Currency::Parse("EUR");

class PaymentAppTest : public ::testing::Test {
 protected:
  core::OrderId Order(std::int64_t total, const std::string& status = "Created") {
    auto id = core::NewId<core::OrderId>();
    orders_.orders.emplace(id, OrderSummary{core::Money(total, kEur), status});
    return id;
  }

  testing::FakePaymentRepository payments_;
  testing::FakeOrderDirectory orders_;
  saga::testing::ManualClock clock_;
  PaymentApp app_{payments_, orders_, clock_};
};

TEST_F(PaymentAppTest, ChargesTheOrderTotalAndIsIdempotentById) {
  const auto order = Order(2100);
  const auto id = core::NewId<core::PaymentId>();
  auto created = app_.CreatePayment(id, order);
  ASSERT_TRUE(created);
  EXPECT_EQ(created.Value().Amount(), core::Money(2100, kEur));
  EXPECT_EQ(created.Value().Status(), PaymentStatus::kPending);
  orders_.orders.clear();  // a retry must not need the order service again
  auto again = app_.CreatePayment(id, order);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.Value().Id(), id);
}

TEST_F(PaymentAppTest, RefusesUnknownUnpayableAndAlreadyPaidOrders) {
  EXPECT_EQ(app_.CreatePayment(core::NewId<core::PaymentId>(), core::NewId<core::OrderId>()).Error().kind,
            PaymentAppError::Kind::kUnknownOrder);
  for (const char* status : {"Cancelled", "Failed", "Completed"}) {
    auto refused = app_.CreatePayment(core::NewId<core::PaymentId>(), Order(100, status));
    ASSERT_FALSE(refused) << status;
    EXPECT_EQ(refused.Error().kind, PaymentAppError::Kind::kOrderNotPayable);
    EXPECT_EQ(refused.Error().order_status, status);
  }
  const auto order = Order(100);
  ASSERT_TRUE(app_.CreatePayment(core::NewId<core::PaymentId>(), order));
  EXPECT_EQ(app_.CreatePayment(core::NewId<core::PaymentId>(), order).Error().kind,
            PaymentAppError::Kind::kAlreadyPaid);
}

TEST_F(PaymentAppTest, ActionsFollowTheStatusTable) {
  const auto id = app_.CreatePayment(core::NewId<core::PaymentId>(), Order(100)).Value().Id();
  auto refund_pending = app_.Apply(id, {PaymentAction::Kind::kRefund, "", ""}, std::nullopt);
  ASSERT_FALSE(refund_pending);
  EXPECT_EQ(refund_pending.Error().rule, PaymentError::kIllegalTransition);
  EXPECT_EQ(refund_pending.Error().current_status, PaymentStatus::kPending);
  ASSERT_TRUE(app_.Apply(id, {PaymentAction::Kind::kProcess, "", ""}, 1));
  EXPECT_EQ(app_.Apply(id, {PaymentAction::Kind::kComplete, "tx", ""}, 1).Error().kind,
            PaymentAppError::Kind::kVersionMismatch);
  auto completed = app_.Apply(id, {PaymentAction::Kind::kComplete, "tx-1", ""}, 2);
  ASSERT_TRUE(completed);
  EXPECT_EQ(completed.Value().TransactionId(), "tx-1");
  ASSERT_TRUE(app_.Apply(id, {PaymentAction::Kind::kRefund, "", ""}, std::nullopt));
  EXPECT_EQ(app_.Apply(core::NewId<core::PaymentId>(), {PaymentAction::Kind::kProcess, "", ""}, std::nullopt)
                .Error()
                .kind,
            PaymentAppError::Kind::kNotFound);
}

TEST_F(PaymentAppTest, ATransactionIdBelongsToOnePayment) {
  for (int i = 0; i < 2; ++i) {
    const auto id = app_.CreatePayment(core::NewId<core::PaymentId>(), Order(100)).Value().Id();
    ASSERT_TRUE(app_.Apply(id, {PaymentAction::Kind::kProcess, "", ""}, std::nullopt));
    auto completed = app_.Apply(id, {PaymentAction::Kind::kComplete, "tx-same", ""}, std::nullopt);
    if (i == 0) {
      EXPECT_TRUE(completed);
    } else {
      ASSERT_FALSE(completed);
      EXPECT_EQ(completed.Error().kind, PaymentAppError::Kind::kTransactionIdTaken);
    }
  }
}

}  // namespace
}  // namespace saga::payment
