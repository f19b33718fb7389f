#pragma once

#include <chrono>
#include <map>
#include <string>

namespace saga::config {
class ConfigSource;
}

namespace saga::kafka {

/// Client settings shared by producers, consumers and admin clients of one process.
struct KafkaConfig {
  /// bootstrap.servers, "host:port[,host:port...]". Key kafka.brokers / SAGA_KAFKA_BROKERS.
  std::string brokers = "127.0.0.1:19092";
  /// client.id, shown in broker logs and metrics; the service name.
  std::string client_id = "saga";
  /// linger.ms of producers: how long to wait to batch before sending. Low for latency.
  std::chrono::milliseconds linger{2};
  /// compression.type of producers: none, gzip, snappy, lz4, zstd.
  std::string compression = "lz4";
  /// message.timeout.ms: after this a message not acknowledged fails its delivery report.
  std::chrono::milliseconds delivery_timeout{30000};
  /// Extra librdkafka properties applied last (tests, tuning): "kafka.rdkafka.<name>" keys.
  std::map<std::string, std::string> extra;

  /// Throws core::ConfigError for an empty broker list or an unknown compression.
  void Validate() const;
  static KafkaConfig FromSource(const config::ConfigSource& source);
};

}  // namespace saga::kafka
