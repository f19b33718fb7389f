#include "bench/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

namespace saga::bench {
namespace {

TEST(LogLinearHistogramTest, EmptyReportsZero) {
  LogLinearHistogram h;
  EXPECT_EQ(h.Count(), 0U);
  EXPECT_EQ(h.ValueAtPercentile(50), 0U);
  EXPECT_EQ(h.Max(), 0U);
  EXPECT_EQ(h.Min(), 0U);
  EXPECT_DOUBLE_EQ(h.Mean(), 0.0);
}

TEST(LogLinearHistogramTest, SmallValuesAreExact) {
  LogLinearHistogram h(8);
  for (std::uint64_t v = 0; v < 256; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(50), 127U);
  EXPECT_EQ(h.ValueAtPercentile(100), 255U);
  EXPECT_EQ(h.Min(), 0U);
  EXPECT_DOUBLE_EQ(h.Mean(), 127.5);
}

TEST(LogLinearHistogramTest, BucketsTileTheRangeWithoutGapsOrOverlap) {
  LogLinearHistogram h(4, 1'000'000);
  for (std::size_t i = 0; i + 1 < h.BucketCount(); ++i) {
    EXPECT_EQ(h.HighestInBucket(i) + 1, h.LowestInBucket(i + 1)) << "bucket " << i;
    EXPECT_EQ(h.IndexOf(h.LowestInBucket(i)), i);
    EXPECT_EQ(h.IndexOf(h.HighestInBucket(i)), i);
  }
}

TEST(LogLinearHistogramTest, PercentilesAreWithinTheRelativeErrorAndNeverBelowTheTruth) {
  LogLinearHistogram h(8);  // at most 1/128 above the true value
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency(9.0, 1.2);  // microseconds, a long tail
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<std::uint64_t>(latency(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size()))) - 1;
    const auto truth = values[rank];
    const auto reported = h.ValueAtPercentile(p);
    EXPECT_GE(reported, truth) << "p" << p;
    EXPECT_LE(static_cast<double>(reported), static_cast<double>(truth) * (1.0 + 1.0 / 128.0) + 1.0)
        << "p" << p;
  }
  EXPECT_EQ(h.ValueAtPercentile(100), values.back());
  EXPECT_EQ(h.Max(), values.back());
}

TEST(LogLinearHistogramTest, ValuesAboveTheRangeSaturate) {
  LogLinearHistogram h(8, 1000);
  h.Record(5000);
  h.Record(10);
  EXPECT_EQ(h.Saturated(), 1U);
  EXPECT_EQ(h.Max(), 1000U);
  EXPECT_EQ(h.ValueAtPercentile(100), 1000U);
}

TEST(LogLinearHistogramTest, AddMergesCountsAndExtremes) {
  LogLinearHistogram a, b;
  a.Record(100, 3);
  b.Record(5, 1);
  b.Record(1'000'000, 1);
  a.Add(b);
  EXPECT_EQ(a.Count(), 5U);
  EXPECT_EQ(a.Min(), 5U);
  EXPECT_EQ(a.Max(), 1'000'000U);
  EXPECT_EQ(a.ValueAtPercentile(50), 100U);
  EXPECT_THROW(a.Add(LogLinearHistogram(6)), std::invalid_argument);
  a.Reset();
  EXPECT_EQ(a.Count(), 0U);
}

TEST(LogLinearHistogramTest, RefusesABadLayout) {
  EXPECT_THROW(LogLinearHistogram(1), std::invalid_argument);
  EXPECT_THROW(LogLinearHistogram(17), std::invalid_argument);
  EXPECT_THROW(LogLinearHistogram(8, 100), std::invalid_argument);
}

}  // namespace
}  // namespace saga::bench
