// Composition root of the inventory service: the only place that wires concrete adapters.
#include "saga/service/service_main.hpp"
#include "services/inventory/infra/migrations.hpp"
#include "services/inventory/infra/topics.hpp"

int main(int argc, char** argv) {
  saga::service::ServiceDefinition definition;
  definition.name = "inventory";
  definition.default_port = 8082;
  definition.required_topics = saga::inventory::RequiredTopics();
  definition.migrations = saga::inventory::Migrations();
  return saga::service::RunService(argc, argv, definition);
}
