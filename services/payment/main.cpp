// Composition root of the payment service: the only place that wires concrete adapters.
#include "saga/service/service_main.hpp"
#include "services/payment/infra/migrations.hpp"
#include "services/payment/infra/topics.hpp"

int main(int argc, char** argv) {
  saga::service::ServiceDefinition definition;
  definition.name = "payment";
  definition.default_port = 8083;
  definition.required_topics = saga::payment::RequiredTopics();
  definition.migrations = saga::payment::Migrations();
  return saga::service::RunService(argc, argv, definition);
}
