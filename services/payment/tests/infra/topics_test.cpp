#include "services/payment/infra/topics.hpp"

#include <gtest/gtest.h>

#include <set>

#include "saga/kafka/topics.hpp"

namespace saga::payment {
namespace {

TEST(PaymentTopicsTest, EveryRequiredTopicIsDefined) {
  std::set<std::string> defined;
  for (const auto& spec : kafka::LoadTopicsFile(SAGA_TOPICS_FILE)) defined.insert(spec.name);
  const auto required = RequiredTopics();
  EXPECT_FALSE(required.empty());
  for (const auto& topic : required) EXPECT_EQ(defined.count(topic), 1U) << topic << " is not in topics.tsv";
}

}  // namespace
}  // namespace saga::payment
