#include "saga/outbox/reliable_consumer.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>

#include "saga/contracts/message_types.hpp"
#include "saga/core/errors.hpp"
#include "saga/core/time.hpp"
#include "saga/core/trace_context.hpp"
#include "saga/kafka/errors.hpp"
#include "saga/observability/logging.hpp"
#include "saga/outbox/dead_letters.hpp"
#include "saga/pg/bulk.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/prepared.hpp"
#include "saga/pg/transaction_scope.hpp"

namespace saga::outbox {
namespace {

constexpr const char* kDlqPrefix = "dlq-";

std::chrono::milliseconds Jittered(std::chrono::milliseconds base, std::chrono::milliseconds max,
                                   int attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto ceiling = std::min<std::int64_t>(max.count(), base.count() << std::min(attempt, 20));
  std::uniform_int_distribution<std::int64_t> dist(ceiling / 2, std::max<std::int64_t>(ceiling, 1));
  return std::chrono::milliseconds(dist(rng));  // "equal jitter": half fixed, half random
}

core::TraceContext EnterChildSpan(contracts::Envelope& envelope) {
  const auto span =
      core::TraceContext::Parse(envelope.traceparent).value_or(core::TraceContext::NewRoot()).Child();
  envelope.traceparent = span.ToTraceparent();
  return span;
}

// While alive, the thread handles `envelope`: in this consumer's span, a child of the message's
// (whose traceparent Decode validated), written back into the envelope so that replies copying
// it continue the trace; and every line it logs carries the message's identifiers.
class MessageScope {
 public:
  explicit MessageScope(contracts::Envelope& envelope)
      : span_(EnterChildSpan(envelope)),
        fields_({{"trace_id", span_.TraceId()},
                 {"span_id", span_.SpanId()},
                 {"correlation_id", envelope.correlation_id},
                 {"saga_id", envelope.saga_id ? envelope.saga_id->Get().ToString() : std::string()},
                 {"order_id", envelope.order_id.Get().ToString()},
                 {"message_id", envelope.message_id.Get().ToString()},
                 {"message_type", envelope.type}}),
        trace_(envelope.traceparent) {}

 private:
  core::TraceContext span_;
  observability::ScopedLogFields fields_;
  observability::ScopedTrace trace_;
};

// The inbox rows of a transaction's messages, in one statement: the ids it returns are those
// the inbox did not hold (a message twice in one batch is returned once).
constexpr const char* kInboxInsert =
    "INSERT INTO inbox (consumer, message_id) SELECT v.consumer, v.message_id FROM {rows} ORDER BY v.ord "
    "ON CONFLICT DO NOTHING RETURNING message_id::text";

// A transaction's outbox as its TransactionWork (TransactionOutboxOf).
class BufferedOutbox final : public TransactionWork {
 public:
  explicit BufferedOutbox(pqxx::transaction_base& tx) : tx_(tx) {}
  void Flush() override { buffer_.Flush(tx_); }
  OutboxBuffer& Buffer() { return buffer_; }
  std::any& State() { return state_; }

 private:
  pqxx::transaction_base& tx_;
  OutboxBuffer buffer_;
  std::any state_;  // TransactionStateOf
};

BufferedOutbox& BufferedOutboxOf(HandlerContext& context) {
  if (!context.work) context.work = std::make_unique<BufferedOutbox>(context.tx);
  auto* outbox = dynamic_cast<BufferedOutbox*>(context.work.get());
  if (outbox == nullptr) throw std::logic_error("the transaction's work is not its outbox");
  return *outbox;
}

}  // namespace

OutboxBuffer& TransactionOutboxOf(HandlerContext& context) {
  return BufferedOutboxOf(context).Buffer();
}

std::any& internal::TransactionStateSlot(HandlerContext& context) {
  return BufferedOutboxOf(context).State();
}

ReliableConsumer::Instruments ReliableConsumer::MakeInstruments(observability::Metrics& metrics,
                                                                const std::string& consumer) {
  auto& rebalances = metrics.CounterFamily("saga_kafka_rebalances_total",
                                           "Partition assignments and revocations, by consumer group");
  return Instruments{
      metrics.CounterFamily("saga_kafka_messages_consumed_total",
                            "Messages polled, by consumer group and topic"),
      metrics.GaugeFamily("saga_kafka_consumer_lag",
                          "Messages behind the high watermark, per assigned partition"),
      metrics.CounterFamily("saga_kafka_dead_letters_total",
                            "Messages sent to <topic>.dlq, by consumer group and original topic"),
      metrics.CounterFamily("saga_consumer_messages_total",
                            "Messages handled, by consumer, envelope type and outcome "
                            "(applied, duplicate, dead_lettered)"),
      metrics.CounterFamily("saga_consumer_retries_total", "Handler attempts that failed and were retried")
          .Add({{"consumer", consumer}}),
      rebalances.Add({{"consumer", consumer}, {"kind", "assigned"}}),
      rebalances.Add({{"consumer", consumer}, {"kind", "revoked"}}),
      metrics
          .HistogramFamily(
              "saga_consumer_handle_duration_seconds",
              "The inbox transaction that applied a message (a batch's, when several were applied "
              "together), handler included, by consumer")
          .Add({{"consumer", consumer}}, observability::LatencyBuckets()),
      metrics
          .GaugeFamily("saga_kafka_consumer_assigned_partitions",
                       "Partitions the consumer's members in this process own now")
          .Add({{"consumer", consumer}})};
}

ReliableConsumer::ReliableConsumer(ConsumerConfig config, kafka::KafkaConfig kafka, pg::ConnectionPool& pool,
                                   kafka::Producer& dlq_producer, MessageHandler handler,
                                   std::function<void()> after_commit, core::CircuitBreaker* db_breaker,
                                   observability::Metrics& metrics)
    : config_(std::move(config)),
      kafka_(std::move(kafka)),
      pool_(pool),
      dlq_producer_(dlq_producer),
      handler_(std::move(handler)),
      after_commit_(std::move(after_commit)),
      db_breaker_(db_breaker),
      instruments_(MakeInstruments(metrics, config_.name)) {
  // A dead-letter series per subscribed topic from the start: increase() sees the first one.
  for (const auto& topic : config_.topics)
    instruments_.dead_letters.Add({{"consumer", config_.name}, {"topic", topic}});
}

void ReliableConsumer::Count(const std::string& type, const char* outcome) {
  instruments_.messages.Add({{"consumer", config_.name}, {"type", type}, {"outcome", outcome}}).Increment();
}

ReliableConsumer::~ReliableConsumer() {
  Stop();
}

void ReliableConsumer::Start() {
  stop_ = false;
  {
    std::lock_guard lock(membership_mu_);
    membership_.assign(static_cast<std::size_t>(std::max(1, config_.threads)), Membership{});
  }
  for (int i = 0; i < std::max(1, config_.threads); ++i) threads_.emplace_back([this, i] { Run(i); });
}

void ReliableConsumer::Stop() {
  stop_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

ConsumerStats ReliableConsumer::Stats() const {
  ConsumerStats stats{processed_.load(), duplicates_.load(), retries_.load(), dead_lettered_.load(), 0, 0, 0};
  std::lock_guard lock(membership_mu_);
  for (const auto& member : membership_) {
    stats.members += member.joined ? 1 : 0;
    stats.assigned_partitions += member.partitions;
    stats.lag += member.lag;
  }
  return stats;
}

void ReliableConsumer::SetMembership(int member, Membership state) {
  std::lock_guard lock(membership_mu_);
  membership_[static_cast<std::size_t>(member)] = std::move(state);
  int partitions = 0;
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> owned;
  for (const auto& each : membership_) {
    partitions += each.partitions;
    for (const auto& lag : each.lags) owned[{lag.topic, lag.partition}] = lag.lag;
  }
  instruments_.assigned_partitions.Set(partitions);
  for (auto it = lag_gauges_.begin(); it != lag_gauges_.end();) {  // revoked from every member
    if (owned.count(it->first) == 0) {
      instruments_.lag.Remove(it->second);
      it = lag_gauges_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [key, lag] : owned) {
    auto& gauge = lag_gauges_[key];
    if (gauge == nullptr) {
      gauge = &instruments_.lag.Add(
          {{"consumer", config_.name}, {"topic", key.first}, {"partition", std::to_string(key.second)}});
    }
    gauge->Set(static_cast<double>(lag));
  }
}

bool ReliableConsumer::SleepUnlessStopped(std::chrono::milliseconds duration) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < until) {
    if (stop_) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(20),
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()) +
            std::chrono::milliseconds(1)));
  }
  return !stop_;
}

void ReliableConsumer::Run(int member) {
  while (!stop_) {
    try {
      kafka::ConsumerOptions options{config_.name, config_.topics, "earliest", {}};
      options.on_rebalance = [this](bool assigned, int /*partitions*/) {
        (assigned ? instruments_.assigned : instruments_.revoked).Increment();
      };
      kafka::Consumer consumer(kafka_, options);
      spdlog::info("consumer {} member {} joined for {} topic(s)", config_.name, member,
                   config_.topics.size());
      auto next_report = std::chrono::steady_clock::now();
      while (!stop_) {
        auto message = consumer.Poll(config_.poll_timeout);
        if (message) {
          // What else has arrived already (without waiting) is handled with it.
          std::vector<kafka::ConsumedMessage> batch;
          batch.push_back(std::move(*message));
          while (static_cast<int>(batch.size()) < config_.batch_size) {
            auto more = consumer.Poll(std::chrono::milliseconds(0));
            if (!more) break;
            batch.push_back(std::move(*more));
          }
          for (const auto& each : batch) {
            instruments_.consumed.Add({{"consumer", config_.name}, {"topic", each.topic}}).Increment();
          }
          HandleBatch(consumer, batch);
        }
        if (std::chrono::steady_clock::now() >= next_report) {  // membership and lag: health, metrics
          next_report = std::chrono::steady_clock::now() + std::chrono::seconds(1);
          Membership state{true, 0, 0, consumer.Lag()};
          for (const auto& partition : state.lags) {
            ++state.partitions;
            state.lag += partition.lag;
          }
          SetMembership(member, std::move(state));
        }
      }
      SetMembership(member, Membership{});
      consumer.Close();
    } catch (const std::exception& e) {
      SetMembership(member, Membership{});
      // Leaving the loop without committing: the message comes again to whoever owns the partition.
      spdlog::error("consumer {} member {}: {}; rejoining", config_.name, member, e.what());
      SleepUnlessStopped(std::chrono::seconds(1));
    }
  }
}

std::optional<std::string> ReliableConsumer::PassedOver(const kafka::ConsumedMessage& message) const {
  if (!config_.accepts) return std::nullopt;
  auto type = message.Header("type");
  if (!type || config_.accepts(*type)) return std::nullopt;
  // Only a registered contract (type and schema version) is passed over unread: anything else
  // is decoded, so that a message with a made-up header still becomes a dead letter, and only
  // known types become metric labels.
  const auto version = message.Header("schema-version");
  int number = 0;
  if (!version ||
      std::from_chars(version->data(), version->data() + version->size(), number).ec != std::errc() ||
      contracts::FindSpec(*type, number) == nullptr) {
    return std::nullopt;
  }
  return type;
}

void ReliableConsumer::Handle(kafka::Consumer& consumer, const kafka::ConsumedMessage& message) {
  if (const auto type = PassedOver(message)) {
    Count(*type, "skipped");
    consumer.Commit(message);
    return;
  }
  auto decoded = contracts::Decode(message.payload);
  if (!decoded) {
    const auto trace = core::TraceContext::Parse(message.Header("traceparent").value_or(""));
    const observability::ScopedLogFields fields{{"trace_id", trace ? trace->TraceId() : std::string()},
                                                {"message_id", message.Header("message-id").value_or("")}};
    DeadLetter(message, decoded.Error().Reason(), 0, message.Header("message-id").value_or(""),
               message.Header("correlation-id").value_or(""), "undecodable");
    consumer.Commit(message);
    return;
  }
  std::vector<BatchItem> items;
  items.push_back(BatchItem{&message, std::move(decoded).Value(), true});
  auto& envelope = items.front().envelope;
  if (config_.accepts && !config_.accepts(envelope.type)) {
    Count(envelope.type, "skipped");
    consumer.Commit(message);
    return;
  }
  const MessageScope scope(envelope);
  const std::string message_id = envelope.message_id.Get().ToString();
  int outage_waits = 0;
  // What the committed transaction did; reported after the loop, where nothing can send the
  // message to the dead letters any more.
  std::optional<Outcome> done;
  std::vector<std::function<void()>> committed;
  double seconds = 0;
  for (int attempt = 1;; ++attempt) {
    if (stop_) return;                                      // not committed: redelivered after the restart
    if (db_breaker_ != nullptr && !db_breaker_->Allow()) {  // open: wait without trying
      --attempt;
      if (!SleepUnlessStopped(Jittered(config_.backoff_base, config_.backoff_max, outage_waits++))) return;
      continue;
    }
    try {
      const auto started = std::chrono::steady_clock::now();
      auto lease = pool_.Acquire();
      pg::Translated([&] {
        pqxx::work tx(*lease);
        std::vector<std::function<void()>> hooks;
        done = Apply(tx, items, hooks, false).front();
        if (done == Outcome::kDuplicate) return;  // rolled back: nothing to do
        tx.commit();
        committed = std::move(hooks);
      });
      seconds = observability::SecondsSince<std::chrono::steady_clock>(started);
      if (db_breaker_ != nullptr) db_breaker_->RecordSuccess();
      break;
    } catch (const pg::ConnectionError& e) {
      // The database is away: wait for it, however long, without using up the attempts.
      if (db_breaker_ != nullptr) db_breaker_->RecordFailure();
      --attempt;
      const auto delay = Jittered(config_.backoff_base, config_.backoff_max, outage_waits++);
      if (outage_waits == 1 || outage_waits % 20 == 0) {
        spdlog::warn("consumer {}: database unavailable ({}); message {} waits", config_.name, e.what(),
                     message_id);
      }
      if (!SleepUnlessStopped(delay)) return;
    } catch (const core::InfraError& e) {
      // A lost optimistic-concurrency race is worth another try: the handler reloads.
      const bool retryable = e.IsRetryable() || dynamic_cast<const core::ConcurrencyConflict*>(&e) != nullptr;
      if (!retryable || attempt >= config_.max_attempts) {
        DeadLetter(message, e.what(), attempt, message_id, envelope.correlation_id, envelope.type);
        break;
      }
      ++retries_;
      instruments_.retries.Increment();
      const auto delay = Jittered(config_.backoff_base, config_.backoff_max, attempt - 1);
      spdlog::warn("consumer {}: message {} attempt {} failed ({}); retrying in {} ms", config_.name,
                   message_id, attempt, e.what(), delay.count());
      if (!SleepUnlessStopped(delay)) return;
    } catch (const std::exception& e) {
      DeadLetter(message, e.what(), attempt, message_id, envelope.correlation_id, envelope.type);
      break;
    }
  }
  if (done) ReportCommitted({{&envelope, *done}}, committed, seconds);
  consumer.Commit(message);
}

void ReliableConsumer::HandleBatch(kafka::Consumer& consumer,
                                   const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<BatchItem> items;
  items.reserve(batch.size());
  int to_apply = 0;
  const auto flush = [&] {
    if (to_apply >= 2 && ApplyTogether(consumer, items)) {
      items.clear();
      to_apply = 0;
      return;
    }
    for (const auto& item : items) {  // one by one: with retries and dead letters
      if (stop_) return;
      Handle(consumer, *item.raw);
    }
    items.clear();
    to_apply = 0;
  };
  for (const auto& message : batch) {
    if (auto type = PassedOver(message)) {  // not even decoded
      contracts::Envelope passed;
      passed.type = std::move(*type);
      items.push_back(BatchItem{&message, std::move(passed), false});
      continue;
    }
    auto decoded = contracts::Decode(message.payload);
    if (!decoded) {  // a dead letter: what came before it is done first, in partition order
      flush();
      if (stop_) return;
      Handle(consumer, message);
      continue;
    }
    auto envelope = std::move(decoded).Value();
    if (config_.accepts && !config_.accepts(envelope.type)) {
      items.push_back(BatchItem{&message, std::move(envelope), false});  // its offset follows the others'
      continue;
    }
    items.push_back(BatchItem{&message, std::move(envelope), true});
    ++to_apply;
  }
  flush();
}

bool ReliableConsumer::ApplyTogether(kafka::Consumer& consumer, std::vector<BatchItem>& items) {
  if (stop_ || (db_breaker_ != nullptr && !db_breaker_->Allow())) return false;
  std::vector<std::pair<const contracts::Envelope*, Outcome>> outcomes;
  std::vector<std::function<void()>> committed;
  const auto started = std::chrono::steady_clock::now();
  try {
    auto lease = pool_.Acquire();
    pg::Translated([&] {
      pqxx::work tx(*lease);
      const auto applied = Apply(tx, items, committed, true);
      tx.commit();
      for (std::size_t i = 0; i < items.size(); ++i) outcomes.emplace_back(&items[i].envelope, applied[i]);
    });
  } catch (const std::exception& e) {
    // Rolled back, nothing applied: each message is handled again on its own, where a failure
    // is retried or dead-lettered for that message alone.
    spdlog::info("consumer {}: a batch of {} messages rolled back ({}); handling them one by one",
                 config_.name, items.size(), e.what());
    return false;
  }
  if (db_breaker_ != nullptr) db_breaker_->RecordSuccess();
  ReportCommitted(outcomes, committed, observability::SecondsSince<std::chrono::steady_clock>(started));
  for (const auto& item : items) consumer.Commit(*item.raw);
  return true;
}

std::vector<ReliableConsumer::Outcome> ReliableConsumer::Apply(pqxx::transaction_base& tx,
                                                               std::vector<BatchItem>& items,
                                                               std::vector<std::function<void()>>& committed,
                                                               bool enter_scopes) {
  pg::BulkRows inbox({{"consumer", "text"}, {"message_id", "uuid"}});
  std::vector<const contracts::Envelope*> taken;
  for (const auto& item : items) {
    if (!item.apply) continue;
    inbox.Add(config_.name, item.envelope.message_id.Get().ToString());
    taken.push_back(&item.envelope);
  }
  std::set<std::string, std::less<>> fresh;  // not in the inbox before: applied once each
  std::optional<BatchLoad> load;
  if (config_.load && !taken.empty()) load = config_.load(taken, static_cast<int>(inbox.Columns()) + 1);
  std::vector<pqxx::row> loaded;
  if (load) {
    // The inbox rows and the load in one statement. The load's rows come first in each row, the
    // ids the inbox did not hold last (an array, in every row); a load without rows still
    // yields one row, of NULLs but for the array. The load waits for the inbox rows (a one-time
    // filter on them): an insert that waits for another transaction holding the same message
    // must not do so while this one holds rows the load locked, or two transactions of
    // overlapping batches could wait for each other.
    auto params = inbox.Parameters();
    params.insert(params.end(), load->params.begin(), load->params.end());
    const auto sql =
        "WITH claimed AS (" + inbox.Statement(kInboxInsert) + "), loaded AS (SELECT l.* FROM (" + load->sql +
        ") AS l WHERE (SELECT count(*) FROM claimed) >= 0) SELECT loaded.*, ARRAY(SELECT message_id "
        "FROM claimed)::text FROM (VALUES (1)) AS one (x) LEFT JOIN loaded ON true";
    const auto result = tx.exec_prepared(pg::Prepare(tx, sql), pqxx::prepare::make_dynamic_params(params));
    const auto ids = result.columns() - 1;
    auto claimed = result[0][ids].as_array();  // libpqxx's parser of the array's text form
    for (auto next = claimed.get_next(); next.first != pqxx::array_parser::juncture::done;
         next = claimed.get_next()) {
      if (next.first == pqxx::array_parser::juncture::string_value) fresh.insert(std::move(next.second));
    }
    for (const auto& row : result) {
      if (!row[0].is_null()) loaded.push_back(row);
    }
  } else {
    for (const auto& row : inbox.Exec(tx, kInboxInsert)) fresh.insert(row[0].as<std::string>());
  }
  std::vector<Outcome> outcomes(items.size(), Outcome::kSkipped);
  std::vector<const contracts::Envelope*> applying;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].apply) continue;
    const bool first = fresh.erase(items[i].envelope.message_id.Get().ToString()) == 1;
    outcomes[i] = first ? Outcome::kApplied : Outcome::kDuplicate;
    if (first) applying.push_back(&items[i].envelope);
  }
  std::unique_ptr<TransactionWork> work;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (outcomes[i] != Outcome::kApplied) continue;
    std::optional<MessageScope> scope;
    if (enter_scopes) scope.emplace(items[i].envelope);
    HandlerContext context{tx,   items[i].envelope,       *items[i].raw, committed, applying,
                           work, load ? &loaded : nullptr};
    handler_(context);
  }
  if (work) work->Flush();
  return outcomes;
}

void ReliableConsumer::ReportCommitted(
    const std::vector<std::pair<const contracts::Envelope*, Outcome>>& outcomes,
    std::vector<std::function<void()>>& committed, double seconds) noexcept {
  try {
    bool applied = false;
    for (const auto& [envelope, outcome] : outcomes) {
      switch (outcome) {
        case Outcome::kSkipped:
          Count(envelope->type, "skipped");
          continue;
        case Outcome::kDuplicate:
          ++duplicates_;
          Count(envelope->type, "duplicate");
          spdlog::info("consumer {}: message {} already processed, skipped", config_.name,
                       envelope->message_id.Get().ToString());
          break;
        case Outcome::kApplied:
          ++processed_;
          Count(envelope->type, "applied");
          applied = true;
          break;
      }
      instruments_.duration.Observe(seconds);
    }
    if (!applied) return;
    for (auto& hook : committed) hook();
    if (after_commit_) after_commit_();
  } catch (const std::exception& e) {  // the effects are committed: only a report went missing
    spdlog::error("consumer {}: after committing {} message(s): {}", config_.name, outcomes.size(), e.what());
  }
}

void ReliableConsumer::DeadLetter(const kafka::ConsumedMessage& message, const std::string& reason,
                                  int attempts, const std::string& message_id,
                                  const std::string& correlation_id, const std::string& type) {
  kafka::OutgoingMessage dead{message.topic + ".dlq", message.key, message.payload, {}};
  for (const auto& header : message.headers) {
    if (header.first.rfind(kDlqPrefix, 0) != 0) dead.headers.push_back(header);
  }
  dead.headers.emplace_back("dlq-reason", reason.substr(0, 1000));
  dead.headers.emplace_back("dlq-attempts", std::to_string(attempts));
  dead.headers.emplace_back("dlq-original-topic", message.topic);
  dead.headers.emplace_back("dlq-original-partition", std::to_string(message.partition));
  dead.headers.emplace_back("dlq-original-offset", std::to_string(message.offset));
  dead.headers.emplace_back("dlq-consumer", config_.name);
  const auto failed_at = core::SystemClock().Now();
  dead.headers.emplace_back("dlq-failed-at", core::ToRfc3339(failed_at));
  Record(message, dead.topic, reason, attempts, failed_at);
  // The offset is committed only once the dead letter is safely stored: retry until it is.
  RetryUntilStored("dead letter of " + message_id, [&] { dlq_producer_.Produce(dead).get(); });
  ++dead_lettered_;
  instruments_.dead_letters.Add({{"consumer", config_.name}, {"topic", message.topic}}).Increment();
  Count(type, "dead_lettered");
  spdlog::error(
      "dead letter: consumer {} sent message {} (correlation {}) from {}[{}]@{} to {} after {} attempt(s): "
      "{}",
      config_.name, message_id.empty() ? "<unreadable>" : message_id,
      correlation_id.empty() ? "-" : correlation_id, message.topic, message.partition, message.offset,
      dead.topic, attempts, reason);
}

void ReliableConsumer::Record(const kafka::ConsumedMessage& message, const std::string& dlq_topic,
                              const std::string& reason, int attempts, core::Timestamp failed_at) {
  outbox::DeadLetter letter;
  letter.consumer = config_.name;
  letter.topic = message.topic;
  letter.dlq_topic = dlq_topic;
  letter.partition = message.partition;
  letter.offset = message.offset;
  letter.key = message.key;
  letter.message_id = message.Header("message-id");
  letter.message_type = message.Header("type");
  letter.payload = message.payload;
  letter.headers = message.headers;
  letter.reason = reason.substr(0, 1000);
  letter.attempts = attempts;
  letter.failed_at = failed_at;
  // Like the message itself, its record waits for the database; any other failure is logged
  // and the Kafka dead letter alone keeps the message.
  RetryUntilStored("the record of a dead letter", [&] {
    try {
      pg::TransactionScope(pool_).Run(
          [&](pqxx::transaction_base& tx) { (void)RecordDeadLetter(tx, letter); });
    } catch (const pg::ConnectionError&) {
      throw;
    } catch (const std::exception& e) {
      spdlog::error("consumer {}: dead letter of {}[{}]@{} not recorded in dead_letters: {}", config_.name,
                    message.topic, message.partition, message.offset, e.what());
    }
  });
}

void ReliableConsumer::RetryUntilStored(const std::string& what, const std::function<void()>& store) {
  for (int attempt = 0;; ++attempt) {
    try {
      store();
      return;
    } catch (const std::exception& e) {
      spdlog::error("consumer {}: cannot store {} yet: {}", config_.name, what, e.what());
      if (!SleepUnlessStopped(Jittered(config_.backoff_base, config_.backoff_max, attempt))) {
        throw kafka::KafkaError("stopped before " + what + " was stored", 0, true);
      }
    }
  }
}

int ReplayDeadLetters(const kafka::KafkaConfig& kafka, kafka::Producer& producer,
                      const std::string& dlq_topic, const std::string& group, int limit,
                      const std::vector<std::string>& only, std::chrono::milliseconds idle_timeout) {
  kafka::Consumer consumer(kafka, kafka::ConsumerOptions{group, {dlq_topic}, "earliest", {}});
  int replayed = 0;
  auto idle_since = std::chrono::steady_clock::now();
  while (replayed < limit && std::chrono::steady_clock::now() - idle_since < idle_timeout) {
    auto message = consumer.Poll(std::chrono::milliseconds(200));
    if (!message) continue;
    idle_since = std::chrono::steady_clock::now();
    const auto original = message->Header("dlq-original-topic");
    const auto id = message->Header("message-id").value_or("");
    const bool selected = only.empty() || std::find(only.begin(), only.end(), id) != only.end();
    if (original && selected) {
      kafka::OutgoingMessage again{*original, message->key, message->payload, {}};
      for (const auto& header : message->headers) {
        if (header.first.rfind(kDlqPrefix, 0) != 0) again.headers.push_back(header);
      }
      again.headers.emplace_back("replayed-from", dlq_topic);
      producer.Produce(again).get();
      ++replayed;
      spdlog::info("replayed dead letter {} from {} to {}", id.empty() ? "<unreadable>" : id, dlq_topic,
                   *original);
    }
    consumer.Commit(*message);
  }
  consumer.Close();
  return replayed;
}

}  // namespace saga::outbox
