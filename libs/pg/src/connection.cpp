#include "saga/pg/connection.hpp"

#include <regex>

#include <pqxx/pqxx>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/pg/errors.hpp"

namespace saga::pg {

void PgConfig::Validate() const {
  if (dsn.empty()) throw core::ConfigError("pg.dsn (SAGA_PG_DSN) is required");
  if (connect_timeout.count() <= 0) throw core::ConfigError("pg.connect_timeout_ms must be > 0");
}

PgConfig PgConfig::FromSource(const config::ConfigSource& source) {
  PgConfig config;
  config.dsn = source.GetString("pg.dsn", "");
  config.connect_timeout = std::chrono::duration_cast<std::chrono::seconds>(
      source.GetMillis("pg.connect_timeout_ms", std::chrono::seconds(3)));
  if (config.connect_timeout.count() == 0) config.connect_timeout = std::chrono::seconds(1);
  config.pool_size = static_cast<std::size_t>(source.GetInt("pg.pool_size", 8, 1, 1000));
  config.Validate();
  return config;
}

std::unique_ptr<pqxx::connection> Connect(const PgConfig& config) {
  std::string dsn = config.dsn;
  const bool is_uri = dsn.rfind("postgres://", 0) == 0 || dsn.rfind("postgresql://", 0) == 0;
  if (dsn.find("connect_timeout") == std::string::npos) {
    const auto timeout = std::to_string(config.connect_timeout.count());
    if (is_uri) {
      dsn += (dsn.find('?') == std::string::npos ? "?" : "&") + std::string("connect_timeout=") + timeout;
    } else {
      dsn += " connect_timeout=" + timeout;
    }
  }
  try {
    auto conn = std::make_unique<pqxx::connection>(dsn);
    // Prepared statements run their generic plan (prepared.hpp); set_variable is kept by pqxx
    // and set again should it reconnect.
    conn->set_variable("plan_cache_mode", "force_generic_plan");
    return conn;
  } catch (const pqxx::broken_connection& e) {
    std::string reason = e.what();
    reason = reason.substr(0, reason.find('\n'));
    throw ConnectionError("cannot connect to postgres (" + RedactDsn(config.dsn) + "): " + reason);
  } catch (...) {
    RethrowTranslated();
  }
}

std::string RedactDsn(const std::string& dsn) {
  static const std::regex kKeyValue(R"((password\s*=\s*)('[^']*'|\S+))", std::regex::icase);
  static const std::regex kUri(R"((://[^:/@]+:)[^@]*@)");
  std::string out = std::regex_replace(dsn, kKeyValue, "$1***");
  return std::regex_replace(out, kUri, "$1***@");
}

}  // namespace saga::pg
