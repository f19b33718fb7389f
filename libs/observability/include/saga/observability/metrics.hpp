#pragma once
// Prometheus metrics (prometheus-cpp core) and their text exposition, served at GET /metrics by
// every service. The catalogue of names, labels and meanings is docs/observability.md.
//
// Components register their families in a Metrics instance given to their constructor
// (DefaultMetrics() unless a test passes its own) and keep references to the series whose labels
// they know in advance: Family::Add takes the family's lock (as a scrape does), Counter::Increment
// and Gauge::Set do not. Series with labels known only per event (route, message type) are
// looked up per event; that costs a lock and a hash lookup. Values that live in a component (breaker state,
// pool use) are copied into gauges by scrape hooks right before each exposition.
//
// Thread-safety: everything here may be used from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace saga::observability {

/// Request, message and call latencies in seconds: 0.5 ms .. 30 s.
[[nodiscard]] const prometheus::Histogram::BucketBoundaries& LatencyBuckets();
/// Saga durations in seconds: LatencyBuckets() plus 60, 120, 300.
[[nodiscard]] const prometheus::Histogram::BucketBoundaries& SagaDurationBuckets();

class Metrics;

/// Keeps a scrape hook registered; the hook is removed when this is destroyed (before the
/// component it reads from goes away). Movable.
class ScrapeHook {
 public:
  ScrapeHook() = default;
  ScrapeHook(ScrapeHook&& other) noexcept : metrics_(other.metrics_), id_(other.id_) {
    other.metrics_ = nullptr;
  }
  ScrapeHook& operator=(ScrapeHook&& other) noexcept;
  ScrapeHook(const ScrapeHook&) = delete;
  ScrapeHook& operator=(const ScrapeHook&) = delete;
  ~ScrapeHook();

 private:
  friend class Metrics;
  ScrapeHook(Metrics* metrics, std::uint64_t id) : metrics_(metrics), id_(id) {}
  Metrics* metrics_ = nullptr;
  std::uint64_t id_ = 0;
};

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  [[nodiscard]] prometheus::Registry& Registry() noexcept { return registry_; }

  /// The family `name` (created on first use; the same name returns the same family). Names
  /// and help texts are those of docs/observability.md.
  prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name,
                                                             const std::string& help);

  /// Runs `refresh` right before every exposition (it sets gauges from a component's state).
  /// Must not block for long: it runs on the scraping request's thread.
  [[nodiscard]] ScrapeHook OnScrape(std::function<void()> refresh);

  /// Runs the scrape hooks, then renders every family in the Prometheus text format 0.0.4.
  [[nodiscard]] std::string Expose();

 private:
  friend class ScrapeHook;
  void RemoveHook(std::uint64_t id);

  prometheus::Registry registry_;
  std::mutex hooks_mu_;
  std::uint64_t next_hook_ = 1;                           // guarded by hooks_mu_
  std::map<std::uint64_t, std::function<void()>> hooks_;  // guarded by hooks_mu_
};

/// The process-wide registry the services expose (components use it unless given another).
[[nodiscard]] Metrics& DefaultMetrics();

/// Registers saga_service_info{service,version} = 1 and the process_* metrics (CPU seconds,
/// resident memory, start time; read from /proc/self at each scrape). Returns the hook to keep.
[[nodiscard]] ScrapeHook AddProcessMetrics(Metrics& metrics, const std::string& service,
                                           const std::string& version);

/// Seconds since `since` as a double (for Histogram::Observe).
template <typename Clock>
[[nodiscard]] double SecondsSince(typename Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace saga::observability
