#include "bench/report.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "bench/process_cpu.hpp"

namespace saga::bench {
namespace {

RunReport TwoPhases() {
  RunReport report;
  PhaseResult a;
  a.mode = "open";
  a.offered_rate = 100;
  a.window_s = 10;
  a.ended_in_window = 1000;
  a.sagas_per_s = 100;
  a.end_to_end = {1000, 5, 8, 12, 20, 25, 6};
  a.cpu_seconds = {{"order", 2.0}, {"kafka", 1.0}};
  a.errors = {{"HTTP 503", 2}};
  PhaseResult b = a;
  b.offered_rate = 200;
  b.sagas_per_s = 199;
  b.ended_in_window = 1990;
  b.end_to_end = {1990, 6, 10, 30, 60, 80, 8};
  b.unfinished = 3;
  report.phases = {a, b};
  report.invariants.checked = true;
  report.invariants.ok = true;
  report.invariants.stats = {{"orders", 2990}};
  return report;
}

TEST(ReportTest, TableHasOneLinePerPhaseCpuPerSagaAndTheVerdict) {
  const auto table = FormatTable(TwoPhases());
  EXPECT_NE(table.find("100/s"), std::string::npos);
  EXPECT_NE(table.find("200/s"), std::string::npos);
  EXPECT_NE(table.find("2.00"), std::string::npos);  // order: 2 s / 1000 sagas = 2 ms
  EXPECT_NE(table.find("invariants: OK (orders=2990)"), std::string::npos);
  EXPECT_NE(table.find("HTTP 503 x2"), std::string::npos);
}

TEST(ReportTest, JsonCarriesPercentilesCpuAndVerdict) {
  const auto json = ToJson(TwoPhases());
  ASSERT_EQ(json["phases"].size(), 2U);
  EXPECT_DOUBLE_EQ(json["phases"][1]["endToEnd"]["p99Ms"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(json["phases"][0]["cpu"]["order"]["msPerSaga"].get<double>(), 2.0);
  EXPECT_EQ(json["phases"][1]["unfinished"].get<int>(), 3);
  EXPECT_TRUE(json["invariants"]["ok"].get<bool>());
}

TEST(ReportTest, AViolationOrAFailedCheckIsNotOk) {
  auto report = TwoPhases();
  report.invariants.ok = false;
  report.invariants.violations = {"stock: product x sold 3 != completed 2"};
  EXPECT_FALSE(ToJson(report)["invariants"]["ok"].get<bool>());
  EXPECT_NE(FormatTable(report).find("VIOLATED"), std::string::npos);
  report.invariants.ok = true;
  report.invariants.violations.clear();
  report.invariants.error = "connection refused";
  EXPECT_FALSE(ToJson(report)["invariants"]["ok"].get<bool>());
}

TEST(ReportTest, SvgIsAChartWithOneSeriesPerPercentile) {
  const auto svg = RenderSvg(TwoPhases(), "test <chart>");
  EXPECT_EQ(svg.rfind("<svg", 0), 0U);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("test &lt;chart&gt;"), std::string::npos);
  for (const char* name : {">p50<", ">p90<", ">p99<", ">p99.9<"})
    EXPECT_NE(svg.find(name), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_NE(RenderSvg(RunReport{}, "empty").find("</svg>"), std::string::npos);
}

TEST(ReportTest, MixValidationNamesTheOption) {
  Mix mix;
  mix.decline = 0.7;
  mix.cancel = 0.5;
  try {
    mix.Validate();
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--cancel"), std::string::npos);
  }
  Mix hot;
  hot.products = 1;
  hot.items_max = 2;
  EXPECT_THROW(hot.Validate(), std::invalid_argument);
}

TEST(ProcStatTest, ParsesTimesEvenWithSpacesAndParenthesesInTheName) {
  const std::string line =
      "4242 (java (kafka) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 80 0 1000 0 0";
  const auto stat = ParseProcStat(line, 100.0);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->ppid, 1);
  EXPECT_DOUBLE_EQ(stat->self_seconds, 3.0);      // (250 + 50) / 100
  EXPECT_DOUBLE_EQ(stat->children_seconds, 0.5);  // (30 + 20) / 100
  EXPECT_FALSE(ParseProcStat("garbage", 100.0));
  EXPECT_FALSE(ParseProcStat("12 (x) S 1 2", 100.0));
}

}  // namespace
}  // namespace saga::bench
