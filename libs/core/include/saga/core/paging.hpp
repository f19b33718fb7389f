#pragma once
// Paging of lists that can grow: every repository List/GetAll takes a PageRequest.

#include <cstdint>
#include <vector>

namespace saga::core {

struct PageRequest {
  static constexpr std::int32_t kMaxLimit = 200;
  /// Items per page, 1..kMaxLimit (callers validate input; repositories clamp).
  std::int32_t limit = 50;
  /// Items to skip, >= 0.
  std::int64_t offset = 0;

  [[nodiscard]] std::int32_t ClampedLimit() const noexcept {
    return limit < 1 ? 1 : (limit > kMaxLimit ? kMaxLimit : limit);
  }
  [[nodiscard]] std::int64_t ClampedOffset() const noexcept { return offset < 0 ? 0 : offset; }
};

template <typename T>
struct Page {
  std::vector<T> items;
  /// All items matching the filter, across pages.
  std::int64_t total = 0;
};

}  // namespace saga::core
