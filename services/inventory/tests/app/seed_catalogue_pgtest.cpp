// Seeding the catalogue into the real PostgreSQL: repeatable, all-or-nothing on invalid input.
#include "services/inventory/app/seed_catalogue.hpp"

#include <gtest/gtest.h>

#include "saga/testing/migrated_database.hpp"
#include "services/inventory/infra/catalogue_file.hpp"
#include "services/inventory/infra/migrations.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"
#include "services/inventory/tests/builders.hpp"

namespace saga::inventory {
namespace {

class SeedCatalogueTest : public ::testing::Test {
 protected:
  saga::testing::MigratedDatabase db_{Migrations(), 2};
  PgInventoryRepository repo_{db_.Pool()};
};

TEST_F(SeedCatalogueTest, LoadsTheDevelopmentCatalogueOnce) {
  const auto entries = LoadCatalogueFile(SAGA_SEED_FILE);
  auto first = SeedCatalogue(repo_, entries, testing::kT0);
  ASSERT_TRUE(first.HasValue());
  EXPECT_EQ(first.Value().created, static_cast<int>(entries.size()));
  auto second = SeedCatalogue(repo_, entries, testing::kT0);
  ASSERT_TRUE(second.HasValue());
  EXPECT_EQ(second.Value().created, 0);
  EXPECT_EQ(second.Value().skipped, static_cast<int>(entries.size()));
  EXPECT_EQ(repo_.ListProducts({}).total, static_cast<std::int64_t>(entries.size()));
  auto mug = repo_.GetProductBySku(Sku::Parse(entries[0].sku).Value());
  ASSERT_TRUE(mug.has_value());
  EXPECT_EQ(mug->item.Quantity(), entries[0].stock);
}

TEST_F(SeedCatalogueTest, AnInvalidEntryWritesNothing) {
  const auto eur = *core::Currency::Parse("EUR");
  std::vector<CatalogueEntry> entries = {{"GOOD-1", "Good", core::Money(100, eur), 5},
                                         {"bad sku", "Bad", core::Money(100, eur), 5}};
  auto result = SeedCatalogue(repo_, entries, testing::kT0);
  ASSERT_FALSE(result.HasValue());
  EXPECT_EQ(result.Error().sku, "bad sku");
  EXPECT_EQ(result.Error().error, InventoryError::kInvalidSku);
  EXPECT_EQ(repo_.ListProducts({}).total, 0);
}

}  // namespace
}  // namespace saga::inventory
