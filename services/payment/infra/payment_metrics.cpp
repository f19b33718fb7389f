#include "services/payment/infra/payment_metrics.hpp"

#include <chrono>

namespace saga::payment {
namespace {

const char* OutcomeLabel(ChargeOutcome outcome) {
  switch (outcome) {
    case ChargeOutcome::kApproved:
      return "approved";
    case ChargeOutcome::kDeclined:
      return "declined";
    case ChargeOutcome::kInsufficientFunds:
      return "insufficient_funds";
    case ChargeOutcome::kTimeout:
      return "timeout";
    case ChargeOutcome::kInvalidToken:
      return "invalid_token";
  }
  return "unknown";
}

prometheus::Family<prometheus::Histogram>& Durations(observability::Metrics& metrics) {
  return metrics.HistogramFamily("saga_payment_gateway_duration_seconds",
                                 "Payment gateway call time, by operation");
}

}  // namespace

MeteredGateway::MeteredGateway(IPaymentGateway& inner, observability::Metrics& metrics)
    : inner_(inner),
      charges_(metrics.CounterFamily("saga_payment_charges_total", "Gateway charge calls, by outcome")),
      refunds_(metrics.CounterFamily("saga_payment_refunds_total", "Refunds made at the gateway").Add({})),
      charge_duration_(Durations(metrics).Add({{"operation", "charge"}}, observability::LatencyBuckets())),
      refund_duration_(Durations(metrics).Add({{"operation", "refund"}}, observability::LatencyBuckets())) {
  for (const auto outcome :
       {ChargeOutcome::kApproved, ChargeOutcome::kDeclined, ChargeOutcome::kInsufficientFunds,
        ChargeOutcome::kTimeout, ChargeOutcome::kInvalidToken}) {
    charges_.Add({{"outcome", OutcomeLabel(outcome)}});
  }
}

ChargeResult MeteredGateway::Charge(const ChargeRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  auto result = inner_.Charge(request);  // an exception (gateway unreachable) is not an outcome
  charge_duration_.Observe(observability::SecondsSince<std::chrono::steady_clock>(started));
  charges_.Add({{"outcome", OutcomeLabel(result.outcome)}}).Increment();
  return result;
}

RefundResult MeteredGateway::Refund(const std::string& transaction_id, const core::Money& amount) {
  const auto started = std::chrono::steady_clock::now();
  auto result = inner_.Refund(transaction_id, amount);
  refund_duration_.Observe(observability::SecondsSince<std::chrono::steady_clock>(started));
  if (result.outcome == RefundOutcome::kRefunded) refunds_.Increment();
  return result;
}

void AddPaymentGauges(service::DbGaugeSampler& sampler) {
  using Refresh = service::DbGaugeSampler::Refresh;
  // Live statuses through the (status, ...) index every sample; the finished ones, which grow
  // without bound, and the sums at the history cadence (db_gauges.hpp).
  sampler.Add("saga_payments", "Payments by status (database); Refunded counts refunds", {"status"},
              service::CountEachSql("payments", "status", {"Pending", "Processing"}));
  sampler.Add("saga_payments", "Payments by status (database); Refunded counts refunds", {"status"},
              service::CountEachInOneScanSql("payments", "status", {"Completed", "Failed", "Refunded"}),
              Refresh::kHistory);
  sampler.Add("saga_payments_amount_minor",
              "Amounts of the payments by status and currency, minor units (database)",
              {"status", "currency"},
              "SELECT status, currency, sum(amount_minor)::float8 FROM payments GROUP BY status, currency",
              Refresh::kHistory);
}

}  // namespace saga::payment
