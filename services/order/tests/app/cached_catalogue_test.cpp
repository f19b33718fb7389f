#include "services/order/app/cached_catalogue.hpp"

#include <gtest/gtest.h>

#include "saga/core/errors.hpp"
#include "saga/testing/manual_clock.hpp"
#include "services/order/tests/fakes.hpp"

namespace saga::order {
namespace {

using std::chrono::seconds;

class CachedCatalogueTest : public ::testing::Test {
 protected:
  core::ProductId Product(std::int64_t price_minor) {
    auto id = core::NewId<core::ProductId>();
    inner_.prices.insert_or_assign(id, core::Money(price_minor, *core::Currency::Parse("EUR")));
    return id;
  }
  static std::int64_t Minor(const std::map<core::ProductId, core::Money>& prices, const core::ProductId& id) {
    const auto it = prices.find(id);
    return it == prices.end() ? -1 : it->second.MinorUnits();
  }

  testing::FakeCatalogue inner_;
  saga::testing::ManualClock clock_;
};

TEST_F(CachedCatalogueTest, ProductsPricedOnceAreNotAskedForAgain) {
  CachedCatalogue cache(inner_, clock_, seconds(60));
  const auto a = Product(1250);
  const auto b = Product(300);
  const auto first = cache.Prices({a, b});
  const auto second = cache.Prices({b, a});
  EXPECT_EQ(inner_.calls, 1);
  EXPECT_EQ(Minor(first, a), 1250);
  EXPECT_EQ(Minor(second, a), 1250);
  EXPECT_EQ(Minor(second, b), 300);
  EXPECT_EQ(second.size(), 2U);
}

TEST_F(CachedCatalogueTest, OnlyTheProductsNotRememberedAreAskedFor) {
  CachedCatalogue cache(inner_, clock_, seconds(60));
  const auto a = Product(100);
  const auto b = Product(200);
  (void)cache.Prices({a});
  const auto prices = cache.Prices({a, b});
  ASSERT_EQ(inner_.asked.size(), 2U);
  EXPECT_EQ(inner_.asked[1], std::vector<core::ProductId>{b});
  EXPECT_EQ(Minor(prices, a), 100);
  EXPECT_EQ(Minor(prices, b), 200);
}

TEST_F(CachedCatalogueTest, UnknownProductsAreNotRememberedSoANewProductIsPricedAtOnce) {
  CachedCatalogue cache(inner_, clock_, seconds(60));
  const auto later = core::NewId<core::ProductId>();
  EXPECT_TRUE(cache.Prices({later}).empty());
  inner_.prices.insert_or_assign(later, core::Money(999, *core::Currency::Parse("EUR")));
  EXPECT_EQ(Minor(cache.Prices({later}), later), 999);
  EXPECT_EQ(inner_.calls, 2);
}

TEST_F(CachedCatalogueTest, APriceIsAskedForAgainOnceItsTimeIsUp) {
  CachedCatalogue cache(inner_, clock_, seconds(60));
  const auto a = Product(100);
  (void)cache.Prices({a});
  inner_.prices.insert_or_assign(a, core::Money(150, *core::Currency::Parse("EUR")));
  clock_.Advance(seconds(59));
  EXPECT_EQ(Minor(cache.Prices({a}), a), 100);
  clock_.Advance(seconds(1));
  EXPECT_EQ(Minor(cache.Prices({a}), a), 150);
  EXPECT_EQ(inner_.calls, 2);
}

TEST_F(CachedCatalogueTest, ATtlOfZeroAsksEveryTime) {
  CachedCatalogue cache(inner_, clock_, seconds(0));
  const auto a = Product(100);
  (void)cache.Prices({a});
  (void)cache.Prices({a});
  EXPECT_EQ(inner_.calls, 2);
  EXPECT_EQ(cache.Size(), 0U);
}

TEST_F(CachedCatalogueTest, KeepsNoMoreThanItsCapacityAndStillAnswersRight) {
  CachedCatalogue cache(inner_, clock_, seconds(60), 2);
  const auto a = Product(1);
  const auto b = Product(2);
  const auto c = Product(3);
  (void)cache.Prices({a, b});
  EXPECT_EQ(cache.Size(), 2U);
  const auto prices = cache.Prices({a, b, c});  // a and b remembered, c does not fit
  EXPECT_LE(cache.Size(), 2U);
  EXPECT_EQ(Minor(prices, a), 1);
  EXPECT_EQ(Minor(prices, b), 2);
  EXPECT_EQ(Minor(prices, c), 3);
  EXPECT_EQ(Minor(cache.Prices({c}), c), 3);
}

TEST_F(CachedCatalogueTest, ExpiredEntriesMakeRoomBeforeLiveOnesAreDropped) {
  CachedCatalogue cache(inner_, clock_, seconds(60), 2);
  const auto old = Product(1);
  (void)cache.Prices({old});
  clock_.Advance(seconds(61));
  const auto live = Product(2);
  const auto fresh = Product(3);
  (void)cache.Prices({live});   // old has expired but still fills a place
  (void)cache.Prices({fresh});  // the expired one goes, live stays
  const int calls = inner_.calls;
  EXPECT_EQ(Minor(cache.Prices({live, fresh}), fresh), 3);
  EXPECT_EQ(inner_.calls, calls);
}

TEST_F(CachedCatalogueTest, AFailureOfTheInnerCatalogueReachesTheCallerAndIsNotRemembered) {
  CachedCatalogue cache(inner_, clock_, seconds(60));
  const auto a = Product(100);
  inner_.unavailable = true;
  EXPECT_THROW((void)cache.Prices({a}), core::InfraError);
  EXPECT_EQ(cache.Size(), 0U);
  inner_.unavailable = false;
  EXPECT_EQ(Minor(cache.Prices({a}), a), 100);
}

}  // namespace
}  // namespace saga::order
