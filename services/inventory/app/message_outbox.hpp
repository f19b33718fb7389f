#pragma once
// IMessageOutbox: the port through which the app layer publishes integration events. A message
// is not sent at once: it is stored with the state change it belongs to, in the same
// transaction, and a relay sends it after the commit (at least once; consumers deduplicate by
// message id). Implemented by infra/pg_message_outbox (the `outbox` table); faked in tests.

#include <string>

#include "saga/contracts/envelope.hpp"

namespace saga::inventory {

class IMessageOutbox {
 public:
  virtual ~IMessageOutbox() = default;
  /// Stores `envelope` for `topic` (Kafka key: envelope.order_id) in the current transaction.
  /// Throws core::InfraError subclasses; the transaction then rolls back whole.
  virtual void Publish(const std::string& topic, const contracts::Envelope& envelope) = 0;
};

}  // namespace saga::inventory
