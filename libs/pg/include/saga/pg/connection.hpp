#pragma once
// Opening PostgreSQL connections. libpqxx 6.4 connections are not thread-safe: one connection
// per thread (or per pool checkout), never shared concurrently.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <pqxx/connection>

namespace saga::config {
class ConfigSource;
}

namespace saga::pg {

struct PgConfig {
  /// libpq connection string ("host=... port=... dbname=... user=... password=...") or URI.
  /// Holds a secret: comes from the environment (SAGA_PG_DSN), never from a committed file.
  std::string dsn;
  /// Upper bound on establishing a connection; appended as connect_timeout when not in dsn.
  std::chrono::seconds connect_timeout{3};
  /// Connections a service keeps at most (ConnectionPool size). Key pg.pool_size.
  std::size_t pool_size = 8;

  /// Throws core::ConfigError when the dsn is empty.
  void Validate() const;
  /// Reads pg.dsn, pg.connect_timeout_ms and pg.pool_size.
  static PgConfig FromSource(const config::ConfigSource& source);
};

/// Opens a connection. Throws ConnectionError (retryable) when the server is unreachable or
/// refuses the credentials.
[[nodiscard]] std::unique_ptr<pqxx::connection> Connect(const PgConfig& config);

/// The dsn with any password replaced by "***", for logs and error messages.
[[nodiscard]] std::string RedactDsn(const std::string& dsn);

}  // namespace saga::pg
