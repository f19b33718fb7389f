#pragma once
// Result<T, E>: the return type of operations whose failure is an expected business outcome
// (no stock, declined payment, illegal transition). Infrastructure failures are exceptions
// (saga/core/errors.hpp); programmer errors are assertions. See ../shared/STYLE.md, principle 7.

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace saga::core {

/// Wraps an error value so that Result<T, E> can be built from it unambiguously.
template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

/// Builds the failed side of a Result: `return Fail(OrderError::kIllegalTransition);`.
template <typename E>
[[nodiscard]] Unexpected<std::decay_t<E>> Fail(E&& error) {
  return Unexpected<std::decay_t<E>>{std::forward<E>(error)};
}

/// Holds either a value of type T or an error of type E. Accessing the wrong side asserts.
/// Value semantics; not thread-safe beyond what T and E are.
template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  // NOLINTNEXTLINE(google-explicit-constructor): implicit by design, like std::expected.
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(Unexpected<E> failure) : data_(std::in_place_index<1>, std::move(failure.error)) {}

  [[nodiscard]] bool HasValue() const noexcept { return data_.index() == 0; }
  explicit operator bool() const noexcept { return HasValue(); }

  [[nodiscard]] const T& Value() const& {
    assert(HasValue());
    return std::get<0>(data_);
  }
  [[nodiscard]] T& Value() & {
    assert(HasValue());
    return std::get<0>(data_);
  }
  [[nodiscard]] T&& Value() && {
    assert(HasValue());
    return std::get<0>(std::move(data_));
  }
  [[nodiscard]] const E& Error() const& {
    assert(!HasValue());
    return std::get<1>(data_);
  }

 private:
  std::variant<T, E> data_;
};

/// Result of an operation that yields nothing on success.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  // NOLINTNEXTLINE(google-explicit-constructor)
  Result(Unexpected<E> failure) : error_(std::move(failure.error)), failed_(true) {}

  [[nodiscard]] bool HasValue() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return HasValue(); }
  [[nodiscard]] const E& Error() const& {
    assert(failed_);
    return error_;
  }

 private:
  E error_{};
  bool failed_ = false;
};

/// `return Ok();` for Result<void, E>.
template <typename E>
[[nodiscard]] Result<void, E> Ok() {
  return Result<void, E>{};
}

}  // namespace saga::core
