#pragma once
// Sku: a stock-keeping unit code. 3 to 64 characters; groups of upper-case ASCII letters and
// digits separated by single '-'; no leading, trailing or double '-'. Examples: "TSHIRT-RED-M",
// "A1B2C3". Unique per product (enforced by the database too).

#include <string>
#include <string_view>

#include "saga/core/result.hpp"
#include "services/inventory/domain/inventory_errors.hpp"

namespace saga::inventory {

class Sku {
 public:
  [[nodiscard]] static core::Result<Sku, InventoryError> Parse(std::string_view text);
  [[nodiscard]] const std::string& Value() const noexcept { return value_; }
  friend bool operator==(const Sku&, const Sku&) = default;

 private:
  explicit Sku(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace saga::inventory
