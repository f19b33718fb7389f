#pragma once
// The inventory service's database gauges (docs/observability.md, "Business"):
// saga_inventory_reservations{status} and saga_inventory_stock_units{kind}.

#include "saga/service/db_gauges.hpp"

namespace saga::inventory {

void AddInventoryGauges(service::DbGaugeSampler& sampler);

}  // namespace saga::inventory
