#pragma once
// OrderStatus and its transition table. The saga moves an order
//   Created -> InventoryReserved -> PaymentProcessing -> Completed
// and any non-terminal state may end in Failed or Cancelled. Completed may still move to
// Cancelled (a cancellation after completion refunds and returns the stock). Failed and
// Cancelled are terminal: nothing leaves them. Staying in the same state is not a transition.

#include <array>
#include <optional>
#include <string_view>

namespace saga::order {

enum class OrderStatus { kCreated, kInventoryReserved, kPaymentProcessing, kCompleted, kFailed, kCancelled };

inline constexpr std::array<OrderStatus, 6> kAllOrderStatuses = {OrderStatus::kCreated,
                                                                 OrderStatus::kInventoryReserved,
                                                                 OrderStatus::kPaymentProcessing,
                                                                 OrderStatus::kCompleted,
                                                                 OrderStatus::kFailed,
                                                                 OrderStatus::kCancelled};

/// True when the table allows `from` -> `to`.
[[nodiscard]] bool CanTransition(OrderStatus from, OrderStatus to) noexcept;
/// Failed and Cancelled.
[[nodiscard]] bool IsTerminal(OrderStatus status) noexcept;
/// Completed, Failed and Cancelled: no saga moves the order any more (a Completed one may still
/// be returned, so it is not terminal). The others are live.
[[nodiscard]] bool IsSettled(OrderStatus status) noexcept;

/// "Created", "InventoryReserved", ... (the wire and database spelling).
[[nodiscard]] std::string_view ToString(OrderStatus status) noexcept;
[[nodiscard]] std::optional<OrderStatus> ParseOrderStatus(std::string_view text) noexcept;

}  // namespace saga::order
