#pragma once
// The Kafka topics the payment service produces to or consumes from. It reports ready only when
// all of them exist (they are created from deploy/kafka/topics.tsv).

#include <string>
#include <vector>

namespace saga::payment {

[[nodiscard]] std::vector<std::string> RequiredTopics();

}  // namespace saga::payment
