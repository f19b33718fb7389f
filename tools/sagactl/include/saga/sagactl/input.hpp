#pragma once
// Parsing of command-line values that are more than one token of the API: order lines and
// amounts. Each throws CommandError(kUsage) naming the bad text.

#include <cstdint>
#include <string>
#include <vector>

#include "saga/sagactl/api_client.hpp"

namespace saga::sagactl {

/// "PRODUCT_ID:QUANTITY" -> {"productId": ..., "quantity": n} (quantity a positive integer; the
/// server checks the id and the bounds).
[[nodiscard]] Json ParseItem(const std::string& text);
[[nodiscard]] Json ParseItems(const std::vector<std::string>& texts);

/// A decimal amount with at most two decimals ("12", "12.5", "12.34") in minor units (1234).
[[nodiscard]] std::int64_t ParseAmount(const std::string& text);

}  // namespace saga::sagactl
