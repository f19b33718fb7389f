#pragma once
// Retention of the messaging tables: published outbox rows and inbox records are deleted once
// they are older than their retention, so the tables stay the size of that window instead of
// growing with every message ever sent (1.85 million outbox rows after ~120k orders, which
// autovacuum had to scan and the buffer cache could not hold: docs/performance.md).
//
// - Outbox: only published rows (published_at older than `outbox`); a pending row is never
//   deleted, however old: it has not been sent yet. The published rows are a record for
//   operators, Kafka keeps the messages themselves.
// - Inbox: records older than `inbox` (processed_at). A record is what makes a redelivered
//   message a duplicate, so `inbox` must outlast every redelivery. A message stays readable for
//   its topic's retention (7 days, deploy/kafka/topics.tsv) after its segment rolled, and a
//   segment rolls up to 7 days (log.roll.hours) after its first message: up to 14 days in all.
//   A consumer group whose instances were all away longer than offsets.retention.minutes (7
//   days) starts again from the earliest offset and reads all of that. The default, 30 days,
//   outlasts it with room to spare.
// - Batches of `batch` rows, each its own autocommitted DELETE (no long lock, little WAL at a
//   time), repeated until a batch comes back short. Rows are chosen with FOR UPDATE SKIP LOCKED,
//   so several instances purging at once delete disjoint rows and never wait for each other.
// - A retention of zero keeps the table's rows forever.
//
// Metric: saga_retention_deleted_rows_total{table} (docs/observability.md).
// Thread-safety: PurgeOnce uses one pooled connection per call; call it from one thread at a
// time per purger (RetentionSweeper does, on its own thread).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "saga/core/periodic_task.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/pg/pool.hpp"

namespace saga::outbox {

struct RetentionConfig {
  std::chrono::seconds outbox{std::chrono::hours(24)};
  std::chrono::seconds inbox{std::chrono::hours(24 * 30)};
  int batch = 1000;
};

struct RetentionResult {
  std::int64_t outbox = 0;  // rows deleted
  std::int64_t inbox = 0;
};

/// The first topic (not a .dlq one: a dead letter was never applied, so it has no inbox record to
/// outlast) whose messages may stay readable longer than an inbox record kept `inbox_retention`:
/// its retention plus `segment_roll` (the broker's log.roll.hours, 7 days by default). A consumer
/// sent back to an old offset could apply such a message twice. nullopt when there is none, or
/// when inbox records are kept forever (0). A topic retention of -1 means forever.
[[nodiscard]] std::optional<std::string> TopicOutlastingTheInbox(
    std::chrono::seconds inbox_retention, const std::vector<kafka::TopicSpec>& topics,
    std::chrono::seconds segment_roll = std::chrono::hours(24 * 7));

class RetentionSweeper {
 public:
  RetentionSweeper(pg::ConnectionPool& pool, RetentionConfig config, std::chrono::milliseconds interval,
                   observability::Metrics& metrics = observability::DefaultMetrics());
  ~RetentionSweeper();
  RetentionSweeper(const RetentionSweeper&) = delete;
  RetentionSweeper& operator=(const RetentionSweeper&) = delete;

  void Start() { task_.Start(); }
  void Stop() { task_.Stop(); }
  /// Deletes every row past its retention, batch by batch. Throws core::InfraError.
  RetentionResult PurgeOnce();

 private:
  std::int64_t Purge(const char* table, const std::string& sql, std::chrono::seconds retention);

  pg::ConnectionPool& pool_;
  const RetentionConfig config_;
  prometheus::Family<prometheus::Counter>& deleted_;
  core::PeriodicTask task_;  // last: stopped before the members its passes use
};

}  // namespace saga::outbox
