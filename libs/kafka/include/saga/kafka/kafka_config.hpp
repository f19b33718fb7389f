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
  /// linger.ms of producers: how long to wait to batch before sending. Low for latency. The
  /// outbox relay flushes each pass (Producer::Flush), which does not linger.
  std::chrono::milliseconds linger{2};
  /// compression.type of producers: none, gzip, snappy, lz4, zstd.
  std::string compression = "lz4";
  /// message.timeout.ms: after this a message not acknowledged fails its delivery report.
  std::chrono::milliseconds delivery_timeout{30000};
  /// security.protocol: plaintext, sasl_plaintext, sasl_ssl or ssl.
  std::string security_protocol = "plaintext";
  /// sasl.mechanisms for the sasl_* protocols: SCRAM-SHA-256 (the launcher's brokers accept
  /// only this on their client listener; deploy/kafka/server.properties.in), SCRAM-SHA-512, or
  /// PLAIN for a broker that offers nothing better (it sends the password itself: only over
  /// sasl_ssl). Key kafka.sasl_mechanism / SAGA_KAFKA_SASL_MECHANISM.
  std::string sasl_mechanism = "SCRAM-SHA-256";
  /// The service's own broker credential (one per service; broker ACLs grant it its topics).
  std::string sasl_username;
  std::string sasl_password;  // never logged
  /// ssl.ca.location for the *ssl protocols ("" = the system store).
  std::string ssl_ca_file;
  /// Extra librdkafka properties applied last (tests, tuning): "kafka.rdkafka.<name>" keys.
  std::map<std::string, std::string> extra;

  /// Throws core::ConfigError for an empty broker list, an unknown compression, security
  /// protocol or SASL mechanism, or a sasl_* protocol without a username and password.
  void Validate() const;
  static KafkaConfig FromSource(const config::ConfigSource& source);
};

}  // namespace saga::kafka
