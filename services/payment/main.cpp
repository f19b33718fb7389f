// Composition root of the payment service: the only place that wires concrete adapters.
#include <memory>

#include "saga/contracts/message_types.hpp"
#include "saga/outbox/outbox.hpp"
#include "saga/service/service_main.hpp"
#include "services/payment/api/payment_api.hpp"
#include "services/payment/api/payment_command_handler.hpp"
#include "services/payment/app/payment_app.hpp"
#include "services/payment/app/payment_commands.hpp"
#include "services/payment/infra/envelope_token_opener.hpp"
#include "services/payment/infra/http_order_directory.hpp"
#include "services/payment/infra/migrations.hpp"
#include "services/payment/infra/payment_metrics.hpp"
#include "services/payment/infra/pg_payment_repository.hpp"
#include "services/payment/infra/simulated_gateway.hpp"
#include "services/payment/infra/topics.hpp"

int main(int argc, char** argv) {
  // Built by `wire` once the runtime exists; they outlive the HTTP server and the consumers
  // (RunService returns only after both stopped).
  std::unique_ptr<saga::payment::PgPaymentRepository> repository;
  std::unique_ptr<saga::payment::HttpOrderDirectory> orders;
  std::unique_ptr<saga::payment::PaymentApp> app;
  std::unique_ptr<saga::payment::SimulatedGateway> simulator;
  std::unique_ptr<saga::payment::MeteredGateway> gateway;
  std::unique_ptr<saga::crypto::LocalKeyRing> keys;
  std::unique_ptr<saga::payment::EnvelopeTokenOpener> tokens;

  saga::service::ServiceDefinition definition;
  definition.name = "payment";
  definition.default_port = 8083;
  definition.required_topics = saga::payment::RequiredTopics();
  definition.migrations = saga::payment::Migrations();
  definition.openapi = saga::payment::PaymentOpenApi();
  definition.policies = saga::payment::PaymentRoutePolicies();
  definition.wire = [&](saga::service::ServiceContext& context) {
    repository = std::make_unique<saga::payment::PgPaymentRepository>(context.pool);
    // order.url (SAGA_ORDER_URL; https:// verified against http.client.ca_file or the
    // system store): where order totals come from, asked with this service's own token.
    saga::http::HttpClient order_service(
        "order.url", context.source.GetString("order.url", "http://127.0.0.1:8081"),
        context.source.GetMillis("order.timeout_ms", std::chrono::milliseconds(2000)), context.metrics,
        context.source.GetString("http.client.ca_file", ""));
    order_service.SetAuthorization(context.service_token.Provider());
    orders = std::make_unique<saga::payment::HttpOrderDirectory>(std::move(order_service));
    app = std::make_unique<saga::payment::PaymentApp>(*repository, *orders, context.clock);
    saga::payment::AddPaymentRoutes(context.router, *app, context.idempotency);

    // gateway.timeout_ms / gateway.slow_ms: latency of the built-in gateway simulator.
    saga::payment::SimulatedGatewayConfig gateway_config;
    gateway_config.timeout = context.source.GetMillis("gateway.timeout_ms", gateway_config.timeout);
    gateway_config.slow = context.source.GetMillis("gateway.slow_ms", gateway_config.slow);
    simulator = std::make_unique<saga::payment::SimulatedGateway>(gateway_config);
    gateway = std::make_unique<saga::payment::MeteredGateway>(*simulator, context.metrics);
    saga::payment::AddPaymentGauges(context.db_gauges);

    // The saga's commands: each in the consumer's inbox transaction, with the payment rows and
    // the replies' outbox rows.
    // crypto.keyring_dir: the key ring the order service seals payment tokens with.
    keys = std::make_unique<saga::crypto::LocalKeyRing>(saga::service::KeyRingDir(context.source));
    tokens = std::make_unique<saga::payment::EnvelopeTokenOpener>(*keys);
    const saga::core::Clock& clock = context.clock;
    // The orders' payments are read with the inbox rows (PaymentCommandLoad).
    saga::outbox::ConsumerConfig consumer{"payment-commands", {saga::contracts::kPaymentCommandsTopic}};
    consumer.load = &saga::payment::PaymentCommandLoad;
    saga::service::AddConsumer(context, std::move(consumer),
                               [&clock, &gateway, &tokens](saga::outbox::HandlerContext& message) {
                                 saga::payment::PgPaymentRepository payments(
                                     message.tx, saga::payment::PreloadedPaymentsOf(message));
                                 saga::payment::PaymentCommands commands(
                                     payments, saga::outbox::TransactionOutboxOf(message), *gateway, clock);
                                 saga::payment::HandlePaymentCommand(message.envelope, commands, *tokens);
                               });
  };
  return saga::service::RunService(argc, argv, definition);
}
