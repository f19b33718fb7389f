#include "services/order/domain/order_errors.hpp"

namespace saga::order {

std::string_view ToString(OrderError error) noexcept {
  switch (error) {
    case OrderError::kInvalidQuantity:
      return "quantity must be between 1 and the per-item maximum";
    case OrderError::kInvalidPrice:
      return "price must be greater than zero";
    case OrderError::kCurrencyMismatch:
      return "all items must use the order's currency";
    case OrderError::kAmountOverflow:
      return "amount too large";
    case OrderError::kNoItems:
      return "an order needs at least one item";
    case OrderError::kTooManyItems:
      return "too many items in one order";
    case OrderError::kDuplicateProduct:
      return "the product is already in the order";
    case OrderError::kItemNotFound:
      return "the product is not in the order";
    case OrderError::kNotModifiable:
      return "items can only change while the order is Created";
    case OrderError::kIllegalTransition:
      return "the order cannot move to that status";
  }
  return "unknown order error";
}

}  // namespace saga::order
