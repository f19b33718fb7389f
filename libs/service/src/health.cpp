#include "saga/service/health.hpp"

#include <pqxx/pqxx>

#include "saga/kafka/topics.hpp"
#include "saga/pg/connection.hpp"
#include "saga/pg/errors.hpp"
#include "saga/pg/migrations.hpp"

namespace saga::service {
namespace {

std::string Rfc3339(std::chrono::system_clock::time_point tp) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  const auto n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return {buf, n};
}

}  // namespace

void AddHealthRoutes(http::Router& router, const ReadinessMonitor& monitor) {
  router.Add(http::Verb::get, "/health/live", [](const http::Request&, const http::RequestContext&) {
    return http::JsonResponse(http::Status::ok, {{"status", "live"}});
  });
  router.Add(http::Verb::get, "/health/ready", [&monitor](const http::Request&, const http::RequestContext&) {
    const auto snapshot = monitor.Snapshot();
    nlohmann::json checks = nlohmann::json::object();
    for (const auto& check : snapshot.checks) {
      nlohmann::json entry{{"ok", check.ok}, {"detail", check.detail}, {"latencyMs", check.latency.count()}};
      if (check.checked_at != std::chrono::system_clock::time_point{})
        entry["checkedAt"] = Rfc3339(check.checked_at);
      checks[check.name] = std::move(entry);
    }
    auto response =
        http::JsonResponse(snapshot.ready ? http::Status::ok : http::Status::service_unavailable,
                           {{"status", snapshot.ready ? "ready" : "not_ready"}, {"checks", checks}});
    response.set(http::beast_http::field::cache_control, "no-store");
    return response;
  });
}

Probe MakePostgresProbe(const pg::PgConfig& config) {
  auto connection = std::make_shared<std::unique_ptr<pqxx::connection>>();
  return [config, connection]() -> std::string {
    try {
      if (!*connection || !(*connection)->is_open()) *connection = pg::Connect(config);
      pg::Translated([&] {
        pqxx::nontransaction tx(**connection);
        tx.exec1("SELECT 1");
      });
      return "connected to " + std::string((*connection)->dbname());
    } catch (...) {
      connection->reset();  // reconnect on the next probe
      throw;
    }
  };
}

Probe MakeSchemaProbe(const pg::PgConfig& config, const pg::MigrationRunner& runner, bool apply) {
  auto current = std::make_shared<bool>(false);
  return [config, &runner, apply, current]() -> std::string {
    const std::string latest = std::to_string(runner.LatestVersion());
    if (*current) return "schema at version " + latest;
    auto conn = pg::Connect(config);
    if (apply) runner.Up(*conn);
    const int version = runner.CurrentVersion(*conn);
    if (version != runner.LatestVersion()) {
      throw std::runtime_error("schema at version " + std::to_string(version) + ", expected " + latest +
                               " (run `migrate up`)");
    }
    *current = true;
    return "schema at version " + latest;
  };
}

Probe MakeKafkaProbe(std::shared_ptr<kafka::ClusterProbe> probe, kafka::KafkaConfig config,
                     std::vector<std::string> required_topics, std::vector<kafka::TopicSpec> specs,
                     std::chrono::milliseconds timeout) {
  return [probe = std::move(probe), config = std::move(config), topics = std::move(required_topics),
          specs = std::move(specs), timeout]() -> std::string {
    auto info = probe->Describe(timeout);
    std::string created;
    if (!specs.empty()) {
      bool any_missing = false;
      for (const auto& spec : specs) any_missing = any_missing || info.topics.count(spec.name) == 0;
      if (any_missing) {
        const auto result = kafka::EnsureTopics(config, specs, timeout);
        for (const auto& name : result.created) created += (created.empty() ? "" : ", ") + name;
        info = probe->Describe(timeout);
      }
    }
    std::string missing;
    for (const auto& topic : topics) {
      if (info.topics.count(topic) == 0) missing += (missing.empty() ? "" : ", ") + topic;
    }
    if (!missing.empty()) throw std::runtime_error("missing topics: " + missing);
    return std::to_string(info.brokers) + " broker(s), " + std::to_string(topics.size()) +
           " required topics present" + (created.empty() ? "" : "; created " + created);
  };
}

Probe MakeOutboxProbe(pg::ConnectionPool& pool, std::chrono::milliseconds max_age,
                      observability::Metrics& metrics) {
  auto& pending_rows = metrics
                           .GaugeFamily("saga_outbox_pending_rows",
                                        "Unpublished outbox rows (refreshed by the readiness probe)")
                           .Add({});
  auto& oldest_age = metrics
                         .GaugeFamily("saga_outbox_oldest_pending_age_seconds",
                                      "Age of the oldest unpublished outbox row, 0 when none")
                         .Add({});
  return [&pool, max_age, &pending_rows, &oldest_age]() -> std::string {
    auto lease = pool.Acquire();
    return pg::Translated([&] {
      pqxx::read_transaction tx(*lease);
      if (!tx.exec1("SELECT to_regclass('outbox') IS NOT NULL")[0].as<bool>()) {
        throw std::runtime_error("the outbox table does not exist yet (schema not migrated)");
      }
      // By the pending rows' index: a plan made while the outbox looked tiny (just vacuumed) read
      // every page of the rows deleted since, at each probe until the next analyze.
      tx.exec0("SET LOCAL enable_seqscan = off");
      const auto row = tx.exec1(
          "SELECT count(*), coalesce((extract(epoch FROM clock_timestamp() - min(created_at)) * "
          "1000)::bigint, 0) "
          "FROM outbox WHERE published_at IS NULL");
      const auto pending = row[0].as<std::int64_t>();
      const auto oldest_ms = row[1].as<std::int64_t>();
      pending_rows.Set(static_cast<double>(pending));
      oldest_age.Set(static_cast<double>(oldest_ms) / 1000.0);
      const std::string detail =
          std::to_string(pending) + " pending, oldest " + std::to_string(oldest_ms) + " ms";
      if (oldest_ms > max_age.count()) throw std::runtime_error("outbox backlog too old: " + detail);
      return detail;
    });
  };
}

Probe MakeConsumerProbe(const outbox::ReliableConsumer& consumer, std::int64_t max_lag) {
  return [&consumer, max_lag]() -> std::string {
    const auto stats = consumer.Stats();
    const std::string detail = std::to_string(stats.members) + " member(s), " +
                               std::to_string(stats.assigned_partitions) + " partition(s), lag " +
                               std::to_string(stats.lag) + ", dead letters " +
                               std::to_string(stats.dead_lettered);
    if (stats.lag > max_lag) throw std::runtime_error("consumer lag too high: " + detail);
    return detail;
  };
}

Probe MakeProducerProbe(const kafka::Producer& producer) {
  return [&producer]() -> std::string {
    if (auto fatal = producer.FatalError()) {
      throw std::runtime_error("producer failed fatally (" + *fatal + "): restart the service");
    }
    return "ok";
  };
}

Probe MakeBreakerProbe(std::vector<const core::CircuitBreaker*> breakers) {
  return [breakers = std::move(breakers)]() -> std::string {
    std::string states;
    std::string open;
    for (const auto* breaker : breakers) {
      const auto state = breaker->State();
      states += (states.empty() ? "" : ", ") + breaker->Name() + " " + std::string(core::ToString(state));
      if (state == core::BreakerState::kOpen) open += (open.empty() ? "" : ", ") + breaker->Name();
    }
    if (!open.empty()) throw std::runtime_error("circuit open: " + open + " (" + states + ")");
    return states;
  };
}

}  // namespace saga::service
