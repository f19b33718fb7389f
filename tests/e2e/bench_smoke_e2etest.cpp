// The benchmark's smoke run (issue 9): saga_bench against the three services as processes, for a
// few seconds at a low rate with every kind of order in the mix. It checks that the benchmark
// works (orders placed, their ends observed on Kafka, the invariants hold, the JSON and SVG
// written), not how fast anything is.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/e2e/api_fixture.hpp"

namespace saga::e2e {
namespace {

[[maybe_unused]] const bool kRegistered = [] {
  RegisterSystem(SystemOptions{});
  return true;
}();

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(BenchSmokeTest, AShortOpenLoopRunMeasuresEverySagaAndTheInvariantsHold) {
  auto& system = System::Get();
  const auto dir = system.Dir() / "bench";
  std::filesystem::create_directories(dir);
  const std::vector<std::string> args{"--order-url",
                                      system.order().Url(),
                                      "--inventory-url",
                                      system.inventory().Url(),
                                      "--auth-secret-file",
                                      testing::AuthKeyFile(),
                                      "--topic-prefix",
                                      system.TopicPrefix(),
                                      "--order-dsn",
                                      system.OrderDsn(),
                                      "--inventory-dsn",
                                      system.InventoryDsn(),
                                      "--payment-dsn",
                                      system.PaymentDsn(),
                                      "--rates",
                                      "10",
                                      "--warmup",
                                      "1",
                                      "--duration",
                                      "4",
                                      "--drain-timeout",
                                      "60",
                                      "--products",
                                      "5",
                                      "--items-max",
                                      "2",
                                      "--quantity-max",
                                      "2",
                                      "--fail-stock",
                                      "0.1",
                                      "--decline",
                                      "0.1",
                                      "--cancel",
                                      "0.1",
                                      "--connections",
                                      "4",
                                      "--customers",
                                      "8",
                                      "--json",
                                      (dir / "report.json").string(),
                                      "--svg",
                                      (dir / "report.svg").string(),
                                      "--strict"};
  testing::Process bench(std::string(SAGA_BUILD_DIR) + "/bench/saga_bench", args, testing::KafkaServiceEnv(),
                         (dir / "bench.log").string());
  const auto code = bench.Wait(std::chrono::seconds(180));
  ASSERT_TRUE(code.has_value()) << "saga_bench did not finish; log:\n"
                                << testing::ReadFile((dir / "bench.log").string());
  ASSERT_EQ(*code, 0) << testing::ReadFile((dir / "bench.log").string());

  const auto report = nlohmann::json::parse(Slurp(dir / "report.json"));
  ASSERT_EQ(report["phases"].size(), 1U);
  const auto& phase = report["phases"][0];
  EXPECT_EQ(phase["mode"], "open");
  const int sent = phase["sent"].get<int>();
  EXPECT_NEAR(sent, 40, 1);  // 4 s at 10/s
  EXPECT_EQ(phase["accepted"].get<int>(), sent);
  EXPECT_EQ(phase["endToEnd"]["count"].get<int>(), sent) << "every measured saga ended on Kafka";
  EXPECT_EQ(phase["unfinished"].get<int>(), 0);
  EXPECT_GT(phase["endToEnd"]["p50Ms"].get<double>(), 0.0);
  EXPECT_TRUE(phase["cpu"].contains("saga_bench"));
  EXPECT_TRUE(report["invariants"]["checked"].get<bool>());
  EXPECT_TRUE(report["invariants"]["ok"].get<bool>()) << report["invariants"].dump();
  EXPECT_EQ(report["duplicateTerminalEvents"].get<int>(), 0);
  const auto svg = Slurp(dir / "report.svg");
  EXPECT_EQ(svg.rfind("<svg", 0), 0U);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  const auto log = testing::ReadFile((dir / "bench.log").string());
  EXPECT_NE(log.find("invariants: OK"), std::string::npos) << log;
}

TEST(BenchSmokeTest, BadOptionsAreRefusedWithAMessage) {
  auto& system = System::Get();
  const auto log = (system.Dir() / "bench-usage.log").string();
  testing::Process bench(
      std::string(SAGA_BUILD_DIR) + "/bench/saga_bench",
      {"--rates", "10", "--decline", "0.8", "--cancel", "0.5", "--auth-secret-file", testing::AuthKeyFile(),
       "--order-url", system.order().Url(), "--inventory-url", system.inventory().Url()},
      testing::KafkaServiceEnv(), log);
  const auto code = bench.Wait(std::chrono::seconds(60));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(testing::ReadFile(log).find("--cancel must be at most 1"), std::string::npos)
      << testing::ReadFile(log);
}

}  // namespace
}  // namespace saga::e2e
