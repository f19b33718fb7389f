#pragma once
// Helpers for integration and e2e tests: where the real PostgreSQL and Kafka of `./saga test`
// are, unique names so tests never share state, and waiting on a condition with a deadline
// (never a fixed sleep). The variables are exported by `./saga test`; a test run outside it
// fails with a message saying so rather than being skipped.

#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "saga/kafka/kafka_config.hpp"

namespace saga::testing {

/// Superuser libpq key/value DSN of the test cluster (SAGA_TEST_PG_DSN). Throws when unset.
[[nodiscard]] std::string PgAdminDsn();
/// Bootstrap servers of the test broker (SAGA_TEST_KAFKA_BROKERS). Throws when unset.
[[nodiscard]] std::string KafkaBrokers();
/// A client configuration for the test broker: its address and, when the broker authenticates
/// (SAGA_TEST_KAFKA_USERNAME, SAGA_TEST_KAFKA_SASL_MECHANISM, SAGA_TEST_KAFKA_PASSWORD_FILE from
/// ./saga), the admin credential.
[[nodiscard]] kafka::KafkaConfig KafkaTestConfig();
/// The same as SAGA_KAFKA_* variables for a service process a test starts.
[[nodiscard]] std::map<std::string, std::string> KafkaServiceEnv();
/// An environment variable the test run must provide; throws naming it when unset.
[[nodiscard]] std::string RequiredEnv(const std::string& name);

/// "<prefix>_<16 random hex chars>", lower case: valid as a database, topic or group name.
[[nodiscard]] std::string UniqueName(const std::string& prefix);

/// Polls `condition` every `interval` until it returns true or `timeout` elapses.
/// Returns the last value of the condition.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
             std::chrono::milliseconds interval = std::chrono::milliseconds(20));

/// A database created for one test and dropped (WITH FORCE) when this object goes away.
class TemporaryDatabase {
 public:
  TemporaryDatabase();
  ~TemporaryDatabase();
  TemporaryDatabase(const TemporaryDatabase&) = delete;
  TemporaryDatabase& operator=(const TemporaryDatabase&) = delete;

  [[nodiscard]] const std::string& Name() const noexcept { return name_; }
  /// A DSN that connects to this database as the superuser.
  [[nodiscard]] std::string Dsn() const;

 private:
  std::string admin_dsn_;
  std::string name_;
};

}  // namespace saga::testing
