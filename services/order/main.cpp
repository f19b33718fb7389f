// Composition root of the order service: the only place that wires concrete adapters.
#include <memory>

#include "saga/service/service_main.hpp"
#include "services/order/api/order_api.hpp"
#include "services/order/app/order_app.hpp"
#include "services/order/infra/http_catalogue.hpp"
#include "services/order/infra/migrations.hpp"
#include "services/order/infra/pg_order_repository.hpp"
#include "services/order/infra/topics.hpp"

int main(int argc, char** argv) {
  // Built by `wire` once the runtime exists; they outlive the HTTP server (RunService returns
  // only after it stopped).
  std::unique_ptr<saga::order::PgOrderRepository> repository;
  std::unique_ptr<saga::order::HttpCatalogue> catalogue;
  std::unique_ptr<saga::order::OrderApp> app;

  saga::service::ServiceDefinition definition;
  definition.name = "order";
  definition.default_port = 8081;
  definition.required_topics = saga::order::RequiredTopics();
  definition.migrations = saga::order::Migrations();
  definition.openapi = saga::order::OrderOpenApi();
  definition.wire = [&](saga::service::ServiceContext& context) {
    repository = std::make_unique<saga::order::PgOrderRepository>(context.pool);
    // inventory.url (SAGA_INVENTORY_URL): where prices come from.
    catalogue = std::make_unique<saga::order::HttpCatalogue>(saga::http::HttpClient(
        "inventory.url", context.source.GetString("inventory.url", "http://127.0.0.1:8082"),
        context.source.GetMillis("inventory.timeout_ms", std::chrono::milliseconds(2000))));
    app = std::make_unique<saga::order::OrderApp>(*repository, *catalogue, context.clock);
    saga::order::AddOrderRoutes(context.router, *app, context.idempotency);
  };
  return saga::service::RunService(argc, argv, definition);
}
