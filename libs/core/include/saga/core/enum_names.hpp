#pragma once
// Parsing an enum from the name its ToString() gives (found by argument-dependent lookup).

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace saga::core {

/// The value of `all` whose ToString() equals `text`, or nullopt. Exact, case-sensitive match.
template <typename E, std::size_t N>
[[nodiscard]] std::optional<E> ParseByName(std::string_view text, const std::array<E, N>& all) noexcept {
  for (auto value : all) {
    if (ToString(value) == text) return value;
  }
  return std::nullopt;
}

}  // namespace saga::core
