// The inventory API's routes against its OpenAPI document (no I/O: no handler runs).
#include "services/inventory/api/inventory_api.hpp"

#include <gtest/gtest.h>

#include "saga/testing/manual_clock.hpp"
#include "saga/testing/route_coverage.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"
#include "services/inventory/infra/pg_unit_of_work.hpp"

namespace saga::inventory {
namespace {

TEST(InventoryRoutesTest, EveryRouteIsDocumentedAndEveryDocumentedRouteIsServed) {
  pg::ConnectionPool unused_pool(pg::PgConfig{}, 1, std::chrono::milliseconds(1));
  PgInventoryRepository repository(unused_pool);
  PgUnitOfWork unit(unused_pool);
  saga::testing::ManualClock clock;
  InventoryApp app(repository, unit, clock);
  http::Router router;
  AddInventoryRoutes(router, app);
  saga::testing::ExpectServiceRoutesMatchDocument(router, InventoryOpenApi(), InventoryRoutePolicies());
}

}  // namespace
}  // namespace saga::inventory
