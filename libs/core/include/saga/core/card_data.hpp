#pragma once
// Card data must never enter the system: clients pay with a gateway token, and anything that
// looks like a card number where a token belongs is refused, never stored or logged.

#include <cstddef>
#include <string_view>

namespace saga::core {

/// True when `text` holds 13 or more consecutive digits: a card number (PAN).
[[nodiscard]] constexpr bool ContainsCardNumber(std::string_view text) noexcept {
  constexpr std::size_t kShortestCardNumber = 13;
  std::size_t run = 0;
  for (const char c : text) {
    run = (c >= '0' && c <= '9') ? run + 1 : 0;
    if (run >= kShortestCardNumber) return true;
  }
  return false;
}

}  // namespace saga::core
