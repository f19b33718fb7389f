#include "saga/core/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace saga::core {
namespace {

class FakeClock final : public Clock {
 public:
  [[nodiscard]] Timestamp Now() const override { return now; }
  Timestamp now = FromUnixMicros(1'000'000);
};

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndProbesHalfOpen) {
  FakeClock clock;
  CircuitBreaker breaker("kafka", {3, std::chrono::milliseconds(500)}, clock);
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
  breaker.RecordFailure();
  breaker.RecordFailure();
  breaker.RecordSuccess();  // resets the count
  breaker.RecordFailure();
  breaker.RecordFailure();
  EXPECT_TRUE(breaker.Allow());
  breaker.RecordFailure();
  EXPECT_EQ(breaker.State(), BreakerState::kOpen);
  EXPECT_EQ(breaker.Trips(), 1U);
  EXPECT_FALSE(breaker.Allow()) << "open: calls refused";

  clock.now += std::chrono::milliseconds(499);
  EXPECT_FALSE(breaker.Allow());
  clock.now += std::chrono::milliseconds(1);
  EXPECT_TRUE(breaker.Allow()) << "one probe after open_for";
  EXPECT_EQ(breaker.State(), BreakerState::kHalfOpen);
  EXPECT_FALSE(breaker.Allow()) << "only one probe at a time";

  breaker.RecordFailure();
  EXPECT_EQ(breaker.State(), BreakerState::kOpen) << "a failed probe opens it again";
  EXPECT_EQ(breaker.Trips(), 2U);
  clock.now += std::chrono::milliseconds(500);
  EXPECT_TRUE(breaker.Allow());
  breaker.RecordSuccess();
  EXPECT_EQ(breaker.State(), BreakerState::kClosed);
  EXPECT_TRUE(breaker.Allow());
  EXPECT_TRUE(breaker.Allow());
}

TEST(CircuitBreakerTest, NamesStates) {
  EXPECT_EQ(ToString(BreakerState::kClosed), "closed");
  EXPECT_EQ(ToString(BreakerState::kOpen), "open");
  EXPECT_EQ(ToString(BreakerState::kHalfOpen), "half-open");
}

}  // namespace
}  // namespace saga::core
