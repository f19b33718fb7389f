#pragma once
// ReliableConsumer: the consuming side of the messaging runtime.
//
// For every message of its topics, in partition order:
//   1. decode strictly (contracts::Decode); a message that does not decode goes to the DLQ at once
//      (unless its headers name a registered type this consumer passes over: see accepts);
//   2. in ONE PostgreSQL transaction: record (consumer, message id) in the inbox (with what the
//      handlers will read, ConsumerConfig::load, in the same statement), run the handler (its
//      effects and any outbox rows it appends), commit. A message already in the inbox is
//      skipped without a second effect;
//   3. only then commit the Kafka offset. A crash anywhere redelivers; the inbox absorbs it.
// Database unavailable (pg::ConnectionError, or its circuit breaker open): the message waits and
// is retried without limit (an outage must not dead-letter traffic); the offset is not committed.
// Types the consumer does not take (ConsumerConfig::accepts) are skipped: by their headers before
// step 1 when those name a registered contract, else after it.
// Handler failures: a retryable core::InfraError (or a core::ConcurrencyConflict) is retried with
// exponential backoff and jitter up to max_attempts; after that, or at once for any other exception, the
// message goes to
// the service's dead_letters table (dead_letters.hpp: what operators list, replay and discard) and
// "<topic>.dlq" with headers dlq-reason, dlq-attempts, dlq-original-topic, dlq-original-partition,
// dlq-original-offset, dlq-consumer, and the partition moves on. Every dead letter is counted and
// logged at error level with its message id and correlation id (the alerting hook).
//
// Tracing and logs: each message is handled in a child span of its traceparent (same trace id,
// new span id): HandlerContext::envelope carries that span as its traceparent, so replies that
// copy it continue the trace, and every line logged while handling it carries trace_id, span_id,
// correlation_id, saga_id, order_id, message_id and message_type.
// Metrics (docs/observability.md): saga_kafka_messages_consumed_total, saga_kafka_consumer_lag,
// saga_kafka_rebalances_total, saga_kafka_consumer_assigned_partitions, saga_kafka_dead_letters_total
// (at 0 for each subscribed topic from the start), saga_consumer_messages_total,
// saga_consumer_retries_total, saga_consumer_handle_duration_seconds.
//
// Parallelism: `threads` group members, each with its own Kafka consumer; Kafka spreads the
// partitions over them, so partitions run in parallel and each key stays in order.
// Lifecycle: Start(); Stop() finishes the message in hand, leaves the group and joins.

#include <any>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <pqxx/transaction_base>

#include "saga/contracts/envelope.hpp"
#include "saga/core/circuit_breaker.hpp"
#include "saga/kafka/consumer.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/pg/pool.hpp"

namespace saga::outbox {

/// What the handlers of an inbox transaction will read, loaded by the statement that records the
/// transaction's inbox rows (ConsumerConfig::load): a SELECT, which may lock rows (FOR UPDATE),
/// and its parameters, numbered from the `first_parameter` the consumer gave. Its first column
/// must never be NULL (a load without rows comes back as one row of NULLs, which is dropped).
struct BatchLoad {
  std::string sql;
  std::vector<std::string> params;
};

struct ConsumerConfig {
  /// Inbox name and Kafka group id ("inventory-commands").
  std::string name;
  std::vector<std::string> topics;
  int threads = 1;
  int max_attempts = 5;
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_max{5000};
  std::chrono::milliseconds poll_timeout{200};
  /// Messages a member takes from what has already arrived, without waiting, and applies in ONE
  /// inbox transaction (one commit and WAL flush instead of one per message). When that
  /// transaction fails, it rolls back and each message is handled again on its own, so retries
  /// and dead letters still concern one message. 1: one transaction per message.
  int batch_size = 16;
  /// The envelope types the handler acts on; empty: all. A message of another type is passed
  /// over without a transaction or an inbox row (counted with outcome "skipped") and its offset
  /// committed; one whose `type` and `schema-version` headers name such a registered contract
  /// is passed over without being decoded (the relay writes the headers from the envelope): a topic may carry
  /// events this consumer has no use for (the order saga reads saga.inventory.events, which also carries
  /// StockUpdated), and an inbox transaction with its WAL flush for a message that changes nothing is the
  /// largest cost of such a consumer.
  std::function<bool(std::string_view type)> accepts{};
  /// Optional: what the handlers of an inbox transaction will read, loaded in the statement that
  /// records its inbox rows, so that a transaction pays one round trip for both instead of two.
  /// Given the messages the transaction takes (before the inbox has told the duplicates apart:
  /// what they would read is read, and locked, too) and the number its parameters start from,
  /// returns the query (BatchLoad), or nothing for no load. Its rows reach every handler of the
  /// transaction as HandlerContext::loaded. The query's text should be the same for every
  /// transaction (it is prepared once per connection), its values in the parameters.
  std::function<std::optional<BatchLoad>(const std::vector<const contracts::Envelope*>& taken,
                                         int first_parameter)>
      load{};
};

/// What a handler keeps for the length of one inbox transaction, across the messages that
/// transaction applies (one, or the messages of a batch): rows it loaded for all of them at once,
/// writes it put off to send together. The handler makes it on the first message of a
/// transaction (HandlerContext::work is then empty) and uses it for the next ones; the consumer
/// calls Flush() once, after the last message and before the commit, then drops it (also when
/// the transaction rolls back). Flush may throw like any statement: the transaction then rolls
/// back whole, and a batch is handled again message by message.
class TransactionWork {
 public:
  virtual ~TransactionWork() = default;
  virtual void Flush() = 0;
};

struct HandlerContext;
namespace internal {
/// The slot TransactionStateOf keeps its object in, next to the transaction's outbox.
[[nodiscard]] std::any& TransactionStateSlot(HandlerContext& context);
}  // namespace internal

struct HandlerContext {
  pqxx::transaction_base& tx;
  /// The decoded message; its traceparent is the span this consumer handles it in.
  const contracts::Envelope& envelope;
  const kafka::ConsumedMessage& raw;
  /// Run, in order, after the transaction committed (metrics of committed effects); dropped
  /// when it rolls back. They must not throw. Shared by the messages of the transaction.
  std::vector<std::function<void()>>& after_commit;
  /// Every message this transaction applies, in order, this one among them (duplicates the
  /// inbox already holds are not): what a handler may load in one statement for all of them.
  const std::vector<const contracts::Envelope*>& applying;
  /// The handler's state for this transaction (TransactionWork); empty on its first message.
  std::unique_ptr<TransactionWork>& work;
  /// The rows ConsumerConfig::load selected for this transaction, in its query's column order;
  /// nullptr when the consumer has no load (or it returned nothing for this transaction).
  const std::vector<pqxx::row>* loaded = nullptr;
};

/// The OutboxBuffer (outbox.hpp) of the transaction `context` belongs to: made on its first
/// message as the transaction's TransactionWork, flushed by the consumer before the commit, so
/// the messages that all the handlers of a batch publish are stored by one insert. For handlers
/// that keep nothing else across messages (a handler that has a TransactionWork of its own flushes
/// its outbox in it instead).
[[nodiscard]] OutboxBuffer& TransactionOutboxOf(HandlerContext& context);

/// What a handler that uses TransactionOutboxOf keeps for the length of the transaction besides
/// its outbox: made by `make()` on the transaction's first call, the same object for the next
/// messages, dropped with the transaction. `T` must be copyable (it is held in a std::any).
/// Throws std::logic_error when the transaction's work is not its outbox (a handler with a
/// TransactionWork of its own), std::bad_any_cast when asked for another type than the first.
template <typename T, typename Make>
[[nodiscard]] T& TransactionStateOf(HandlerContext& context, Make make) {
  std::any& state = internal::TransactionStateSlot(context);
  if (!state.has_value()) state = T(make());
  return std::any_cast<T&>(state);
}

/// Applies one message inside `context.tx`. Throw a retryable core::InfraError for a transient
/// failure; anything else sends the message to the DLQ.
using MessageHandler = std::function<void(HandlerContext& context)>;

/// A non-retryable failure the handler wants dead-lettered with its reason.
class PermanentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConsumerStats {
  std::uint64_t processed = 0;           // handler effects committed
  std::uint64_t duplicates_skipped = 0;  // found in the inbox
  std::uint64_t retries = 0;
  std::uint64_t dead_lettered = 0;
  int members = 0;              // group members of this process that have joined
  int assigned_partitions = 0;  // partitions they own now
  std::int64_t lag = 0;         // messages behind the high watermarks of those partitions
};

class ReliableConsumer {
 public:
  /// `after_commit` runs after each committed transaction (e.g. OutboxRelay::Notify); may be empty.
  /// `db_breaker` (optional) guards the database: while open, messages wait without trying.
  ReliableConsumer(ConsumerConfig config, kafka::KafkaConfig kafka, pg::ConnectionPool& pool,
                   kafka::Producer& dlq_producer, MessageHandler handler,
                   std::function<void()> after_commit = {}, core::CircuitBreaker* db_breaker = nullptr,
                   observability::Metrics& metrics = observability::DefaultMetrics());
  ~ReliableConsumer();
  ReliableConsumer(const ReliableConsumer&) = delete;
  ReliableConsumer& operator=(const ReliableConsumer&) = delete;

  void Start();
  void Stop();
  [[nodiscard]] ConsumerStats Stats() const;

 private:
  struct Instruments {
    prometheus::Family<prometheus::Counter>& consumed;
    prometheus::Family<prometheus::Gauge>& lag;
    prometheus::Family<prometheus::Counter>& dead_letters;
    prometheus::Family<prometheus::Counter>& messages;
    prometheus::Counter& retries;
    prometheus::Counter& assigned;
    prometheus::Counter& revoked;
    prometheus::Histogram& duration;
    prometheus::Gauge& assigned_partitions;
  };
  static Instruments MakeInstruments(observability::Metrics& metrics, const std::string& consumer);

  void Run(int member);
  /// The type of a message this consumer passes over, read from its `type` header so that it is
  /// not decoded at all (ConsumerConfig::accepts); nothing when the header is missing or names a
  /// type the consumer takes (the decoded envelope decides then).
  [[nodiscard]] std::optional<std::string> PassedOver(const kafka::ConsumedMessage& message) const;
  void Handle(kafka::Consumer& consumer, const kafka::ConsumedMessage& message);
  struct BatchItem {
    const kafka::ConsumedMessage* raw;
    contracts::Envelope envelope;
    bool apply;  // false: a type this consumer passes over
  };
  /// Handles polled messages in order: runs of messages it takes go through ApplyTogether,
  /// the rest (and every message of a run that failed) through Handle.
  void HandleBatch(kafka::Consumer& consumer, const std::vector<kafka::ConsumedMessage>& batch);
  /// Applies `items` in one inbox transaction and commits their offsets; false (nothing
  /// applied, nothing committed) when that transaction failed or cannot be tried now.
  bool ApplyTogether(kafka::Consumer& consumer, std::vector<BatchItem>& items);
  enum class Outcome { kSkipped, kApplied, kDuplicate };
  /// The messages of one transaction inside `tx`: their inbox rows in one statement, then the
  /// handler for each the inbox did not hold yet (in order, sharing one TransactionWork, whose
  /// Flush runs last); the handlers' after-commit actions are appended to `committed`. Items
  /// that are not to be applied are kSkipped. `enter_scopes`: handle each message in its own
  /// MessageScope (a caller handling a single message has entered it already).
  std::vector<Outcome> Apply(pqxx::transaction_base& tx, std::vector<BatchItem>& items,
                             std::vector<std::function<void()>>& committed, bool enter_scopes);
  /// What a committed transaction did: counts each message, observes the transaction's duration
  /// for each one it applied or found done, and runs the after-commit actions when it applied
  /// any. Never throws: the effects are committed, only a report can go missing.
  void ReportCommitted(const std::vector<std::pair<const contracts::Envelope*, Outcome>>& outcomes,
                       std::vector<std::function<void()>>& committed, double seconds) noexcept;
  void DeadLetter(const kafka::ConsumedMessage& message, const std::string& reason, int attempts,
                  const std::string& message_id, const std::string& correlation_id, const std::string& type);
  /// Records the dead letter in the service's dead_letters table (dead_letters.hpp).
  void Record(const kafka::ConsumedMessage& message, const std::string& dlq_topic, const std::string& reason,
              int attempts, core::Timestamp failed_at);
  /// Runs `store` until it does not throw, backing off between tries; throws kafka::KafkaError
  /// when the consumer stops first (the offset then stays uncommitted).
  void RetryUntilStored(const std::string& what, const std::function<void()>& store);
  void Count(const std::string& type, const char* outcome);
  bool SleepUnlessStopped(std::chrono::milliseconds duration);

  ConsumerConfig config_;
  kafka::KafkaConfig kafka_;
  pg::ConnectionPool& pool_;
  kafka::Producer& dlq_producer_;
  MessageHandler handler_;
  std::function<void()> after_commit_;
  core::CircuitBreaker* db_breaker_;
  Instruments instruments_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::atomic<std::uint64_t> processed_{0};
  std::atomic<std::uint64_t> duplicates_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> dead_lettered_{0};
  struct Membership {
    bool joined = false;
    int partitions = 0;
    std::int64_t lag = 0;
    std::vector<kafka::Consumer::PartitionLag> lags;
  };
  /// Stores a member's state and brings the lag series in line with what all members own now
  /// (a partition that moved between members of this process keeps its series).
  void SetMembership(int member, Membership state);

  mutable std::mutex membership_mu_;
  std::vector<Membership> membership_;  // one per member thread, guarded by membership_mu_
  std::map<std::pair<std::string, std::int32_t>, prometheus::Gauge*>
      lag_gauges_;  // guarded by membership_mu_
};

/// Puts dead letters of `dlq_topic` back on their original topic (header dlq-original-topic),
/// without the dlq-* headers, as the same message (same id: the inbox still guarantees one
/// effect). Replays at most `limit` messages, or only those whose message id is in `only`
/// (when not empty), reading with consumer group `group`. Returns the replayed count.
int ReplayDeadLetters(const kafka::KafkaConfig& kafka, kafka::Producer& producer,
                      const std::string& dlq_topic, const std::string& group, int limit,
                      const std::vector<std::string>& only, std::chrono::milliseconds idle_timeout);

}  // namespace saga::outbox
