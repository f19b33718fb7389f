#pragma once
// Loading a catalogue (products with their initial stock) into the inventory: used by
// `inventory-service seed FILE` for the development catalogue that `./saga up` loads, and by
// tests. Repeatable: a product whose SKU already exists is skipped, never duplicated or changed.

#include <cstdint>
#include <string>
#include <vector>

#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/domain/inventory_repository.hpp"

namespace saga::inventory {

struct CatalogueEntry {
  std::string sku;
  std::string name;
  core::Money price;
  std::int64_t stock = 0;
};

struct SeedReport {
  int created = 0;
  int skipped = 0;  // SKU already present
};

/// The first entry that breaks a product rule, and why.
struct SeedError {
  std::string sku;
  InventoryError error;
};

/// Validates every entry first (nothing is written when one is invalid), then creates the
/// missing products.
[[nodiscard]] core::Result<SeedReport, SeedError> SeedCatalogue(IInventoryRepository& repository,
                                                                const std::vector<CatalogueEntry>& entries,
                                                                core::Timestamp now);

}  // namespace saga::inventory
