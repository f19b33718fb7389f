#pragma once
// StrongType<T, Tag>: a distinct type over T so that, for instance, an OrderId cannot be passed
// where a CustomerId is expected. Zero-cost; comparable, hashable and printable when T is.

#include <compare>
#include <functional>
#include <ostream>
#include <utility>

namespace saga::core {

template <typename T, typename Tag>
class StrongType {
 public:
  using ValueType = T;

  StrongType() = default;
  explicit StrongType(T value) : value_(std::move(value)) {}

  [[nodiscard]] const T& Get() const noexcept { return value_; }

  friend auto operator<=>(const StrongType&, const StrongType&) = default;
  friend bool operator==(const StrongType&, const StrongType&) = default;

  friend std::ostream& operator<<(std::ostream& out, const StrongType& v) { return out << v.value_; }

 private:
  T value_{};
};

}  // namespace saga::core

template <typename T, typename Tag>
struct std::hash<saga::core::StrongType<T, Tag>> {
  std::size_t operator()(const saga::core::StrongType<T, Tag>& v) const noexcept {
    return std::hash<T>{}(v.Get());
  }
};
