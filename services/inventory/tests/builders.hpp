#pragma once
// Test builders for the catalogue: a valid product with its stock, each With*() changes one thing.

#include <atomic>
#include <string>

#include "services/inventory/domain/inventory_item.hpp"
#include "services/inventory/domain/product.hpp"

namespace saga::inventory::testing {

inline const core::Currency kEur = *core::Currency::Parse("EUR");
inline const core::Timestamp kT0 = core::FromUnixMicros(1'790'000'000'654'321);

class ProductBuilder {
 public:
  ProductBuilder() {
    static std::atomic<int> counter{0};
    sku_ = "TEST-" + std::to_string(++counter);
  }
  ProductBuilder& WithSku(std::string sku) {
    sku_ = std::move(sku);
    return *this;
  }
  ProductBuilder& WithStock(std::int64_t quantity) {
    quantity_ = quantity;
    return *this;
  }
  ProductBuilder& WithPrice(std::int64_t minor) {
    price_ = minor;
    return *this;
  }
  ProductBuilder& At(core::Timestamp at) {
    at_ = at;
    return *this;
  }
  [[nodiscard]] Product BuildProduct() const {
    return Product::Create(id_, "Product " + sku_, Sku::Parse(sku_).Value(), core::Money(price_, kEur), at_)
        .Value();
  }
  [[nodiscard]] InventoryItem BuildItem() const {
    return InventoryItem::Create(core::NewId<core::InventoryItemId>(), id_, quantity_, at_).Value();
  }
  [[nodiscard]] const core::ProductId& Id() const { return id_; }

 private:
  core::ProductId id_ = core::NewId<core::ProductId>();
  std::string sku_;
  std::int64_t quantity_ = 10;
  std::int64_t price_ = 1999;
  core::Timestamp at_ = kT0;
};

}  // namespace saga::inventory::testing
