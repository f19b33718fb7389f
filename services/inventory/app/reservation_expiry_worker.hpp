#pragma once
// ReservationExpiryWorker: gives back the stock of reservations whose expiry passed. Every
// `interval` it expires due reservations, `batch_size` per unit of work (the rows are claimed
// with SKIP LOCKED, so several instances share the work without waiting on each other), with
// their StockUpdated messages in the same transaction (ExpireDueReservations); a full batch is
// followed by the next one at once.
//
// Lifecycle: Start() once; Stop() wakes it, waits for the batch in hand and joins (idempotent,
// also run by the destructor). A failed sweep (e.g. the database is down) is logged and retried
// at the next interval. The unit of work and the clock must outlive the worker.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "saga/core/periodic_task.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/app/unit_of_work.hpp"

namespace saga::inventory {

struct ExpiryConfig {
  /// inventory.expiry_interval_ms: the pause between sweeps (10 ms .. 1 h).
  std::chrono::milliseconds interval{1000};
  /// Reservations expired per transaction (1 .. 10000).
  int batch_size = 100;
  /// Throws core::ConfigError for a value out of range.
  void Validate() const;
};

class ReservationExpiryWorker {
 public:
  ReservationExpiryWorker(IUnitOfWork& unit, const core::Clock& clock, ExpiryConfig config);
  ~ReservationExpiryWorker();
  ReservationExpiryWorker(const ReservationExpiryWorker&) = delete;
  ReservationExpiryWorker& operator=(const ReservationExpiryWorker&) = delete;

  void Start();
  void Stop() { task_.Stop(); }

  /// One sweep now, on the caller's thread: batches until one comes back short. Returns how many
  /// reservations expired. Throws what the unit of work throws.
  std::size_t SweepOnce();
  /// Reservations expired by this worker so far.
  [[nodiscard]] std::uint64_t ExpiredCount() const noexcept { return expired_.load(); }

 private:
  IUnitOfWork& unit_;
  const core::Clock& clock_;
  ExpiryConfig config_;
  std::atomic<std::uint64_t> expired_{0};
  core::PeriodicTask task_;  // last: stopped before the members its passes use
};

}  // namespace saga::inventory
