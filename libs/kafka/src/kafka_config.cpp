#include "saga/kafka/kafka_config.hpp"

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/core/secret_file.hpp"

namespace saga::kafka {

void KafkaConfig::Validate() const {
  if (brokers.empty()) throw core::ConfigError("kafka.brokers (SAGA_KAFKA_BROKERS) is required");
  if (client_id.empty()) throw core::ConfigError("kafka.client_id must not be empty");
  bool known_protocol = false;
  for (const char* known : {"plaintext", "sasl_plaintext", "sasl_ssl", "ssl"})
    known_protocol |= security_protocol == known;
  if (!known_protocol) {
    throw core::ConfigError(
        "kafka.security_protocol must be plaintext, sasl_plaintext, sasl_ssl or ssl, not '" +
        security_protocol + "'");
  }
  if (security_protocol.rfind("sasl_", 0) == 0) {
    if (sasl_username.empty() || sasl_password.empty()) {
      throw core::ConfigError(
          "kafka.security_protocol " + security_protocol +
          " needs kafka.sasl_username and kafka.sasl_password_file (the service's broker credential)");
    }
    bool known_mechanism = false;
    for (const char* known : {"SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"}) known_mechanism |= sasl_mechanism == known;
    if (!known_mechanism) {
      throw core::ConfigError("kafka.sasl_mechanism (SAGA_KAFKA_SASL_MECHANISM) must be SCRAM-SHA-256, "
                              "SCRAM-SHA-512 or PLAIN, not '" + sasl_mechanism + "'");
    }
  }
  for (const char* known : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    if (compression == known) return;
  }
  throw core::ConfigError("kafka.compression: unknown codec '" + compression + "'");
}

KafkaConfig KafkaConfig::FromSource(const config::ConfigSource& source) {
  KafkaConfig config;
  config.brokers = source.GetString("kafka.brokers", config.brokers);
  config.client_id = source.GetString("kafka.client_id", config.client_id);
  config.linger = source.GetMillis("kafka.linger_ms", config.linger);
  config.compression = source.GetString("kafka.compression", config.compression);
  config.delivery_timeout = source.GetMillis("kafka.delivery_timeout_ms", config.delivery_timeout);
  config.security_protocol = source.GetString("kafka.security_protocol", config.security_protocol);
  config.sasl_mechanism = source.GetString("kafka.sasl_mechanism", config.sasl_mechanism);
  config.sasl_username = source.GetString("kafka.sasl_username", "");
  if (const auto file = source.GetString("kafka.sasl_password_file", ""); !file.empty()) {
    config.sasl_password = core::ReadSecretFile(file, "kafka.sasl_password_file");
  }
  config.ssl_ca_file = source.GetString("kafka.ssl_ca_file", "");
  config.Validate();
  return config;
}

}  // namespace saga::kafka
