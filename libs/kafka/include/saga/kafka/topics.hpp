#pragma once
// The topic definition (deploy/kafka/topics.tsv) and idempotent creation through the Admin API.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "saga/kafka/kafka_config.hpp"

namespace saga::kafka {

struct TopicSpec {
  std::string name;
  std::int32_t partitions = 1;
  std::int16_t replication = 1;
  std::int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  std::int32_t min_insync_replicas = 1;
};

/// Parses the topics file: whitespace-separated columns
///   name partitions replication retention_ms min_insync_replicas
/// '#' starts a comment. Throws core::ConfigError naming the line for anything malformed,
/// including duplicate names and min ISR above the replication factor.
[[nodiscard]] std::vector<TopicSpec> ParseTopicsFile(const std::string& text, const std::string& origin);
[[nodiscard]] std::vector<TopicSpec> LoadTopicsFile(const std::string& path);

struct EnsureTopicsResult {
  std::vector<std::string> created;
  std::vector<std::string> existing;
};

/// Creates every topic of `specs` that does not exist yet; existing ones are left as they are.
/// Throws KafkaError when the broker cannot be reached within `timeout` or refuses a creation
/// for another reason than "already exists".
EnsureTopicsResult EnsureTopics(const KafkaConfig& config, const std::vector<TopicSpec>& specs,
                                std::chrono::milliseconds timeout);

/// What the cluster metadata says: broker count and topic -> partition count.
struct ClusterInfo {
  int brokers = 0;
  std::map<std::string, int> topics;
};

/// A long-lived, cheap metadata client for health checks. Thread-safe.
class ClusterProbe {
 public:
  explicit ClusterProbe(const KafkaConfig& config);
  ~ClusterProbe();
  ClusterProbe(const ClusterProbe&) = delete;
  ClusterProbe& operator=(const ClusterProbe&) = delete;

  /// Fetches metadata for all topics. Throws KafkaError (retryable) when no broker answers
  /// within `timeout`.
  [[nodiscard]] ClusterInfo Describe(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace saga::kafka
