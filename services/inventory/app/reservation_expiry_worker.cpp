#include "services/inventory/app/reservation_expiry_worker.hpp"

#include <spdlog/spdlog.h>

#include "saga/core/errors.hpp"
#include "services/inventory/app/inventory_commands.hpp"

namespace saga::inventory {

void ExpiryConfig::Validate() const {
  if (interval < std::chrono::milliseconds(10) || interval > std::chrono::hours(1)) {
    throw core::ConfigError("inventory.expiry_interval_ms must be between 10 and 3600000");
  }
  if (batch_size < 1 || batch_size > 10000) {
    throw core::ConfigError("inventory expiry batch size must be between 1 and 10000");
  }
}

ReservationExpiryWorker::ReservationExpiryWorker(IUnitOfWork& unit, const core::Clock& clock,
                                                 ExpiryConfig config)
    : unit_(unit), clock_(clock), config_(config) {
  config_.Validate();
}

ReservationExpiryWorker::~ReservationExpiryWorker() {
  Stop();
}

void ReservationExpiryWorker::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
}

void ReservationExpiryWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t ReservationExpiryWorker::SweepOnce() {
  std::size_t total = 0;
  for (;;) {
    const auto expired = ExpireDueReservations(unit_, clock_, config_.batch_size);
    total += expired;
    expired_ += expired;
    if (expired < static_cast<std::size_t>(config_.batch_size)) return total;
    std::lock_guard lock(mu_);
    if (stop_) return total;
  }
}

void ReservationExpiryWorker::Run() {
  spdlog::info("reservation expiry: sweeping every {} ms, {} per transaction", config_.interval.count(),
               config_.batch_size);
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    try {
      if (const auto expired = SweepOnce(); expired > 0)
        spdlog::info("reservation expiry: {} expired", expired);
    } catch (const std::exception& e) {
      spdlog::warn("reservation expiry sweep failed (retrying in {} ms): {}", config_.interval.count(),
                   e.what());
    }
    lock.lock();
    wake_.wait_for(lock, config_.interval, [this] { return stop_; });
  }
}

}  // namespace saga::inventory
