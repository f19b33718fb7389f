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

#include <string>

#include <pqxx/transaction_base>

#include "saga/contracts/envelope.hpp"
#include "saga/kafka/message.hpp"
#include "saga/outbox/message_outbox.hpp"

namespace saga::outbox {

// Tables: libs/outbox/migrations/0002_messaging.up.sql, embedded as migration 2 of every
// service (saga_embed_migrations DIRS), so all services share one shape.

/// Appends `envelope` for `topic` (key: the order id) in the caller's transaction. Headers:
/// message-id, type, schema-version, correlation-id, traceparent. Returns the row id.
/// Throws pg errors (translated) on failure; the caller's transaction then rolls back whole.
std::int64_t Append(pqxx::transaction_base& tx, const std::string& topic,
                    const contracts::Envelope& envelope);

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
