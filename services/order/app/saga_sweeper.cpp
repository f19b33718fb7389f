#include "services/order/app/saga_sweeper.hpp"

#include <spdlog/spdlog.h>

namespace saga::order {

void SagaSweeper::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      try {
        (void)SweepOnce();
      } catch (const std::exception& e) {
        spdlog::warn("saga sweeper: {} (retrying in {} ms)", e.what(), interval_.count());
      }
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stop_; });
    }
  });
}

void SagaSweeper::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

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
