#pragma once
// Business outcomes of the order domain (returned in Result, never thrown).

#include <string_view>

namespace saga::order {

enum class OrderError {
  kInvalidQuantity,    // quantity must be > 0 (and at most kMaxQuantityPerItem)
  kInvalidPrice,       // price must be > 0
  kCurrencyMismatch,   // every item of an order has the order's currency
  kAmountOverflow,     // a subtotal or the total does not fit in 64-bit minor units
  kNoItems,            // an order has at least one item
  kTooManyItems,       // at most kMaxItemsPerOrder distinct items
  kDuplicateProduct,   // one line per product
  kItemNotFound,       // RemoveItem of a product that is not in the order
  kNotModifiable,      // items change only while the order is Created
  kIllegalTransition,  // the status transition table forbids the move
};

[[nodiscard]] std::string_view ToString(OrderError error) noexcept;

}  // namespace saga::order
