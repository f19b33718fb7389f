#include "services/inventory/infra/inventory_gauges.hpp"

namespace saga::inventory {

void AddInventoryGauges(service::DbGaugeSampler& sampler) {
  using Refresh = service::DbGaugeSampler::Refresh;
  // Active reservations through their partial index every sample; the finished ones, which grow
  // without bound, at the history cadence (db_gauges.hpp). Stock: one row per product.
  sampler.Add("saga_inventory_reservations", "Stock reservations by status (database)", {"status"},
              service::CountEachSql("reservations", "status", {"Active"}));
  sampler.Add("saga_inventory_reservations", "Stock reservations by status (database)", {"status"},
              service::CountEachInOneScanSql("reservations", "status",
                                             {"Committed", "Released", "Expired", "Returned"}),
              Refresh::kHistory);
  sampler.Add("saga_inventory_stock_units",
              "Units on hand, reserved and available over all products (database)", {"kind"},
              "SELECT k.kind, CASE k.kind WHEN 'on_hand' THEN t.on_hand WHEN 'reserved' THEN t.reserved "
              "ELSE t.on_hand - t.reserved END::float8 FROM (SELECT coalesce(sum(quantity), 0) AS on_hand, "
              "coalesce(sum(reserved), 0) AS reserved FROM inventory_items) t, "
              "unnest(ARRAY['on_hand', 'reserved', 'available']) AS k(kind)");
}

}  // namespace saga::inventory
