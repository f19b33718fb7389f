// The three service executables as processes against the real PostgreSQL and Kafka of
// `./saga test`: they become ready only when their database and broker (and topics) are
// reachable (and the broker takes their SCRAM login), report what is missing otherwise, stop
// cleanly on SIGTERM, and refuse bad configuration with a clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "saga/kafka/topics.hpp"
#include "saga/testing/http_client.hpp"
#include "saga/testing/process.hpp"
#include "saga/testing/test_auth.hpp"
#include "saga/testing/test_env.hpp"

namespace saga::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;

struct RunningService {
  std::string log_path;
  std::string port_file;
  std::unique_ptr<testing::Process> process;
  std::uint16_t port = 0;
};

class ServicesHealthTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / testing::UniqueName("e2e");
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  RunningService Start(const std::string& service, std::map<std::string, std::string> env) {
    RunningService running;
    running.log_path = (dir_ / (service + ".log")).string();
    running.port_file = (dir_ / (service + ".port")).string();
    env.emplace("SAGA_HTTP_PORT", "0");
    env.emplace("SAGA_HTTP_PORT_FILE", running.port_file);
    env.emplace("SAGA_HEALTH_INTERVAL_MS", "200");
    env.emplace("SAGA_ENV", "test");
    for (const auto& [key, value] : testing::KafkaServiceEnv()) env.emplace(key, value);
    env.emplace("SAGA_AUTH_KEY_FILE", testing::AuthKeyFile());
    env.emplace("SAGA_CRYPTO_KEYRING_DIR", testing::KeyRingDir());
    env.emplace("SAGA_HTTP_PLAINTEXT", "true");
    const std::string binary =
        std::string(SAGA_BUILD_DIR) + "/services/" + service + "/" + service + "-service";
    running.process =
        std::make_unique<testing::Process>(binary, std::vector<std::string>{}, env, running.log_path);
    return running;
  }

  // Waits for the port file; false (with the log in the failure message) if the process died.
  bool AwaitListening(RunningService& running) {
    const bool ok = testing::WaitFor(
        [&] {
          auto text = testing::ReadFile(running.port_file);
          if (!text.empty()) running.port = static_cast<std::uint16_t>(std::stoi(text));
          return running.port != 0 || !running.process->Running();
        },
        seconds(30));
    EXPECT_TRUE(ok && running.port != 0) << "service did not listen; log:\n"
                                         << testing::ReadFile(running.log_path);
    return running.port != 0;
  }

  fs::path dir_;
};

TEST_P(ServicesHealthTest, ReadyWithRealDatabaseAndBrokerAndStopsCleanly) {
  testing::TemporaryDatabase db;
  // A topics file with one topic the broker does not have yet: the service creates it.
  const std::string extra_topic = testing::UniqueName("e2e.extra");
  const auto topics_file = (dir_ / "topics.tsv").string();
  std::ofstream(topics_file) << testing::ReadFile(testing::RequiredEnv("SAGA_TOPICS_FILE")) << extra_topic
                             << "\t2\t1\t3600000\t1\n";
  auto svc = Start(GetParam(), {{"SAGA_PG_DSN", db.Dsn()},
                                {"SAGA_KAFKA_BROKERS", testing::KafkaBrokers()},
                                {"SAGA_KAFKA_TOPICS_FILE", topics_file}});
  ASSERT_TRUE(AwaitListening(svc));

  EXPECT_EQ(testing::HttpRequest("127.0.0.1", svc.port, "GET", "/health/live").status, 200);
  testing::HttpReply ready;
  const bool became_ready = testing::WaitFor(
      [&] {
        ready = testing::HttpRequest("127.0.0.1", svc.port, "GET", "/health/ready");
        return ready.status == 200;
      },
      seconds(30), milliseconds(100));
  ASSERT_TRUE(became_ready) << ready.status << " " << ready.body << "\n" << testing::ReadFile(svc.log_path);
  auto body = nlohmann::json::parse(ready.body);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["checks"]["postgres"]["ok"], true);
  EXPECT_EQ(body["checks"]["kafka"]["ok"], true);
  EXPECT_EQ(body["checks"]["schema"]["ok"], true) << "pending migrations are applied at start-up";
  EXPECT_EQ(body["checks"]["outbox"]["ok"], true) << body.dump();
  EXPECT_EQ(body["checks"]["outbox"]["detail"], "0 pending, oldest 0 ms");
  EXPECT_EQ(body["checks"]["breakers"]["detail"], "postgres closed, kafka-producer closed");
#if !defined(__SANITIZE_ADDRESS__)
  // The executables allocate with jemalloc (cmake/Dependencies.cmake, saga_allocator), which a
  // linker that drops unreferenced libraries would leave out.
  const auto maps = testing::ReadFile("/proc/" + std::to_string(svc.process->Pid()) + "/maps");
  EXPECT_NE(maps.find("libjemalloc"), std::string::npos) << "jemalloc is not mapped";
#endif
  kafka::KafkaConfig kafka;
  kafka = testing::KafkaTestConfig();
  // Creation is acknowledged before every broker's metadata shows the topic (KRaft propagates it),
  // so a fresh broker may need a moment to list it.
  kafka::ClusterProbe probe(kafka);
  EXPECT_TRUE(testing::WaitFor([&] { return probe.Describe(seconds(10)).topics.count(extra_topic) == 1; },
                               seconds(30), milliseconds(200)))
      << "missing topics of the topics file are created at start-up";

  svc.process->Signal(SIGTERM);
  EXPECT_EQ(svc.process->Wait(seconds(20)), 0) << testing::ReadFile(svc.log_path);
  const auto log = testing::ReadFile(svc.log_path);
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
}

TEST_P(ServicesHealthTest, NotReadyWhileTheDatabaseIsUnreachable) {
  auto svc = Start(GetParam(), {{"SAGA_PG_DSN", "host=127.0.0.1 port=1 dbname=x user=x password=hunter2"},
                                {"SAGA_KAFKA_BROKERS", testing::KafkaBrokers()}});
  ASSERT_TRUE(AwaitListening(svc));
  EXPECT_EQ(testing::HttpRequest("127.0.0.1", svc.port, "GET", "/health/live").status, 200);
  // Wait until the broker check has passed, so the answer is about the database alone.
  testing::HttpReply reply;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        reply = testing::HttpRequest("127.0.0.1", svc.port, "GET", "/health/ready");
        if (reply.status != 503) return false;
        auto body = nlohmann::json::parse(reply.body);
        return body["checks"]["kafka"]["ok"] == true;
      },
      seconds(30), milliseconds(100)))
      << reply.status << " " << reply.body;
  auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["status"], "not_ready");
  EXPECT_EQ(body["checks"]["postgres"]["ok"], false);
  EXPECT_EQ(reply.body.find("hunter2"), std::string::npos) << "password leaked: " << reply.body;
  EXPECT_EQ(testing::ReadFile(svc.log_path).find("hunter2"), std::string::npos)
      << "password leaked to the log";
}

// Waits until /health/ready answers 503 with PostgreSQL fine and Kafka failing.
void ExpectNotReadyForKafkaOnly(const RunningService& svc) {
  testing::HttpReply reply;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        reply = testing::HttpRequest("127.0.0.1", svc.port, "GET", "/health/ready");
        if (reply.status != 503) return false;
        auto body = nlohmann::json::parse(reply.body);
        return body["checks"]["postgres"]["ok"] == true && body["checks"]["kafka"]["ok"] == false;
      },
      seconds(30), milliseconds(100)))
      << reply.status << " " << reply.body;
}

TEST_P(ServicesHealthTest, NotReadyWhileTheBrokerIsUnreachable) {
  testing::TemporaryDatabase db;
  auto svc = Start(GetParam(), {{"SAGA_PG_DSN", db.Dsn()}, {"SAGA_KAFKA_BROKERS", "127.0.0.1:1"}});
  ASSERT_TRUE(AwaitListening(svc));
  ASSERT_NO_FATAL_FAILURE(ExpectNotReadyForKafkaOnly(svc));
}

TEST_P(ServicesHealthTest, NotReadyWhileTheBrokerRefusesItsLogin) {
  // The right credential, by PLAIN: the broker's client listener offers SCRAM-SHA-256 only.
  testing::TemporaryDatabase db;
  auto svc = Start(GetParam(), {{"SAGA_PG_DSN", db.Dsn()}, {"SAGA_KAFKA_SASL_MECHANISM", "PLAIN"}});
  ASSERT_TRUE(AwaitListening(svc));
  ASSERT_NO_FATAL_FAILURE(ExpectNotReadyForKafkaOnly(svc));
  // The operator learns why from the log (librdkafka's words).
  EXPECT_TRUE(testing::WaitFor(
      [&] { return testing::ReadFile(svc.log_path).find("Unsupported SASL mechanism") != std::string::npos; },
      seconds(10)))
      << testing::ReadFile(svc.log_path);
}

TEST_P(ServicesHealthTest, BadConfigurationExitsWithAClearMessage) {
  auto svc = Start(GetParam(), {{"SAGA_HTTP_PORT", "not-a-port"}, {"SAGA_PG_DSN", "host=127.0.0.1"}});
  EXPECT_EQ(svc.process->Wait(seconds(20)), 2);
  const auto log = testing::ReadFile(svc.log_path);
  EXPECT_NE(log.find("SAGA_HTTP_PORT"), std::string::npos) << log;

  auto no_dsn = Start(GetParam(), {{"SAGA_PG_DSN", ""}});
  EXPECT_EQ(no_dsn.process->Wait(seconds(20)), 2);
  EXPECT_NE(testing::ReadFile(no_dsn.log_path).find("SAGA_PG_DSN"), std::string::npos);
}

TEST_P(ServicesHealthTest, PortInUseExitsWithAClearMessage) {
  testing::TemporaryDatabase db;
  auto first =
      Start(GetParam(), {{"SAGA_PG_DSN", db.Dsn()}, {"SAGA_KAFKA_BROKERS", testing::KafkaBrokers()}});
  ASSERT_TRUE(AwaitListening(first));
  auto second = Start(GetParam(), {{"SAGA_PG_DSN", db.Dsn()},
                                   {"SAGA_KAFKA_BROKERS", testing::KafkaBrokers()},
                                   {"SAGA_HTTP_PORT", std::to_string(first.port)},
                                   {"SAGA_HTTP_PORT_FILE", (dir_ / "second.port").string()}});
  EXPECT_EQ(second.process->Wait(seconds(20)), 1);
  EXPECT_NE(testing::ReadFile(second.log_path).find("cannot listen on"), std::string::npos)
      << testing::ReadFile(second.log_path);
}

// `<svc>-service migrate up | status | down [n]` against a fresh database.
TEST_P(ServicesHealthTest, MigrateCommandAppliesRevertsAndReports) {
  testing::TemporaryDatabase db;
  const std::map<std::string, std::string> env{{"SAGA_PG_DSN", db.Dsn()}};
  auto run = [&](std::vector<std::string> args) {
    const auto log = (dir_ / testing::UniqueName("migrate")).string();
    testing::Process process(
        std::string(SAGA_BUILD_DIR) + "/services/" + GetParam() + "/" + GetParam() + "-service", args, env,
        log);
    auto code = process.Wait(seconds(30));
    return std::make_pair(code.value_or(-1), testing::ReadFile(log));
  };
  auto [up_code, up] = run({"migrate", "up"});
  EXPECT_EQ(up_code, 0) << up;
  // Every service has the shared migrations 1-3 and 6 (the audit trail) and may have more of its
  // own (numbers may leave gaps): all are applied, in order.
  std::smatch applied;
  ASSERT_TRUE(
      std::regex_search(up, applied, std::regex(R"(applied: ([0-9, ]+); schema at version (\d+) of (\d+))")))
      << up;
  const int latest = std::stoi(applied[3].str());
  EXPECT_GE(latest, 6);
  EXPECT_EQ(std::stoi(applied[2].str()), latest) << up;
  std::vector<int> versions;
  {
    std::stringstream list(applied[1].str());
    for (std::string item; std::getline(list, item, ',');) versions.push_back(std::stoi(item));
  }
  EXPECT_TRUE(std::is_sorted(versions.begin(), versions.end())) << up;
  for (int shared : {1, 2, 3, 6}) {
    EXPECT_NE(std::find(versions.begin(), versions.end(), shared), versions.end()) << shared << ": " << up;
  }
  ASSERT_FALSE(versions.empty());
  EXPECT_EQ(versions.back(), latest) << up;
  std::string all_reverted;
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    all_reverted += (all_reverted.empty() ? "" : ", ") + std::to_string(*it);
  }
  auto [status_code, status] = run({"migrate", "status"});
  EXPECT_EQ(status_code, 0) << status;
  EXPECT_NE(status.find("1\tinit\tapplied"), std::string::npos) << status;
  auto [down_code, down] = run({"migrate", "down", std::to_string(versions.size())});
  EXPECT_EQ(down_code, 0) << down;
  EXPECT_NE(down.find("reverted: " + all_reverted + "; schema at version 0"), std::string::npos) << down;
  auto [pending_code, pending] = run({"migrate", "status"});
  EXPECT_NE(pending.find("1\tinit\tpending"), std::string::npos) << pending;
  auto [bad_code, bad] = run({"migrate", "sideways"});
  EXPECT_NE(bad_code, 0) << bad;
}

INSTANTIATE_TEST_SUITE_P(AllServices, ServicesHealthTest, ::testing::Values("order", "inventory", "payment"));

// The development catalogue is loaded by `inventory-service seed FILE`, once.
TEST(InventorySeedTest, SeedCommandLoadsTheCatalogueOnce) {
  testing::TemporaryDatabase db;
  const auto dir = fs::temp_directory_path() / testing::UniqueName("seed");
  fs::create_directories(dir);
  auto run = [&](const std::string& name) {
    const auto log = (dir / name).string();
    testing::Process process(std::string(SAGA_BUILD_DIR) + "/services/inventory/inventory-service",
                             {"seed", std::string(SAGA_REPO_ROOT) + "/deploy/seed/catalogue.json"},
                             {{"SAGA_PG_DSN", db.Dsn()}}, log);
    auto code = process.Wait(seconds(30));
    return std::make_pair(code.value_or(-1), testing::ReadFile(log));
  };
  auto [first_code, first] = run("first.log");
  EXPECT_EQ(first_code, 0) << first;
  EXPECT_NE(first.find("10 products created, 0 already present"), std::string::npos) << first;
  auto [second_code, second] = run("second.log");
  EXPECT_EQ(second_code, 0) << second;
  EXPECT_NE(second.find("0 products created, 10 already present"), std::string::npos) << second;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace saga::e2e
