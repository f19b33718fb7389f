// TLS end to end: the service executables started as `./saga up` starts them (env development, a
// certificate for localhost and 127.0.0.1 signed by a local CA) answer over https with HSTS and
// give plain HTTP no answer; the order service fetches prices from the inventory service over
// https and refuses an inventory whose certificate it cannot verify; a configuration without a
// certificate, or plain HTTP in production, stops the process with a message naming the keys.
#include <gtest/gtest.h>

#include <cctype>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "saga/core/uuid.hpp"
#include "saga/testing/http_client.hpp"
#include "saga/testing/process.hpp"
#include "saga/testing/test_auth.hpp"
#include "saga/testing/test_env.hpp"
#include "saga/testing/tls_files.hpp"

namespace saga::e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
namespace fs = std::filesystem;
using json = nlohmann::json;

std::string Upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

struct RunningService {
  std::string log_path;
  std::unique_ptr<testing::Process> process;
  std::uint16_t port = 0;
};

class TlsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / testing::UniqueName("tls_e2e");
    fs::create_directories(dir_);
    // What `./saga up` generates: a local CA and a server certificate for localhost and 127.0.0.1.
    dev_ = testing::MakeTlsFiles(dir_, "dev", {"localhost"}, {"127.0.0.1"});
    trust_ = testing::TlsOptions{dev_.ca_file};
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // The service with the development certificate (overridable through `env`); waits until it
  // listens (or has exited).
  RunningService Start(const std::string& service, std::map<std::string, std::string> env) {
    RunningService running;
    const auto name = testing::UniqueName(service);
    running.log_path = (dir_ / (name + ".log")).string();
    const auto port_file = (dir_ / (name + ".port")).string();
    env.emplace("SAGA_ENV", "development");
    env.emplace("SAGA_HTTP_TLS_CERT_FILE", dev_.cert_file);
    env.emplace("SAGA_HTTP_TLS_KEY_FILE", dev_.key_file);
    env.emplace("SAGA_HTTP_PORT", "0");
    env.emplace("SAGA_HTTP_PORT_FILE", port_file);
    env.emplace("SAGA_HEALTH_INTERVAL_MS", "200");
    env.emplace("SAGA_LOG_LEVEL", "warn");
    env.emplace("SAGA_AUTH_KEY_FILE", testing::AuthKeyFile());
    for (const auto& [key, value] : testing::KafkaServiceEnv()) env.emplace(key, value);
    env.emplace("SAGA_CRYPTO_KEYRING_DIR", testing::KeyRingDir());
    running.process = std::make_unique<testing::Process>(
        std::string(SAGA_BUILD_DIR) + "/services/" + service + "/" + service + "-service",
        std::vector<std::string>{}, env, running.log_path);
    testing::WaitFor(
        [&] {
          const auto text = testing::ReadFile(port_file);
          if (!text.empty()) running.port = static_cast<std::uint16_t>(std::stoi(text));
          return running.port != 0 || !running.process->Running();
        },
        seconds(30));
    return running;
  }

  // Environment of a service that can become ready: its own database, the test broker, topics
  // under `prefix`.
  static std::map<std::string, std::string> Ready(const testing::TemporaryDatabase& db,
                                                  const std::string& prefix) {
    return {{"SAGA_PG_DSN", db.Dsn()},
            {"SAGA_KAFKA_BROKERS", testing::KafkaBrokers()},
            {"SAGA_KAFKA_TOPICS_FILE", testing::RequiredEnv("SAGA_TOPICS_FILE")},
            {"SAGA_KAFKA_TOPIC_PREFIX", prefix}};
  }

  bool AwaitReady(const RunningService& svc) {
    testing::HttpReply reply;
    const bool ready = testing::WaitFor(
        [&] {
          reply = testing::HttpsRequest(trust_, "127.0.0.1", svc.port, "GET", "/health/ready");
          return reply.status == 200;
        },
        seconds(60), milliseconds(100));
    EXPECT_TRUE(ready) << reply.status << " " << reply.error << " " << reply.body << "\n"
                       << testing::ReadFile(svc.log_path);
    return ready;
  }

  static void StopCleanly(RunningService& svc) {
    svc.process->Signal(SIGTERM);
    EXPECT_EQ(svc.process->Wait(seconds(20)), 0) << testing::ReadFile(svc.log_path);
  }

  fs::path dir_;
  testing::TlsFiles dev_;
  testing::TlsOptions trust_;
};

TEST_F(TlsE2eTest, EveryServiceAnswersHttpsWithHstsAndPlainHttpGetsNoAnswer) {
  for (const std::string service : {"order", "inventory", "payment"}) {
    SCOPED_TRACE(service);
    // /health/live needs neither the database nor the broker.
    auto svc = Start(service, {{"SAGA_PG_DSN", "host=127.0.0.1 port=1 dbname=x user=x"},
                               {"SAGA_KAFKA_BROKERS", testing::KafkaBrokers()}});
    ASSERT_NE(svc.port, 0) << testing::ReadFile(svc.log_path);
    for (const char* host : {"127.0.0.1", "localhost"}) {
      auto live = testing::HttpsRequest(trust_, host, svc.port, "GET", "/health/live");
      EXPECT_EQ(live.status, 200) << host << ": " << live.error;
      EXPECT_EQ(live.headers["strict-transport-security"], "max-age=31536000") << host;
    }
    const auto raw =
        testing::SendRaw("127.0.0.1", svc.port, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n", seconds(10));
    EXPECT_EQ(raw.find("HTTP/"), std::string::npos) << "plain HTTP was answered: " << raw;
    EXPECT_EQ(testing::HttpRequest("127.0.0.1", svc.port, "GET", "/health/live").status, 0);
    // Another CA's client does not get through either.
    const auto other = testing::MakeTlsFiles(dir_, testing::UniqueName("other"));
    EXPECT_EQ(testing::HttpsRequest({other.ca_file}, "127.0.0.1", svc.port, "GET", "/health/live").status, 0);
    // And the service is still there.
    EXPECT_EQ(testing::HttpsRequest(trust_, "127.0.0.1", svc.port, "GET", "/health/live").status, 200);
    StopCleanly(svc);
  }
}

TEST_F(TlsE2eTest, OrderFetchesPricesFromInventoryOverVerifiedTls) {
  testing::TemporaryDatabase inventory_db;
  testing::TemporaryDatabase order_db;
  const auto prefix = testing::UniqueName("tls") + ".";
  auto inventory = Start("inventory", Ready(inventory_db, prefix));
  ASSERT_NE(inventory.port, 0) << testing::ReadFile(inventory.log_path);
  auto order_env = Ready(order_db, prefix);
  order_env["SAGA_INVENTORY_URL"] = "https://localhost:" + std::to_string(inventory.port);
  order_env["SAGA_HTTP_CLIENT_CA_FILE"] = dev_.ca_file;
  auto order = Start("order", order_env);
  ASSERT_NE(order.port, 0) << testing::ReadFile(order.log_path);
  // A second order instance that trusts another CA: it cannot verify the inventory.
  order_env["SAGA_HTTP_CLIENT_CA_FILE"] = testing::MakeTlsFiles(dir_, "other").ca_file;
  auto distrustful = Start("order", order_env);
  ASSERT_NE(distrustful.port, 0) << testing::ReadFile(distrustful.log_path);
  ASSERT_TRUE(AwaitReady(inventory));
  ASSERT_TRUE(AwaitReady(order));
  ASSERT_TRUE(AwaitReady(distrustful));

  const auto product =
      testing::HttpsRequest(trust_, "127.0.0.1", inventory.port, "POST", "/api/inventory",
                            json{{"name", "TLS product"},
                                 {"sku", "TLS-" + Upper(testing::UniqueName("p").substr(2, 8))},
                                 {"price", {{"amountMinor", 1250}, {"currency", "EUR"}}},
                                 {"quantity", 10}}
                                .dump(),
                            testing::AdminHeaders());
  ASSERT_EQ(product.status, 201) << product.error << product.body;
  const auto body = json{{"customerId", core::Uuid::Random().ToString()},
                         {"items", {{{"productId", json::parse(product.body)["id"]}, {"quantity", 2}}}},
                         {"paymentToken", "tok_sim_approve"}}
                        .dump();
  const auto placed = testing::HttpsRequest(trust_, "127.0.0.1", order.port, "POST", "/api/orders", body,
                                            testing::AdminHeaders());
  ASSERT_EQ(placed.status, 202) << placed.error << placed.body << "\n" << testing::ReadFile(order.log_path);
  EXPECT_EQ(placed.headers.at("strict-transport-security"), "max-age=31536000");
  const auto created = testing::HttpsRequest(
      trust_, "127.0.0.1", order.port, "GET",
      "/api/orders/" + json::parse(placed.body)["id"].get<std::string>(), "", testing::AdminHeaders());
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(json::parse(created.body)["totalAmount"]["amountMinor"], 2500) << created.body;

  const auto refused = testing::HttpsRequest(trust_, "127.0.0.1", distrustful.port, "POST", "/api/orders",
                                             body, testing::AdminHeaders());
  EXPECT_EQ(refused.status, 503) << refused.body << "\n" << testing::ReadFile(distrustful.log_path);

  StopCleanly(distrustful);
  StopCleanly(order);
  StopCleanly(inventory);
}

TEST_F(TlsE2eTest, NoCertificateOrPlainHttpInProductionStopsWithAClearMessage) {
  const std::string dsn = "host=127.0.0.1 port=1 dbname=x user=x";
  // development.json as such names no certificate: without ./saga up's environment, no start.
  auto bare = Start(
      "order", {{"SAGA_PG_DSN", dsn},
                {"SAGA_CONFIG_FILE", std::string(SAGA_REPO_ROOT) + "/services/order/config/development.json"},
                {"SAGA_HTTP_TLS_CERT_FILE", ""},
                {"SAGA_HTTP_TLS_KEY_FILE", ""}});
  EXPECT_EQ(bare.process->Wait(seconds(20)), 2);
  EXPECT_NE(testing::ReadFile(bare.log_path).find("SAGA_HTTP_TLS_CERT_FILE"), std::string::npos)
      << testing::ReadFile(bare.log_path);

  auto production = Start("inventory", {{"SAGA_PG_DSN", dsn},
                                        {"SAGA_ENV", "production"},
                                        {"SAGA_KAFKA_BROKERS", testing::KafkaBrokers()},
                                        {"SAGA_HTTP_TLS_CERT_FILE", ""},
                                        {"SAGA_HTTP_TLS_KEY_FILE", ""},
                                        {"SAGA_HTTP_PLAINTEXT", "true"}});
  EXPECT_EQ(production.process->Wait(seconds(20)), 2);
  EXPECT_NE(testing::ReadFile(production.log_path).find("http.plaintext"), std::string::npos)
      << testing::ReadFile(production.log_path);

  auto missing_key =
      Start("payment", {{"SAGA_PG_DSN", dsn}, {"SAGA_HTTP_TLS_KEY_FILE", (dir_ / "nope.key").string()}});
  EXPECT_EQ(missing_key.process->Wait(seconds(20)), 2);
  EXPECT_NE(testing::ReadFile(missing_key.log_path).find("nope.key"), std::string::npos)
      << testing::ReadFile(missing_key.log_path);
}

}  // namespace
}  // namespace saga::e2e
