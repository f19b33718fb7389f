#pragma once
// DbGaugeSampler: gauges read from the service's own database ("orders by status", "sagas in
// each state", "revenue of completed orders"), refreshed on a background thread every
// `interval` instead of at scrape time, so a slow database never stalls /metrics.
//
// Each query returns one row per series: the label values in the order of `labels`, then the
// value. A series the last sample did not return is set to 0 (a status that emptied reads 0, not
// its old count). Every instance of a service reports the same values: aggregate with max().
// A failed sample is logged (first and every 20th), counted in saga_metrics_sample_errors_total,
// and leaves the previous values.
//
// Lifecycle: add queries, Start() (the first sample comes one interval later), Stop() (also in
// the destructor). SampleOnce() runs one sample on the caller's thread (tests).

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "saga/core/periodic_task.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/pg/pool.hpp"

namespace saga::service {

class DbGaugeSampler {
 public:
  DbGaugeSampler(pg::ConnectionPool& pool, std::chrono::milliseconds interval,
                 observability::Metrics& metrics = observability::DefaultMetrics());
  ~DbGaugeSampler();
  DbGaugeSampler(const DbGaugeSampler&) = delete;
  DbGaugeSampler& operator=(const DbGaugeSampler&) = delete;

  /// Registers gauge family `name` filled by `sql` (read-only; see above for its columns).
  void Add(const std::string& name, const std::string& help, std::vector<std::string> labels,
           std::string sql);

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }
  /// One sample of every query in one read-only transaction. Throws core::InfraError.
  void SampleOnce();

 private:
  struct Query {
    prometheus::Family<prometheus::Gauge>* family;
    std::vector<std::string> labels;
    std::string sql;
    std::map<std::vector<std::string>, prometheus::Gauge*> series;
  };
  pg::ConnectionPool& pool_;
  observability::Metrics& metrics_;
  prometheus::Counter& errors_;
  int failures_ = 0;            // consecutive failed samples; on the task's thread only
  std::mutex sample_mu_;        // one sample at a time
  std::vector<Query> queries_;  // guarded by sample_mu_
  core::PeriodicTask task_;     // last: stopped before the members its passes use
};

}  // namespace saga::service
