// SimulatedGateway: every token, deterministic transaction and refund ids, the simulated latency
// (through an injected sleep, so nothing waits), and the refusal of card numbers.
#include "services/payment/infra/simulated_gateway.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "saga/core/errors.hpp"
#include "services/payment/tests/builders.hpp"

namespace saga::payment {
namespace {

using std::chrono::milliseconds;

class SimulatedGatewayTest : public ::testing::Test {
 protected:
  ChargeResult Charge(const std::string& token) {
    return gateway_.Charge(ChargeRequest{payment_id_, core::Money(1999, testing::kEur), token});
  }

  std::vector<milliseconds> slept_;
  SimulatedGateway gateway_{SimulatedGatewayConfig{milliseconds(2000), milliseconds(1500)},
                            [this](milliseconds duration) { slept_.push_back(duration); }};
  core::PaymentId payment_id_ = core::NewId<core::PaymentId>();
};

TEST_F(SimulatedGatewayTest, ApprovesWithADeterministicTransactionId) {
  const auto first = Charge("tok_sim_approve");
  EXPECT_EQ(first.outcome, ChargeOutcome::kApproved);
  EXPECT_EQ(first.transaction_id, "sim_" + payment_id_.Get().ToString());
  const auto again = Charge("tok_sim_approve");
  EXPECT_EQ(again.outcome, ChargeOutcome::kApproved);
  EXPECT_EQ(again.transaction_id, first.transaction_id);
  EXPECT_TRUE(slept_.empty());
}

TEST_F(SimulatedGatewayTest, ApprovalsOfDifferentPaymentsHaveDifferentIds) {
  const auto other = gateway_.Charge(
      ChargeRequest{core::NewId<core::PaymentId>(), core::Money(1, testing::kEur), "tok_sim_approve"});
  EXPECT_NE(other.transaction_id, Charge("tok_sim_approve").transaction_id);
}

TEST_F(SimulatedGatewayTest, RefusalsCarryNoTransactionId) {
  const auto declined = Charge("tok_sim_decline");
  EXPECT_EQ(declined.outcome, ChargeOutcome::kDeclined);
  EXPECT_TRUE(declined.transaction_id.empty());
  const auto poor = Charge("tok_sim_insufficient_funds");
  EXPECT_EQ(poor.outcome, ChargeOutcome::kInsufficientFunds);
  EXPECT_TRUE(poor.transaction_id.empty());
  EXPECT_TRUE(slept_.empty());
}

TEST_F(SimulatedGatewayTest, TimeoutWaitsTheConfiguredTimeoutAndTakesNoMoney) {
  const auto result = Charge("tok_sim_timeout");
  EXPECT_EQ(result.outcome, ChargeOutcome::kTimeout);
  EXPECT_TRUE(result.transaction_id.empty());
  EXPECT_EQ(slept_, std::vector<milliseconds>{milliseconds(2000)});
}

TEST_F(SimulatedGatewayTest, SlowApprovesAfterTheConfiguredDelay) {
  const auto result = Charge("tok_sim_slow");
  EXPECT_EQ(result.outcome, ChargeOutcome::kApproved);
  EXPECT_EQ(result.transaction_id, "sim_" + payment_id_.Get().ToString());
  EXPECT_EQ(slept_, std::vector<milliseconds>{milliseconds(1500)});
}

TEST_F(SimulatedGatewayTest, SlowerThanTheTimeoutIsATimeout) {
  std::vector<milliseconds> slept;
  SimulatedGateway gateway(SimulatedGatewayConfig{milliseconds(100), milliseconds(100)},
                           [&](milliseconds duration) { slept.push_back(duration); });
  const auto result =
      gateway.Charge(ChargeRequest{payment_id_, core::Money(1, testing::kEur), "tok_sim_slow"});
  EXPECT_EQ(result.outcome, ChargeOutcome::kTimeout);
  EXPECT_TRUE(result.transaction_id.empty());
  EXPECT_EQ(slept, std::vector<milliseconds>{milliseconds(100)});
}

TEST_F(SimulatedGatewayTest, UnknownTokensAreInvalid) {
  for (const std::string token : {"", "tok_sim_APPROVE", "tok_sim_approve ", "tok_live_abc", "tok_sim"}) {
    const auto result = Charge(token);
    EXPECT_EQ(result.outcome, ChargeOutcome::kInvalidToken) << token;
    EXPECT_TRUE(result.transaction_id.empty());
  }
  EXPECT_TRUE(slept_.empty());
}

TEST_F(SimulatedGatewayTest, CardNumbersAreRefusedAsInvalidTokens) {
  for (const std::string token : {"4111111111111111", "4111111111111", "tok_sim_approve4111111111111111",
                                  "tok_sim_timeout_5500000000000004", "378282246310005"}) {
    const auto result = Charge(token);
    EXPECT_EQ(result.outcome, ChargeOutcome::kInvalidToken) << token;
    EXPECT_TRUE(result.transaction_id.empty());
  }
  EXPECT_TRUE(slept_.empty());  // refused before any simulated latency
}

TEST(ContainsCardNumberTest, ThirteenConsecutiveDigitsMakeACardNumber) {
  EXPECT_TRUE(ContainsCardNumber("4111111111111"));
  EXPECT_TRUE(ContainsCardNumber("x4111111111111111y"));
  EXPECT_FALSE(ContainsCardNumber("411111111111"));         // 12 digits
  EXPECT_FALSE(ContainsCardNumber("4111 1111 1111 1111"));  // grouped: never 13 in a row
  EXPECT_FALSE(ContainsCardNumber("tok_123456_1234567"));
  EXPECT_FALSE(ContainsCardNumber(""));
}

TEST_F(SimulatedGatewayTest, RefundsAreDeterministic) {
  const auto transaction_id = Charge("tok_sim_approve").transaction_id;
  const auto first = gateway_.Refund(transaction_id, core::Money(1999, testing::kEur));
  EXPECT_EQ(first.outcome, RefundOutcome::kRefunded);
  EXPECT_EQ(first.refund_id, "simref_" + transaction_id);
  const auto again = gateway_.Refund(transaction_id, core::Money(1999, testing::kEur));
  EXPECT_EQ(again.outcome, RefundOutcome::kRefunded);
  EXPECT_EQ(again.refund_id, first.refund_id);
}

TEST_F(SimulatedGatewayTest, RefundNeedsATransactionAndAPositiveAmount) {
  EXPECT_EQ(gateway_.Refund("", core::Money(1, testing::kEur)).outcome, RefundOutcome::kRejected);
  EXPECT_EQ(gateway_.Refund("sim_x", core::Money(0, testing::kEur)).outcome, RefundOutcome::kRejected);
}

TEST(SimulatedGatewayConfigTest, RefusesNonPositiveDurations) {
  EXPECT_NO_THROW(SimulatedGatewayConfig{}.Validate());
  EXPECT_THROW((SimulatedGatewayConfig{milliseconds(0), milliseconds(1)}.Validate()), core::ConfigError);
  EXPECT_THROW((SimulatedGatewayConfig{milliseconds(1), milliseconds(-1)}.Validate()), core::ConfigError);
  EXPECT_THROW(SimulatedGateway(SimulatedGatewayConfig{milliseconds(0), milliseconds(1)}), core::ConfigError);
}

}  // namespace
}  // namespace saga::payment
