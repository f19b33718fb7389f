#include "services/order/domain/order_status.hpp"

#include "saga/core/enum_names.hpp"

namespace saga::order {

bool CanTransition(OrderStatus from, OrderStatus to) noexcept {
  using S = OrderStatus;
  switch (from) {
    case S::kCreated:
      return to == S::kInventoryReserved || to == S::kFailed || to == S::kCancelled;
    case S::kInventoryReserved:
      return to == S::kPaymentProcessing || to == S::kFailed || to == S::kCancelled;
    case S::kPaymentProcessing:
      return to == S::kCompleted || to == S::kFailed || to == S::kCancelled;
    case S::kCompleted:
      return to == S::kCancelled;
    case S::kFailed:
    case S::kCancelled:
      return false;
  }
  return false;
}

bool IsTerminal(OrderStatus status) noexcept {
  return status == OrderStatus::kFailed || status == OrderStatus::kCancelled;
}

bool IsSettled(OrderStatus status) noexcept {
  return status == OrderStatus::kCompleted || IsTerminal(status);
}

std::string_view ToString(OrderStatus status) noexcept {
  switch (status) {
    case OrderStatus::kCreated:
      return "Created";
    case OrderStatus::kInventoryReserved:
      return "InventoryReserved";
    case OrderStatus::kPaymentProcessing:
      return "PaymentProcessing";
    case OrderStatus::kCompleted:
      return "Completed";
    case OrderStatus::kFailed:
      return "Failed";
    case OrderStatus::kCancelled:
      return "Cancelled";
  }
  return "Unknown";
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view text) noexcept {
  return core::ParseByName(text, kAllOrderStatuses);
}

}  // namespace saga::order
