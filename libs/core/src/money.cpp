#include "saga/core/money.hpp"

namespace saga::core {

std::optional<Currency> Currency::Parse(std::string_view code) {
  if (code.size() != 3) return std::nullopt;
  Currency currency;
  for (std::size_t i = 0; i < 3; ++i) {
    if (code[i] < 'A' || code[i] > 'Z') return std::nullopt;
    currency.code_[i] = code[i];
  }
  return currency;
}

std::string_view ToString(MoneyError error) noexcept {
  switch (error) {
    case MoneyError::kCurrencyMismatch:
      return "currency mismatch";
    case MoneyError::kOverflow:
      return "amount overflow";
    case MoneyError::kNegative:
      return "negative amount";
  }
  return "unknown money error";
}

Result<Money, MoneyError> Money::Plus(const Money& other) const {
  if (currency_ != other.currency_) return Fail(MoneyError::kCurrencyMismatch);
  std::int64_t sum = 0;
  if (__builtin_add_overflow(minor_units_, other.minor_units_, &sum)) return Fail(MoneyError::kOverflow);
  return Money(sum, currency_);
}

Result<Money, MoneyError> Money::Minus(const Money& other) const {
  if (currency_ != other.currency_) return Fail(MoneyError::kCurrencyMismatch);
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(minor_units_, other.minor_units_, &difference)) {
    return Fail(MoneyError::kOverflow);
  }
  return Money(difference, currency_);
}

Result<Money, MoneyError> Money::Times(std::int64_t factor) const {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(minor_units_, factor, &product)) return Fail(MoneyError::kOverflow);
  return Money(product, currency_);
}

std::string Money::ToString() const {
  const bool negative = minor_units_ < 0;
  // Negate in unsigned arithmetic so INT64_MIN is printed correctly.
  const auto magnitude =
      negative ? 0 - static_cast<std::uint64_t>(minor_units_) : static_cast<std::uint64_t>(minor_units_);
  const auto whole = magnitude / 100;
  const auto cents = static_cast<unsigned>(magnitude % 100);
  std::string out = negative ? "-" : "";
  out += std::to_string(whole);
  out += '.';
  out += static_cast<char>('0' + cents / 10);
  out += static_cast<char>('0' + cents % 10);
  out += ' ';
  out += currency_.Code();
  return out;
}

}  // namespace saga::core
