// The OrderCreationSaga state machine, path by path (no I/O).
#include "services/order/domain/order_saga.hpp"

#include <gtest/gtest.h>

namespace saga::order {
namespace {

using std::chrono::milliseconds;
using I = SagaInput;
using S = SagaState;
using C = SagaCommand;

const core::Timestamp kT0 = core::FromUnixMicros(1'790'000'000'000'000);

class OrderSagaTest : public ::testing::Test {
 protected:
  SagaPolicy policy_;
  core::Timestamp now_ = kT0;
  SagaInstance saga_ = SagaInstance::Start(core::NewId<core::SagaId>(), core::NewId<core::OrderId>(),
                                           "tok_sim_approve", "corr", "", kT0, policy_);

  SagaDecision On(SagaInput input, const std::string& reason = "") {
    return saga_.Handle(input, reason, now_, policy_);
  }
  SagaDecision Timeout() {
    now_ = *saga_.Deadline();
    return On(I::kDeadlinePassed);
  }
};

TEST_F(OrderSagaTest, HappyPath) {
  EXPECT_EQ(saga_.State(), S::kReservingInventory);
  EXPECT_EQ(saga_.Deadline(),
            kT0 + std::chrono::duration_cast<std::chrono::microseconds>(policy_.reserve_timeout));
  auto reserved = On(I::kInventoryReserved);
  EXPECT_EQ(reserved.commands, std::vector<C>{C::kProcessPayment});
  EXPECT_EQ(reserved.order_status, OrderStatus::kPaymentProcessing);
  auto paid = On(I::kPaymentCompleted);
  EXPECT_EQ(paid.commands, std::vector<C>{C::kCommitInventory});
  EXPECT_EQ(saga_.State(), S::kCommittingInventory);
  auto committed = On(I::kInventoryCommitted);
  EXPECT_EQ(committed.order_status, OrderStatus::kCompleted);
  EXPECT_EQ(saga_.State(), S::kCompleted);
  EXPECT_FALSE(saga_.Deadline().has_value());
  EXPECT_FALSE(On(I::kInventoryCommitted).applied) << "a duplicate reply changes nothing";
}

TEST_F(OrderSagaTest, OutOfStockFailsWithoutPayment) {
  auto failed = On(I::kInventoryReservationFailed, "InsufficientStock");
  EXPECT_TRUE(failed.commands.empty());
  EXPECT_EQ(failed.order_status, OrderStatus::kFailed);
  EXPECT_EQ(saga_.State(), S::kFailed);
  EXPECT_EQ(saga_.Outcome(), "InsufficientStock");
}

TEST_F(OrderSagaTest, DeclinedPaymentReleasesTheStockThenFails) {
  (void)On(I::kInventoryReserved);
  auto declined = On(I::kPaymentFailed, "Declined");
  EXPECT_EQ(declined.commands, std::vector<C>{C::kReleaseInventory});
  EXPECT_EQ(saga_.State(), S::kReleasingInventory);
  EXPECT_FALSE(declined.order_status.has_value());
  auto released = On(I::kInventoryReleased);
  EXPECT_EQ(released.order_status, OrderStatus::kFailed);
  EXPECT_EQ(saga_.State(), S::kFailed);
  EXPECT_EQ(saga_.Outcome(), "Declined");
}

TEST_F(OrderSagaTest, StepTimeoutsRetryThenCompensate) {
  for (int i = 1; i < policy_.max_step_attempts; ++i) {
    auto retry = Timeout();
    EXPECT_EQ(retry.commands, std::vector<C>{C::kReserveInventory}) << "retry " << i;
    EXPECT_EQ(saga_.State(), S::kReservingInventory);
    EXPECT_EQ(saga_.StepAttempts(), i);
  }
  auto give_up = Timeout();
  EXPECT_EQ(give_up.commands, std::vector<C>{C::kReleaseInventory}) << "a late reservation is released";
  EXPECT_EQ(saga_.Target(), S::kFailed);
  EXPECT_EQ(saga_.Outcome(), "InventoryTimeout");
  EXPECT_FALSE(On(I::kInventoryReserved).applied) << "the release follows the reservation on its partition";
  (void)On(I::kInventoryReleased);
  EXPECT_EQ(saga_.State(), S::kFailed);
}

TEST_F(OrderSagaTest, PaymentTimeoutRefundsBeforeReleasing) {
  (void)On(I::kInventoryReserved);
  for (int i = 1; i < policy_.max_step_attempts; ++i)
    EXPECT_EQ(Timeout().commands, std::vector<C>{C::kProcessPayment});
  EXPECT_EQ(Timeout().commands, std::vector<C>{C::kRefundPayment});
  EXPECT_EQ(saga_.State(), S::kRefundingPayment);
  EXPECT_FALSE(On(I::kPaymentCompleted).applied) << "the refund covers a charge that lands now";
  EXPECT_EQ(On(I::kRefundCompleted).commands, std::vector<C>{C::kReleaseInventory});
  EXPECT_EQ(On(I::kInventoryReleased).order_status, OrderStatus::kFailed);
}

TEST_F(OrderSagaTest, CancelAtEveryStage) {
  // Before the reservation answered.
  auto early = saga_.Cancel("customer", now_, policy_);
  ASSERT_TRUE(early);
  EXPECT_EQ(early.Value().commands, std::vector<C>{C::kReleaseInventory});
  EXPECT_EQ(On(I::kInventoryReleased).order_status, OrderStatus::kCancelled);
  EXPECT_EQ(saga_.State(), S::kCancelled);
  EXPECT_EQ(saga_.Cancel("again", now_, policy_).Error(), SagaError::kAlreadyEnded);

  for (const auto stage : {S::kProcessingPayment, S::kCommittingInventory, S::kCompleted}) {
    SagaInstance saga =
        SagaInstance::Start(core::NewId<core::SagaId>(), core::NewId<core::OrderId>(), "t", "corr", "", kT0, policy_);
    (void)saga.Handle(I::kInventoryReserved, "", kT0, policy_);
    if (stage != S::kProcessingPayment) (void)saga.Handle(I::kPaymentCompleted, "", kT0, policy_);
    if (stage == S::kCompleted) (void)saga.Handle(I::kInventoryCommitted, "", kT0, policy_);
    ASSERT_EQ(saga.State(), stage);
    auto cancel = saga.Cancel("customer", kT0, policy_);
    ASSERT_TRUE(cancel) << ToString(stage);
    EXPECT_EQ(cancel.Value().commands, std::vector<C>{C::kRefundPayment}) << ToString(stage);
    EXPECT_EQ(saga.Cancel("twice", kT0, policy_).Error(), SagaError::kCompensating);
    // Replies of the step that was in flight are ignored; the refund and release finish it.
    EXPECT_FALSE(saga.Handle(I::kPaymentCompleted, "", kT0, policy_).applied);
    EXPECT_FALSE(saga.Handle(I::kInventoryCommitted, "", kT0, policy_).applied);
    EXPECT_EQ(saga.Handle(I::kRefundCompleted, "", kT0, policy_).commands,
              std::vector<C>{C::kReleaseInventory});
    EXPECT_EQ(saga.Handle(I::kInventoryReleased, "", kT0, policy_).order_status, OrderStatus::kCancelled);
    EXPECT_EQ(saga.State(), S::kCancelled);
  }
}

TEST_F(OrderSagaTest, CompensationRetriesWithBackoffThenStopsForAnOperator) {
  (void)On(I::kInventoryReserved);
  (void)On(I::kPaymentFailed, "Declined");
  std::vector<std::chrono::microseconds> waits;
  while (saga_.State() == S::kReleasingInventory) {
    const auto before = now_;
    auto decision = Timeout();
    waits.push_back(now_ - before);
    if (saga_.State() == S::kReleasingInventory) {
      EXPECT_EQ(decision.commands, std::vector<C>{C::kReleaseInventory});
    }
  }
  EXPECT_EQ(saga_.State(), S::kCompensationFailed);
  EXPECT_FALSE(saga_.Deadline().has_value()) << "no hot loop: nothing fires any more";
  EXPECT_EQ(static_cast<int>(waits.size()), policy_.max_compensation_attempts);
  for (std::size_t i = 1; i < waits.size(); ++i) EXPECT_GT(waits[i], waits[i - 1]) << "backoff grows";
  // A late answer still finishes the compensation.
  EXPECT_EQ(On(I::kInventoryReleased).order_status, OrderStatus::kFailed);
  EXPECT_EQ(saga_.State(), S::kFailed);
}

TEST_F(OrderSagaTest, LateRepliesAfterTheEndAreCompensatedAgain) {
  (void)On(I::kInventoryReservationFailed, "InsufficientStock");
  EXPECT_EQ(On(I::kInventoryReserved).commands, std::vector<C>{C::kReleaseInventory});
  EXPECT_EQ(On(I::kPaymentCompleted).commands, std::vector<C>{C::kRefundPayment});
  EXPECT_EQ(saga_.State(), S::kFailed);
  EXPECT_FALSE(On(I::kInventoryReleased).applied);
}

TEST_F(OrderSagaTest, CommitThatFindsTheHoldExpiredRefunds) {
  (void)On(I::kInventoryReserved);
  (void)On(I::kPaymentCompleted);
  auto expired = On(I::kInventoryReservationFailed, "ReservationExpired");
  EXPECT_EQ(expired.commands, std::vector<C>{C::kRefundPayment});
  EXPECT_EQ(saga_.Outcome(), "ReservationExpired");
}

TEST_F(OrderSagaTest, OperatorRetrySendsTheRunningStepAgainWithItsAttemptsReset) {
  (void)Timeout();  // ReserveInventory retried once by the deadline
  ASSERT_EQ(saga_.StepAttempts(), 1);
  now_ += std::chrono::seconds(1);
  auto retried = saga_.OperatorRetry(now_, policy_);
  ASSERT_TRUE(retried.HasValue());
  EXPECT_EQ(retried.Value().commands, std::vector<C>{C::kReserveInventory});
  EXPECT_EQ(saga_.State(), S::kReservingInventory);
  EXPECT_EQ(saga_.StepAttempts(), 0);
  EXPECT_EQ(saga_.Deadline(), now_ + std::chrono::duration_cast<std::chrono::microseconds>(policy_.reserve_timeout));
  (void)On(I::kInventoryReserved);
  EXPECT_EQ(saga_.OperatorRetry(now_, policy_).Value().commands, std::vector<C>{C::kProcessPayment});
  (void)On(I::kPaymentFailed, "Declined");
  EXPECT_EQ(saga_.OperatorRetry(now_, policy_).Value().commands, std::vector<C>{C::kReleaseInventory});
  EXPECT_EQ(saga_.State(), S::kReleasingInventory);
  (void)On(I::kInventoryReleased);
  ASSERT_EQ(saga_.State(), S::kFailed);
  ASSERT_FALSE(saga_.OperatorRetry(now_, policy_).HasValue());
  EXPECT_EQ(saga_.OperatorRetry(now_, policy_).Error(), SagaError::kAtRest);
}

TEST_F(OrderSagaTest, OperatorRetryRestartsAFailedCompensationFromTheRefund) {
  (void)On(I::kInventoryReserved);
  (void)On(I::kPaymentFailed, "Declined");
  while (saga_.State() == S::kReleasingInventory) (void)Timeout();
  ASSERT_EQ(saga_.State(), S::kCompensationFailed);
  auto restarted = saga_.OperatorRetry(now_, policy_);
  ASSERT_TRUE(restarted.HasValue());
  EXPECT_EQ(restarted.Value().commands, std::vector<C>{C::kRefundPayment}) << "repeatable: a no-op when not charged";
  EXPECT_EQ(saga_.State(), S::kRefundingPayment);
  EXPECT_EQ(saga_.CompensationAttempts(), 0);
  EXPECT_TRUE(saga_.Deadline().has_value());
  EXPECT_EQ(saga_.Outcome(), "Declined") << "the original reason stays";
  (void)On(I::kRefundCompleted);
  EXPECT_EQ(On(I::kInventoryReleased).order_status, OrderStatus::kFailed);
}

TEST_F(OrderSagaTest, ForceCompensateUndoesAForwardStepTowardsFailed) {
  (void)On(I::kInventoryReserved);
  auto forced = saga_.ForceCompensate("stuck at the gateway", now_, policy_);
  ASSERT_TRUE(forced.HasValue());
  EXPECT_EQ(forced.Value().commands, std::vector<C>{C::kRefundPayment}) << "the charge may have happened";
  EXPECT_NE(forced.Value().detail.find("stuck at the gateway"), std::string::npos);
  EXPECT_EQ(saga_.Outcome(), "CompensatedByOperator");
  EXPECT_EQ(saga_.Target(), S::kFailed);
  EXPECT_EQ(saga_.ForceCompensate("", now_, policy_).Error(), SagaError::kCompensating);
  (void)On(I::kRefundCompleted);
  EXPECT_EQ(On(I::kInventoryReleased).order_status, OrderStatus::kFailed);
  EXPECT_EQ(saga_.ForceCompensate("", now_, policy_).Error(), SagaError::kAtRest);

  auto reserving = SagaInstance::Start(core::NewId<core::SagaId>(), core::NewId<core::OrderId>(), "tok", "c", "",
                                       kT0, policy_);
  EXPECT_EQ(reserving.ForceCompensate("", kT0, policy_).Value().commands, std::vector<C>{C::kReleaseInventory})
      << "nothing charged yet: only the stock";
}

TEST_F(OrderSagaTest, ForceCompensateRefusesACompletedOrder) {
  (void)On(I::kInventoryReserved);
  (void)On(I::kPaymentCompleted);
  (void)On(I::kInventoryCommitted);
  ASSERT_EQ(saga_.State(), S::kCompleted);
  EXPECT_EQ(saga_.ForceCompensate("", now_, policy_).Error(), SagaError::kAtRest);
  EXPECT_EQ(saga_.OperatorRetry(now_, policy_).Error(), SagaError::kAtRest);
}

TEST(SagaStateTest, NamesRoundTrip) {
  for (const auto state :
       {S::kReservingInventory, S::kProcessingPayment, S::kCommittingInventory, S::kCompleted,
        S::kRefundingPayment, S::kReleasingInventory, S::kFailed, S::kCancelled, S::kCompensationFailed}) {
    EXPECT_EQ(ParseSagaState(ToString(state)), state);
  }
  EXPECT_FALSE(ParseSagaState("Done"));
}

}  // namespace
}  // namespace saga::order
