#include "saga/kafka/topics.hpp"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "client.hpp"
#include "saga/core/errors.hpp"
#include "saga/kafka/errors.hpp"

namespace saga::kafka {
namespace {

template <typename T>
T ParseNumber(const std::string& text, const std::string& where, const char* column, T min) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min) {
    throw core::ConfigError(where + ": " + column + " '" + text +
                            "' must be an integer >= " + std::to_string(min));
  }
  return value;
}

bool ValidTopicName(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* md) const noexcept { rd_kafka_metadata_destroy(md); }
};

ClusterInfo FetchClusterInfo(rd_kafka_t* rk, std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  const auto err = rd_kafka_metadata(rk, 1, nullptr, &raw, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ThrowKafkaError(err, "kafka metadata request");
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> md(raw);
  ClusterInfo info;
  info.brokers = md->broker_cnt;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& topic = md->topics[i];
    if (topic.err == RD_KAFKA_RESP_ERR_NO_ERROR) info.topics[topic.topic] = topic.partition_cnt;
  }
  return info;
}

internal::HandlePtr MakeAdminHandle(const KafkaConfig& config) {
  config.Validate();
  return internal::MakeHandle(RD_KAFKA_PRODUCER, internal::BaseConf(config));
}

}  // namespace

std::vector<TopicSpec> ParseTopicsFile(const std::string& text, const std::string& origin) {
  std::vector<TopicSpec> specs;
  std::set<std::string> names;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream fields(line);
    std::vector<std::string> cols;
    for (std::string col; fields >> col;) cols.push_back(col);
    if (cols.empty()) continue;
    const std::string where = origin + ":" + std::to_string(number);
    if (cols.size() != 5) {
      throw core::ConfigError(where +
                              ": expected 5 columns (name partitions replication retention_ms "
                              "min_insync_replicas), got " +
                              std::to_string(cols.size()));
    }
    TopicSpec spec;
    spec.name = cols[0];
    if (!ValidTopicName(spec.name))
      throw core::ConfigError(where + ": invalid topic name '" + spec.name + "'");
    if (!names.insert(spec.name).second)
      throw core::ConfigError(where + ": duplicate topic '" + spec.name + "'");
    spec.partitions = ParseNumber<std::int32_t>(cols[1], where, "partitions", 1);
    spec.replication = ParseNumber<std::int16_t>(cols[2], where, "replication", 1);
    spec.retention_ms = ParseNumber<std::int64_t>(cols[3], where, "retention_ms", -1);
    spec.min_insync_replicas = ParseNumber<std::int32_t>(cols[4], where, "min_insync_replicas", 1);
    if (spec.min_insync_replicas > spec.replication) {
      throw core::ConfigError(where + ": min_insync_replicas exceeds the replication factor");
    }
    specs.push_back(spec);
  }
  if (specs.empty()) throw core::ConfigError(origin + ": no topics defined");
  return specs;
}

std::vector<TopicSpec> LoadTopicsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw core::ConfigError("cannot open topics file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseTopicsFile(text.str(), path);
}

EnsureTopicsResult EnsureTopics(const KafkaConfig& config, const std::vector<TopicSpec>& specs,
                                std::chrono::milliseconds timeout) {
  auto rk = MakeAdminHandle(config);
  const auto info = FetchClusterInfo(rk.get(), timeout);

  EnsureTopicsResult result;
  std::vector<rd_kafka_NewTopic_t*> new_topics;
  struct NewTopicsGuard {
    std::vector<rd_kafka_NewTopic_t*>& topics;
    ~NewTopicsGuard() { rd_kafka_NewTopic_destroy_array(topics.data(), topics.size()); }
  } guard{new_topics};

  char errstr[512];
  for (const auto& spec : specs) {
    if (info.topics.count(spec.name) != 0) {
      result.existing.push_back(spec.name);
      continue;
    }
    rd_kafka_NewTopic_t* topic =
        rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, spec.replication, errstr, sizeof(errstr));
    if (topic == nullptr) throw core::ConfigError("topic " + spec.name + ": " + errstr);
    new_topics.push_back(topic);
    rd_kafka_NewTopic_set_config(topic, "retention.ms", std::to_string(spec.retention_ms).c_str());
    rd_kafka_NewTopic_set_config(topic, "min.insync.replicas",
                                 std::to_string(spec.min_insync_replicas).c_str());
  }
  if (new_topics.empty()) return result;

  const auto event = internal::AdminRequest(
      rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, "create topics",
      [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
        rd_kafka_CreateTopics(rk.get(), new_topics.data(), new_topics.size(), options, queue);
      });
  std::size_t count = 0;
  const rd_kafka_topic_result_t** topics =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = rd_kafka_topic_result_name(topics[i]);
    const auto err = rd_kafka_topic_result_error(topics[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      result.created.push_back(name);
    } else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      result.existing.push_back(name);  // created concurrently by another instance
    } else {
      const char* detail = rd_kafka_topic_result_error_string(topics[i]);
      ThrowKafkaError(err,
                      "create topic " + name + (detail != nullptr ? std::string(" (") + detail + ")" : ""));
    }
  }
  return result;
}

struct ClusterProbe::Impl {
  internal::HandlePtr rk;
};

ClusterProbe::ClusterProbe(const KafkaConfig& config) : impl_(std::make_unique<Impl>()) {
  impl_->rk = MakeAdminHandle(config);
}

ClusterProbe::~ClusterProbe() = default;

ClusterInfo ClusterProbe::Describe(std::chrono::milliseconds timeout) {
  return FetchClusterInfo(impl_->rk.get(), timeout);
}

}  // namespace saga::kafka
