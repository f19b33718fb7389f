#pragma once
// Opening PostgreSQL connections. libpqxx 6.4 connections are not thread-safe: one connection
// per thread (or per pool checkout), never shared concurrently.

#include <chrono>
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

  /// Throws core::ConfigError when the dsn is empty.
  void Validate() const;
  /// Reads pg.dsn and pg.connect_timeout_ms.
  static PgConfig FromSource(const config::ConfigSource& source);
};

/// Opens a connection. Throws ConnectionError (retryable) when the server is unreachable or
/// refuses the credentials.
[[nodiscard]] std::unique_ptr<pqxx::connection> Connect(const PgConfig& config);

/// The dsn with any password replaced by "***", for logs and error messages.
[[nodiscard]] std::string RedactDsn(const std::string& dsn);

}  // namespace saga::pg
