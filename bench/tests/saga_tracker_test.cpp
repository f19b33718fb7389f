#include "bench/saga_tracker.hpp"

#include <gtest/gtest.h>

namespace saga::bench {
namespace {

using Clock = SagaTracker::Clock;
using std::chrono::milliseconds;

const Clock::time_point kT0{};

TEST(SagaTrackerTest, AnOrderEndsAtItsFirstTerminalEvent) {
  SagaTracker tracker;
  EXPECT_FALSE(tracker.Accepted("a", kT0, false, 1));
  EXPECT_EQ(tracker.Pending(), 1U);
  const auto done = tracker.Terminal("a", Outcome::kCompleted, kT0 + milliseconds(8));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->order_id, "a");
  EXPECT_EQ(done->ended - done->intended, milliseconds(8));
  EXPECT_EQ(done->outcome, Outcome::kCompleted);
  EXPECT_EQ(done->tag, 1);
  EXPECT_EQ(tracker.Pending(), 0U);
}

TEST(SagaTrackerTest, AnEventBeforeTheHttpAnswerIsKeptAndMatched) {
  SagaTracker tracker;
  EXPECT_FALSE(tracker.Terminal("a", Outcome::kFailed, kT0 + milliseconds(3)));
  EXPECT_EQ(tracker.Pending(), 0U);  // not accepted yet: not pending
  const auto done = tracker.Accepted("a", kT0, false, 3);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome, Outcome::kFailed);
  EXPECT_EQ(done->ended, kT0 + milliseconds(3));
}

TEST(SagaTrackerTest, AnAcceptedCancellationEndsAtCancelledNotAtARacingCompletion) {
  SagaTracker tracker;
  EXPECT_FALSE(tracker.Accepted("a", kT0, true, 1));
  EXPECT_FALSE(tracker.Terminal("a", Outcome::kCompleted, kT0 + milliseconds(5)));  // answer pending
  EXPECT_FALSE(tracker.CancelAnswered("a", true));
  const auto done = tracker.Terminal("a", Outcome::kCancelled, kT0 + milliseconds(20));
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome, Outcome::kCancelled);
  EXPECT_EQ(done->ended, kT0 + milliseconds(20));
  EXPECT_EQ(tracker.Duplicates(), 0U);
}

TEST(SagaTrackerTest, ARefusedCancellationEndsAtTheFirstTerminalEvent) {
  SagaTracker tracker;
  EXPECT_FALSE(tracker.Accepted("a", kT0, true, 1));
  EXPECT_FALSE(tracker.Terminal("a", Outcome::kFailed, kT0 + milliseconds(4)));
  const auto done = tracker.CancelAnswered("a", false);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->outcome, Outcome::kFailed);
}

TEST(SagaTrackerTest, RepeatedTerminalEventsAreCountedAsDuplicates) {
  SagaTracker tracker;
  (void)tracker.Accepted("a", kT0, false, 1);
  ASSERT_TRUE(tracker.Terminal("a", Outcome::kCompleted, kT0));
  EXPECT_FALSE(tracker.Terminal("a", Outcome::kCompleted, kT0));
  EXPECT_EQ(tracker.Duplicates(), 1U);
}

TEST(SagaTrackerTest, PendingIsCountedPerTag) {
  SagaTracker tracker;
  (void)tracker.Accepted("a", kT0, false, 1);
  (void)tracker.Accepted("b", kT0, false, 2);
  (void)tracker.Accepted("c", kT0, false, 2);
  EXPECT_EQ(tracker.PendingWithTag(1), 1U);
  EXPECT_EQ(tracker.PendingWithTag(2), 2U);
}

TEST(SagaTrackerTest, TerminalOutcomesByEventType) {
  EXPECT_EQ(TerminalOutcome("OrderCompleted"), Outcome::kCompleted);
  EXPECT_EQ(TerminalOutcome("OrderFailed"), Outcome::kFailed);
  EXPECT_EQ(TerminalOutcome("OrderCancelled"), Outcome::kCancelled);
  EXPECT_FALSE(TerminalOutcome("OrderUpdated"));
  EXPECT_FALSE(TerminalOutcome("OrderCreated"));
}

}  // namespace
}  // namespace saga::bench
