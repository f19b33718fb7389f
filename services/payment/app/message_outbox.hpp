#pragma once
// IMessageOutbox: how the app layer publishes integration messages. Publishing means "send
// after the current transaction commits": the Pg implementation (infra/pg_message_outbox)
// appends to the transactional outbox inside the transaction it was built over, so the message
// leaves only if the state change commits, and the outbox relay sends it. Faked in tests.
// Infrastructure failures throw core::InfraError (the transaction then rolls back whole).
// Thread-safety: bound to one transaction, so to one thread.

#include <string>

#include "saga/contracts/envelope.hpp"

namespace saga::payment {

class IMessageOutbox {
 public:
  virtual ~IMessageOutbox() = default;
  /// Queues `envelope` for `topic` (key: its order id).
  virtual void Publish(const std::string& topic, const contracts::Envelope& envelope) = 0;
};

}  // namespace saga::payment
