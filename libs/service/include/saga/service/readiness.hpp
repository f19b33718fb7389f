#pragma once
// ReadinessMonitor: probes the dependencies of a service (database, broker, topics) on a
// background thread and keeps the last outcome, so /health/ready answers at once from a
// snapshot and never blocks an HTTP thread on a slow dependency.
//
// Lifecycle: AddCheck() before Start(); Stop() (or the destructor) joins the thread.
// Thread-safety: Snapshot() may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace saga::service {

/// A probe returns a short human-readable detail on success and throws on failure
/// (the exception's what() becomes the detail).
using Probe = std::function<std::string()>;

struct CheckResult {
  std::string name;
  bool ok = false;
  std::string detail = "not checked yet";
  std::chrono::milliseconds latency{0};
  std::chrono::system_clock::time_point checked_at{};
};

struct ReadinessSnapshot {
  bool ready = false;  // every check ok
  std::vector<CheckResult> checks;
};

class ReadinessMonitor {
 public:
  explicit ReadinessMonitor(std::chrono::milliseconds interval);
  ~ReadinessMonitor();
  ReadinessMonitor(const ReadinessMonitor&) = delete;
  ReadinessMonitor& operator=(const ReadinessMonitor&) = delete;

  void AddCheck(std::string name, Probe probe);
  /// Runs every check once synchronously, then keeps probing every interval.
  void Start();
  void Stop();
  /// Runs every check now (also used by Start()).
  void RunChecks();
  [[nodiscard]] ReadinessSnapshot Snapshot() const;

 private:
  std::chrono::milliseconds interval_;
  std::vector<std::pair<std::string, Probe>> probes_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;                 // guarded by mu_
  std::vector<CheckResult> results_;  // guarded by mu_
  std::thread thread_;
};

}  // namespace saga::service
