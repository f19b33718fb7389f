#include "saga/observability/metrics.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>

#include "saga/testing/metric_samples.hpp"

namespace saga::observability {
namespace {

using testing::MetricSamples;

TEST(MetricsTest, ExposesCountersGaugesAndHistogramsInTheTextFormat) {
  Metrics metrics;
  auto& requests = metrics.CounterFamily("saga_test_requests_total", "requests");
  requests.Add({{"route", "/a"}}).Increment(3);
  // The same name gives the same family, the same labels the same series.
  metrics.CounterFamily("saga_test_requests_total", "requests").Add({{"route", "/a"}}).Increment();
  metrics.GaugeFamily("saga_test_depth", "depth").Add({}).Set(7);
  auto& latency = metrics.HistogramFamily("saga_test_seconds", "latency").Add({}, LatencyBuckets());
  latency.Observe(0.003);
  latency.Observe(0.2);

  const auto samples = MetricSamples::Parse(metrics.Expose());
  EXPECT_EQ(samples.Find("saga_test_requests_total", {{"route", "/a"}}), 4);
  EXPECT_EQ(samples.Find("saga_test_depth"), 7);
  EXPECT_EQ(samples.Find("saga_test_seconds_count"), 2);
  EXPECT_DOUBLE_EQ(*samples.Find("saga_test_seconds_sum"), 0.203);
  EXPECT_EQ(samples.Find("saga_test_seconds_bucket", {{"le", "0.0025"}}), 0);
  EXPECT_EQ(samples.Find("saga_test_seconds_bucket", {{"le", "0.005"}}), 1);
  EXPECT_EQ(samples.Find("saga_test_seconds_bucket", {{"le", "+Inf"}}), 2);
  EXPECT_TRUE(samples.Families().count("saga_test_seconds"));
}

TEST(MetricsTest, ScrapeHooksRunBeforeEachExpositionUntilTheirHandleGoes) {
  Metrics metrics;
  auto& gauge = metrics.GaugeFamily("saga_test_state", "state").Add({});
  int runs = 0;
  {
    auto hook = metrics.OnScrape([&] { gauge.Set(++runs); });
    EXPECT_EQ(MetricSamples::Parse(metrics.Expose()).Find("saga_test_state"), 1);
    ScrapeHook moved = std::move(hook);
    EXPECT_EQ(MetricSamples::Parse(metrics.Expose()).Find("saga_test_state"), 2);
  }
  EXPECT_EQ(MetricSamples::Parse(metrics.Expose()).Find("saga_test_state"), 2);
  EXPECT_EQ(runs, 2);
}

TEST(MetricsTest, ProcessMetricsReadProc) {
  Metrics metrics;
  const auto hook = AddProcessMetrics(metrics, "order", "1.2.3");
  volatile double spin = 0;
  for (int i = 0; i < 20'000'000; ++i) spin = spin + i;  // some CPU time
  const auto samples = MetricSamples::Parse(metrics.Expose());
  EXPECT_EQ(samples.Find("saga_service_info", {{"service", "order"}, {"version", "1.2.3"}}), 1);
  EXPECT_GT(*samples.Find("process_cpu_seconds_total"), 0);
  EXPECT_GT(*samples.Find("process_resident_memory_bytes"), 1e6);
  const double start = *samples.Find("process_start_time_seconds");
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);  // this test process started within the hour
  // The counter never goes backwards between scrapes.
  const double again = *MetricSamples::Parse(metrics.Expose()).Find("process_cpu_seconds_total");
  EXPECT_GE(again, *samples.Find("process_cpu_seconds_total"));
}

TEST(MetricSamplesTest, ParsesLabelsEscapesAndSums) {
  const auto samples = MetricSamples::Parse(
      "# HELP x_total help\n# TYPE x_total counter\n"
      "x_total{a=\"1\",b=\"q\\\"z\"} 2\nx_total{a=\"2\"} 3 1700000000\ny NaN\n");
  EXPECT_EQ(samples.Find("x_total", {{"a", "1"}, {"b", "q\"z"}}), 2);
  EXPECT_EQ(samples.Sum("x_total"), 5);
  EXPECT_EQ(samples.Sum("x_total", {{"a", "2"}}), 3);
  EXPECT_EQ(samples.Count("x_total"), 2U);
  EXPECT_FALSE(samples.Find("x_total", {{"a", "1"}}));  // exact label match only
  EXPECT_EQ(samples.Sum("nothing"), 0);
  EXPECT_THROW(MetricSamples::Parse("x{a=\"1\" 2\n"), std::invalid_argument);
}

}  // namespace
}  // namespace saga::observability
