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
    : unit_(unit),
      clock_(clock),
      config_(config),
      task_(
          config.interval,
          [this] {
            if (const auto expired = SweepOnce(); expired > 0) {
              spdlog::info("reservation expiry: {} expired", expired);
            }
          },
          [interval = config.interval](const std::exception& e) {
            spdlog::warn("reservation expiry sweep failed (retrying in {} ms): {}", interval.count(), e.what());
          }) {
  config_.Validate();
}

ReservationExpiryWorker::~ReservationExpiryWorker() {
  Stop();
}

void ReservationExpiryWorker::Start() {
  spdlog::info("reservation expiry: sweeping every {} ms, {} per transaction", config_.interval.count(),
               config_.batch_size);
  task_.Start();
}

std::size_t ReservationExpiryWorker::SweepOnce() {
  std::size_t total = 0;
  for (;;) {
    const auto expired = ExpireDueReservations(unit_, clock_, config_.batch_size);
    total += expired;
    expired_ += expired;
    if (expired < static_cast<std::size_t>(config_.batch_size)) return total;
    if (task_.StopRequested()) return total;
  }
}

}  // namespace saga::inventory
