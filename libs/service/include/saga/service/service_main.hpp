#pragma once
// The common start-up and shutdown of a service process, so each services/<svc>/main.cpp only
// wires what is its own. Order of events:
//   block SIGINT/SIGTERM -> parse --config -> load config (file + SAGA_* environment) ->
//   JSON logging -> auth settings (auth.*: a verification key is required) -> metrics (GET /metrics) -> messaging runtime (pool, producer, outbox relay, breakers) -> readiness
//   checks (postgres, schema, kafka + topics, outbox backlog, breakers) -> service wiring ->
//   relay and HTTP server -> wait for SIGINT/SIGTERM -> stop HTTP (drain in-flight) ->
//   stop consumers (on_stop) -> stop readiness -> drain the relay last.
// Exit codes: 0 clean stop, 1 start-up failure (e.g. port in use), 2 configuration error.
//
// `<svc>-service migrate up | down [n] | status` runs the schema migrations and exits.
// Otherwise the service applies pending migrations itself as part of readiness: it serves
// /health/live at once and reports ready only once its schema is current.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "saga/config/config_source.hpp"
#include "saga/http/router.hpp"
#include "saga/kafka/kafka_config.hpp"
#include "saga/outbox/outbox_relay.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/pg/connection.hpp"
#include "saga/pg/migrations.hpp"
#include "saga/pg/pool.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/service/db_gauges.hpp"
#include "saga/service/idempotency.hpp"
#include "saga/service/readiness.hpp"
#include "saga/service/security.hpp"

namespace saga::service {

/// What the wiring function of a service receives.
struct ServiceContext {
  const config::ConfigSource& source;
  http::Router& router;
  ReadinessMonitor& readiness;
  pg::PgConfig pg;
  kafka::KafkaConfig kafka;
  pg::ConnectionPool& pool;
  kafka::Producer& producer;
  outbox::OutboxRelay& relay;
  /// Wakes the relay: give it to whatever commits outbox rows outside a consumer (HTTP
  /// handlers, sweepers), or their rows wait for the relay's next poll (outbox.poll_interval_ms).
  [[nodiscard]] std::function<void()> RelayWaker() const {
    return [&relay = relay] { relay.Notify(); };
  }
  core::CircuitBreaker& db_breaker;
  /// Idempotency-Key storage (table idempotency_keys), ttl from http.idempotency_ttl_s.
  IdempotencyStore& idempotency;
  /// "Now" for the app layer.
  const core::Clock& clock;
  /// The registry served at GET /metrics.
  observability::Metrics& metrics;
  /// Gauges read from the database every metrics.sample_interval_ms (add the service's queries
  /// while wiring; started and stopped by RunService).
  DbGaugeSampler& db_gauges;
  /// The service's audit trail (operator actions beyond what the middleware records).
  IAuditSink& audit;
  /// The service's own bearer token for calls to the other services (HttpClient::SetAuthorization).
  ServiceToken& service_token;
  /// Consumers added by AddConsumer(): started after the relay, stopped right after the HTTP
  /// server (before on_stop).
  std::vector<std::unique_ptr<outbox::ReliableConsumer>> consumers;
  /// Called once everything is wired and the relay runs (start background workers here).
  std::vector<std::function<void()>> on_start;
  /// Called in reverse order at shutdown, after HTTP stopped and before the relay drains
  /// (stop consumers here).
  std::vector<std::function<void()>> on_stop;
};

/// Adds a reliable consumer to the service: its inbox transactions run on the service's pool
/// (guarded by the database breaker), each commit wakes the outbox relay, dead letters go out
/// through the service's producer, and its group membership and lag become the readiness check
/// "consumer-<name>" (not ready beyond consumer.max_lag, default 10000). consumer.threads
/// (default 1) group members run in this process; each applies up to consumer.batch_size
/// (default 16) messages that have already arrived in one inbox transaction. Started and stopped by RunService.
outbox::ReliableConsumer& AddConsumer(ServiceContext& context, outbox::ConsumerConfig config,
                                      outbox::MessageHandler handler);

/// What a service-specific command (e.g. `inventory-service seed FILE`) receives.
struct CommandContext {
  const config::ConfigSource& source;
  const pg::PgConfig& pg;
  const pg::MigrationRunner& migrations;
};

/// A command of the executable besides serving: `<svc>-service <name> <argument>`.
/// `run` returns the exit code; it may throw core::InfraError (exit 1) or ConfigError (exit 2).
struct ServiceCommand {
  std::string name;
  std::string description;
  std::string argument;  // name of its one positional argument
  std::function<int(const CommandContext&, const std::string& argument)> run;
};

struct ServiceDefinition {
  /// "order", "inventory" or "payment": log field, Kafka client id, default config names.
  std::string name;
  /// HTTP port when http.port / SAGA_HTTP_PORT is not set.
  std::uint16_t default_port = 0;
  /// Topics that must exist before the service reports ready.
  std::vector<std::string> required_topics;
  /// The service's schema (embedded SQL). Applied at start-up when pg.migrate_on_start is true
  /// (the default); `<svc>-service migrate up|down [n]|status` runs them by hand.
  std::vector<pg::Migration> migrations;
  /// Extra commands of the executable (see ServiceCommand).
  std::vector<ServiceCommand> commands;
  /// The service's OpenAPI document (JSON text), served at /openapi.json with the shared parts
  /// merged in (see api_support.hpp). Empty: no document.
  std::string_view openapi;
  /// Who may call each of the service's own routes (see security.hpp); the standard routes'
  /// policies are added by RunService, which refuses to start when a route has none.
  std::vector<RoutePolicy> policies;
  /// Registers the service's own routes and components; may be empty.
  std::function<void(ServiceContext&)> wire;
};

/// Runs the service until SIGINT or SIGTERM. Returns the process exit code.
int RunService(int argc, char** argv, const ServiceDefinition& definition);

}  // namespace saga::service
