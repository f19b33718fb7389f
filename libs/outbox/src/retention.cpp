#include "saga/outbox/retention.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>
#include <stdexcept>

#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"

namespace saga::outbox {
namespace {

// Each statement picks its batch through the table's time index (outbox_published_idx,
// inbox_processed_idx) and skips rows another purger holds.
const std::string kPurgeOutbox =
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at IS NOT NULL AND "
    "published_at < now() - make_interval(secs => $1) ORDER BY published_at LIMIT $2 "
    "FOR UPDATE SKIP LOCKED)";
const std::string kPurgeInbox =
    "DELETE FROM inbox WHERE (consumer, message_id) IN (SELECT consumer, message_id FROM inbox WHERE "
    "processed_at < now() - make_interval(secs => $1) ORDER BY processed_at LIMIT $2 "
    "FOR UPDATE SKIP LOCKED)";

}  // namespace

std::optional<std::string> TopicOutlastingTheInbox(std::chrono::seconds inbox_retention,
                                                   const std::vector<kafka::TopicSpec>& topics,
                                                   std::chrono::seconds segment_roll) {
  if (inbox_retention.count() <= 0) return std::nullopt;
  const auto inbox_ms = std::chrono::duration_cast<std::chrono::milliseconds>(inbox_retention).count();
  const auto roll_ms = std::chrono::duration_cast<std::chrono::milliseconds>(segment_roll).count();
  for (const auto& topic : topics) {
    if (topic.name.ends_with(".dlq")) continue;
    if (topic.retention_ms < 0 || topic.retention_ms + roll_ms > inbox_ms) return topic.name;
  }
  return std::nullopt;
}

RetentionSweeper::RetentionSweeper(pg::ConnectionPool& pool, RetentionConfig config,
                                   std::chrono::milliseconds interval, observability::Metrics& metrics)
    : pool_(pool),
      config_(config),
      deleted_(metrics.CounterFamily("saga_retention_deleted_rows_total",
                                     "Rows deleted from the messaging tables past their retention")),
      task_(
          interval, [this] { (void)PurgeOnce(); },
          [](const std::exception& e) { spdlog::warn("retention: purge failed: {}", e.what()); },
          /*wait_first=*/true) {
  if (config_.batch < 1) throw std::invalid_argument("retention batch must be at least 1");
  deleted_.Add({{"table", "outbox"}});
  deleted_.Add({{"table", "inbox"}});
}

RetentionSweeper::~RetentionSweeper() {
  Stop();
}

RetentionResult RetentionSweeper::PurgeOnce() {
  RetentionResult result;
  result.outbox = Purge("outbox", kPurgeOutbox, config_.outbox);
  result.inbox = Purge("inbox", kPurgeInbox, config_.inbox);
  // A routine pass (a minute's worth of rows) is only counted; a backlog, e.g. the first pass over
  // tables that grew before, is worth a line.
  if (result.outbox + result.inbox >= config_.batch) {
    spdlog::info("retention: deleted {} published outbox rows and {} inbox records", result.outbox,
                 result.inbox);
  } else if (result.outbox + result.inbox > 0) {
    spdlog::debug("retention: deleted {} published outbox rows and {} inbox records", result.outbox,
                  result.inbox);
  }
  return result;
}

std::int64_t RetentionSweeper::Purge(const char* table, const std::string& sql,
                                     std::chrono::seconds retention) {
  if (retention.count() <= 0) return 0;  // kept forever
  auto conn = pool_.Acquire();
  auto& counter = deleted_.Add({{"table", table}});
  std::int64_t total = 0;
  while (!task_.StopRequested()) {
    const auto deleted = pg::Translated([&] {
      pqxx::nontransaction tx(*conn);  // one statement, autocommitted
      return static_cast<std::int64_t>(
          pg::Exec0(tx, sql, static_cast<double>(retention.count()), config_.batch).affected_rows());
    });
    total += deleted;
    counter.Increment(static_cast<double>(deleted));
    if (deleted < config_.batch) break;
  }
  return total;
}

}  // namespace saga::outbox
