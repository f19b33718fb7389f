// Broker security against the real test broker that ./saga starts: every client authenticates
// (SASL/SCRAM-SHA-256, one credential per service) and the ACLs of deploy/kafka/acls.tsv let a
// service write only its own topics and use only its own consumer groups. PLAIN, a wrong
// password and an unauthenticated client are refused.
#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include <array>
#include <atomic>
#include <cctype>
#include <memory>

#include "saga/core/secret_file.hpp"
#include "saga/kafka/acls.hpp"
#include "saga/kafka/consumer.hpp"
#include "saga/kafka/errors.hpp"
#include "saga/kafka/producer.hpp"
#include "saga/kafka/topics.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::kafka {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The order service's own credential, as the launcher gives it to the service.
KafkaConfig As(const std::string& service) {
  auto config = testing::KafkaTestConfig();
  config.sasl_username = service;
  std::string upper = service;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  config.sasl_password = core::ReadSecretFile(
      testing::RequiredEnv("SAGA_TEST_KAFKA_" + upper + "_PASSWORD_FILE"), "test credential");
  config.delivery_timeout = seconds(10);
  config.client_id = service + "-acl-test";
  return config;
}

int DeliveryError(Producer& producer, const std::string& topic) {
  try {
    (void)producer.Produce({topic, "k", "{}", {}}).get();
    return 0;
  } catch (const KafkaError& e) {
    return e.Code();
  }
}

// How the broker answers `config`'s SASL login: RD_KAFKA_RESP_ERR_NO_ERROR when a metadata
// request succeeds, RD_KAFKA_RESP_ERR__AUTHENTICATION when librdkafka reports that the broker
// refused it (an unsupported mechanism or wrong credentials), else the metadata request's error.
// A plain handle, not the library's, so that the authentication error itself is observed.
rd_kafka_resp_err_t LoginOutcome(const KafkaConfig& config) {
  std::array<char, 512> error{};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : std::initializer_list<std::pair<const char*, std::string>>{
           {"bootstrap.servers", config.brokers},
           {"security.protocol", config.security_protocol},
           {"sasl.mechanisms", config.sasl_mechanism},
           {"sasl.username", config.sasl_username},
           {"sasl.password", config.sasl_password},
           {"log_level", "0"}}) {
    EXPECT_EQ(rd_kafka_conf_set(conf, name, value.c_str(), error.data(), error.size()), RD_KAFKA_CONF_OK)
        << name << ": " << error.data();
  }
  std::atomic<int> refused{RD_KAFKA_RESP_ERR_NO_ERROR};
  rd_kafka_conf_set_opaque(conf, &refused);
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int err, const char*, void* opaque) {
    if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) static_cast<std::atomic<int>*>(opaque)->store(err);
  });
  const std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, error.data(), error.size()), &rd_kafka_destroy);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    ADD_FAILURE() << error.data();
    return RD_KAFKA_RESP_ERR__FAIL;
  }
  // A refusal is reported within a second; metadata in short attempts so that it is seen soon.
  auto outcome = RD_KAFKA_RESP_ERR__TIMED_OUT;
  (void)testing::WaitFor(
      [&] {
        rd_kafka_poll(rk.get(), 0);  // serves the error callback
        if (refused.load() != RD_KAFKA_RESP_ERR_NO_ERROR) {
          outcome = static_cast<rd_kafka_resp_err_t>(refused.load());
          return true;
        }
        const rd_kafka_metadata_t* metadata = nullptr;
        outcome = rd_kafka_metadata(rk.get(), 0, nullptr, &metadata, 200);
        if (outcome == RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_metadata_destroy(metadata);
        return outcome == RD_KAFKA_RESP_ERR_NO_ERROR;
      },
      seconds(10), milliseconds(0));
  return outcome;
}

TEST(KafkaAclTest, TheClientListenerAcceptsOnlyScramWithTheRightPassword) {
  ASSERT_EQ(testing::KafkaTestConfig().security_protocol, "sasl_plaintext")
      << "the test broker of ./saga authenticates every client";
  ASSERT_EQ(testing::KafkaTestConfig().sasl_mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(LoginOutcome(testing::KafkaTestConfig()), RD_KAFKA_RESP_ERR_NO_ERROR) << "the admin";
  for (const char* service : {"order", "inventory", "payment"}) {
    EXPECT_EQ(LoginOutcome(As(service)), RD_KAFKA_RESP_ERR_NO_ERROR) << service;
  }

  auto plain = As("order");  // the right password, sent in the clear: not offered
  plain.sasl_mechanism = "PLAIN";
  EXPECT_EQ(LoginOutcome(plain), RD_KAFKA_RESP_ERR__AUTHENTICATION);
  auto sha512 = As("order");  // no SCRAM-SHA-512 credential, and not enabled either
  sha512.sasl_mechanism = "SCRAM-SHA-512";
  EXPECT_EQ(LoginOutcome(sha512), RD_KAFKA_RESP_ERR__AUTHENTICATION);
  auto wrong = As("order");
  wrong.sasl_password = "not-the-password";
  EXPECT_EQ(LoginOutcome(wrong), RD_KAFKA_RESP_ERR__AUTHENTICATION);
  auto other = As("order");  // another service's password
  other.sasl_password = As("payment").sasl_password;
  EXPECT_EQ(LoginOutcome(other), RD_KAFKA_RESP_ERR__AUTHENTICATION);

  // And through the library, as a service would: refused, not hanging.
  ClusterProbe probe(wrong);
  EXPECT_THROW((void)probe.Describe(seconds(3)), KafkaError);
  auto anonymous = testing::KafkaTestConfig();
  anonymous.security_protocol = "plaintext";
  ClusterProbe unauthenticated(anonymous);
  EXPECT_THROW((void)unauthenticated.Describe(seconds(3)), KafkaError);
}

TEST(KafkaAclTest, AServiceWritesOnlyItsOwnTopics) {
  Producer order(As("order"));
  EXPECT_EQ(DeliveryError(order, "saga.order.events"), 0) << "its own topic";
  EXPECT_EQ(DeliveryError(order, "saga.payment.commands"), 0) << "a command it sends";
  EXPECT_EQ(DeliveryError(order, "saga.inventory.events"), 0) << "a topic it consumes: dead-letter replays";
  EXPECT_EQ(DeliveryError(order, "saga.inventory.commands.dlq"), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
      << "inventory's dead letters are not the order service's to write";
  Producer payment(As("payment"));
  EXPECT_EQ(DeliveryError(payment, "saga.payment.events"), 0);
  EXPECT_EQ(DeliveryError(payment, "saga.payment.commands"), 0) << "a topic it consumes: dead-letter replays";
  EXPECT_EQ(DeliveryError(payment, "saga.inventory.events"), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED)
      << "inventory's events are not the payment service's to write";
  EXPECT_EQ(DeliveryError(payment, "saga.order.events"), RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
}

TEST(KafkaAclTest, AServiceReadsOnlyWhatItConsumesWithItsOwnGroups) {
  // Its own group on a topic it consumes: assigned.
  Consumer mine(As("inventory"),
                {"inventory-" + testing::UniqueName("acl"), {"saga.inventory.commands"}, "earliest", {}});
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        (void)mine.Poll(milliseconds(100));
        return !mine.Lag().empty();
      },
      seconds(30)))
      << "inventory may read saga.inventory.commands in an inventory-* group";
  // Another service's group: the coordinator refuses it (librdkafka reports "Group authorization
  // failed" and retries), so it never gets a partition, while its own group had them above.
  Consumer theirs(As("inventory"),
                  {"order-" + testing::UniqueName("acl"), {"saga.inventory.commands"}, "earliest", {}});
  const auto until = std::chrono::steady_clock::now() + seconds(5);
  while (std::chrono::steady_clock::now() < until) (void)theirs.Poll(milliseconds(100));
  EXPECT_TRUE(theirs.Lag().empty()) << "the order service's groups are not inventory's";
  // A topic it does not consume, in its own group: the fetches are refused, so a message that is
  // there (written with the admin credential) never arrives.
  Producer admin(testing::KafkaTestConfig());
  (void)admin.Produce({"saga.payment.commands", "k", "{}", {}}).get();
  Consumer other(As("inventory"),
                 {"inventory-" + testing::UniqueName("acl"), {"saga.payment.commands"}, "earliest", {}});
  int received = 0;
  const auto until_other = std::chrono::steady_clock::now() + seconds(5);
  while (std::chrono::steady_clock::now() < until_other) {
    try {
      received += other.Poll(milliseconds(100)) ? 1 : 0;
    } catch (const KafkaError&) {
      // a refused fetch may surface as an error: still nothing read
    }
  }
  EXPECT_EQ(received, 0) << "payment's commands are not inventory's to read";
}

TEST(KafkaAclTest, TheAclFileParsesAndNamesOnlyKnownTopics) {
  const auto rules = LoadAclsFile(testing::RequiredEnv("SAGA_REPO_ROOT") + "/deploy/kafka/acls.tsv");
  ASSERT_FALSE(rules.empty());
  const auto topics = LoadTopicsFile(testing::RequiredEnv("SAGA_TOPICS_FILE"));
  for (const auto& rule : rules) {
    if (rule.resource != "topic" || rule.pattern != "literal") continue;
    bool known = false;
    for (const auto& topic : topics) known = known || topic.name == rule.name;
    EXPECT_TRUE(known) << rule.principal << " is granted " << rule.operation << " on unknown topic "
                       << rule.name;
  }
}

}  // namespace
}  // namespace saga::kafka
