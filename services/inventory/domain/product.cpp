#include "services/inventory/domain/product.hpp"

#include <algorithm>

namespace saga::inventory {

core::Result<Product, InventoryError> Product::Create(core::ProductId id, std::string name,
                                                      inventory::Sku sku, core::Money price,
                                                      core::Timestamp created_at) {
  const bool blank = std::all_of(name.begin(), name.end(), [](char c) { return c == ' ' || c == '\t'; });
  if (name.empty() || name.size() > 200 || blank) return core::Fail(InventoryError::kInvalidName);
  if (!price.IsPositive()) return core::Fail(InventoryError::kInvalidPrice);
  return Product(id, std::move(name), std::move(sku), price, created_at);
}

}  // namespace saga::inventory
