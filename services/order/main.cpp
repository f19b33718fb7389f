// Composition root of the order service: the only place that wires concrete adapters.
#include "saga/service/service_main.hpp"
#include "services/order/infra/migrations.hpp"
#include "services/order/infra/topics.hpp"

int main(int argc, char** argv) {
  saga::service::ServiceDefinition definition;
  definition.name = "order";
  definition.default_port = 8081;
  definition.required_topics = saga::order::RequiredTopics();
  definition.migrations = saga::order::Migrations();
  return saga::service::RunService(argc, argv, definition);
}
