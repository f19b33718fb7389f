#pragma once
// Consumer: a member of a consumer group with manual offset commits. An offset is committed only
// after the caller says the message's effect is durable (Commit(), after its database
// transaction): Commit() stores it and librdkafka sends stored offsets to the broker within
// 200 ms, on rebalance and on Close(). A crash loses at most the unsent ones, which means a
// redelivery (absorbed by the inbox), never a loss.
//
// Thread-safety: one thread polls, commits and closes. Lifecycle: subscribe in the constructor,
// Close() (or the destructor) leaves the group cleanly.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "saga/kafka/kafka_config.hpp"
#include "saga/kafka/message.hpp"

namespace saga::kafka {

struct ConsumerOptions {
  std::string group_id;
  std::vector<std::string> topics;
  /// Where a group with no committed offset starts: "earliest" or "latest".
  std::string auto_offset_reset = "earliest";
  /// Called on the polling thread at each rebalance with the partitions assigned (true) or
  /// revoked (false), after the assignment changed. May be empty.
  std::function<void(bool assigned, int partitions)> on_rebalance;
};

class Consumer {
 public:
  /// Throws KafkaError when the client cannot be created or the subscription is refused.
  Consumer(const KafkaConfig& config, const ConsumerOptions& options);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  /// The next message, or nullopt when none arrived within `timeout`. Transient broker errors
  /// are logged and yield nullopt (librdkafka reconnects by itself); fatal ones throw KafkaError.
  [[nodiscard]] std::optional<ConsumedMessage> Poll(std::chrono::milliseconds timeout);

  /// Commits `message.offset + 1` for its partition (stored now, sent asynchronously; see
  /// above). Throws KafkaError when the consumer refuses it.
  void Commit(const ConsumedMessage& message);

  /// The partitions assigned to this member and how far behind it is on each: the high watermark
  /// of the last fetch response minus the consumer's position (0 until the partition was
  /// fetched). A partition that has delivered nothing since its assignment counts from the
  /// group's committed offset, fetched once per assignment (waits at most 200 ms, then cached).
  /// Call it from the consuming thread (the one that calls Poll()).
  struct PartitionLag {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t lag = 0;
  };
  [[nodiscard]] std::vector<PartitionLag> Lag();

  /// Leaves the group (revoking partitions). Idempotent.
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace saga::kafka
