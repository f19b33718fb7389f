#include "saga/kafka/kafka_config.hpp"

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"

namespace saga::kafka {

void KafkaConfig::Validate() const {
  if (brokers.empty()) throw core::ConfigError("kafka.brokers (SAGA_KAFKA_BROKERS) is required");
  if (client_id.empty()) throw core::ConfigError("kafka.client_id must not be empty");
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
  config.Validate();
  return config;
}

}  // namespace saga::kafka
