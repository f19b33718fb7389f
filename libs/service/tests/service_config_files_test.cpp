// Every committed per-environment config file of every service loads, validates, and holds no
// secret (the database DSN comes only from the environment).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "saga/config/config_source.hpp"
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
      auto source = config::ConfigSource::Load(path.string(),
                                               [](const std::string& name) -> std::optional<std::string> {
                                                 if (name == "SAGA_PG_DSN") return "host=db dbname=x user=y";
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

}  // namespace
}  // namespace saga::service
