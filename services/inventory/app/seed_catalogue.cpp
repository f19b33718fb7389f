#include "services/inventory/app/seed_catalogue.hpp"

namespace saga::inventory {

core::Result<SeedReport, SeedError> SeedCatalogue(IInventoryRepository& repository,
                                                  const std::vector<CatalogueEntry>& entries,
                                                  core::Timestamp now) {
  struct Prepared {
    Product product;
    InventoryItem item;
  };
  std::vector<Prepared> prepared;
  for (const auto& entry : entries) {
    auto sku = Sku::Parse(entry.sku);
    if (!sku) return core::Fail(SeedError{entry.sku, sku.Error()});
    auto product =
        Product::Create(core::NewId<core::ProductId>(), entry.name, std::move(sku).Value(), entry.price, now);
    if (!product) return core::Fail(SeedError{entry.sku, product.Error()});
    auto item =
        InventoryItem::Create(core::NewId<core::InventoryItemId>(), product.Value().Id(), entry.stock, now);
    if (!item) return core::Fail(SeedError{entry.sku, item.Error()});
    prepared.push_back(Prepared{std::move(product).Value(), std::move(item).Value()});
  }
  SeedReport report;
  for (auto& [product, item] : prepared) {
    if (repository.GetProductBySku(product.Sku())) {
      ++report.skipped;
      continue;
    }
    repository.CreateProduct(product, item);
    ++report.created;
  }
  return report;
}

}  // namespace saga::inventory
