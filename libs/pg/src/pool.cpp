#include "saga/pg/pool.hpp"

#include "saga/pg/errors.hpp"

namespace saga::pg {

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) pool_->Return(std::move(conn_));
}

ConnectionPool::ConnectionPool(PgConfig config, std::size_t max_size,
                               std::chrono::milliseconds acquire_timeout)
    : config_(std::move(config)),
      max_size_(max_size == 0 ? 1 : max_size),
      acquire_timeout_(acquire_timeout) {}

ConnectionPool::Lease ConnectionPool::Acquire() {
  std::unique_lock lock(mu_);
  const bool got =
      available_.wait_for(lock, acquire_timeout_, [&] { return !idle_.empty() || in_use_ < max_size_; });
  if (!got) {
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
