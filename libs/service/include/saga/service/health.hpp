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

#include "saga/http/router.hpp"
#include "saga/service/readiness.hpp"

namespace saga::pg {
struct PgConfig;
class MigrationRunner;
}  // namespace saga::pg
namespace saga::kafka {
class ClusterProbe;
}

namespace saga::service {

void AddHealthRoutes(http::Router& router, const ReadinessMonitor& monitor);

/// A probe that runs `SELECT 1` on a connection kept open between probes (reopened after a
/// failure). Not thread-safe: used by the monitor's single thread.
[[nodiscard]] Probe MakePostgresProbe(const pg::PgConfig& config);

/// A probe that keeps the schema current: while migrations are pending it applies them (when
/// `apply` is true) or fails naming the versions; then it reports the schema version.
[[nodiscard]] Probe MakeSchemaProbe(const pg::PgConfig& config, const pg::MigrationRunner& runner, bool apply);

/// A probe that fetches cluster metadata and checks that `required_topics` exist.
[[nodiscard]] Probe MakeKafkaProbe(std::shared_ptr<kafka::ClusterProbe> probe,
                                   std::vector<std::string> required_topics,
                                   std::chrono::milliseconds timeout);

}  // namespace saga::service
