#pragma once
// The inventory's part in the OrderCreationSaga: one function per saga command, each running the
// state change and its reply (saga.inventory.events) plus the stock messages of the change
// (stock_messages.hpp) in ONE unit of work, so they commit together. Called by the Kafka handler
// (infra/inventory_command_handler) inside the consumer's inbox transaction, and by tests.
//
// Every function is repeatable: a redelivered or repeated command changes nothing more and
// answers again. Replies are built from `origin` (OriginOf(command envelope)) and keyed by the
// order. Infrastructure failures propagate (the consumer retries); a refusal the saga must hear
// about is a reply, never an exception.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/app/stock_messages.hpp"
#include "services/inventory/app/unit_of_work.hpp"

namespace saga::inventory {

/// ReserveInventory v1.
struct ReserveInventoryCommand {
  core::OrderId order_id;
  std::vector<ReservationLine> items;
  core::Timestamp expires_at;
};

/// ReleaseInventory v1.
struct ReleaseInventoryCommand {
  core::OrderId order_id;
  std::string reason;
};

/// CommitInventory v1.
struct CommitInventoryCommand {
  core::OrderId order_id;
};

/// The reply a command got: its type, and the reason of an InventoryReservationFailed.
struct CommandReply {
  std::string type;
  std::string reason;
};

/// Reasons of InventoryReservationFailed.
inline constexpr const char* kReasonInsufficientStock = "InsufficientStock";
inline constexpr const char* kReasonUnknownProduct = "UnknownProduct";
inline constexpr const char* kReasonInvalidQuantity = "InvalidQuantity";
inline constexpr const char* kReasonAlreadyCompensated = "AlreadyCompensated";
inline constexpr const char* kReasonReservationExpired = "ReservationExpired";

/// Holds every line until `expires_at`, all or nothing (lines of one product are added up).
/// Replies InventoryReserved {orderId, reservations, expiresAt}, also to a repeat while the
/// reservations are held or sold; or InventoryReservationFailed {orderId, reason, productId?,
/// available?} with reason InsufficientStock, UnknownProduct, InvalidQuantity,
/// ReservationExpired (expiresAt already past), or AlreadyCompensated when the order's
/// reservations were already released, returned or expired (nothing is held again).
CommandReply HandleReserveInventory(IUnitOfWork& unit, const core::Clock& clock,
                                    const ReserveInventoryCommand& command, const MessageOrigin& origin);

/// Gives back whatever the order has (held units, or a sale: IInventoryRepository::Release) and
/// replies InventoryReleased {orderId, reason}, also when there was nothing to give back. Fails
/// (nothing written, no reply) only when stored stock refuses the move, which is corrupt data.
core::Result<CommandReply, InventoryError> HandleReleaseInventory(IUnitOfWork& unit, const core::Clock& clock,
                                                                  const ReleaseInventoryCommand& command,
                                                                  const MessageOrigin& origin);

/// Turns the order's held units into a sale and replies InventoryCommitted {orderId, items},
/// again for a repeat. When nothing is held for the order (its reservations expired, were
/// released or returned, or never existed) it replies InventoryReservationFailed {orderId,
/// reason "ReservationExpired"}; units held past their expiry stay until the expiry worker
/// gives them back. Fails (nothing written, no reply) only on corrupt stock.
core::Result<CommandReply, InventoryError> HandleCommitInventory(IUnitOfWork& unit, const core::Clock& clock,
                                                                 const CommitInventoryCommand& command,
                                                                 const MessageOrigin& origin);

/// Expires up to `limit` due reservations in one unit of work and publishes their StockUpdated.
/// Returns how many expired.
std::size_t ExpireDueReservations(IUnitOfWork& unit, const core::Clock& clock, int limit);

}  // namespace saga::inventory
