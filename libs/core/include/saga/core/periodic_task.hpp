#pragma once
// PeriodicTask: the background loop of the workers (saga sweeper, reservation expiry, database
// gauges): runs `pass` on a thread of its own, waits `interval` or until Stop(), and again. A
// pass that throws is handed to `on_error` and the next one comes an interval later (no hot loop).
// With `wait_first`, the first pass also waits an interval (start-up work can settle first).
//
// Lifecycle: Start() spawns the thread (a no-op while it runs; allowed again after Stop());
// Stop() wakes the wait, lets the pass in hand finish and joins; the destructor stops. A long
// pass may poll StopRequested() to end early. Owners declare the task after everything its
// pass uses, and stop it in their own destructor. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace saga::core {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> pass,
               std::function<void(const std::exception&)> on_error, bool wait_first = false);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start();
  void Stop();
  [[nodiscard]] bool StopRequested() const;
  [[nodiscard]] std::chrono::milliseconds Interval() const noexcept { return interval_; }

 private:
  void Run();

  std::chrono::milliseconds interval_;
  std::function<void()> pass_;
  std::function<void(const std::exception&)> on_error_;
  bool wait_first_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace saga::core
