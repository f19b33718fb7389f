#pragma once
// Identifiers that cross service boundaries. Each is a distinct type over a UUID, so an
// OrderId can never be passed where a ProductId is expected.

#include <optional>
#include <string_view>

#include "saga/core/strong_type.hpp"
#include "saga/core/uuid.hpp"

namespace saga::core {

using OrderId = StrongType<Uuid, struct OrderIdTag>;
using CustomerId = StrongType<Uuid, struct CustomerIdTag>;
using ProductId = StrongType<Uuid, struct ProductIdTag>;
using InventoryItemId = StrongType<Uuid, struct InventoryItemIdTag>;
using ReservationId = StrongType<Uuid, struct ReservationIdTag>;
using PaymentId = StrongType<Uuid, struct PaymentIdTag>;
using SagaId = StrongType<Uuid, struct SagaIdTag>;
using MessageId = StrongType<Uuid, struct MessageIdTag>;

/// A new id of type Id: time-ordered (Uuid::TimeOrdered), so the rows keyed by it are appended
/// to their indexes rather than scattered over them.
template <typename Id>
[[nodiscard]] Id NewId() {
  return Id(Uuid::TimeOrdered());
}

/// Parses the canonical UUID text into an id of type Id.
template <typename Id>
[[nodiscard]] std::optional<Id> ParseId(std::string_view text) {
  auto uuid = Uuid::Parse(text);
  if (!uuid) return std::nullopt;
  return Id(*uuid);
}

}  // namespace saga::core
