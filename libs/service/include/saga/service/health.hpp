#pragma once
// Health endpoints shared by every service:
//   GET /health/live  -> 200 {"status":"live"} while the process serves HTTP;
//   GET /health/ready -> 200 when every readiness check passes, else 503; the body lists each
//                        check: {"status":"ready"|"not_ready","checks":{"postgres":{"ok":..,
//                        "detail":..,"latencyMs":..,"checkedAt":..}, ...}}.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "saga/core/circuit_breaker.hpp"
#include "saga/http/router.hpp"
#include "saga/kafka/kafka_config.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/observability/metrics.hpp"
#include "saga/outbox/reliable_consumer.hpp"
#include "saga/pg/migrations.hpp"
#include "saga/pg/pool.hpp"
#include "saga/service/readiness.hpp"

namespace saga::service {

void AddHealthRoutes(http::Router& router, const ReadinessMonitor& monitor);

/// A probe that runs `SELECT 1` on a connection kept open between probes (reopened after a
/// failure). Not thread-safe: used by the monitor's single thread.
[[nodiscard]] Probe MakePostgresProbe(const pg::PgConfig& config);

/// A probe that keeps the schema current: while migrations are pending it applies them (when
/// `apply` is true) or fails naming the versions; then it reports the schema version.
[[nodiscard]] Probe MakeSchemaProbe(const pg::PgConfig& config, const pg::MigrationRunner& runner,
                                    bool apply);

/// A probe that fetches cluster metadata and checks that `required_topics` exist; topics of
/// `specs` that are missing are created first (idempotently, through the Admin API).
[[nodiscard]] Probe MakeKafkaProbe(std::shared_ptr<kafka::ClusterProbe> probe, kafka::KafkaConfig config,
                                   std::vector<std::string> required_topics,
                                   std::vector<kafka::TopicSpec> specs, std::chrono::milliseconds timeout);

/// Reports the outbox backlog (pending rows, age of the oldest); fails when the oldest pending
/// row is older than `max_age` (the relay is stuck or the broker has been away that long).
/// Also sets saga_outbox_pending_rows and saga_outbox_oldest_pending_age_seconds in `metrics`.
[[nodiscard]] Probe MakeOutboxProbe(pg::ConnectionPool& pool, std::chrono::milliseconds max_age,
                                    observability::Metrics& metrics = observability::DefaultMetrics());

/// Reports a consumer's group membership, partitions and lag; fails when the lag exceeds
/// `max_lag` messages.
[[nodiscard]] Probe MakeConsumerProbe(const outbox::ReliableConsumer& consumer, std::int64_t max_lag);

/// Fails for good once the producer had a fatal error (it never sends again: the outbox stops
/// draining); the service needs a restart.
[[nodiscard]] Probe MakeProducerProbe(const kafka::Producer& producer);

/// Fails while any of the breakers is open, naming it.
[[nodiscard]] Probe MakeBreakerProbe(std::vector<const core::CircuitBreaker*> breakers);

}  // namespace saga::service
