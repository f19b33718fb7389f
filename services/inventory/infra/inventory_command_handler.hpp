#pragma once
// The Kafka side of the saga commands (saga.inventory.commands, consumer "inventory-commands"):
// a thin handler that parses a command and calls its app function (app/inventory_commands.hpp)
// inside the reliable consumer's inbox transaction, so the effect, the reply, the stock messages
// and the inbox row commit together.
//
// Errors: a message type this service does not handle, a payload whose orderId differs from the
// envelope's, or a command refused by corrupt stock throws outbox::PermanentError (dead-lettered
// at once); infrastructure failures propagate (retried by the consumer).

#include "saga/core/time.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "services/inventory/app/inventory_commands.hpp"

namespace saga::inventory {

/// Parses `command` (an envelope that passed contracts::Decode) and runs its app function in
/// `unit`. Returns the reply it got.
CommandReply DispatchInventoryCommand(const contracts::Envelope& command, IUnitOfWork& unit,
                                      const core::Clock& clock);

/// The handler for service::AddConsumer: DispatchInventoryCommand in a PgTransactionUnitOfWork
/// over the consumer's transaction. `clock` must outlive the handler.
[[nodiscard]] outbox::MessageHandler MakeInventoryCommandHandler(const core::Clock& clock);

}  // namespace saga::inventory
