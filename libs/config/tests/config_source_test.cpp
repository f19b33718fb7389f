#include "saga/config/config_source.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "saga/core/errors.hpp"

namespace saga::config {
namespace {

ConfigSource::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

class TempFile {
 public:
  explicit TempFile(const std::string& content)
      : path_(std::filesystem::temp_directory_path() /
              ("saga_config_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json")) {
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] std::string Path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ConfigSourceTest, EnvNameMapsDotsToUnderscores) {
  EXPECT_EQ(ConfigSource::EnvName("kafka.brokers"), "SAGA_KAFKA_BROKERS");
  EXPECT_EQ(ConfigSource::EnvName("http.max-connections"), "SAGA_HTTP_MAX_CONNECTIONS");
}

TEST(ConfigSourceTest, LayersDefaultsFileAndEnvironment) {
  TempFile file(R"({"http": {"port": 9000, "address": "0.0.0.0"}, "log": {"level": "debug"}})");
  auto source = ConfigSource::Load(file.Path(), FakeEnv({{"SAGA_HTTP_PORT", "9100"}}));
  EXPECT_EQ(source.GetInt("http.port", 1, 0, 65535), 9100);             // env wins
  EXPECT_EQ(source.GetString("http.address", "127.0.0.1"), "0.0.0.0");  // file
  EXPECT_EQ(source.GetString("log.level", "info"), "debug");
  EXPECT_EQ(source.GetString("missing.key", "fallback"), "fallback");  // default
}

TEST(ConfigSourceTest, RejectsBadIntegers) {
  auto source = ConfigSource::FromMap({{"a", "12x"}, {"b", "70000"}, {"c", ""}}, FakeEnv({}));
  EXPECT_THROW((void)source.GetInt("a", 0, 0, 10), core::ConfigError);
  EXPECT_THROW((void)source.GetInt("b", 0, 0, 65535), core::ConfigError);
  EXPECT_THROW((void)source.GetInt("c", 0, 0, 65535), core::ConfigError);
  try {
    (void)source.GetInt("b", 0, 0, 65535);
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("SAGA_B"), std::string::npos) << e.what();
    EXPECT_FALSE(e.IsRetryable());
  }
}

TEST(ConfigSourceTest, ParsesBooleansAndDurations) {
  auto source =
      ConfigSource::FromMap({{"t", "yes"}, {"f", "OFF"}, {"bad", "maybe"}, {"ms", "250"}}, FakeEnv({}));
  EXPECT_TRUE(source.GetBool("t", false));
  EXPECT_FALSE(source.GetBool("f", true));
  EXPECT_TRUE(source.GetBool("absent", true));
  EXPECT_THROW((void)source.GetBool("bad", false), core::ConfigError);
  EXPECT_EQ(source.GetMillis("ms", std::chrono::milliseconds(1)), std::chrono::milliseconds(250));
}

TEST(ConfigSourceTest, MissingOrInvalidFileIsAConfigError) {
  EXPECT_THROW((void)ConfigSource::Load("/nonexistent/saga.json", FakeEnv({})), core::ConfigError);
  TempFile bad("{not json");
  EXPECT_THROW((void)ConfigSource::Load(bad.Path(), FakeEnv({})), core::ConfigError);
  TempFile array("[1,2]");
  EXPECT_THROW((void)ConfigSource::Load(array.Path(), FakeEnv({})), core::ConfigError);
}

}  // namespace
}  // namespace saga::config
