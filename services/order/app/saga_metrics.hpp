#pragma once
// ISagaMetrics: what the orchestrator reports about sagas for operators (the saga_* metrics of
// docs/observability.md). Called only after the transaction holding the change committed
// (ISagaUnitOfWork::AfterCommit), so a rolled-back or retried transition is never counted.
// Implemented by infra/prometheus_saga_metrics and by a recording fake in tests.
// Implementations must be thread-safe and must not throw.

#include <chrono>
#include <string>

#include "services/order/domain/order_saga.hpp"

namespace saga::order {

class ISagaMetrics {
 public:
  virtual ~ISagaMetrics() = default;
  virtual void Started() = 0;
  /// The saga reached `end` (Completed, Failed, Cancelled or CompensationFailed) after
  /// `duration` since it started. A completed order cancelled later ends twice.
  virtual void Ended(SagaState end, std::chrono::duration<double> duration) = 0;
  /// A compensation began, for `reason` (bounded: a known reason word or "Other").
  virtual void CompensationStarted(const std::string& reason) = 0;
  /// A compensation finished: the saga is at its `target` (Failed or Cancelled).
  virtual void Compensated(SagaState target) = 0;
  virtual void DeadlineExpired(SagaState state) = 0;
  /// A step's command was sent again after its deadline.
  virtual void StepRetried(SagaCommand command) = 0;
  /// The step waiting in a state answered: its command sent (last attempt) to the reply.
  virtual void StepFinished(SagaCommand step, std::chrono::duration<double> duration) = 0;
  /// A reply that no longer fit the saga's state.
  virtual void ReplyIgnored(const std::string& type) = 0;
};

/// Reports nothing (tools and tests that do not look at metrics).
class NoSagaMetrics final : public ISagaMetrics {
 public:
  void Started() override {}
  void Ended(SagaState, std::chrono::duration<double>) override {}
  void CompensationStarted(const std::string&) override {}
  void Compensated(SagaState) override {}
  void DeadlineExpired(SagaState) override {}
  void StepRetried(SagaCommand) override {}
  void StepFinished(SagaCommand, std::chrono::duration<double>) override {}
  void ReplyIgnored(const std::string&) override {}
};

}  // namespace saga::order
