#include "services/inventory/domain/sku.hpp"

namespace saga::inventory {

core::Result<Sku, InventoryError> Sku::Parse(std::string_view text) {
  if (text.size() < 3 || text.size() > 64) return core::Fail(InventoryError::kInvalidSku);
  char previous = '-';  // so a leading '-' is refused
  for (char c : text) {
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return core::Fail(InventoryError::kInvalidSku);
    if (c == '-' && previous == '-') return core::Fail(InventoryError::kInvalidSku);
    previous = c;
  }
  if (previous == '-') return core::Fail(InventoryError::kInvalidSku);
  return Sku(std::string(text));
}

}  // namespace saga::inventory
