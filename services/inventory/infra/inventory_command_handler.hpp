#pragma once
// The Kafka side of the saga commands (saga.inventory.commands, consumer "inventory-commands"):
// a thin handler that parses a command and calls its app function (app/inventory_commands.hpp)
// inside the reliable consumer's inbox transaction, so the effect, the reply, the stock messages
// and the inbox row commit together.
//
// Errors: a message type this service does not handle, a payload whose orderId differs from the
// envelope's, or a command refused by corrupt stock throws outbox::PermanentError (dead-lettered
// at once); infrastructure failures propagate (retried by the consumer).

#include <optional>
#include <vector>

#include "saga/core/time.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "services/inventory/app/inventory_commands.hpp"

namespace saga::inventory {

/// Parses `command` (an envelope that passed contracts::Decode) and runs its app function in
/// `unit`. Returns the reply it got.
CommandReply DispatchInventoryCommand(const contracts::Envelope& command, IUnitOfWork& unit,
                                      const core::Clock& clock);

/// The handler for service::AddConsumer: DispatchInventoryCommand in a PgTransactionUnitOfWork
/// over the consumer's transaction. `clock` must outlive the handler. With the rows of
/// InventoryCommandLoad (HandlerContext::loaded), its repository takes the reservations and
/// stock rows from them (PreloadedStock) until the transaction writes them.
[[nodiscard]] outbox::MessageHandler MakeInventoryCommandHandler(const core::Clock& clock);

/// ConsumerConfig::load of the inventory commands: the reservations of the commands' orders and
/// the stock rows of the products they reserve or hold (PgInventoryRepository::PreloadQuery),
/// read and locked by the statement that records the transaction's inbox rows. Product ids that
/// are not UUIDs are left to the handler (which dead-letters the command).
[[nodiscard]] std::optional<outbox::BatchLoad> InventoryCommandLoad(
    const std::vector<const contracts::Envelope*>& taken, int first_parameter);

}  // namespace saga::inventory
