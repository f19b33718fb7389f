// Table-driven tests of the payment domain: amount and transaction-id invariants and the whole
// status table.
#include "services/payment/domain/payment.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace saga::payment {
namespace {

const core::Currency kEur = *core::Currency::Parse("EUR");
const core::Timestamp kT0 = core::FromUnixMicros(1'700'000'000'000'000);
const core::Timestamp kT1 = kT0 + std::chrono::seconds(5);

Payment NewPayment() {
  return Payment::Create(core::NewId<core::PaymentId>(), core::NewId<core::OrderId>(),
                         core::Money(1999, kEur), kT0)
      .Value();
}

TEST(PaymentTest, AmountMustBePositive) {
  for (std::int64_t amount : {0, -1}) {
    auto p = Payment::Create(core::NewId<core::PaymentId>(), core::NewId<core::OrderId>(),
                             core::Money(amount, kEur), kT0);
    ASSERT_FALSE(p.HasValue());
    EXPECT_EQ(p.Error(), PaymentError::kInvalidAmount);
  }
  auto p = NewPayment();
  EXPECT_EQ(p.Status(), PaymentStatus::kPending);
  EXPECT_FALSE(p.TransactionId().has_value());
  EXPECT_FALSE(p.ProcessedAt().has_value());
}

TEST(PaymentTest, HappyPathRecordsTransactionAndTimes) {
  auto p = NewPayment();
  ASSERT_TRUE(p.Process(kT0).HasValue());
  ASSERT_TRUE(p.Complete("sim-tx-42", kT1).HasValue());
  EXPECT_EQ(p.Status(), PaymentStatus::kCompleted);
  EXPECT_EQ(p.TransactionId(), "sim-tx-42");
  EXPECT_EQ(p.ProcessedAt(), kT1);
  ASSERT_TRUE(p.Refund(kT1).HasValue());
  EXPECT_EQ(p.Status(), PaymentStatus::kRefunded);
  EXPECT_EQ(p.DomainEvents().size(), 3U);
  EXPECT_EQ(p.Refund(kT1).Error(), PaymentError::kIllegalTransition) << "refund twice";
}

TEST(PaymentTest, CompleteNeedsAValidTransactionId) {
  auto p = NewPayment();
  ASSERT_TRUE(p.Process(kT0).HasValue());
  EXPECT_EQ(p.Complete("", kT1).Error(), PaymentError::kMissingTransactionId);
  EXPECT_EQ(p.Complete("has space", kT1).Error(), PaymentError::kInvalidTransactionId);
  EXPECT_EQ(p.Complete(std::string(129, 'x'), kT1).Error(), PaymentError::kInvalidTransactionId);
  EXPECT_EQ(p.Status(), PaymentStatus::kProcessing);
  EXPECT_FALSE(p.TransactionId().has_value()) << "a refused move leaves nothing behind";
  EXPECT_EQ(p.UpdateStatus(PaymentStatus::kCompleted, kT1).Error(), PaymentError::kMissingTransactionId);
}

TEST(PaymentTest, FailRecordsTheReason) {
  auto p = NewPayment();
  ASSERT_TRUE(p.Process(kT0).HasValue());
  ASSERT_TRUE(p.Fail("declined", kT1).HasValue());
  EXPECT_EQ(p.FailureReason(), "declined");
  EXPECT_EQ(p.ProcessedAt(), kT1);
  EXPECT_EQ(p.Fail("again", kT1).Error(), PaymentError::kIllegalTransition);
  EXPECT_EQ(p.FailureReason(), "declined");
}

TEST(PaymentStatusTest, TransitionTable) {
  using S = PaymentStatus;
  const std::set<std::pair<S, S>> allowed = {{S::kPending, S::kProcessing},
                                             {S::kPending, S::kFailed},
                                             {S::kProcessing, S::kCompleted},
                                             {S::kProcessing, S::kFailed},
                                             {S::kCompleted, S::kRefunded}};
  const std::map<S, std::vector<S>> path = {{S::kPending, {}},
                                            {S::kProcessing, {S::kProcessing}},
                                            {S::kCompleted, {S::kProcessing, S::kCompleted}},
                                            {S::kFailed, {S::kFailed}},
                                            {S::kRefunded, {S::kProcessing, S::kCompleted, S::kRefunded}}};
  for (auto from : kAllPaymentStatuses) {
    EXPECT_EQ(ParsePaymentStatus(ToString(from)), from);
    bool any_exit = false;
    for (auto to : kAllPaymentStatuses) {
      const bool expected = allowed.count({from, to}) != 0;
      any_exit = any_exit || expected;
      EXPECT_EQ(CanTransition(from, to), expected) << ToString(from) << " -> " << ToString(to);
      auto p = NewPayment();
      for (auto step : path.at(from)) {
        auto moved = step == S::kCompleted ? p.Complete("tx-1", kT0) : p.UpdateStatus(step, kT0);
        ASSERT_TRUE(moved.HasValue());
      }
      p.ClearDomainEvents();
      auto result = to == S::kCompleted ? p.Complete("tx-2", kT1) : p.UpdateStatus(to, kT1);
      EXPECT_EQ(result.HasValue(), expected) << ToString(from) << " -> " << ToString(to);
      EXPECT_EQ(p.Status(), expected ? to : from);
      EXPECT_EQ(p.DomainEvents().size(), expected ? 1U : 0U);
    }
    EXPECT_EQ(IsTerminal(from), !any_exit) << ToString(from);
  }
}

TEST(PaymentTest, RestoreRejectsCorruptRows) {
  auto id = core::NewId<core::PaymentId>();
  auto order = core::NewId<core::OrderId>();
  EXPECT_EQ(Payment::Restore(id, order, core::Money(5, kEur), PaymentStatus::kCompleted, std::nullopt, kT1,
                             std::nullopt, kT0, kT1, 2)
                .Error(),
            PaymentError::kMissingTransactionId);
  EXPECT_EQ(Payment::Restore(id, order, core::Money(0, kEur), PaymentStatus::kPending, std::nullopt,
                             std::nullopt, std::nullopt, kT0, kT1, 2)
                .Error(),
            PaymentError::kInvalidAmount);
  auto ok = Payment::Restore(id, order, core::Money(5, kEur), PaymentStatus::kRefunded, "tx", kT1,
                             std::nullopt, kT0, kT1, 4);
  ASSERT_TRUE(ok.HasValue());
  EXPECT_EQ(ok.Value().Version(), 4);
}

}  // namespace
}  // namespace saga::payment
