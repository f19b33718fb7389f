#pragma once
// Money: an amount in integer minor units (cents) of one ISO 4217 currency. Never floating
// point. Arithmetic checks currency and overflow and reports either as a MoneyError.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "saga/core/result.hpp"

namespace saga::core {

/// A three-letter upper-case ISO 4217 code ("EUR", "USD").
class Currency {
 public:
  /// nullopt unless `code` is exactly three ASCII upper-case letters.
  [[nodiscard]] static std::optional<Currency> Parse(std::string_view code);
  [[nodiscard]] std::string_view Code() const noexcept { return {code_.data(), 3}; }

  friend bool operator==(const Currency&, const Currency&) = default;
  friend auto operator<=>(const Currency&, const Currency&) = default;

 private:
  std::array<char, 3> code_{};
};

enum class MoneyError { kCurrencyMismatch, kOverflow, kNegative };

[[nodiscard]] std::string_view ToString(MoneyError error) noexcept;

class Money {
 public:
  Money(std::int64_t minor_units, Currency currency) : minor_units_(minor_units), currency_(currency) {}
  [[nodiscard]] static Money Zero(Currency currency) { return Money(0, currency); }

  [[nodiscard]] std::int64_t MinorUnits() const noexcept { return minor_units_; }
  [[nodiscard]] const Currency& GetCurrency() const noexcept { return currency_; }
  [[nodiscard]] bool IsPositive() const noexcept { return minor_units_ > 0; }

  /// this + other; kCurrencyMismatch or kOverflow.
  [[nodiscard]] Result<Money, MoneyError> Plus(const Money& other) const;
  /// this - other; kCurrencyMismatch or kOverflow.
  [[nodiscard]] Result<Money, MoneyError> Minus(const Money& other) const;
  /// this * factor; kOverflow.
  [[nodiscard]] Result<Money, MoneyError> Times(std::int64_t factor) const;

  /// "12.34 EUR" for logs (assumes two decimals; display only).
  [[nodiscard]] std::string ToString() const;

  friend bool operator==(const Money&, const Money&) = default;
  friend std::ostream& operator<<(std::ostream& out, const Money& m) { return out << m.ToString(); }

 private:
  std::int64_t minor_units_;
  Currency currency_;
};

}  // namespace saga::core
