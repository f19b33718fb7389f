#include "services/inventory/domain/reservation.hpp"

#include "saga/core/enum_names.hpp"

#include <array>

namespace saga::inventory {

using core::Fail;

namespace {
constexpr std::array<ReservationStatus, 5> kAll = {ReservationStatus::kActive, ReservationStatus::kCommitted,
                                                   ReservationStatus::kReleased, ReservationStatus::kExpired,
                                                   ReservationStatus::kReturned};
}  // namespace

std::string_view ToString(ReservationStatus status) noexcept {
  switch (status) {
    case ReservationStatus::kActive:
      return "Active";
    case ReservationStatus::kCommitted:
      return "Committed";
    case ReservationStatus::kReleased:
      return "Released";
    case ReservationStatus::kExpired:
      return "Expired";
    case ReservationStatus::kReturned:
      return "Returned";
  }
  return "Unknown";
}

std::optional<ReservationStatus> ParseReservationStatus(std::string_view text) noexcept {
  return core::ParseByName(text, kAll);
}

bool CanTransition(ReservationStatus from, ReservationStatus to) noexcept {
  switch (from) {
    case ReservationStatus::kActive:
      return to == ReservationStatus::kCommitted || to == ReservationStatus::kReleased ||
             to == ReservationStatus::kExpired;
    case ReservationStatus::kCommitted:
      return to == ReservationStatus::kReturned;
    case ReservationStatus::kReleased:
    case ReservationStatus::kExpired:
    case ReservationStatus::kReturned:
      return false;
  }
  return false;
}

core::Result<Reservation, InventoryError> Reservation::Create(core::ReservationId id, core::OrderId order_id,
                                                              core::ProductId product_id,
                                                              std::int64_t quantity, core::Timestamp now,
                                                              core::Timestamp expires_at) {
  if (quantity <= 0) return Fail(InventoryError::kInvalidQuantity);
  if (expires_at <= now) return Fail(InventoryError::kReservationExpired);
  return Reservation(id, order_id, product_id, quantity, ReservationStatus::kActive, now, now, expires_at);
}

core::Result<Reservation, InventoryError> Reservation::Restore(
    core::ReservationId id, core::OrderId order_id, core::ProductId product_id, std::int64_t quantity,
    ReservationStatus status, core::Timestamp created_at, core::Timestamp updated_at,
    core::Timestamp expires_at) {
  if (quantity <= 0) return Fail(InventoryError::kInvalidQuantity);
  return Reservation(id, order_id, product_id, quantity, status, created_at, updated_at, expires_at);
}

core::Result<Outcome, InventoryError> Reservation::Release(core::Timestamp now) {
  if (status_ == ReservationStatus::kReleased || status_ == ReservationStatus::kExpired)
    return Outcome::kAlreadyDone;
  if (!CanTransition(status_, ReservationStatus::kReleased)) return Fail(InventoryError::kIllegalTransition);
  status_ = ReservationStatus::kReleased;
  updated_at_ = now;
  return Outcome::kApplied;
}

core::Result<Outcome, InventoryError> Reservation::Commit(core::Timestamp now) {
  if (status_ == ReservationStatus::kCommitted) return Outcome::kAlreadyDone;
  if (!CanTransition(status_, ReservationStatus::kCommitted)) return Fail(InventoryError::kIllegalTransition);
  if (IsExpiredAt(now)) return Fail(InventoryError::kReservationExpired);
  status_ = ReservationStatus::kCommitted;
  updated_at_ = now;
  return Outcome::kApplied;
}

core::Result<Outcome, InventoryError> Reservation::Return(core::Timestamp now) {
  if (status_ == ReservationStatus::kReturned) return Outcome::kAlreadyDone;
  if (!CanTransition(status_, ReservationStatus::kReturned)) return Fail(InventoryError::kIllegalTransition);
  status_ = ReservationStatus::kReturned;
  updated_at_ = now;
  return Outcome::kApplied;
}

core::Result<Outcome, InventoryError> Reservation::Expire(core::Timestamp now) {
  if (status_ != ReservationStatus::kActive) return Outcome::kAlreadyDone;
  if (!IsExpiredAt(now)) return Fail(InventoryError::kIllegalTransition);
  status_ = ReservationStatus::kExpired;
  updated_at_ = now;
  return Outcome::kApplied;
}

}  // namespace saga::inventory
