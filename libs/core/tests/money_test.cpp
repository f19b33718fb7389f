#include "saga/core/money.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "saga/core/ids.hpp"

namespace saga::core {
namespace {

const Currency kEur = *Currency::Parse("EUR");
const Currency kUsd = *Currency::Parse("USD");

TEST(CurrencyTest, AcceptsOnlyThreeUpperCaseLetters) {
  EXPECT_EQ(Currency::Parse("EUR")->Code(), "EUR");
  for (const char* bad : {"", "EU", "EURO", "eur", "E1R", "E R"}) {
    EXPECT_FALSE(Currency::Parse(bad).has_value()) << bad;
  }
}

TEST(MoneyTest, AddsSubtractsAndMultipliesInMinorUnits) {
  const Money a(1050, kEur);
  const Money b(250, kEur);
  EXPECT_EQ(a.Plus(b).Value(), Money(1300, kEur));
  EXPECT_EQ(a.Minus(b).Value(), Money(800, kEur));
  EXPECT_EQ(a.Times(3).Value(), Money(3150, kEur));
  EXPECT_EQ(a.ToString(), "10.50 EUR");
  EXPECT_EQ(Money(-5, kUsd).ToString(), "-0.05 USD");
}

TEST(MoneyTest, RefusesMixedCurrenciesAndOverflow) {
  EXPECT_EQ(Money(1, kEur).Plus(Money(1, kUsd)).Error(), MoneyError::kCurrencyMismatch);
  EXPECT_EQ(Money(1, kEur).Minus(Money(1, kUsd)).Error(), MoneyError::kCurrencyMismatch);
  const auto max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(Money(max, kEur).Plus(Money(1, kEur)).Error(), MoneyError::kOverflow);
  EXPECT_EQ(Money(max / 2 + 1, kEur).Times(2).Error(), MoneyError::kOverflow);
  EXPECT_EQ(Money(std::numeric_limits<std::int64_t>::min(), kEur).Minus(Money(1, kEur)).Error(),
            MoneyError::kOverflow);
}

TEST(IdsTest, ParseAndNewAreTyped) {
  auto id = ParseId<OrderId>("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->Get().ToString(), "3f2504e0-4f89-41d3-9a0c-0305e82c3301");
  EXPECT_FALSE(ParseId<OrderId>("nope").has_value());
  EXPECT_NE(NewId<ProductId>(), NewId<ProductId>());
}

}  // namespace
}  // namespace saga::core
