#pragma once
// The catalogue file format (deploy/seed/catalogue.json):
//   {"currency": "EUR", "products": [{"sku": "MUG-LOGO", "name": "Mug", "price": 1250, "stock": 200}]}
// price in minor units (integer). Throws core::ConfigError naming the file and the entry for
// anything malformed.

#include <string>
#include <vector>

#include "services/inventory/app/seed_catalogue.hpp"

namespace saga::inventory {

[[nodiscard]] std::vector<CatalogueEntry> ParseCatalogue(const std::string& json_text,
                                                         const std::string& origin);
[[nodiscard]] std::vector<CatalogueEntry> LoadCatalogueFile(const std::string& path);

}  // namespace saga::inventory
