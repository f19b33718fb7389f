#include "services/order/app/saga_sweeper.hpp"

#include <spdlog/spdlog.h>

namespace saga::order {

SagaSweeper::SagaSweeper(const SagaOrchestrator& orchestrator, ISagaTransactions& transactions,
                         std::chrono::milliseconds interval, int batch)
    : orchestrator_(orchestrator),
      transactions_(transactions),
      batch_(batch),
      task_(
          interval, [this] { (void)SweepOnce(); },
          [interval](const std::exception& e) {
            spdlog::warn("saga sweeper: {} (retrying in {} ms)", e.what(), interval.count());
          }) {}

int SagaSweeper::SweepOnce() {
  int total = 0;
  while (true) {
    int fired = 0;
    transactions_.Run([&](ISagaUnitOfWork& uow) { fired = orchestrator_.SweepDeadlines(uow, batch_); });
    total += fired;
    fired_ += static_cast<std::uint64_t>(fired);
    if (fired < batch_) break;
  }
  transactions_.Run([&](ISagaUnitOfWork& uow) {
    abandoned_ += static_cast<std::uint64_t>(orchestrator_.CleanUpAbandoned(uow, batch_));
  });
  return total;
}

}  // namespace saga::order
