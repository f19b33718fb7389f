// `sagactl token` as a process: the development token it prints verifies with the same secret
// and carries the subject and roles asked for; bad input is a usage error (exit 2).
#include <gtest/gtest.h>

#include <algorithm>

#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "saga/auth/jwt.hpp"
#include "saga/testing/process.hpp"

namespace saga {
namespace {

namespace fs = std::filesystem;

class SagactlTokenTest : public ::testing::Test {
 protected:
  SagactlTokenTest() {
    fs::create_directories(dir_);
    std::ofstream(dir_ / "secret") << secret_ << '\n';
    std::ofstream(dir_ / "short") << "too-short\n";
  }
  ~SagactlTokenTest() override { fs::remove_all(dir_); }

  std::pair<int, std::string> Run(const std::vector<std::string>& args) {
    const auto log = (dir_ / ("out-" + std::to_string(runs_++))).string();
    testing::Process sagactl(SAGACTL_PATH, args, {}, log);
    const auto code = sagactl.Wait(std::chrono::seconds(30));
    return {code.value_or(-1), testing::ReadFile(log)};
  }

  fs::path dir_ = fs::path(::testing::TempDir()) / ("sagactl-token-" + std::to_string(::getpid()));
  std::string secret_ = "a-development-secret-of-at-least-32-bytes";
  int runs_ = 0;
};

TEST_F(SagactlTokenTest, MintsATokenTheVerifierAccepts) {
  const auto [code, out] = Run({"token", "--sub", "customer-7", "--role", "customer", "--role", "admin",
                                "--ttl", "120", "--secret-file", (dir_ / "secret").string()});
  ASSERT_EQ(code, 0) << out;
  const auto token = out.substr(0, out.find('\n'));
  auth::JwtConfig config;
  config.keys = {{"", secret_}};
  config.issuer = "saga-dev";
  config.audience = "saga-api";
  const auto principal = auth::JwtVerifier(config).Verify(token, core::SystemClock().Now());
  ASSERT_TRUE(principal.HasValue()) << auth::ToString(principal.Error());
  EXPECT_EQ(principal.Value().subject, "customer-7");
  EXPECT_EQ(principal.Value().roles, (std::vector<std::string>{"customer", "admin"}));
  EXPECT_LE(principal.Value().expires_at, core::SystemClock().Now() + std::chrono::seconds(121));
}

TEST_F(SagactlTokenTest, TokenMintSaysTheSame) {
  const auto [code, out] =
      Run({"token", "mint", "--sub", "ops", "--role", "admin", "--secret-file", (dir_ / "secret").string()});
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << "one token: " << out;
  auth::JwtConfig config;
  config.keys = {{"", secret_}};
  config.issuer = "saga-dev";
  config.audience = "saga-api";
  const auto principal = auth::JwtVerifier(config).Verify(out.substr(0, out.find('\n')), core::SystemClock().Now());
  ASSERT_TRUE(principal.HasValue()) << auth::ToString(principal.Error());
  EXPECT_EQ(principal.Value().subject, "ops");
  EXPECT_EQ(Run({"token", "mint", "--role", "admin", "--secret-file", (dir_ / "secret").string()}).first, 2);
}

TEST_F(SagactlTokenTest, BadInputIsAUsageError) {
  EXPECT_EQ(Run({"token", "--sub", "x", "--role", "root", "--secret-file", (dir_ / "secret").string()}).first,
            2)
      << "unknown role";
  EXPECT_EQ(Run({"token", "--role", "admin", "--secret-file", (dir_ / "secret").string()}).first, 2)
      << "no subject";
  const auto [code, out] =
      Run({"token", "--sub", "x", "--role", "admin", "--secret-file", (dir_ / "short").string()});
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("under 32 bytes"), std::string::npos) << out;
  EXPECT_EQ(out.find("too-short"), std::string::npos) << "the secret is never printed";
  EXPECT_EQ(Run({"token", "--sub", "x", "--role", "admin", "--secret-file", (dir_ / "none").string()}).first,
            2);
}

}  // namespace
}  // namespace saga
