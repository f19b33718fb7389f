#include "saga/testing/test_env.hpp"

#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>
#include <thread>

#include "saga/config/config_source.hpp"
#include "saga/core/uuid.hpp"

namespace saga::testing {

std::string RequiredEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(name +
                             " is not set: run the tests through `./saga test`, which starts "
                             "the test PostgreSQL and Kafka and exports it");
  }
  return value;
}

std::string PgAdminDsn() {
  return RequiredEnv("SAGA_TEST_PG_DSN");
}
std::string KafkaBrokers() {
  return RequiredEnv("SAGA_TEST_KAFKA_BROKERS");
}

kafka::KafkaConfig KafkaTestConfig() {
  // Read exactly as a service started with KafkaServiceEnv() reads it.
  const auto env = KafkaServiceEnv();
  auto config = kafka::KafkaConfig::FromSource(
      config::ConfigSource::FromMap({}, [&env](const std::string& name) -> std::optional<std::string> {
        const auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
      }));
  config.client_id = "saga-test";
  return config;
}

std::map<std::string, std::string> KafkaServiceEnv() {
  std::map<std::string, std::string> env{{"SAGA_KAFKA_BROKERS", KafkaBrokers()}};
  const char* user = std::getenv("SAGA_TEST_KAFKA_USERNAME");  // NOLINT(concurrency-mt-unsafe)
  if (user != nullptr && *user != '\0') {
    env["SAGA_KAFKA_SECURITY_PROTOCOL"] = "sasl_plaintext";
    env["SAGA_KAFKA_SASL_USERNAME"] = user;
    // The launcher exports the mechanism of its broker; without it, KafkaConfig's default.
    const char* mechanism = std::getenv("SAGA_TEST_KAFKA_SASL_MECHANISM");  // NOLINT(concurrency-mt-unsafe)
    if (mechanism != nullptr && *mechanism != '\0') env["SAGA_KAFKA_SASL_MECHANISM"] = mechanism;
    env["SAGA_KAFKA_SASL_PASSWORD_FILE"] = RequiredEnv("SAGA_TEST_KAFKA_PASSWORD_FILE");
  }
  return env;
}

std::string UniqueName(const std::string& prefix) {
  std::string hex = core::Uuid::Random().ToString();
  std::string compact;
  for (char c : hex) {
    if (c != '-') compact.push_back(c);
  }
  return prefix + "_" + compact.substr(0, 16);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
             std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

TemporaryDatabase::TemporaryDatabase() : admin_dsn_(PgAdminDsn()), name_(UniqueName("t")) {
  pqxx::connection admin(admin_dsn_);
  pqxx::nontransaction tx(admin);
  tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
}

TemporaryDatabase::~TemporaryDatabase() {
  try {
    pqxx::connection admin(admin_dsn_);
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The test cluster is wiped after every `./saga test` run; a leftover database is harmless.
  }
}

std::string TemporaryDatabase::Dsn() const {
  return admin_dsn_ + " dbname=" + name_;
}

}  // namespace saga::testing
