// Composition root of the order service: the only place that wires concrete adapters.
#include <memory>

#include "saga/service/service_main.hpp"
#include "services/order/api/order_api.hpp"
#include "services/order/app/cached_catalogue.hpp"
#include "services/order/app/order_app.hpp"
#include "services/order/app/saga_orchestrator.hpp"
#include "services/order/app/saga_sweeper.hpp"
#include "services/order/infra/envelope_token_sealer.hpp"
#include "services/order/infra/http_catalogue.hpp"
#include "services/order/infra/migrations.hpp"
#include "services/order/infra/pg_order_repository.hpp"
#include "services/order/infra/pg_saga_store.hpp"
#include "services/order/infra/prometheus_saga_metrics.hpp"
#include "services/order/infra/topics.hpp"

int main(int argc, char** argv) {
  // Built by `wire` once the runtime exists; they outlive the HTTP server (RunService returns
  // only after it stopped).
  std::unique_ptr<saga::order::PgOrderRepository> repository;
  std::unique_ptr<saga::order::HttpCatalogue> catalogue;
  std::unique_ptr<saga::order::CachedCatalogue> prices;
  std::unique_ptr<saga::order::PgSagaTransactions> transactions;
  std::unique_ptr<saga::order::PgSagaQueries> queries;
  std::unique_ptr<saga::order::PrometheusSagaMetrics> saga_metrics;
  std::unique_ptr<saga::crypto::LocalKeyRing> keys;
  std::unique_ptr<saga::order::EnvelopeTokenSealer> sealer;
  std::unique_ptr<saga::order::SagaOrchestrator> orchestrator;
  std::unique_ptr<saga::order::SagaSweeper> sweeper;
  std::unique_ptr<saga::order::OrderApp> app;

  saga::service::ServiceDefinition definition;
  definition.name = "order";
  definition.default_port = 8081;
  definition.required_topics = saga::order::RequiredTopics();
  definition.migrations = saga::order::Migrations();
  definition.openapi = saga::order::OrderOpenApi();
  definition.policies = saga::order::OrderRoutePolicies();
  definition.wire = [&](saga::service::ServiceContext& context) {
    repository = std::make_unique<saga::order::PgOrderRepository>(context.pool);
    // inventory.url (SAGA_INVENTORY_URL; https:// verified against http.client.ca_file or the
    // system store): where prices come from, asked with this service's own token.
    saga::http::HttpClient inventory(
        "inventory.url", context.source.GetString("inventory.url", "http://127.0.0.1:8082"),
        context.source.GetMillis("inventory.timeout_ms", std::chrono::milliseconds(2000)), context.metrics,
        context.source.GetString("http.client.ca_file", ""));
    inventory.SetAuthorization(context.service_token.Provider());
    catalogue = std::make_unique<saga::order::HttpCatalogue>(std::move(inventory));
    const auto& source = context.source;
    // inventory.price_cache_ttl_s: how long a product's price is remembered (0: ask every time).
    prices = std::make_unique<saga::order::CachedCatalogue>(
        *catalogue, context.clock,
        std::chrono::seconds(source.GetInt("inventory.price_cache_ttl_s", 300, 0, 86400)));
    saga::order::SagaSettings settings;
    auto& policy = settings.policy;
    policy.reserve_timeout = source.GetMillis("saga.reserve_timeout_ms", policy.reserve_timeout);
    policy.payment_timeout = source.GetMillis("saga.payment_timeout_ms", policy.payment_timeout);
    policy.commit_timeout = source.GetMillis("saga.commit_timeout_ms", policy.commit_timeout);
    policy.compensation_timeout =
        source.GetMillis("saga.compensation_timeout_ms", policy.compensation_timeout);
    policy.max_compensation_backoff =
        source.GetMillis("saga.max_compensation_backoff_ms", policy.max_compensation_backoff);
    policy.max_step_attempts =
        static_cast<int>(source.GetInt("saga.max_step_attempts", policy.max_step_attempts, 1, 100));
    policy.max_compensation_attempts = static_cast<int>(
        source.GetInt("saga.max_compensation_attempts", policy.max_compensation_attempts, 1, 100));
    settings.reservation_ttl = std::chrono::seconds(
        source.GetInt("saga.reservation_ttl_s", settings.reservation_ttl.count(), 1, 86400));
    settings.abandoned_after = std::chrono::seconds(
        source.GetInt("saga.abandoned_after_s", settings.abandoned_after.count(), 1, 86400 * 30));
    transactions = std::make_unique<saga::order::PgSagaTransactions>(context.pool, context.RelayWaker());
    queries = std::make_unique<saga::order::PgSagaQueries>(context.pool);
    saga_metrics = std::make_unique<saga::order::PrometheusSagaMetrics>(context.metrics);
    saga::order::AddOrderGauges(context.db_gauges);
    // crypto.keyring_dir: the key ring the payment token is sealed with (shared with payment).
    keys = std::make_unique<saga::crypto::LocalKeyRing>(saga::service::KeyRingDir(source));
    sealer = std::make_unique<saga::order::EnvelopeTokenSealer>(*keys);
    orchestrator =
        std::make_unique<saga::order::SagaOrchestrator>(context.clock, settings, *saga_metrics, *sealer);
    app = std::make_unique<saga::order::OrderApp>(*repository, *prices, context.clock, *orchestrator,
                                                  *transactions, *queries);
    saga::order::AddOrderRoutes(context.router, *app, context.idempotency);
    // The saga's replies: the transitions they cause commit with their inbox records (the
    // replies that have arrived together in one transaction). Types the saga does not use
    // (StockUpdated, PaymentInitiated...) are passed over without a transaction
    // (ConsumerConfig::accepts).
    saga::outbox::ConsumerConfig replies{"order-saga", {"saga.inventory.events", "saga.payment.events"}};
    replies.accepts = &saga::order::SagaOrchestrator::TakesReply;
    // Their orders and sagas are read and locked by the statement that records the inbox rows.
    replies.load = &saga::order::SagaReplyLoad;
    saga::service::AddConsumer(context, std::move(replies), saga::order::MakeSagaReplyHandler(*orchestrator));
    sweeper = std::make_unique<saga::order::SagaSweeper>(
        *orchestrator, *transactions,
        source.GetMillis("saga.sweep_interval_ms", std::chrono::milliseconds(500)));
    context.on_start.push_back([&sweeper = *sweeper] { sweeper.Start(); });
    context.on_stop.push_back([&sweeper = *sweeper] { sweeper.Stop(); });
  };
  return saga::service::RunService(argc, argv, definition);
}
