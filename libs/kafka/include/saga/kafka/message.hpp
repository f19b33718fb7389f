#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace saga::kafka {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// A message to produce. `key` decides the partition: every message of one order uses the
/// order id as key, so they stay in order.
struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string payload;
  Headers headers;
};

/// A consumed message, copied out of librdkafka's buffers (owns its data).
struct ConsumedMessage {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string payload;
  Headers headers;
  std::int64_t timestamp_ms = 0;

  /// The value of the first header named `name`, if any.
  [[nodiscard]] std::optional<std::string> Header(const std::string& name) const;
};

/// Where the broker stored a produced message.
struct DeliveryReport {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

}  // namespace saga::kafka
