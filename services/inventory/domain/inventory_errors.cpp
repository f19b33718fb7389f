#include "services/inventory/domain/inventory_errors.hpp"

namespace saga::inventory {

std::string_view ToString(InventoryError error) noexcept {
  switch (error) {
    case InventoryError::kInvalidSku:
      return "SKU must be 3-64 characters: upper-case letters, digits, '-' between groups";
    case InventoryError::kInvalidName:
      return "name must be 1-200 characters and not blank";
    case InventoryError::kInvalidPrice:
      return "price must be greater than zero";
    case InventoryError::kInvalidQuantity:
      return "quantity must be greater than zero";
    case InventoryError::kInsufficientStock:
      return "not enough stock available";
    case InventoryError::kReleaseExceedsReserved:
      return "cannot release more than is reserved";
    case InventoryError::kCommitExceedsReserved:
      return "cannot commit more than is reserved";
    case InventoryError::kReturnExceedsSold:
      return "cannot return more than was sold";
    case InventoryError::kStockBelowReserved:
      return "stock cannot be set below the reserved quantity";
    case InventoryError::kQuantityOverflow:
      return "quantity too large";
    case InventoryError::kIllegalTransition:
      return "the reservation cannot move to that status";
    case InventoryError::kReservationExpired:
      return "the reservation has expired";
    case InventoryError::kUnknownProduct:
      return "no such product";
  }
  return "unknown inventory error";
}

}  // namespace saga::inventory
