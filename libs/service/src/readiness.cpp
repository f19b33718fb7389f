#include "saga/service/readiness.hpp"

#include <spdlog/spdlog.h>

namespace saga::service {

ReadinessMonitor::ReadinessMonitor(std::chrono::milliseconds interval) : interval_(interval) {}

ReadinessMonitor::~ReadinessMonitor() {
  Stop();
}

void ReadinessMonitor::AddCheck(std::string name, Probe probe) {
  std::lock_guard lock(mu_);
  CheckResult initial;
  initial.name = name;
  results_.push_back(initial);
  probes_.emplace_back(std::move(name), std::move(probe));
}

void ReadinessMonitor::RunChecks() {
  for (std::size_t i = 0; i < probes_.size(); ++i) {
    CheckResult result;
    result.name = probes_[i].first;
    const auto start = std::chrono::steady_clock::now();
    try {
      result.detail = probes_[i].second();
      result.ok = true;
    } catch (const std::exception& e) {
      result.detail = e.what();
      result.ok = false;
    }
    result.latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    result.checked_at = std::chrono::system_clock::now();
    std::lock_guard lock(mu_);
    if (results_[i].ok != result.ok || results_[i].checked_at == std::chrono::system_clock::time_point{}) {
      if (result.ok) {
        spdlog::info("readiness: {} ok ({})", result.name, result.detail);
      } else {
        spdlog::warn("readiness: {} failing: {}", result.name, result.detail);
      }
    }
    results_[i] = std::move(result);
  }
}

void ReadinessMonitor::Start() {
  RunChecks();
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      RunChecks();
      lock.lock();
    }
  });
}

void ReadinessMonitor::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ReadinessSnapshot ReadinessMonitor::Snapshot() const {
  std::lock_guard lock(mu_);
  ReadinessSnapshot snapshot;
  snapshot.checks = results_;
  snapshot.ready = true;
  for (const auto& check : results_) snapshot.ready = snapshot.ready && check.ok;
  return snapshot;
}

}  // namespace saga::service
