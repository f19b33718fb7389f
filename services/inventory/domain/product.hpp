#pragma once
// Product: a catalogue entry. Name 1..200 characters and not blank, valid SKU, price > 0.
// Prices of orders come from here (a client never sets one).

#include <string>

#include "saga/core/ids.hpp"
#include "saga/core/money.hpp"
#include "saga/core/result.hpp"
#include "saga/core/time.hpp"
#include "services/inventory/domain/sku.hpp"

namespace saga::inventory {

class Product {
 public:
  [[nodiscard]] static core::Result<Product, InventoryError> Create(core::ProductId id, std::string name,
                                                                    Sku sku, core::Money price,
                                                                    core::Timestamp created_at);

  [[nodiscard]] const core::ProductId& Id() const noexcept { return id_; }
  [[nodiscard]] const std::string& Name() const noexcept { return name_; }
  [[nodiscard]] const inventory::Sku& Sku() const noexcept { return sku_; }
  [[nodiscard]] const core::Money& Price() const noexcept { return price_; }
  [[nodiscard]] core::Timestamp CreatedAt() const noexcept { return created_at_; }

 private:
  Product(core::ProductId id, std::string name, inventory::Sku sku, core::Money price,
          core::Timestamp created_at)
      : id_(id), name_(std::move(name)), sku_(std::move(sku)), price_(price), created_at_(created_at) {}

  core::ProductId id_;
  std::string name_;
  inventory::Sku sku_;
  core::Money price_;
  core::Timestamp created_at_;
};

}  // namespace saga::inventory
