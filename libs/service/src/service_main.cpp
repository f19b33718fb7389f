#include "saga/service/service_main.hpp"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <tuple>

#include "saga/core/errors.hpp"
#include "saga/http/server.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/observability/logging.hpp"
#include "saga/outbox/outbox_relay.hpp"
#include "saga/outbox/retention.hpp"
#include "saga/pg/migrations.hpp"
#include "saga/service/api_support.hpp"
#include "saga/service/dead_letter_api.hpp"
#include "saga/service/health.hpp"

namespace saga::service {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void WritePortFile(const std::string& path, std::uint16_t port) {
  if (path.empty()) return;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << '\n';
    if (!out) throw core::InfraError("cannot write port file " + tmp, false);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw core::InfraError("cannot write port file " + path, false);
}

int RunMigrateCommand(const CLI::App& migrate, const pg::MigrationRunner& runner,
                      const pg::PgConfig& pg_config, int down_count) {
  auto conn = pg::Connect(pg_config);
  auto join = [](const std::vector<int>& versions) {
    std::string out;
    for (int v : versions) out += (out.empty() ? "" : ", ") + std::to_string(v);
    return out.empty() ? std::string("none") : out;
  };
  if (migrate.got_subcommand("up")) {
    std::cout << "applied: " << join(runner.Up(*conn)) << "; schema at version "
              << runner.CurrentVersion(*conn) << " of " << runner.LatestVersion() << "\n";
  } else if (migrate.got_subcommand("down")) {
    std::cout << "reverted: " << join(runner.Down(*conn, down_count)) << "; schema at version "
              << runner.CurrentVersion(*conn) << "\n";
  } else {
    for (const auto& state : runner.Status(*conn)) {
      std::cout << state.version << '\t' << state.name << '\t'
                << (state.applied ? "applied " + state.applied_at.value_or("") : std::string("pending"))
                << (state.checksum_matches ? "" : "\tCHANGED SINCE APPLIED") << '\n';
    }
  }
  return 0;
}

// saga_circuit_breaker_state{breaker} (0 closed, 1 half-open, 2 open) and
// saga_circuit_breaker_trips_total{breaker}, read from the breakers at each scrape.
observability::ScrapeHook ExposeBreakers(observability::Metrics& metrics,
                                         std::vector<const core::CircuitBreaker*> breakers) {
  auto& state = metrics.GaugeFamily("saga_circuit_breaker_state", "0 closed, 1 half-open, 2 open");
  auto& trips = metrics.CounterFamily("saga_circuit_breaker_trips_total", "Times the breaker opened");
  std::vector<std::tuple<const core::CircuitBreaker*, prometheus::Gauge*, prometheus::Counter*>> series;
  for (const auto* breaker : breakers) {
    series.emplace_back(breaker, &state.Add({{"breaker", breaker->Name()}}),
                        &trips.Add({{"breaker", breaker->Name()}}));
  }
  return metrics.OnScrape([series = std::move(series)] {
    for (const auto& [breaker, gauge, counter] : series) {
      const auto now = breaker->State();
      gauge->Set(now == core::BreakerState::kClosed ? 0 : now == core::BreakerState::kHalfOpen ? 1 : 2);
      const auto total = static_cast<double>(breaker->Trips());
      if (total > counter->Value()) counter->Increment(total - counter->Value());
    }
  });
}

}  // namespace

outbox::ReliableConsumer& AddConsumer(ServiceContext& context, outbox::ConsumerConfig config,
                                      outbox::MessageHandler handler) {
  config.threads = static_cast<int>(context.source.GetInt("consumer.threads", config.threads, 1, 64));
  config.batch_size =
      static_cast<int>(context.source.GetInt("consumer.batch_size", config.batch_size, 1, 1000));
  const auto max_lag = context.source.GetInt("consumer.max_lag", 10000, 1, 1LL << 40);
  const std::string check = "consumer-" + config.name;
  const auto prefix = context.source.GetString("kafka.topic_prefix", "");
  for (auto& topic : config.topics) topic = prefix + topic;
  context.consumers.push_back(std::make_unique<outbox::ReliableConsumer>(
      std::move(config), context.kafka, context.pool, context.producer, std::move(handler),
      context.RelayWaker(), &context.db_breaker, context.metrics));
  auto& consumer = *context.consumers.back();
  context.readiness.AddCheck(check, MakeConsumerProbe(consumer, max_lag));
  return consumer;
}

int RunService(int argc, char** argv, const ServiceDefinition& definition) {
  // Before any thread exists (librdkafka and Asio start threads), so all of them inherit the
  // mask and the signals are only received by sigwait below.
  const sigset_t signals = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CLI::App app{definition.name + "-service: the " + definition.name + " service of the order saga"};
  std::string config_file;
  app.add_option("--config", config_file, "JSON config file; SAGA_* environment variables override it")
      ->envname("SAGA_CONFIG_FILE");
  auto* migrate =
      app.add_subcommand("migrate", "run the schema migrations of the service's database, then exit");
  migrate->require_subcommand(1);
  migrate->add_subcommand("up", "apply every pending migration");
  int down_count = 1;
  migrate->add_subcommand("down", "revert the newest migrations")
      ->add_option("count", down_count, "how many (default 1)")
      ->check(CLI::PositiveNumber);
  migrate->add_subcommand("status", "list migrations and whether each is applied");
  std::vector<std::pair<CLI::App*, std::string>> commands;
  for (const auto& command : definition.commands) {
    auto* sub = app.add_subcommand(command.name, command.description);
    commands.emplace_back(sub, std::string());
    sub->add_option(command.argument, commands.back().second, command.argument)->required();
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    const auto source = config::ConfigSource::Load(config_file);
    observability::LogConfig log_config;
    log_config.service = definition.name;
    log_config.level = source.GetString("log.level", "info");
    log_config.json = source.GetString("log.format", "json") != "text";
    observability::InitLogging(log_config);

    const auto environment = source.GetString("env", "development");
    auto pg_config = pg::PgConfig::FromSource(source);
    const pg::MigrationRunner migrations(definition.migrations);
    if (migrate->parsed()) return RunMigrateCommand(*migrate, migrations, pg_config, down_count);
    for (std::size_t i = 0; i < commands.size(); ++i) {
      if (commands[i].first->parsed()) {
        return definition.commands[i].run(CommandContext{source, pg_config, migrations}, commands[i].second);
      }
    }
    if (environment == "production" && !source.Find("kafka.brokers")) {
      throw core::ConfigError("kafka.brokers (SAGA_KAFKA_BROKERS) must be set explicitly in production");
    }

    const auto http_config = http::HttpServerConfig::FromSource(source, definition.default_port);
    const auto auth_settings = AuthSettings::FromSource(source, environment);
    auto kafka_config = kafka::KafkaConfig::FromSource(source);
    if (!source.Find("kafka.client_id")) kafka_config.client_id = definition.name + "-service";
    const auto port_file = source.GetString("http.port_file", "");

    // Messaging runtime: one idempotent producer, the outbox relay (one publishing instance
    // per database), circuit breakers around the database and the broker.
    core::SystemClock clock;
    const core::BreakerConfig breaker_config{
        static_cast<int>(source.GetInt("resilience.breaker_failures", 5, 1, 1000)),
        source.GetMillis("resilience.breaker_open_ms", std::chrono::milliseconds(2000))};
    core::CircuitBreaker db_breaker("postgres", breaker_config, clock);
    core::CircuitBreaker producer_breaker("kafka-producer", breaker_config, clock);
    auto& metrics = observability::DefaultMetrics();
    const auto process_metrics = observability::AddProcessMetrics(metrics, definition.name, SAGA_VERSION);
    const auto breaker_metrics = ExposeBreakers(metrics, {&db_breaker, &producer_breaker});
    pg::ConnectionPool pool(pg_config, pg_config.pool_size, std::chrono::seconds(5));
    kafka::Producer producer(kafka_config);
    outbox::RelayConfig relay_config;
    relay_config.poll_interval = source.GetMillis("outbox.poll_interval_ms", relay_config.poll_interval);
    relay_config.batch_size =
        static_cast<int>(source.GetInt("outbox.batch_size", relay_config.batch_size, 1, 10000));
    // kafka.topic_prefix (SAGA_KAFKA_TOPIC_PREFIX) isolates systems sharing one broker (tests).
    const auto topic_prefix = source.GetString("kafka.topic_prefix", "");
    relay_config.topic_prefix = topic_prefix;
    relay_config.keep_published = source.GetBool("outbox.keep_published", relay_config.keep_published);
    outbox::OutboxRelay relay(relay_config, pg_config, producer, &producer_breaker);
    DbGaugeSampler db_gauges(
        pool, source.GetMillis("metrics.sample_interval_ms", std::chrono::milliseconds(5000)),
        source.GetMillis("metrics.history_sample_interval_ms", std::chrono::seconds(60)));
    outbox::RetentionConfig retention_config;
    retention_config.outbox = std::chrono::seconds(
        source.GetInt("outbox.retention_s", retention_config.outbox.count(), 0, std::int64_t{3650} * 86400));
    retention_config.inbox = std::chrono::seconds(
        source.GetInt("inbox.retention_s", retention_config.inbox.count(), 0, std::int64_t{3650} * 86400));
    retention_config.batch =
        static_cast<int>(source.GetInt("retention.batch_size", retention_config.batch, 1, 100000));
    outbox::RetentionSweeper retention(pool, retention_config,
                                       source.GetMillis("retention.interval_ms", std::chrono::seconds(60)));

    std::vector<kafka::TopicSpec> topic_specs;
    if (auto topics_file = source.Find("kafka.topics_file"); topics_file && !topics_file->empty()) {
      topic_specs = kafka::LoadTopicsFile(*topics_file);  // created at start-up when missing
    }
    for (auto& spec : topic_specs) spec.name = topic_prefix + spec.name;
    if (auto topic = outbox::TopicOutlastingTheInbox(retention_config.inbox, topic_specs)) {
      spdlog::warn(
          "inbox.retention_s ({} s) is shorter than the messages of topic {} may stay readable (its "
          "retention plus a segment's roll time): a consumer sent back to an old offset could apply a "
          "message whose inbox record is gone a second time",
          retention_config.inbox.count(), *topic);
    }
    auto required_topics = definition.required_topics;
    for (auto& topic : required_topics) topic = topic_prefix + topic;
    ReadinessMonitor readiness(source.GetMillis("health.interval_ms", std::chrono::milliseconds(1000)));
    readiness.AddCheck("postgres", MakePostgresProbe(pg_config));
    readiness.AddCheck("schema",
                       MakeSchemaProbe(pg_config, migrations, source.GetBool("pg.migrate_on_start", true)));
    readiness.AddCheck("kafka",
                       MakeKafkaProbe(std::make_shared<kafka::ClusterProbe>(kafka_config), kafka_config,
                                      required_topics, topic_specs, std::chrono::seconds(2)));
    readiness.AddCheck("outbox",
                       MakeOutboxProbe(pool, source.GetMillis("outbox.max_age_ms", std::chrono::minutes(5))));
    readiness.AddCheck("breakers", MakeBreakerProbe({&db_breaker, &producer_breaker}));
    readiness.AddCheck("kafka-producer", MakeProducerProbe(producer));

    PgAuditTrail audit(pool, metrics);
    ServiceToken service_token(auth_settings, definition.name + "-service", clock);
    auto policies = StandardRoutePolicies();
    policies.insert(policies.end(), definition.policies.begin(), definition.policies.end());
    http::Router router;
    AddStandardMiddleware(
        router, std::make_shared<http::RateLimiter>(http::RateLimitConfig::FromSource(source)), metrics,
        Authorize(policies, std::make_shared<const auth::JwtVerifier>(auth_settings.jwt), audit, clock,
                  metrics));
    AddHealthRoutes(router, readiness);
    AddMetricsRoute(router, metrics);
    if (!definition.openapi.empty()) AddOpenApiRoute(router, BuildOpenApiDocument(definition.openapi));
    AddDeadLetterRoutes(router, pool, &relay, topic_prefix);
    IdempotencyStore idempotency(pool, std::chrono::seconds(source.GetInt(
                                           "http.idempotency_ttl_s", 24LL * 3600, 60, 30LL * 24 * 3600)));
    ServiceContext context{source,    router, readiness,     pg_config,   kafka_config, pool,
                           producer,  relay,  db_breaker,    idempotency, clock,        metrics,
                           db_gauges, audit,  service_token, {},          {},           {}};
    if (definition.wire) definition.wire(context);
    CheckPolicyCoverage(router, policies);  // nothing is served without a declared policy
    // Built before anything starts: an unusable TLS certificate or key stops the process here.
    http::HttpServer server(http_config, std::move(router));

    readiness.Start();
    relay.Start();
    db_gauges.Start();
    retention.Start();
    for (auto& consumer : context.consumers) consumer->Start();
    for (auto& start : context.on_start) start();
    server.Start();
    WritePortFile(port_file, server.Port());
    spdlog::info("{}-service listening on {}://{}:{} (env {})", definition.name,
                 http_config.Tls() ? "https" : "http", http_config.address, server.Port(), environment);

    int received = 0;
    sigwait(&signals, &received);
    spdlog::info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
    server.Stop();  // stops intake first and drains in-flight requests
    for (auto& consumer : context.consumers) consumer->Stop();
    for (auto it = context.on_stop.rbegin(); it != context.on_stop.rend(); ++it) (*it)();  // consumers
    readiness.Stop();
    db_gauges.Stop();
    retention.Stop();
    relay.Stop();  // drained last: what the consumers committed is still published on restart
    spdlog::info("{}-service stopped", definition.name);
    return 0;
  } catch (const core::ConfigError& e) {
    std::cerr << definition.name << "-service: configuration error: " << e.what() << '\n';
    return 2;
  } catch (const pg::MigrationError& e) {
    std::cerr << definition.name << "-service: migrations: " << e.what() << '\n';
    return 1;
  } catch (const std::exception& e) {
    std::cerr << definition.name << "-service: cannot start: " << e.what() << '\n';
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
}

}  // namespace saga::service
