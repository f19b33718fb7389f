#pragma once
// OutboxRelay: publishes committed outbox rows to Kafka, in id order, and deletes a row (or, with
// `keep_published`, marks it published) only after the broker acknowledged it (acks=all). Rows
// left by a crash between commit and publish are picked up on the next pass (every pass selects
// all pending rows), so nothing is lost; a row may be published twice after a crash mid-pass,
// which the consumers' inbox absorbs.
//
// One statement per pass: the rows a pass had acknowledged are deleted by the next pass's select
// (a data-modifying WITH; the select passes over them by id), which comes within `settle_within`
// (or at Stop(), or at once with the record of a pass that failed for some rows). Until then they
// still count as pending (health, gauges). The relay's connection commits asynchronously
// (synchronous_commit=off): what it writes only settles rows the broker already has, so a delete
// lost in a crash, like one not yet made, means the row is published again. It also plans without
// sequential scans (enable_seqscan=off): the outbox's indexes serve every statement, and a plan
// made while the table looked tiny read every page of its deleted rows at each pass.
//
// Deleted, not kept: a mark rewrote each row (a new version of the whole row, payload included,
// and an entry in each index), and marked rows stayed until the retention sweeper removed them a
// day later, so the table grew to a million rows and a gigabyte under load, most of it dead or
// never read again (docs/performance.md). Kafka keeps what was sent (7 days).
//
// - Woken right after a commit by Notify() (in-process), and every `poll_interval` otherwise
//   (crash leftovers, rows of a process that does not notify).
// - One relay per database publishes at a time (a session advisory lock held on its own
//   connection), so a second instance cannot reorder one order's messages; the others stand by
//   and take over when the leader's connection goes away.
// - A standby woken by its own instance's commit passes the wake on to the leader through the
//   database (NOTIFY on `wake_channel`, which every started relay LISTENs to on a connection of
//   its own; only the leader acts on it), so rows committed by any instance go out at once, not
//   at the leader's next poll.
// - While the broker is down, passes fail and are retried with exponential backoff; rows stay
//   pending, their attempts and last error recorded.
//
// Metrics (docs/observability.md): saga_outbox_published_total, saga_outbox_publish_delay_seconds
// (row created to acknowledged), saga_outbox_failed_passes_total, saga_outbox_relay_leader.
//
// Lifecycle: Start() spawns the thread; Stop() finishes the current pass and joins (drain last
// at shutdown). Thread-safe: Notify() and Stats() from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "saga/core/circuit_breaker.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/pg/connection.hpp"

namespace saga::outbox {

struct RelayConfig {
  /// Rows per pass.
  int batch_size = 500;
  /// Longest wait between passes when not notified.
  std::chrono::milliseconds poll_interval{250};
  /// Longest wait for the pass that deletes (or marks) the rows the last pass had acknowledged,
  /// when no commit wakes the relay before (under load one always does).
  std::chrono::milliseconds settle_within{100};
  /// Backoff after a failed pass: doubles from min to max.
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{5000};
  /// How long a pass waits for the broker's acknowledgements.
  std::chrono::milliseconds ack_timeout{30000};
  /// Advisory-lock key of the leader election (one per database is enough).
  std::int64_t leader_lock_key = 0x5A6A'0002;
  /// LISTEN/NOTIFY channel on which standbys wake the leader (per database, like the lock).
  std::string wake_channel = "saga_outbox_wake";
  /// Put before every topic name on publishing (kafka.topic_prefix): lets several systems share
  /// one broker without seeing each other's messages (tests, staging). Empty in production.
  std::string topic_prefix;
  /// Keep acknowledged rows, marked with published_at (deleted by the RetentionSweeper after
  /// outbox.retention_s), instead of deleting them at once: a record of what was sent in the
  /// database, at the price above. outbox.keep_published.
  bool keep_published = false;
};

struct RelayStats {
  std::uint64_t published = 0;      // rows acknowledged (and deleted or marked)
  std::uint64_t failed_passes = 0;  // passes that hit a broker or database error
  bool leader = false;              // holds the publishing lock
};

class OutboxRelay {
 public:
  /// `producer_breaker` (optional) guards the broker: while open, passes are skipped.
  OutboxRelay(RelayConfig config, pg::PgConfig pg, kafka::Producer& producer,
              core::CircuitBreaker* producer_breaker = nullptr,
              observability::Metrics& metrics = observability::DefaultMetrics());
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// Starts the publishing thread and the thread that listens for standbys' wakes.
  void Start();
  void Stop();
  /// Wakes the relay now (call after committing a transaction that appended rows). A standby
  /// passes the wake on to the leader.
  void Notify();
  [[nodiscard]] RelayStats Stats() const;

  /// One pass on the caller's thread (tests): publishes up to batch_size pending rows if this
  /// relay is (or becomes) the leader. Returns rows published. Throws on broker/database errors.
  int PublishOnce();

 private:
  void Run();
  void Listen();
  void WakeLeader();
  bool EnsureLeader();
  // Deletes (or marks) the rows acknowledged in the last pass that the next pass has not settled.
  void SettleAcknowledged();
  void ReleaseLeadership() noexcept;
  void DropConnection() noexcept;

  RelayConfig config_;
  std::string settle_sql_;              // deletes (or marks) the rows of $1
  std::string pending_sql_;             // the pending rows, up to $1
  std::string settle_and_pending_sql_;  // settles the rows of $2, then the other pending rows
  pg::PgConfig pg_;
  kafka::Producer& producer_;
  core::CircuitBreaker* producer_breaker_;
  std::unique_ptr<pqxx::connection> conn_;  // relay thread only
  std::vector<std::int64_t> acknowledged_;  // relay thread only: to settle with the next pass
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> failed_passes_{0};
  std::atomic<bool> leader_{false};  // holds the lock; written by the publishing thread only
  prometheus::Counter& published_total_;
  prometheus::Counter& failed_passes_total_;
  prometheus::Histogram& publish_delay_;
  prometheus::Gauge& leader_gauge_;
  std::mutex mu_;
  std::condition_variable wake_;     // the publishing thread waits on it
  std::condition_variable stopped_;  // the listener's backoff waits on it
  bool notified_ = false;            // by Notify(): this instance committed rows; guarded by mu_
  bool remote_notified_ = false;     // by a standby's NOTIFY; guarded by mu_
  bool stop_ = false;                // guarded by mu_
  std::thread thread_;
  std::thread listener_;
};

}  // namespace saga::outbox
