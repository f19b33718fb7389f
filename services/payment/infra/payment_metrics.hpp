#pragma once
// Payment metrics (docs/observability.md, "Business"):
//  - MeteredGateway wraps an IPaymentGateway: saga_payment_charges_total{outcome} per charge
//    call, saga_payment_refunds_total per refund made, saga_payment_gateway_duration_seconds
//    {operation}. It counts calls: an idempotent repeat of a charge counts again.
//  - AddPaymentGauges: saga_payments{status} and saga_payments_amount_minor{status,currency}.

#include "saga/observability/metrics.hpp"
#include "saga/service/db_gauges.hpp"
#include "services/payment/app/payment_gateway.hpp"

namespace saga::payment {

class MeteredGateway final : public IPaymentGateway {
 public:
  MeteredGateway(IPaymentGateway& inner, observability::Metrics& metrics);
  [[nodiscard]] ChargeResult Charge(const ChargeRequest& request) override;
  [[nodiscard]] RefundResult Refund(const std::string& transaction_id, const core::Money& amount) override;

 private:
  IPaymentGateway& inner_;
  prometheus::Family<prometheus::Counter>& charges_;
  prometheus::Counter& refunds_;
  prometheus::Histogram& charge_duration_;
  prometheus::Histogram& refund_duration_;
};

void AddPaymentGauges(service::DbGaugeSampler& sampler);

}  // namespace saga::payment
