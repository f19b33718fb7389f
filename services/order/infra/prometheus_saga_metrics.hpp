#pragma once
// ISagaMetrics over Prometheus (docs/observability.md, "Saga"), and the order service's
// database gauges: saga_sagas{state}, saga_orders{status}, saga_orders_revenue_minor{currency}.

#include "saga/observability/metrics.hpp"
#include "saga/service/db_gauges.hpp"
#include "services/order/app/saga_metrics.hpp"

namespace saga::order {

class PrometheusSagaMetrics final : public ISagaMetrics {
 public:
  explicit PrometheusSagaMetrics(observability::Metrics& metrics);

  void Started() override;
  void Ended(SagaState end, std::chrono::duration<double> duration) override;
  void CompensationStarted(const std::string& reason) override;
  void Compensated(SagaState target) override;
  void DeadlineExpired(SagaState state) override;
  void StepRetried(SagaCommand command) override;
  void StepFinished(SagaCommand step, std::chrono::duration<double> duration) override;
  void ReplyIgnored(const std::string& type) override;

 private:
  prometheus::Counter& started_;
  prometheus::Family<prometheus::Counter>& ended_;
  prometheus::Family<prometheus::Counter>& compensated_;
  prometheus::Family<prometheus::Counter>& compensations_started_;
  prometheus::Family<prometheus::Counter>& deadline_expiries_;
  prometheus::Family<prometheus::Counter>& step_retries_;
  prometheus::Family<prometheus::Counter>& replies_ignored_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Histogram>& step_duration_;
};

/// Adds the order service's gauges to `sampler`.
void AddOrderGauges(service::DbGaugeSampler& sampler);

}  // namespace saga::order
