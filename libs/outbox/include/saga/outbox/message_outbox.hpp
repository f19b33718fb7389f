#pragma once
// IMessageOutbox: the port through which an app layer publishes integration messages.
// Publishing means "send after the current transaction commits": the message is stored with the
// state change it belongs to, in the same transaction, and the OutboxRelay sends it after the
// commit (at least once; consumers deduplicate by message id). TransactionOutbox (outbox.hpp)
// implements it over a pqxx transaction; tests use hand-written fakes.
// Thread-safety: bound to one transaction, so to one thread.

#include <string>

#include "saga/contracts/envelope.hpp"

namespace saga::outbox {

class IMessageOutbox {
 public:
  virtual ~IMessageOutbox() = default;
  /// Stores `envelope` for `topic` (Kafka key: envelope.order_id) in the current transaction.
  /// Throws core::InfraError subclasses; the transaction then rolls back whole.
  virtual void Publish(const std::string& topic, const contracts::Envelope& envelope) = 0;
};

}  // namespace saga::outbox
