// Every committed per-environment config file of every service loads, validates, and holds no
// secret (the database DSN comes only from the environment). HTTP: production serves TLS and
// cannot be switched to plain HTTP, test serves plain HTTP because it says so, development gets
// its certificate from the environment `./saga up` provides and refuses to start without one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "saga/config/config_source.hpp"
#include "saga/core/errors.hpp"
#include "saga/http/server.hpp"
#include "saga/kafka/kafka_config.hpp"
#include "saga/pg/connection.hpp"

namespace saga::service {
namespace {

TEST(ServiceConfigFilesTest, EachEnvironmentFileLoadsAndValidates) {
  int files = 0;
  for (const char* svc : {"order", "inventory", "payment"}) {
    for (const char* env : {"development", "test", "production"}) {
      const auto path =
          std::filesystem::path(SAGA_REPO_ROOT) / "services" / svc / "config" / (std::string(env) + ".json");
      ASSERT_TRUE(std::filesystem::exists(path)) << path;
      // What `./saga up` exports for development (development.json names no certificate).
      const bool development = std::string(env) == "development";
      auto source = config::ConfigSource::Load(
          path.string(), [development](const std::string& name) -> std::optional<std::string> {
            if (name == "SAGA_PG_DSN") return "host=db dbname=x user=y";
            if (development && name == "SAGA_HTTP_TLS_CERT_FILE") return "/run/tls/server.crt";
            if (development && name == "SAGA_HTTP_TLS_KEY_FILE") return "/run/tls/server.key";
            return std::nullopt;
          });
      EXPECT_EQ(source.GetString("env", ""), env) << path;
      EXPECT_NO_THROW((void)http::HttpServerConfig::FromSource(source, 0)) << path;
      EXPECT_NO_THROW((void)pg::PgConfig::FromSource(source)) << path;
      EXPECT_NO_THROW((void)kafka::KafkaConfig::FromSource(source)) << path;
      EXPECT_NO_THROW((void)source.GetBool("pg.migrate_on_start", true)) << path;
      if (std::string(env) == "production") {
        // Tokens from an identity provider: a public-key algorithm, its key, issuer, and a
        // service token provided by the platform (AuthSettings refuses HS256 here).
        EXPECT_NE(source.GetString("auth.algorithm", "HS256"), "HS256") << path;
        EXPECT_FALSE(source.GetString("auth.key_file", "").empty()) << path;
        EXPECT_TRUE(source.Find("auth.issuer")) << path;
        EXPECT_FALSE(source.GetString("auth.service_token_file", "").empty()) << path;
      } else {
        // Development and test keys are generated (./saga up, the tests), never committed.
        EXPECT_FALSE(source.Find("auth.key_file")) << path;
      }
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      EXPECT_EQ(text.str().find("dsn"), std::string::npos) << path << " must not hold a connection string";
      EXPECT_EQ(text.str().find("password"), std::string::npos) << path << " must not hold a secret";
      ++files;
    }
  }
  EXPECT_EQ(files, 9);
}

config::ConfigSource Load(const std::string& svc, const std::string& env,
                          std::map<std::string, std::string> variables = {}) {
  const auto path = std::filesystem::path(SAGA_REPO_ROOT) / "services" / svc / "config" / (env + ".json");
  return config::ConfigSource::Load(
      path.string(),
      [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        if (auto it = variables.find(name); it != variables.end()) return it->second;
        return std::nullopt;
      });
}

std::string ConfigErrorOf(const config::ConfigSource& source) {
  try {
    (void)http::HttpServerConfig::FromSource(source, 0);
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ServiceConfigFilesTest, ProductionServesTlsAndRefusesPlainHttp) {
  for (const char* svc : {"order", "inventory", "payment"}) {
    const auto http = http::HttpServerConfig::FromSource(Load(svc, "production"), 0);
    EXPECT_TRUE(http.Tls()) << svc;
    EXPECT_FALSE(http.plaintext) << svc;
    EXPECT_EQ(http.tls_cert_file, "/etc/saga/tls/server.crt") << svc;
    EXPECT_EQ(http.tls_key_file, "/etc/saga/tls/server.key") << svc;
    EXPECT_EQ(http.hsts_max_age, std::chrono::seconds(31536000)) << svc;
    // Neither by turning plaintext on, nor by emptying the certificate settings.
    EXPECT_NE(
        ConfigErrorOf(Load(svc, "production", {{"SAGA_HTTP_PLAINTEXT", "true"}})).find("http.plaintext"),
        std::string::npos)
        << svc;
    EXPECT_NE(ConfigErrorOf(Load(svc, "production",
                                 {{"SAGA_HTTP_PLAINTEXT", "true"},
                                  {"SAGA_HTTP_TLS_CERT_FILE", ""},
                                  {"SAGA_HTTP_TLS_KEY_FILE", ""}}))
                  .find("production"),
              std::string::npos)
        << svc;
  }
}

TEST(ServiceConfigFilesTest, TestServesPlainHttpExplicitly) {
  for (const char* svc : {"order", "inventory", "payment"}) {
    const auto http = http::HttpServerConfig::FromSource(Load(svc, "test"), 0);
    EXPECT_TRUE(http.plaintext) << svc;
    EXPECT_FALSE(http.Tls()) << svc;
  }
}

TEST(ServiceConfigFilesTest, DevelopmentWithoutTheLauncherSaysWhatIsMissing) {
  for (const char* svc : {"order", "inventory", "payment"}) {
    const auto message = ConfigErrorOf(Load(svc, "development"));
    EXPECT_NE(message.find("SAGA_HTTP_TLS_CERT_FILE"), std::string::npos) << svc << ": " << message;
    EXPECT_NE(message.find("./saga up"), std::string::npos) << svc << ": " << message;
    EXPECT_NE(message.find("SAGA_HTTP_PLAINTEXT"), std::string::npos) << svc << ": " << message;
    EXPECT_EQ(ConfigErrorOf(Load(svc, "development", {{"SAGA_HTTP_PLAINTEXT", "true"}})), "") << svc;
  }
}

}  // namespace
}  // namespace saga::service
