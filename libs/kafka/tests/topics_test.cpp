#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/kafka/errors.hpp"
#include "saga/kafka/kafka_config.hpp"
#include "saga/kafka/topics.hpp"

namespace saga::kafka {
namespace {

TEST(TopicsFileTest, ParsesColumnsCommentsAndBlankLines) {
  auto specs = ParseTopicsFile(
      "# name partitions replication retention_ms min_isr\n"
      "\n"
      "saga.order.events   6 1 604800000 1  # trailing comment\n"
      "saga.order.events.dlq\t3\t1\t2592000000\t1\n",
      "topics.tsv");
  ASSERT_EQ(specs.size(), 2U);
  EXPECT_EQ(specs[0].name, "saga.order.events");
  EXPECT_EQ(specs[0].partitions, 6);
  EXPECT_EQ(specs[0].replication, 1);
  EXPECT_EQ(specs[0].retention_ms, 604800000);
  EXPECT_EQ(specs[1].retention_ms, 2592000000);
}

TEST(TopicsFileTest, RejectsMalformedLinesWithTheirLocation) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const auto& c :
       {Case{"a 1 1 1000", "topics.tsv:1: expected 5 columns"}, Case{"a x 1 1000 1", "partitions"},
        Case{"a 0 1 1000 1", "partitions"}, Case{"a 1 1 1000 2", "min_insync_replicas exceeds"},
        Case{"bad/name 1 1 1000 1", "invalid topic name"},
        Case{"a 1 1 1000 1\n\na 2 1 1000 1", "topics.tsv:3: duplicate topic"},
        Case{"# only a comment\n", "no topics defined"}}) {
    try {
      (void)ParseTopicsFile(c.text, "topics.tsv");
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const core::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
}

TEST(TopicsFileTest, TheProjectTopicsFileIsValid) {
  auto specs = LoadTopicsFile(SAGA_TOPICS_FILE);
  EXPECT_GE(specs.size(), 6U);
  for (const auto& spec : specs) {
    if (spec.name.size() > 4 && spec.name.substr(spec.name.size() - 4) == ".dlq") continue;
    bool has_dlq = false;
    for (const auto& other : specs) has_dlq = has_dlq || other.name == spec.name + ".dlq";
    if (spec.name != "saga.notifications") {
      EXPECT_TRUE(has_dlq) << spec.name << " has no dead-letter topic";
    }
  }
}

TEST(KafkaErrorTest, ClassifiesRetryableCodes) {
  EXPECT_TRUE(IsRetryableCode(RD_KAFKA_RESP_ERR__TRANSPORT));
  EXPECT_TRUE(IsRetryableCode(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT));
  EXPECT_TRUE(IsRetryableCode(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS));
  EXPECT_FALSE(IsRetryableCode(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
  EXPECT_FALSE(IsRetryableCode(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE));
  try {
    ThrowKafkaError(RD_KAFKA_RESP_ERR__TRANSPORT, "produce");
  } catch (const KafkaError& e) {
    EXPECT_TRUE(e.IsRetryable());
    EXPECT_EQ(e.Code(), RD_KAFKA_RESP_ERR__TRANSPORT);
    EXPECT_EQ(std::string(e.what()).rfind("produce: ", 0), 0U) << e.what();
  }
}

TEST(KafkaConfigTest, ReadsAndValidates) {
  auto none = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto source = config::ConfigSource::FromMap(
      {{"kafka.brokers", "h:1,h:2"}, {"kafka.linger_ms", "5"}, {"kafka.compression", "zstd"}}, none);
  auto config = KafkaConfig::FromSource(source);
  EXPECT_EQ(config.brokers, "h:1,h:2");
  EXPECT_EQ(config.linger, std::chrono::milliseconds(5));
  auto bad = config::ConfigSource::FromMap({{"kafka.compression", "rar"}}, none);
  EXPECT_THROW((void)KafkaConfig::FromSource(bad), core::ConfigError);
  auto empty = config::ConfigSource::FromMap({{"kafka.brokers", ""}}, none);
  EXPECT_THROW((void)KafkaConfig::FromSource(empty), core::ConfigError);
}

TEST(KafkaConfigTest, SaslDefaultsToScramAndRefusesUnknownMechanisms) {
  KafkaConfig config;
  EXPECT_EQ(config.sasl_mechanism, "SCRAM-SHA-256") << "what the launcher's brokers accept";
  config.security_protocol = "sasl_ssl";
  config.sasl_username = "order";
  config.sasl_password = "secret";
  for (const char* mechanism : {"SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"}) {
    config.sasl_mechanism = mechanism;
    EXPECT_NO_THROW(config.Validate()) << mechanism;
  }
  for (const char* mechanism : {"", "scram-sha-256", "GSSAPI", "OAUTHBEARER"}) {
    config.sasl_mechanism = mechanism;
    try {
      config.Validate();
      ADD_FAILURE() << "accepted '" << mechanism << "'";
    } catch (const core::ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("SAGA_KAFKA_SASL_MECHANISM"), std::string::npos) << e.what();
    }
  }
  config.sasl_mechanism = "GSSAPI";
  config.security_protocol = "plaintext";  // no SASL: the mechanism is not used
  EXPECT_NO_THROW(config.Validate());
}

}  // namespace
}  // namespace saga::kafka
