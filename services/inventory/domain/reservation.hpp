#pragma once
// Reservation: units of one product held for one order until committed as a sale, released, or
// expired; a committed sale can later be returned (saga compensation after the commit). A record
// of its own, so every move is exact and repeatable: repeating the same move reports
// kAlreadyDone and must not touch the stock again.
//
// Status table (CanTransition):
//   Active    -> Committed | Released | Expired
//   Committed -> Returned
// Released, Expired and Returned are terminal. Commit is refused once the reservation is past
// its expiry time.

#include <cstdint>
#include <optional>
#include <string_view>

#include "saga/core/ids.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/domain/inventory_errors.hpp"

namespace saga::inventory {

enum class ReservationStatus { kActive, kCommitted, kReleased, kExpired, kReturned };

[[nodiscard]] std::string_view ToString(ReservationStatus status) noexcept;
[[nodiscard]] std::optional<ReservationStatus> ParseReservationStatus(std::string_view text) noexcept;
[[nodiscard]] bool CanTransition(ReservationStatus from, ReservationStatus to) noexcept;

/// Whether a move changed the reservation or found it already in the wanted end state.
enum class Outcome { kApplied, kAlreadyDone };

class Reservation {
 public:
  [[nodiscard]] static core::Result<Reservation, InventoryError> Create(
      core::ReservationId id, core::OrderId order_id, core::ProductId product_id, std::int64_t quantity,
      core::Timestamp now, core::Timestamp expires_at);
  [[nodiscard]] static core::Result<Reservation, InventoryError> Restore(
      core::ReservationId id, core::OrderId order_id, core::ProductId product_id, std::int64_t quantity,
      ReservationStatus status, core::Timestamp created_at, core::Timestamp updated_at,
      core::Timestamp expires_at);

  /// Active -> Released (kApplied); Released or Expired -> kAlreadyDone (the units are already
  /// back); Committed or Returned -> kIllegalTransition (a sale is given back with Return).
  [[nodiscard]] core::Result<Outcome, InventoryError> Release(core::Timestamp now);
  /// Active and not expired -> Committed; Committed -> kAlreadyDone; Active past expiry ->
  /// kReservationExpired; Released/Expired/Returned -> kIllegalTransition.
  [[nodiscard]] core::Result<Outcome, InventoryError> Commit(core::Timestamp now);
  /// Committed -> Returned (kApplied: the caller puts the sold units back); Returned ->
  /// kAlreadyDone; Active, Released, Expired -> kIllegalTransition.
  [[nodiscard]] core::Result<Outcome, InventoryError> Return(core::Timestamp now);
  /// Active past expiry -> Expired; not Active -> kAlreadyDone; Active before expiry ->
  /// kIllegalTransition.
  [[nodiscard]] core::Result<Outcome, InventoryError> Expire(core::Timestamp now);

  [[nodiscard]] bool IsExpiredAt(core::Timestamp now) const noexcept { return now >= expires_at_; }

  [[nodiscard]] const core::ReservationId& Id() const noexcept { return id_; }
  [[nodiscard]] const core::OrderId& OrderId() const noexcept { return order_id_; }
  [[nodiscard]] const core::ProductId& ProductId() const noexcept { return product_id_; }
  [[nodiscard]] std::int64_t Quantity() const noexcept { return quantity_; }
  [[nodiscard]] ReservationStatus Status() const noexcept { return status_; }
  [[nodiscard]] core::Timestamp CreatedAt() const noexcept { return created_at_; }
  [[nodiscard]] core::Timestamp UpdatedAt() const noexcept { return updated_at_; }
  [[nodiscard]] core::Timestamp ExpiresAt() const noexcept { return expires_at_; }

 private:
  Reservation(core::ReservationId id, core::OrderId order_id, core::ProductId product_id,
              std::int64_t quantity, ReservationStatus status, core::Timestamp created_at,
              core::Timestamp updated_at, core::Timestamp expires_at)
      : id_(id),
        order_id_(order_id),
        product_id_(product_id),
        quantity_(quantity),
        status_(status),
        created_at_(created_at),
        updated_at_(updated_at),
        expires_at_(expires_at) {}

  core::ReservationId id_;
  core::OrderId order_id_;
  core::ProductId product_id_;
  std::int64_t quantity_;
  ReservationStatus status_;
  core::Timestamp created_at_;
  core::Timestamp updated_at_;
  core::Timestamp expires_at_;
};

}  // namespace saga::inventory
