#pragma once
// Business outcomes of the inventory domain (returned in Result, never thrown).

#include <string_view>

namespace saga::inventory {

enum class InventoryError {
  kInvalidSku,              // SKU format: see sku.hpp
  kInvalidName,             // 1..200 characters, not blank
  kInvalidPrice,            // > 0
  kInvalidQuantity,         // a quantity argument must be > 0 (stock levels >= 0)
  kInsufficientStock,       // reserve more than is available
  kReleaseExceedsReserved,  // release more than is reserved
  kCommitExceedsReserved,   // commit more than is reserved
  kReturnExceedsSold,       // return more units than were sold
  kStockBelowReserved,      // set stock lower than what is reserved
  kQuantityOverflow,        // a stock level would not fit in 64 bits
  kIllegalTransition,       // reservation status table forbids the move
  kReservationExpired,      // commit of a reservation past its expiry time
  kUnknownProduct,          // no such product in the catalogue
};

[[nodiscard]] std::string_view ToString(InventoryError error) noexcept;

}  // namespace saga::inventory
