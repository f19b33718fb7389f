#include "saga/pg/pool.hpp"

#include "saga/pg/errors.hpp"

namespace saga::pg {

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) pool_->Return(std::move(conn_));
}

ConnectionPool::ConnectionPool(PgConfig config, std::size_t max_size, std::chrono::milliseconds acquire_timeout,
                               observability::Metrics& metrics)
    : config_(std::move(config)),
      max_size_(max_size == 0 ? 1 : max_size),
      acquire_timeout_(acquire_timeout),
      acquire_duration_(metrics
                            .HistogramFamily("saga_db_pool_acquire_duration_seconds",
                                             "Wait for a database connection from the pool")
                            .Add({}, observability::LatencyBuckets())),
      acquire_timeouts_(metrics
                            .CounterFamily("saga_db_pool_acquire_timeouts_total",
                                           "Waits for a database connection that timed out")
                            .Add({})) {
  auto& connections = metrics.GaugeFamily("saga_db_pool_connections", "Pooled database connections by state");
  auto& in_use = connections.Add({{"state", "in_use"}});
  auto& idle = connections.Add({{"state", "idle"}});
  auto& max = metrics.GaugeFamily("saga_db_pool_max_connections", "Size of the connection pool").Add({});
  scrape_hook_ = metrics.OnScrape([this, &in_use, &idle, &max] {
    const auto stats = GetStats();
    in_use.Set(static_cast<double>(stats.in_use));
    idle.Set(static_cast<double>(stats.idle));
    max.Set(static_cast<double>(stats.max));
  });
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  const auto started = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  const bool got =
      available_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || in_use_ < max_size_; });
  acquire_duration_.Observe(observability::SecondsSince<std::chrono::steady_clock>(started));
  if (!got) {
    acquire_timeouts_.Increment();
    throw ConnectionError("no database connection free within " + std::to_string(acquire_timeout_.count()) +
                          " ms (pool of " + std::to_string(max_size_) + ")");
  }
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    ++in_use_;
    return Lease(this, std::move(conn));
  }
  ++in_use_;
  lock.unlock();
  try {
    return Lease(this, Connect(config_));
  } catch (...) {
    lock.lock();
    --in_use_;
    available_.notify_one();
    throw;
  }
}

void ConnectionPool::Return(std::unique_ptr<pqxx::connection> conn) noexcept {
  std::lock_guard lock(mu_);
  --in_use_;
  if (conn->is_open()) idle_.push_back(std::move(conn));
  available_.notify_one();
}

ConnectionPool::Stats ConnectionPool::GetStats() const {
  std::lock_guard lock(mu_);
  return Stats{idle_.size(), in_use_, max_size_};
}

}  // namespace saga::pg
