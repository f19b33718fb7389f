// Composition root of the inventory service: the only place that wires concrete adapters.
#include <iostream>
#include <memory>

#include "saga/core/errors.hpp"
#include "saga/pg/pool.hpp"
#include "saga/service/service_main.hpp"
#include "services/inventory/api/inventory_api.hpp"
#include "services/inventory/app/inventory_app.hpp"
#include "services/inventory/app/reservation_expiry_worker.hpp"
#include "services/inventory/app/seed_catalogue.hpp"
#include "services/inventory/infra/catalogue_file.hpp"
#include "services/inventory/infra/inventory_command_handler.hpp"
#include "services/inventory/infra/inventory_gauges.hpp"
#include "services/inventory/infra/migrations.hpp"
#include "services/inventory/infra/pg_inventory_repository.hpp"
#include "services/inventory/infra/pg_unit_of_work.hpp"
#include "services/inventory/infra/topics.hpp"

namespace {

int Seed(const saga::service::CommandContext& context, const std::string& file) {
  const auto entries = saga::inventory::LoadCatalogueFile(file);
  {
    auto conn = saga::pg::Connect(context.pg);
    context.migrations.Up(*conn);
  }
  saga::pg::ConnectionPool pool(context.pg, 1, std::chrono::seconds(10));
  saga::inventory::PgInventoryRepository repository(pool);
  auto report = saga::inventory::SeedCatalogue(repository, entries, saga::core::SystemClock().Now());
  if (!report) {
    throw saga::core::ConfigError(file + ": product " + report.Error().sku + ": " +
                                  std::string(saga::inventory::ToString(report.Error().error)));
  }
  std::cout << "catalogue " << file << ": " << report.Value().created << " products created, "
            << report.Value().skipped << " already present\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Built by `wire` once the runtime exists; they outlive the HTTP server (RunService returns
  // only after it stopped).
  std::unique_ptr<saga::inventory::PgInventoryRepository> repository;
  std::unique_ptr<saga::inventory::PgUnitOfWork> unit;
  std::unique_ptr<saga::inventory::InventoryApp> app;
  std::unique_ptr<saga::inventory::ReservationExpiryWorker> expiry;

  saga::service::ServiceDefinition definition;
  definition.name = "inventory";
  definition.default_port = 8082;
  definition.required_topics = saga::inventory::RequiredTopics();
  definition.migrations = saga::inventory::Migrations();
  definition.commands.push_back(
      {"seed", "load a catalogue file (products with stock); existing SKUs are kept", "file", Seed});
  definition.openapi = saga::inventory::InventoryOpenApi();
  definition.policies = saga::inventory::InventoryRoutePolicies();
  definition.wire = [&](saga::service::ServiceContext& context) {
    saga::inventory::AddInventoryGauges(context.db_gauges);
    repository = std::make_unique<saga::inventory::PgInventoryRepository>(context.pool);
    unit = std::make_unique<saga::inventory::PgUnitOfWork>(context.pool, context.RelayWaker());
    app = std::make_unique<saga::inventory::InventoryApp>(*repository, *unit, context.clock);
    saga::inventory::AddInventoryRoutes(context.router, *app);

    // The saga's commands: each handled in the consumer's inbox transaction with its replies;
    // their reservations and stock rows are read and locked with the inbox rows.
    saga::outbox::ConsumerConfig commands{"inventory-commands", {"saga.inventory.commands"}};
    commands.load = &saga::inventory::InventoryCommandLoad;
    saga::service::AddConsumer(context, std::move(commands),
                               saga::inventory::MakeInventoryCommandHandler(context.clock));

    saga::inventory::ExpiryConfig expiry_config;
    expiry_config.interval = context.source.GetMillis("inventory.expiry_interval_ms", expiry_config.interval);
    expiry = std::make_unique<saga::inventory::ReservationExpiryWorker>(*unit, context.clock, expiry_config);
    context.on_start.emplace_back([&expiry] { expiry->Start(); });
    context.on_stop.emplace_back([&expiry] { expiry->Stop(); });
  };
  return saga::service::RunService(argc, argv, definition);
}
