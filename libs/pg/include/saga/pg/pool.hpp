#pragma once
// ConnectionPool: a bounded set of PostgreSQL connections shared by the threads of a service.
// libpqxx connections are not thread-safe, so a thread holds a Lease for the duration of one unit
// of work and gives it back by destroying the Lease. Broken connections are dropped on return
// and replaced lazily.
//
// Metrics (docs/observability.md): saga_db_pool_connections{state}, saga_db_pool_max_connections
// (refreshed at each scrape), saga_db_pool_acquire_duration_seconds,
// saga_db_pool_acquire_timeouts_total.
//
// Thread-safety: Acquire() may be called from any thread. The pool must outlive its leases.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <pqxx/connection>

#include "saga/observability/metrics.hpp"
#include "saga/pg/connection.hpp"

namespace saga::pg {

class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    pqxx::connection& operator*() const noexcept { return *conn_; }
    pqxx::connection* operator->() const noexcept { return conn_.get(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };

  /// `max_size` connections at most; Acquire() waits up to `acquire_timeout` for one.
  ConnectionPool(PgConfig config, std::size_t max_size, std::chrono::milliseconds acquire_timeout,
                 observability::Metrics& metrics = observability::DefaultMetrics());

  /// A connection for this thread. Throws ConnectionError (retryable) when none frees up in
  /// time or a new one cannot be opened.
  [[nodiscard]] Lease Acquire();

  struct Stats {
    std::size_t idle = 0;
    std::size_t in_use = 0;
    std::size_t max = 0;
  };
  [[nodiscard]] Stats GetStats() const;

 private:
  void Return(std::unique_ptr<pqxx::connection> conn) noexcept;

  PgConfig config_;
  std::size_t max_size_;
  std::chrono::milliseconds acquire_timeout_;
  mutable std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mu_
  std::size_t in_use_ = 0;                               // guarded by mu_
  prometheus::Histogram& acquire_duration_;
  prometheus::Counter& acquire_timeouts_;
  observability::ScrapeHook scrape_hook_;  // last: removed before the members it reads
};

}  // namespace saga::pg
