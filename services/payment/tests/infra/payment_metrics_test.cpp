#include "services/payment/infra/payment_metrics.hpp"

#include <gtest/gtest.h>

#include "saga/testing/metric_samples.hpp"
#include "services/payment/tests/fakes.hpp"

namespace saga::payment {
namespace {

using saga::testing::MetricSamples;

TEST(MeteredGatewayTest, CountsChargesByOutcomeRefundsAndTimesCalls) {
  observability::Metrics metrics;
  testing::FakePaymentGateway fake;
  MeteredGateway gateway(fake, metrics);
  const core::Money amount(500, *core::Currency::Parse("EUR"));
  const ChargeRequest request{core::NewId<core::PaymentId>(), amount, "tok_sim_approve"};
  EXPECT_EQ(gateway.Charge(request).outcome, ChargeOutcome::kApproved);
  fake.charge_outcome = ChargeOutcome::kDeclined;
  EXPECT_EQ(gateway.Charge(request).outcome, ChargeOutcome::kDeclined);
  EXPECT_EQ(gateway.Refund("tx-1", amount).outcome, RefundOutcome::kRefunded);
  fake.refund_outcome = RefundOutcome::kRejected;
  EXPECT_EQ(gateway.Refund("tx-2", amount).outcome, RefundOutcome::kRejected);

  const auto samples = MetricSamples::Parse(metrics.Expose());
  EXPECT_EQ(samples.Find("saga_payment_charges_total", {{"outcome", "approved"}}), 1);
  EXPECT_EQ(samples.Find("saga_payment_charges_total", {{"outcome", "declined"}}), 1);
  EXPECT_EQ(samples.Find("saga_payment_charges_total", {{"outcome", "timeout"}}), 0)
      << "every outcome exists";
  EXPECT_EQ(samples.Find("saga_payment_refunds_total"), 1) << "a rejected refund returned nothing";
  EXPECT_EQ(samples.Find("saga_payment_gateway_duration_seconds_count", {{"operation", "charge"}}), 2);
  EXPECT_EQ(samples.Find("saga_payment_gateway_duration_seconds_count", {{"operation", "refund"}}), 2);
  EXPECT_EQ(fake.charges.size(), 2U) << "every call reaches the gateway";
}

}  // namespace
}  // namespace saga::payment
