#include "services/inventory/app/inventory_commands.hpp"

#include <algorithm>
#include <map>

#include "saga/contracts/message_types.hpp"

namespace saga::inventory {
namespace {

const char* ReasonOf(InventoryError error) {
  switch (error) {
    case InventoryError::kInsufficientStock:
      return kReasonInsufficientStock;
    case InventoryError::kUnknownProduct:
      return kReasonUnknownProduct;
    case InventoryError::kReservationExpired:
      return kReasonReservationExpired;
    default:
      return kReasonInvalidQuantity;
  }
}

CommandReply Reply(outbox::IMessageOutbox& outbox, const std::string& type, nlohmann::json payload,
                   const core::OrderId& order_id, const MessageOrigin& origin, core::Timestamp now,
                   std::string reason = "") {
  outbox.Publish(contracts::kInventoryEventsTopic,
                 BuildMessage(type, std::move(payload), origin, order_id, now));
  return CommandReply{type, std::move(reason)};
}

CommandReply ReservationFailed(outbox::IMessageOutbox& outbox, const core::OrderId& order_id,
                               const std::string& reason, const MessageOrigin& origin, core::Timestamp now,
                               nlohmann::json details = nlohmann::json::object()) {
  details["orderId"] = order_id.Get().ToString();
  details["reason"] = reason;
  return Reply(outbox, "InventoryReservationFailed", std::move(details), order_id, origin, now, reason);
}

bool IsCompensated(const Reservation& reservation) {
  const auto status = reservation.Status();
  return status == ReservationStatus::kReleased || status == ReservationStatus::kExpired ||
         status == ReservationStatus::kReturned;
}

// One line per product (the repository keeps one reservation per order and product); false when
// a sum overflows.
bool MergeLines(const std::vector<ReservationLine>& lines, std::vector<ReservationLine>& merged) {
  std::map<core::ProductId, std::size_t> index;
  for (const auto& line : lines) {
    auto [it, inserted] = index.emplace(line.product_id, merged.size());
    if (inserted) {
      merged.push_back(line);
    } else if (__builtin_add_overflow(merged[it->second].quantity, line.quantity,
                                      &merged[it->second].quantity)) {
      return false;
    }
  }
  return true;
}

}  // namespace

CommandReply HandleReserveInventory(IUnitOfWork& unit, const core::Clock& clock,
                                    const ReserveInventoryCommand& command, const MessageOrigin& origin) {
  const auto now = clock.Now();
  return RunInUnitOfWork(unit, [&](IInventoryRepository& repository, outbox::IMessageOutbox& outbox) {
    std::vector<ReservationLine> lines;
    if (!MergeLines(command.items, lines)) {
      return ReservationFailed(outbox, command.order_id, kReasonInvalidQuantity, origin, now);
    }
    auto reserved = repository.Reserve(command.order_id, lines, now, command.expires_at);
    PublishStockWrites(outbox, repository.TakeStockWrites(), origin, now);
    if (!reserved) {
      const auto& failure = reserved.Error();
      nlohmann::json details = {{"productId", failure.product_id.Get().ToString()}};
      if (failure.error != InventoryError::kUnknownProduct) details["available"] = failure.available;
      return ReservationFailed(outbox, command.order_id, ReasonOf(failure.error), origin, now,
                               std::move(details));
    }
    auto reservations = std::move(reserved).Value();
    // The same order however the rows were found, so a repeated answer is the same answer.
    std::sort(reservations.begin(), reservations.end(),
              [](const Reservation& x, const Reservation& y) { return x.ProductId() < y.ProductId(); });
    for (const auto& r : reservations) {
      if (IsCompensated(r)) {
        return ReservationFailed(outbox, command.order_id, kReasonAlreadyCompensated, origin, now);
      }
    }
    nlohmann::json held = nlohmann::json::array();
    for (const auto& r : reservations) {
      held.push_back({{"reservationId", r.Id().Get().ToString()},
                      {"productId", r.ProductId().Get().ToString()},
                      {"quantity", r.Quantity()}});
    }
    return Reply(outbox, "InventoryReserved",
                 {{"orderId", command.order_id.Get().ToString()},
                  {"reservations", std::move(held)},
                  {"expiresAt", core::ToRfc3339(reservations.front().ExpiresAt())}},
                 command.order_id, origin, now);
  });
}

core::Result<CommandReply, InventoryError> HandleReleaseInventory(IUnitOfWork& unit, const core::Clock& clock,
                                                                  const ReleaseInventoryCommand& command,
                                                                  const MessageOrigin& origin) {
  const auto now = clock.Now();
  return RunInUnitOfWork(unit,
                         [&](IInventoryRepository& repository,
                             outbox::IMessageOutbox& outbox) -> core::Result<CommandReply, InventoryError> {
                           auto released = repository.Release(command.order_id, now);
                           if (!released) return core::Fail(released.Error());
                           PublishStockWrites(outbox, repository.TakeStockWrites(), origin, now);
                           return Reply(
                               outbox, "InventoryReleased",
                               {{"orderId", command.order_id.Get().ToString()}, {"reason", command.reason}},
                               command.order_id, origin, now);
                         });
}

core::Result<CommandReply, InventoryError> HandleCommitInventory(IUnitOfWork& unit, const core::Clock& clock,
                                                                 const CommitInventoryCommand& command,
                                                                 const MessageOrigin& origin) {
  const auto now = clock.Now();
  return RunInUnitOfWork(
      unit,
      [&](IInventoryRepository& repository,
          outbox::IMessageOutbox& outbox) -> core::Result<CommandReply, InventoryError> {
        auto committed = repository.Commit(command.order_id, now);
        if (!committed) {
          const auto error = committed.Error();
          if (error != InventoryError::kReservationExpired && error != InventoryError::kIllegalTransition) {
            return core::Fail(error);
          }
          return ReservationFailed(outbox, command.order_id, kReasonReservationExpired, origin, now);
        }
        PublishStockWrites(outbox, repository.TakeStockWrites(), origin, now);
        if (committed.Value().empty()) {
          return ReservationFailed(outbox, command.order_id, kReasonReservationExpired, origin, now);
        }
        nlohmann::json items = nlohmann::json::array();
        for (const auto& r : committed.Value()) {
          items.push_back({{"productId", r.ProductId().Get().ToString()}, {"quantity", r.Quantity()}});
        }
        return Reply(outbox, "InventoryCommitted",
                     {{"orderId", command.order_id.Get().ToString()}, {"items", std::move(items)}},
                     command.order_id, origin, now);
      });
}

std::size_t ExpireDueReservations(IUnitOfWork& unit, const core::Clock& clock, int limit) {
  const auto now = clock.Now();
  return RunInUnitOfWork(unit, [&](IInventoryRepository& repository, outbox::IMessageOutbox& outbox) {
    const auto expired = repository.ExpireReservations(now, limit);
    PublishStockWrites(outbox, repository.TakeStockWrites(), NewOrigin(), now);
    return expired.size();
  });
}

}  // namespace saga::inventory
