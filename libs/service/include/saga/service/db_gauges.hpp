#pragma once
// DbGaugeSampler: gauges read from the service's own database ("orders by status", "sagas in
// each state", "revenue of completed orders"), refreshed on a background thread instead of at
// scrape time, so a slow database never stalls /metrics.
//
// Two cadences, because the rows of live work stay few while finished ones grow without bound:
//  - kLive queries run every `interval` (e.g. 5 s). They must read only live rows through an
//    index (sagas in a non-terminal state, active reservations), so they cost the same with a
//    hundred or a hundred million finished orders.
//  - kHistory queries (counts and sums over all finished rows: a scan of the table) run at the
//    first sample and then at most every `history_interval` (e.g. 60 s). Read every 5 s, the three
//    services' took ~0.5 s of PostgreSQL per round at 90k orders, most of what the idle system
//    cost, and more with every order (docs/performance.md).
// Both kinds may fill one family with disjoint label sets (Completed from the history query,
// ReservingInventory from the live one).
//
// Each query returns one row per series: the label values in the order of `labels`, then the
// value. A series the query's last sample did not return is set to 0 (a status that emptied
// reads 0, not its old count). Every instance of a service reports the same values: aggregate
// with max(). A failed sample is logged (first and every 20th), counted in
// saga_metrics_sample_errors_total, and leaves the previous values (a failed history sample is
// retried at the next sample).
//
// Lifecycle: add queries, Start() (the first sample comes one interval later), Stop() (also in
// the destructor). SampleOnce() runs one sample on the caller's thread (tests).

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "saga/core/periodic_task.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/pg/pool.hpp"

namespace saga::service {

/// A live query counting the rows of `table` whose `column` holds each of `values` (constants of
/// the code, not input): one row per value, 0 included. Each count is its own statement with the
/// value as a literal, so the planner sees how rare a live status is and reads it through an
/// index on `column` (a parameter or a join would make it scan the table).
[[nodiscard]] std::string CountEachSql(const std::string& table, const std::string& column,
                                       const std::vector<std::string>& values);
/// A history query with the same rows as CountEachSql, read in one scan of `table` (for values
/// most rows hold, where an index would not help).
[[nodiscard]] std::string CountEachInOneScanSql(const std::string& table, const std::string& column,
                                                const std::vector<std::string>& values);

class DbGaugeSampler {
 public:
  enum class Refresh { kLive, kHistory };

  DbGaugeSampler(pg::ConnectionPool& pool, std::chrono::milliseconds interval,
                 std::chrono::milliseconds history_interval,
                 observability::Metrics& metrics = observability::DefaultMetrics());
  ~DbGaugeSampler();
  DbGaugeSampler(const DbGaugeSampler&) = delete;
  DbGaugeSampler& operator=(const DbGaugeSampler&) = delete;

  /// Registers a query filling gauge family `name` (read-only; see above for its columns and
  /// for the cadences). Queries of one family must return disjoint label sets.
  void Add(const std::string& name, const std::string& help, std::vector<std::string> labels, std::string sql,
           Refresh refresh = Refresh::kLive);

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }
  /// One sample in one read-only transaction: the live queries, and the history queries when
  /// they are due. Throws core::InfraError.
  void SampleOnce();

 private:
  struct Query {
    prometheus::Family<prometheus::Gauge>* family;
    std::vector<std::string> labels;
    std::string sql;
    Refresh refresh;
    std::map<std::vector<std::string>, prometheus::Gauge*> series;
  };
  pg::ConnectionPool& pool_;
  const std::chrono::milliseconds history_interval_;
  observability::Metrics& metrics_;
  prometheus::Counter& errors_;
  int failures_ = 0;            // consecutive failed samples; on the task's thread only
  std::mutex sample_mu_;        // one sample at a time
  std::vector<Query> queries_;  // guarded by sample_mu_
  std::optional<std::chrono::steady_clock::time_point> history_sampled_;  // guarded by sample_mu_
  core::PeriodicTask task_;  // last: stopped before the members its passes use
};

}  // namespace saga::service
