#include "saga/outbox/outbox_relay.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <functional>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "saga/kafka/errors.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/sql.hpp"

namespace saga::outbox {

OutboxRelay::OutboxRelay(RelayConfig config, pg::PgConfig pg, kafka::Producer& producer,
                         core::CircuitBreaker* producer_breaker, observability::Metrics& metrics)
    : config_(std::move(config)),
      pg_(std::move(pg)),
      producer_(producer),
      producer_breaker_(producer_breaker),
      published_total_(metrics
                           .CounterFamily("saga_outbox_published_total",
                                          "Outbox rows acknowledged and marked published by this instance")
                           .Add({})),
      failed_passes_total_(metrics
                               .CounterFamily("saga_outbox_failed_passes_total",
                                              "Relay passes that hit a broker or database error")
                               .Add({})),
      publish_delay_(metrics
                         .HistogramFamily("saga_outbox_publish_delay_seconds",
                                          "Outbox row committed (created) to acknowledged by the broker")
                         .Add({}, observability::LatencyBuckets())),
      leader_gauge_(metrics
                        .GaugeFamily("saga_outbox_relay_leader",
                                     "1 when this instance holds the publishing lock of its database")
                        .Add({})) {
  // What settles acknowledged rows (their ids the array parameter $n): deleted, or with
  // keep_published marked; and a pass's select of pending rows, alone or after settling.
  const auto settle = [this](const char* ids) {
    const std::string in = std::string("id = ANY(") + ids + "::bigint[])";
    return config_.keep_published
               ? "UPDATE outbox SET published_at = clock_timestamp(), attempts = attempts + 1, "
                 "last_error = NULL WHERE " +
                     in
               : "DELETE FROM outbox WHERE " + in;
  };
  const std::string pending =
      "SELECT id, topic, message_key, payload, headers::text, "
      "EXTRACT(EPOCH FROM clock_timestamp() - created_at)::float8 FROM outbox WHERE published_at IS NULL";
  settle_sql_ = settle("$1");
  pending_sql_ = pending + " ORDER BY id LIMIT $1";
  settle_and_pending_sql_ = "WITH settled AS (" + settle("$2") + ") " + pending +
                            " AND id <> ALL($2::bigint[]) ORDER BY id LIMIT $1";
}

OutboxRelay::~OutboxRelay() {
  Stop();
  ReleaseLeadership();
}

void OutboxRelay::ReleaseLeadership() noexcept {
  try {
    SettleAcknowledged();
  } catch (const std::exception& e) {
    spdlog::warn("outbox relay: {} acknowledged rows not deleted at stop (published again): {}",
                 acknowledged_.size(), e.what());
  }
  // Explicitly, so a standby takes over at once instead of when the server notices the closed
  // connection.
  try {
    if (conn_ && leader_) {
      pqxx::nontransaction tx(*conn_);
      pg::Exec(tx, "SELECT pg_advisory_unlock($1)", config_.leader_lock_key);
    }
  } catch (const std::exception& e) {
    spdlog::warn("outbox relay: releasing leadership failed (released with the connection): {}", e.what());
  }
  DropConnection();
}

void OutboxRelay::DropConnection() noexcept {
  // Rows acknowledged but not deleted are published again by whoever leads next (the inboxes
  // take each message once).
  acknowledged_.clear();
  conn_.reset();  // a session advisory lock goes with its connection
  leader_ = false;
  leader_gauge_.Set(0);
}

void OutboxRelay::Start() {
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Run(); });
  listener_ = std::thread([this] { Listen(); });
}

void OutboxRelay::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  stopped_.notify_all();
  if (listener_.joinable()) listener_.join();
  if (thread_.joinable()) thread_.join();
}

namespace {

class WakeReceiver final : public pqxx::notification_receiver {
 public:
  WakeReceiver(pqxx::connection_base& conn, const std::string& channel, std::function<void()> on_wake)
      : pqxx::notification_receiver(conn, channel), on_wake_(std::move(on_wake)) {}
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { on_wake_(); }

 private:
  std::function<void()> on_wake_;
};

}  // namespace

void OutboxRelay::Listen() {
  // Own connection: the publishing thread's is busy with passes, and a pqxx connection serves
  // one thread. Notifications are only acted on while this instance leads: a standby ignores
  // them (the leader is the one that publishes), so wakes never bounce between standbys.
  constexpr long kAwaitMicros = 200'000;  // bounds how long Stop() waits for this thread
  auto backoff = config_.backoff_min;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    try {
      auto conn = pg::Connect(pg_);
      WakeReceiver receiver(*conn, config_.wake_channel, [this] {
        if (!leader_.load()) return;
        {
          std::lock_guard lock(mu_);
          remote_notified_ = true;
        }
        wake_.notify_one();
      });
      backoff = config_.backoff_min;
      while (true) {
        {
          std::lock_guard lock(mu_);
          if (stop_) return;
        }
        (void)conn->await_notification(0, kAwaitMicros);
      }
    } catch (const std::exception& e) {
      spdlog::warn(
          "outbox relay: listening for wakes failed (retrying in {} ms; passes still run every "
          "{} ms): {}",
          backoff.count(), config_.poll_interval.count(), e.what());
      std::unique_lock lock(mu_);
      if (stopped_.wait_for(lock, backoff, [&] { return stop_; })) return;
      backoff = std::min(backoff * 2, config_.backoff_max);
    }
  }
}

void OutboxRelay::WakeLeader() {
  pg::Translated([&] {
    pqxx::nontransaction tx(*conn_);
    (void)pg::Exec(tx, "SELECT pg_notify($1, '')", config_.wake_channel);
  });
}

void OutboxRelay::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  wake_.notify_one();
}

RelayStats OutboxRelay::Stats() const {
  return RelayStats{published_.load(), failed_passes_.load(), leader_.load()};
}

namespace {

std::string IdList(const std::vector<std::int64_t>& ids) {
  return pg::ArrayLiteral(ids, [](std::int64_t id) { return std::to_string(id); });
}

}  // namespace

void OutboxRelay::SettleAcknowledged() {
  if (acknowledged_.empty() || !conn_) return;
  pg::Translated([&] {
    pqxx::nontransaction tx(*conn_);
    pg::Exec0(tx, settle_sql_, IdList(acknowledged_));
  });
  acknowledged_.clear();
}

bool OutboxRelay::EnsureLeader() {
  if (conn_ && !conn_->is_open()) DropConnection();
  if (!conn_) {
    conn_ = pg::Connect(pg_);
    // A commit of this connection only settles rows the broker has (or records a failure): lost
    // in a crash, they are published again, which the inboxes absorb. So its commits do not wait
    // for the WAL flush, and a pass's statement answers without one.
    conn_->set_variable("synchronous_commit", "off");
    // Its statements go by the outbox's indexes (pending rows, ids). Left to the planner, a plan
    // made while the table looked tiny (just vacuumed, nothing pending) scanned the whole heap,
    // hundreds of pages of rows deleted since, at every pass until the next analyze.
    conn_->set_variable("enable_seqscan", "off");
  }
  if (!leader_) {
    leader_ = pg::Translated([&] {
      pqxx::nontransaction tx(*conn_);
      return pg::Exec1(tx, "SELECT pg_try_advisory_lock($1)", config_.leader_lock_key)[0].as<bool>();
    });
    if (leader_) spdlog::info("outbox relay: this instance publishes ({} rows per pass)", config_.batch_size);
    leader_gauge_.Set(leader_ ? 1 : 0);
  }
  return leader_;
}

int OutboxRelay::PublishOnce() {
  try {
    if (!EnsureLeader()) return 0;
    struct Row {
      std::int64_t id;
      kafka::OutgoingMessage message;
      double age_seconds;  // at the time of the select, by the database's clock
    };
    std::vector<Row> rows;
    const auto selected_at = std::chrono::steady_clock::now();
    pg::Translated([&] {
      pqxx::nontransaction tx(*conn_);  // one statement: no BEGIN and ROLLBACK round trips
      // The previous pass's acknowledged rows are settled by this pass's statement (one round
      // trip and commit per pass instead of two); its select does not see that change, so it
      // passes over them by id.
      pqxx::result pending;
      if (acknowledged_.empty()) {
        pending = pg::Exec(tx, pending_sql_, config_.batch_size);
      } else {
        pending = pg::Exec(tx, settle_and_pending_sql_, config_.batch_size, IdList(acknowledged_));
      }
      acknowledged_.clear();
      for (const auto& r : pending) {
        kafka::OutgoingMessage message{config_.topic_prefix + r[1].as<std::string>(),
                                       r[2].as<std::string>(),
                                       r[3].as<std::string>(),
                                       {}};
        const auto headers = nlohmann::json::parse(r[4].c_str());
        for (const auto& [name, value] : headers.items()) {
          message.headers.emplace_back(name, value.get<std::string>());
        }
        rows.push_back(Row{r[0].as<std::int64_t>(), std::move(message), r[5].as<double>()});
      }
    });
    if (rows.empty()) return 0;
    if (producer_breaker_ != nullptr && !producer_breaker_->Allow()) {
      throw kafka::KafkaError("circuit breaker '" + producer_breaker_->Name() + "' is open", 0, true);
    }

    // Enqueue all in id order (the idempotent producer keeps per-partition order), then wait.
    std::vector<std::future<kafka::DeliveryReport>> acks;
    acks.reserve(rows.size());
    std::size_t enqueued = 0;
    std::string enqueue_error;
    for (const auto& row : rows) {
      try {
        acks.push_back(producer_.Produce(row.message));
        ++enqueued;
      } catch (const kafka::KafkaError& e) {
        enqueue_error = e.what();
        break;  // later rows wait for the next pass, so one key's order is kept
      }
    }
    std::vector<std::int64_t> done;
    std::vector<double> delays;  // observed once the rows are marked
    std::vector<std::pair<std::int64_t, std::string>> failed;
    const auto deadline = std::chrono::steady_clock::now() + config_.ack_timeout;
    // Sent now: the pass waits for every acknowledgement anyway, so kafka.linger_ms would only
    // hold its messages back (2 ms per hop of a saga). Which rows failed, the futures say.
    if (enqueued > 0) (void)producer_.Flush(config_.ack_timeout);
    for (std::size_t i = 0; i < enqueued; ++i) {
      try {
        if (acks[i].wait_until(deadline) != std::future_status::ready) {
          failed.emplace_back(rows[i].id, "no acknowledgement within the ack timeout");
          continue;
        }
        acks[i].get();
        done.push_back(rows[i].id);
        delays.push_back(std::max(0.0, rows[i].age_seconds) +
                         observability::SecondsSince<std::chrono::steady_clock>(selected_at));
      } catch (const std::exception& e) {
        failed.emplace_back(rows[i].id, e.what());
      }
    }
    if (!enqueue_error.empty()) failed.emplace_back(rows[enqueued].id, enqueue_error);

    // Settled by the next pass's statement (at the latest at Stop()), or now with the failures.
    acknowledged_ = done;
    if (!failed.empty()) {
      pg::Translated([&] {
        pqxx::work tx(*conn_);
        if (!acknowledged_.empty()) pg::Exec0(tx, settle_sql_, IdList(acknowledged_));
        for (const auto& [id, error] : failed) {
          pg::Exec0(tx, "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1", id,
                    error.substr(0, 500));
        }
        tx.commit();
      });
      acknowledged_.clear();
    }
    published_ += done.size();
    published_total_.Increment(static_cast<double>(done.size()));
    for (const double delay : delays) publish_delay_.Observe(delay);
    if (producer_breaker_ != nullptr) {
      if (failed.empty()) {
        producer_breaker_->RecordSuccess();
      } else {
        producer_breaker_->RecordFailure();
      }
    }
    if (!failed.empty()) {
      throw kafka::KafkaError(
          std::to_string(failed.size()) + " outbox rows not acknowledged: " + failed.front().second, 0, true);
    }
    return static_cast<int>(done.size());
  } catch (const pg::ConnectionError&) {
    DropConnection();
    throw;
  }
}

void OutboxRelay::Run() {
  auto backoff = config_.backoff_min;
  bool committed_here = false;  // this pass follows a Notify(): this instance committed rows
  while (true) {
    std::chrono::milliseconds wait = config_.poll_interval;
    bool backing_off = false;
    try {
      const int published = PublishOnce();
      if (committed_here && !leader_ && conn_) WakeLeader();
      backoff = config_.backoff_min;
      if (published == config_.batch_size) wait = std::chrono::milliseconds(0);  // more pending
      // Acknowledged rows wait for the next pass: one comes soon even on a quiet system.
      if (!acknowledged_.empty()) wait = std::min(wait, config_.settle_within);
    } catch (const std::exception& e) {
      ++failed_passes_;
      failed_passes_total_.Increment();
      spdlog::warn("outbox relay pass failed (retrying in {} ms): {}", backoff.count(), e.what());
      wait = backoff;
      backing_off = true;  // new commits do not cut the backoff short while the broker is down
      backoff = std::min(backoff * 2, config_.backoff_max);
    }
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, wait, [&] { return stop_ || ((notified_ || remote_notified_) && !backing_off); });
    if (stop_) break;
    committed_here = notified_;
    notified_ = false;
    remote_notified_ = false;
  }
  ReleaseLeadership();
}

}  // namespace saga::outbox
