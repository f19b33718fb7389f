// TLS on loopback port 0 with certificates generated for each test (testing::MakeTlsFiles): the
// server answers over TLS with HSTS and keeps its limits, survives plain HTTP and silent clients
// on its TLS port; the client trusts only the configured CA and checks the name or address; bad
// TLS configuration is refused with the key or file named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/http/client.hpp"
#include "saga/http/server.hpp"
#include "saga/testing/http_client.hpp"
#include "saga/testing/test_env.hpp"
#include "saga/testing/tls_files.hpp"
#include "slow_route.hpp"

namespace saga::http {
namespace {

namespace fs = std::filesystem;
using saga::testing::HttpsRequest;
using saga::testing::TlsFiles;
using saga::testing::TlsOptions;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / saga::testing::UniqueName("tls");
    fs::create_directories(dir_);
    files_ = saga::testing::MakeTlsFiles(dir_, "server");
  }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] HttpServerConfig TlsConfig() const {
    HttpServerConfig config;
    config.port = 0;
    config.threads = 2;
    config.header_limit_bytes = 2048;
    config.body_limit_bytes = 1024;
    config.request_timeout = std::chrono::seconds(5);
    config.tls_cert_file = files_.cert_file;
    config.tls_key_file = files_.key_file;
    return config;
  }

  static Router PingRouter() {
    Router router;
    router.Add(Verb::get, "/ping", [](const Request&, const RequestContext&) {
      return JsonResponse(Status::ok, {{"pong", true}});
    });
    router.Add(Verb::post, "/echo", [](const Request& req, const RequestContext&) {
      return JsonResponse(Status::ok, {{"size", req.body().size()}});
    });
    return router;
  }

  [[nodiscard]] TlsOptions Trust() const { return TlsOptions{files_.ca_file}; }

  fs::path dir_;
  TlsFiles files_;
};

TEST_F(TlsTest, AnswersOverTlsWithHsts) {
  HttpServer server(TlsConfig(), PingRouter());
  server.Start();
  auto reply = HttpsRequest(Trust(), "127.0.0.1", server.Port(), "GET", "/ping");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.body, R"({"pong":true})");
  EXPECT_EQ(reply.headers["strict-transport-security"], "max-age=31536000");
  // Errors too: every answer on the TLS listener carries the header.
  auto missing = HttpsRequest(Trust(), "localhost", server.Port(), "GET", "/missing");
  EXPECT_EQ(missing.status, 404) << missing.error;
  EXPECT_EQ(missing.headers["strict-transport-security"], "max-age=31536000");
}

TEST_F(TlsTest, HstsMaxAgeIsConfigurableAndAbsentOnPlainHttp) {
  auto config = TlsConfig();
  config.hsts_max_age = std::chrono::seconds(600);
  HttpServer short_hsts(config, PingRouter());
  short_hsts.Start();
  EXPECT_EQ(HttpsRequest(Trust(), "127.0.0.1", short_hsts.Port(), "GET", "/ping")
                .headers["strict-transport-security"],
            "max-age=600");

  config.hsts_max_age = std::chrono::seconds(0);
  HttpServer no_hsts(config, PingRouter());
  no_hsts.Start();
  auto off = HttpsRequest(Trust(), "127.0.0.1", no_hsts.Port(), "GET", "/ping");
  EXPECT_EQ(off.status, 200) << off.error;
  EXPECT_EQ(off.headers.count("strict-transport-security"), 0U);

  HttpServerConfig plain_config;
  plain_config.plaintext = true;
  HttpServer plain(plain_config, PingRouter());
  plain.Start();
  auto reply = saga::testing::HttpRequest("127.0.0.1", plain.Port(), "GET", "/ping");
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.headers.count("strict-transport-security"), 0U) << "no HSTS over plain HTTP";
}

TEST_F(TlsTest, PlainHttpToTheTlsPortGetsNoAnswerAndTheServerKeepsServing) {
  HttpServer server(TlsConfig(), PingRouter());
  server.Start();
  const auto raw = saga::testing::SendRaw("127.0.0.1", server.Port(), "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n",
                                          std::chrono::seconds(5));
  EXPECT_EQ(raw.find("HTTP/"), std::string::npos) << raw;
  EXPECT_EQ(saga::testing::HttpRequest("127.0.0.1", server.Port(), "GET", "/ping").status, 0);
  auto reply = HttpsRequest(Trust(), "127.0.0.1", server.Port(), "GET", "/ping");
  EXPECT_EQ(reply.status, 200) << reply.error;
}

TEST_F(TlsTest, ASilentClientIsDroppedAfterTheRequestTimeout) {
  auto config = TlsConfig();
  config.request_timeout = std::chrono::milliseconds(300);
  config.max_connections = 1;
  HttpServer server(config, PingRouter());
  server.Start();
  // Connects and sends nothing: the server must close it by itself, long before the client's
  // own 30 s deadline.
  const auto started = std::chrono::steady_clock::now();
  const auto raw = saga::testing::SendRaw("127.0.0.1", server.Port(), "", std::chrono::seconds(30));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  EXPECT_TRUE(raw.empty() || raw.find("HTTP/") == std::string::npos) << raw;
  // Its connection slot is free again.
  EXPECT_TRUE(saga::testing::WaitFor(
      [&] { return HttpsRequest(Trust(), "127.0.0.1", server.Port(), "GET", "/ping").status == 200; },
      std::chrono::seconds(10)));
}

TEST_F(TlsTest, LimitsKeepAliveAndMalformedRequestsWorkOverTls) {
  HttpServer server(TlsConfig(), PingRouter());
  server.Start();
  const auto port = server.Port();
  EXPECT_EQ(HttpsRequest(Trust(), "127.0.0.1", port, "POST", "/echo", std::string(1000, 'x')).status, 200);
  auto too_big = HttpsRequest(Trust(), "127.0.0.1", port, "POST", "/echo", std::string(5000, 'x'));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.headers["strict-transport-security"], "max-age=31536000");
  EXPECT_EQ(HttpsRequest(Trust(), "127.0.0.1", port, "GET", "/ping", "", {{"X-Big", std::string(4000, 'h')}})
                .status,
            431);
  const auto malformed = saga::testing::SendRawTls(Trust(), "127.0.0.1", port, "NOT-HTTP\r\n\r\n");
  EXPECT_EQ(malformed.rfind("HTTP/1.1 400", 0), 0U) << malformed;
  const auto two = saga::testing::SendRawTls(
      Trust(), "127.0.0.1", port,
      "GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::size_t count = 0;
  for (auto pos = two.find("HTTP/1.1 200"); pos != std::string::npos; pos = two.find("HTTP/1.1 200", pos + 1))
    ++count;
  EXPECT_EQ(count, 2U) << two;
}

TEST_F(TlsTest, ConnectionsBeyondTheBoundAre503OverTlsAndStopDrains) {
  auto config = TlsConfig();
  config.max_connections = 1;
  SlowRoute slow_route;
  Router router;
  slow_route.AddTo(router);
  HttpServer server(config, std::move(router));
  server.Start();
  const auto port = server.Port();
  auto slow = std::async(std::launch::async,
                         [&] { return HttpsRequest(Trust(), "127.0.0.1", port, "GET", "/slow"); });
  slow_route.WaitEntered();
  auto rejected = HttpsRequest(Trust(), "127.0.0.1", port, "GET", "/slow");
  EXPECT_EQ(rejected.status, 503) << rejected.error;
  EXPECT_EQ(rejected.headers["retry-after"], "1");
  EXPECT_EQ(rejected.headers["strict-transport-security"], "max-age=31536000");
  auto stopping = std::async(std::launch::async, [&] { server.Stop(); });
  ASSERT_TRUE(saga::testing::WaitFor(
      [&] {
        return HttpsRequest(Trust(), "127.0.0.1", port, "GET", "/slow", "", {}, std::chrono::seconds(2))
                   .status == 0;
      },
      std::chrono::seconds(10)));
  slow_route.Release();
  auto reply = slow.get();
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.headers["connection"], "close");
  stopping.get();
}

TEST_F(TlsTest, ClientTrustsOnlyTheConfiguredCa) {
  HttpServer server(TlsConfig(), PingRouter());
  server.Start();
  const auto port = std::to_string(server.Port());
  observability::Metrics metrics;
  const HttpClient by_ip("inventory.url", "https://127.0.0.1:" + port, std::chrono::seconds(5), metrics,
                         files_.ca_file);
  EXPECT_EQ(by_ip.Get("/ping").status, 200);
  EXPECT_EQ(by_ip.Get("/ping").status, 200);
  EXPECT_EQ(by_ip.ConnectionsOpened(), 1U) << "the TLS connection is kept alive";
  const HttpClient by_name("inventory.url", "https://localhost:" + port, std::chrono::seconds(5), metrics,
                           files_.ca_file);
  EXPECT_EQ(by_name.Get("/ping").status, 200);

  // A certificate from another CA: the call fails, saying why.
  const auto other = saga::testing::MakeTlsFiles(dir_, "other");
  const HttpClient wrong_ca("inventory.url", "https://127.0.0.1:" + port, std::chrono::seconds(5), metrics,
                            other.ca_file);
  try {
    (void)wrong_ca.Get("/ping");
    FAIL() << "a certificate of another CA was accepted";
  } catch (const core::InfraError& e) {
    EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos) << e.what();
  }
  const TlsClientContext other_trust(other.ca_file);
  auto reply =
      Exchange("127.0.0.1", server.Port(), "GET", "/ping", {}, {}, std::chrono::seconds(5), &other_trust);
  EXPECT_EQ(reply.status, 0);
  EXPECT_NE(reply.error.find("TLS"), std::string::npos) << reply.error;

  // The system's trust store does not know the test CA either.
  const HttpClient system_store("inventory.url", "https://127.0.0.1:" + port, std::chrono::seconds(5),
                                metrics);
  EXPECT_THROW((void)system_store.Get("/ping"), core::InfraError);
  // Plain HTTP to the TLS port is no answer either.
  const HttpClient plain("inventory.url", "http://127.0.0.1:" + port, std::chrono::seconds(5), metrics);
  EXPECT_THROW((void)plain.Get("/ping"), core::InfraError);
}

TEST_F(TlsTest, ClientRefusesANameOrAddressTheCertificateDoesNotHold) {
  const auto elsewhere = saga::testing::MakeTlsFiles(dir_, "elsewhere", {"other.example"}, {"10.9.8.7"});
  auto config = TlsConfig();
  config.tls_cert_file = elsewhere.cert_file;
  config.tls_key_file = elsewhere.key_file;
  HttpServer server(config, PingRouter());
  server.Start();
  const TlsClientContext trust(elsewhere.ca_file);
  auto by_ip = Exchange("127.0.0.1", server.Port(), "GET", "/ping", {}, {}, std::chrono::seconds(5), &trust);
  EXPECT_EQ(by_ip.status, 0);
  EXPECT_NE(by_ip.error.find("IP address mismatch"), std::string::npos) << by_ip.error;
  auto by_name =
      Exchange("localhost", server.Port(), "GET", "/ping", {}, {}, std::chrono::seconds(5), &trust);
  EXPECT_EQ(by_name.status, 0);
  EXPECT_NE(by_name.error.find("hostname mismatch"), std::string::npos) << by_name.error;
}

TEST_F(TlsTest, ClientRefusesAnUnreadableCaFile) {
  EXPECT_THROW(TlsClientContext((dir_ / "missing.crt").string()), core::ConfigError);
  std::ofstream(dir_ / "garbage.crt") << "not a certificate\n";
  EXPECT_THROW(TlsClientContext((dir_ / "garbage.crt").string()), core::ConfigError);
  try {
    const HttpClient client("order.url", "https://127.0.0.1:1", std::chrono::seconds(1),
                            observability::DefaultMetrics(), (dir_ / "missing.crt").string());
    FAIL() << "an unreadable CA file was accepted";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("order.url"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing.crt"), std::string::npos) << e.what();
  }
  EXPECT_THROW(HttpClient("order.url", "ftp://127.0.0.1:1", std::chrono::seconds(1)), core::ConfigError);
}

// The message of the ConfigError thrown by `make`, or "" when nothing is thrown.
template <class F>
std::string ConfigErrorOf(F make) {
  try {
    make();
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST_F(TlsTest, BadTlsFilesAreConfigErrorsNamingTheFile) {
  auto config = TlsConfig();
  config.tls_key_file = (dir_ / "missing.key").string();
  auto message = ConfigErrorOf([&] { HttpServer server(config, PingRouter()); });
  EXPECT_NE(message.find("http.tls.key_file"), std::string::npos) << message;
  EXPECT_NE(message.find("missing.key"), std::string::npos) << message;

  std::ofstream(dir_ / "garbage.crt")
      << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  config = TlsConfig();
  config.tls_cert_file = (dir_ / "garbage.crt").string();
  message = ConfigErrorOf([&] { HttpServer server(config, PingRouter()); });
  EXPECT_NE(message.find("garbage.crt"), std::string::npos) << message;

  // A key that is not the certificate's.
  const auto other = saga::testing::MakeTlsFiles(dir_, "other");
  config = TlsConfig();
  config.tls_key_file = other.key_file;
  message = ConfigErrorOf([&] { HttpServer server(config, PingRouter()); });
  EXPECT_NE(message.find("other.key"), std::string::npos) << message;
  EXPECT_NE(message.find("key values mismatch"), std::string::npos) << message;
}

TEST(HttpServerTlsConfigTest, PlainHttpMustBeChosenExplicitly) {
  HttpServerConfig config;
  auto message = ConfigErrorOf([&] { config.Validate(); });
  EXPECT_NE(message.find("http.tls.cert_file"), std::string::npos) << message;
  EXPECT_NE(message.find("http.plaintext"), std::string::npos) << message;
  config.plaintext = true;
  EXPECT_NO_THROW(config.Validate());

  config.tls_cert_file = "/x/server.crt";  // and plaintext: ambiguous
  config.tls_key_file = "/x/server.key";
  EXPECT_NE(ConfigErrorOf([&] { config.Validate(); }).find("choose TLS or plain HTTP"), std::string::npos);
  config.plaintext = false;
  config.tls_key_file.clear();  // a certificate without its key
  EXPECT_NE(ConfigErrorOf([&] { config.Validate(); }).find("only http.tls.cert_file is set"),
            std::string::npos);
  config.tls_key_file = "/x/server.key";
  EXPECT_NO_THROW(config.Validate()) << "the files are read by HttpServer, not by Validate()";
}

TEST(HttpServerTlsConfigTest, FromSourceReadsTheTlsKeysAndRefusesPlaintextInProduction) {
  const auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto tls = HttpServerConfig::FromSource(
      config::ConfigSource::FromMap({{"env", "production"},
                                     {"http.tls.cert_file", "/etc/saga/tls/server.crt"},
                                     {"http.tls.key_file", "/etc/saga/tls/server.key"},
                                     {"http.tls.hsts_max_age_s", "600"}},
                                    no_env),
      8081);
  EXPECT_TRUE(tls.Tls());
  EXPECT_EQ(tls.tls_cert_file, "/etc/saga/tls/server.crt");
  EXPECT_EQ(tls.tls_key_file, "/etc/saga/tls/server.key");
  EXPECT_EQ(tls.hsts_max_age, std::chrono::seconds(600));

  const auto plain_in = [&](const std::string& env) {
    return ConfigErrorOf([&] {
      (void)HttpServerConfig::FromSource(
          config::ConfigSource::FromMap({{"env", env}, {"http.plaintext", "true"}}, no_env), 8081);
    });
  };
  EXPECT_EQ(plain_in("development"), "");
  EXPECT_EQ(plain_in("test"), "");
  const auto refused = plain_in("production");
  EXPECT_NE(refused.find("http.plaintext"), std::string::npos) << refused;
  EXPECT_NE(refused.find("production"), std::string::npos) << refused;

  // Neither: refused, and the environment variables are named too.
  const auto neither = ConfigErrorOf(
      [&] { (void)HttpServerConfig::FromSource(config::ConfigSource::FromMap({}, no_env), 8081); });
  EXPECT_NE(neither.find("SAGA_HTTP_TLS_CERT_FILE"), std::string::npos) << neither;
  EXPECT_NE(neither.find("SAGA_HTTP_PLAINTEXT"), std::string::npos) << neither;
  // The environment variables reach the nested keys.
  const auto from_env = HttpServerConfig::FromSource(
      config::ConfigSource::FromMap({},
                                    [](const std::string& name) -> std::optional<std::string> {
                                      if (name == "SAGA_HTTP_TLS_CERT_FILE") return "/run/a.crt";
                                      if (name == "SAGA_HTTP_TLS_KEY_FILE") return "/run/a.key";
                                      return std::nullopt;
                                    }),
      8081);
  EXPECT_EQ(from_env.tls_cert_file, "/run/a.crt");
  EXPECT_EQ(from_env.tls_key_file, "/run/a.key");
}

}  // namespace
}  // namespace saga::http
