#include "saga/core/periodic_task.hpp"

namespace saga::core {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> pass,
                           std::function<void(const std::exception&)> on_error, bool wait_first)
    : interval_(interval), pass_(std::move(pass)), on_error_(std::move(on_error)), wait_first_(wait_first) {}

PeriodicTask::~PeriodicTask() {
  Stop();
}

void PeriodicTask::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void PeriodicTask::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool PeriodicTask::StopRequested() const {
  std::lock_guard lock(mu_);
  return stop_;
}

void PeriodicTask::Run() {
  std::unique_lock lock(mu_);
  if (wait_first_ && wake_.wait_for(lock, interval_, [this] { return stop_; })) return;
  while (!stop_) {
    lock.unlock();
    try {
      pass_();
    } catch (const std::exception& e) {
      if (on_error_) on_error_(e);
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace saga::core
