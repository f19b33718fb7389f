#include "services/inventory/infra/catalogue_file.hpp"

#include <gtest/gtest.h>

#include <set>

#include "saga/core/errors.hpp"

namespace saga::inventory {
namespace {

TEST(CatalogueFileTest, ParsesEntries) {
  auto entries = ParseCatalogue(
      R"({"currency": "EUR", "products": [{"sku": "MUG-1", "name": "Mug", "price": 1250, "stock": 3}]})",
      "c.json");
  ASSERT_EQ(entries.size(), 1U);
  EXPECT_EQ(entries[0].sku, "MUG-1");
  EXPECT_EQ(entries[0].price, core::Money(1250, *core::Currency::Parse("EUR")));
  EXPECT_EQ(entries[0].stock, 3);
}

TEST(CatalogueFileTest, RejectsMalformedFilesNamingTheEntry) {
  struct Case {
    const char* json;
    const char* expected;
  };
  for (const auto& c :
       {Case{"{", "not valid JSON"}, Case{"[]", "expected"},
        Case{R"({"currency": "euro", "products": []})", "currency"},
        Case{R"({"currency": "EUR", "products": [{"sku": "A-1", "name": "x", "price": 12.5, "stock": 1}]})",
             "products[0]"},
        Case{R"({"currency": "EUR", "products": [{"sku": "A-1", "name": "x", "price": 1}]})",
             "products[0]"}}) {
    try {
      (void)ParseCatalogue(c.json, "c.json");
      ADD_FAILURE() << "accepted: " << c.json;
    } catch (const core::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
}

TEST(CatalogueFileTest, TheDevelopmentCatalogueIsValid) {
  auto entries = LoadCatalogueFile(SAGA_SEED_FILE);
  EXPECT_GE(entries.size(), 5U);
  std::set<std::string> skus;
  for (const auto& entry : entries) {
    EXPECT_TRUE(Sku::Parse(entry.sku).HasValue()) << entry.sku;
    EXPECT_TRUE(Product::Create(core::NewId<core::ProductId>(), entry.name, Sku::Parse(entry.sku).Value(),
                                entry.price, core::FromUnixMicros(0))
                    .HasValue())
        << entry.sku;
    EXPECT_GE(entry.stock, 0) << entry.sku;
    EXPECT_TRUE(skus.insert(entry.sku).second) << "duplicate " << entry.sku;
  }
}

}  // namespace
}  // namespace saga::inventory
