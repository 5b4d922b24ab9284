// Statistics across repetitions, and the histogram's percentiles (the
// runner's latency and step percentiles), against values worked by hand.
#include "stats/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "stats/histogram.h"

namespace hsbench {
namespace {

TEST(StatsTest, StudentT) {
  EXPECT_DOUBLE_EQ(student_t95(1), 12.706);
  EXPECT_DOUBLE_EQ(student_t95(4), 2.776);
  EXPECT_DOUBLE_EQ(student_t95(30), 2.042);
  EXPECT_DOUBLE_EQ(student_t95(1000), 1.960);
  // Decreasing towards the normal value.
  for (int df = 1; df < 200; df++) EXPECT_GE(student_t95(df), student_t95(df + 1));
}

TEST(StatsTest, FiveValues) {
  const std::vector<double> v = {10, 12, 11, 13, 9};
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, 11);
  EXPECT_DOUBLE_EQ(s.median, 11);
  EXPECT_NEAR(s.stddev, std::sqrt(2.5), 1e-12);  // sum of squares 10, n - 1 = 4
  const double half = 2.776 * std::sqrt(2.5) / std::sqrt(5.0);
  EXPECT_NEAR(s.ci95_lo, 11 - half, 1e-12);
  EXPECT_NEAR(s.ci95_hi, 11 + half, 1e-12);
  EXPECT_EQ(s.values, v);
}

TEST(StatsTest, EvenCountMedianAndSingleValue) {
  EXPECT_DOUBLE_EQ(summarize(std::vector<double>{4, 1, 3, 2}).median, 2.5);
  const Summary one = summarize(std::vector<double>{7});
  EXPECT_DOUBLE_EQ(one.mean, 7);
  EXPECT_DOUBLE_EQ(one.stddev, 0);
  EXPECT_DOUBLE_EQ(one.ci95_lo, 7);
  EXPECT_DOUBLE_EQ(one.ci95_hi, 7);
  EXPECT_TRUE(summarize(std::vector<double>{}).values.empty());
}

// 32 values beyond the t table (df 31 uses the df <= 40 value, 2.021):
// 1, 3, 1, 3, ...: mean 2, each squared deviation 1, so the sample
// variance is 32 / 31.
TEST(StatsTest, BeyondTheTable) {
  std::vector<double> v;
  for (int i = 0; i < 32; i++) v.push_back(i % 2 == 0 ? 1 : 3);
  const Summary s = summarize(v);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.median, 2);
  EXPECT_NEAR(s.stddev, std::sqrt(32.0 / 31.0), 1e-12);
  const double half = 2.021 * std::sqrt(32.0 / 31.0) / std::sqrt(32.0);
  EXPECT_NEAR(s.ci95_lo, 2 - half, 1e-12);
  EXPECT_NEAR(s.ci95_hi, 2 + half, 1e-12);
}

// 1 us, 2 us, ... 100 us in ns. Worked by hand from the bucket layout:
// a value v >= 256 with highest set bit m sits in a bucket of width
// 2^(m - 7) starting at v rounded down to that width, and a percentile is
// its bucket's midpoint, low + (width - 1) / 2, kept within [min, max]; the
// rank for p is round(p% of 100), at least 1.
//  p0 -> rank 1 -> 1000 ns: m = 9, width 4, low 1000, midpoint 1001.5.
//  p50 -> rank 50 -> 50000 ns: m = 15, width 256, low 49920, midpoint 50047.5.
//  p99 -> rank 99 -> 99000 ns: m = 16, width 512, low 98816, midpoint 99071.5.
//  p100 -> 100000 ns: width 512, low 99840, midpoint 100095.5, above the
//  max: 100000.
TEST(StatsTest, HistogramPercentilesByHand) {
  Histogram h;
  for (uint64_t us = 100; us >= 1; us--) h.record(us * 1000);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50500.0);
  EXPECT_DOUBLE_EQ(h.percentile(0), 1001.5);
  EXPECT_DOUBLE_EQ(h.percentile(50), 50047.5);
  EXPECT_DOUBLE_EQ(h.percentile(99), 99071.5);
  EXPECT_DOUBLE_EQ(h.percentile(100), 100000.0);
  // p90: rank 90 -> 90000 ns: m = 16, width 512, low 89600, midpoint 89855.5.
  EXPECT_DOUBLE_EQ(h.percentile(90), 89855.5);
}

}  // namespace
}  // namespace hsbench
