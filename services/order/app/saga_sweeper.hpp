#pragma once
// SagaSweeper: the background worker that fires saga deadlines (retries, compensations,
// CompensationFailed) so no saga waits forever for a lost reply, and cleans up abandoned orders
// (never given a saga). Every `interval` it handles
// due sagas in batches of `batch`, one transaction per batch; rows are claimed with SKIP
// LOCKED, so several order-service instances share the work without doing it twice.
// Lifecycle: Start(); Stop() finishes the batch in hand and joins. Failures are logged and
// retried at the next interval.

#include <atomic>
#include <chrono>

#include "saga/core/periodic_task.hpp"

#include "services/order/app/saga_orchestrator.hpp"

namespace saga::order {

class SagaSweeper {
 public:
  SagaSweeper(const SagaOrchestrator& orchestrator, ISagaTransactions& transactions,
              std::chrono::milliseconds interval, int batch = 50);
  ~SagaSweeper() { Stop(); }
  SagaSweeper(const SagaSweeper&) = delete;
  SagaSweeper& operator=(const SagaSweeper&) = delete;

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }
  /// Handles every due deadline now (also what each tick does); returns how many fired.
  int SweepOnce();
  [[nodiscard]] std::uint64_t Fired() const noexcept { return fired_.load(); }
  /// Orders the clean-up marked Failed because they never got a saga.
  [[nodiscard]] std::uint64_t Abandoned() const noexcept { return abandoned_.load(); }

 private:
  const SagaOrchestrator& orchestrator_;
  ISagaTransactions& transactions_;
  int batch_;
  std::atomic<std::uint64_t> fired_{0};
  std::atomic<std::uint64_t> abandoned_{0};
  core::PeriodicTask task_;  // last: stopped before the members its passes use
};

}  // namespace saga::order
