#include "saga/core/circuit_breaker.hpp"

namespace saga::core {

std::string_view ToString(BreakerState state) noexcept {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half-open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(std::string name, BreakerConfig config, const Clock& clock)
    : name_(std::move(name)), config_(config), clock_(clock) {}

bool CircuitBreaker::Allow() {
  std::lock_guard lock(mu_);
  switch (state_) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      if (clock_.Now() - opened_at_ < config_.open_for) return false;
      state_ = BreakerState::kHalfOpen;
      probe_in_flight_ = true;
      return true;
    case BreakerState::kHalfOpen:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  std::lock_guard lock(mu_);
  state_ = BreakerState::kClosed;
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  std::lock_guard lock(mu_);
  probe_in_flight_ = false;
  if (state_ == BreakerState::kHalfOpen ||
      (state_ == BreakerState::kClosed && ++consecutive_failures_ >= config_.failure_threshold)) {
    state_ = BreakerState::kOpen;
    opened_at_ = clock_.Now();
    ++trips_;
  }
}

BreakerState CircuitBreaker::State() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::uint64_t CircuitBreaker::Trips() const {
  std::lock_guard lock(mu_);
  return trips_;
}

}  // namespace saga::core
