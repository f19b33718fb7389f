#pragma once
// Transactional outbox. A state change and the messages it causes commit in ONE PostgreSQL
// transaction: Append() inserts the encoded message into the service's `outbox` table inside the
// caller's transaction. OutboxRelay (outbox_relay.hpp) publishes committed rows afterwards.
//
// Ordering: rows are published in id order. For the messages of one key (one order) to keep
// their order, the transaction must lock the aggregate row (UPDATE ... WHERE version = ...)
// before appending, which every repository update does: two transactions of one order then
// commit in id order. Rows of different keys may commit out of id order; the relay never skips
// them because it always selects every unpublished row, not rows above a high-water mark.

#include <memory>
#include <string>

#include <pqxx/transaction_base>

#include "saga/contracts/envelope.hpp"
#include "saga/kafka/message.hpp"
#include "saga/outbox/message_outbox.hpp"

namespace saga::pg {
class BulkRows;
class BulkStatement;
}  // namespace saga::pg

namespace saga::outbox {

// Tables: libs/outbox/migrations/0002_messaging.up.sql, embedded as migration 2 of every
// service (saga_embed_migrations DIRS), so all services share one shape.

/// Appends `envelope` for `topic` (key: the order id) in the caller's transaction. Headers:
/// message-id, type, schema-version, correlation-id, traceparent. Returns the row id.
/// Throws pg errors (translated) on failure; the caller's transaction then rolls back whole.
std::int64_t Append(pqxx::transaction_base& tx, const std::string& topic,
                    const contracts::Envelope& envelope);

/// IMessageOutbox that stores what is published in ONE statement when flushed (pg::BulkRows): a
/// transaction that publishes N messages pays one insert instead of N. Whoever commits the
/// transaction calls Flush() first (a consumer's handler through its TransactionWork, a unit of
/// work before its commit): a message published and never flushed is never stored, and the
/// destructor logs it at error level. Rows get their ids in the order published, at Flush, so
/// the ordering rule above applies to the moment of the flush (the aggregate's lock is still
/// held then). Bound to one transaction at a time; not thread-safe.
class OutboxBuffer final : public IMessageOutbox {
 public:
  OutboxBuffer();
  ~OutboxBuffer() override;
  OutboxBuffer(const OutboxBuffer&) = delete;
  OutboxBuffer& operator=(const OutboxBuffer&) = delete;

  /// Encodes the message now (so an envelope that does not encode fails here) and keeps it for
  /// Flush().
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override;
  /// Inserts the messages published since the last Flush, in order; nothing when there are
  /// none. Throws pg errors (translated); the transaction then rolls back whole.
  void Flush(pqxx::transaction_base& tx);
  /// Messages published so far (flushed or not): whoever commits wakes the relay when it is not
  /// 0 (OutboxRelay::Notify), or the rows wait for the relay's next poll.
  [[nodiscard]] int Appended() const noexcept { return appended_; }
  /// Published and not flushed yet.
  [[nodiscard]] bool Pending() const noexcept;
  /// For a caller that writes other tables in the same statement: adds the pending messages to
  /// `statement` as one part (kept by reference: this buffer must outlive its Exec), and Clear()
  /// once it ran. Flush() is this with a statement of its own.
  void AddTo(pg::BulkStatement& statement) const;
  void Clear();

 private:
  std::unique_ptr<pg::BulkRows> rows_;
  int appended_ = 0;
};

/// IMessageOutbox over a caller's transaction (Append). The transaction must outlive it.
class TransactionOutbox final : public IMessageOutbox {
 public:
  explicit TransactionOutbox(pqxx::transaction_base& tx) : tx_(tx) {}
  void Publish(const std::string& topic, const contracts::Envelope& envelope) override {
    (void)Append(tx_, topic, envelope);
    ++appended_;
  }
  /// Rows appended so far: whoever commits the transaction wakes the relay when it is not 0
  /// (OutboxRelay::Notify), or the rows wait for the relay's next poll.
  [[nodiscard]] int Appended() const noexcept { return appended_; }

 private:
  pqxx::transaction_base& tx_;
  int appended_ = 0;
};

/// The Kafka headers that accompany an envelope.
[[nodiscard]] kafka::Headers HeadersFor(const contracts::Envelope& envelope);

}  // namespace saga::outbox
