#pragma once
// The Kafka topics the order service produces to or consumes from. It reports ready only when
// all of them exist (they are created from deploy/kafka/topics.tsv).

#include <string>
#include <vector>

namespace saga::order {

[[nodiscard]] std::vector<std::string> RequiredTopics();

}  // namespace saga::order
