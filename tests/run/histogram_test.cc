// The log-linear histogram: its buckets tile the range with no gap or
// overlap, and percentiles land within the promised relative error.
#include "stats/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace hsbench {
namespace {

TEST(HistogramTest, BucketsTileTheRange) {
  uint64_t next = 0;
  for (size_t i = 0; i < Histogram::kBuckets; i++) {
    ASSERT_EQ(Histogram::bucket_low(i), next) << "bucket " << i;
    ASSERT_EQ(Histogram::index(next), i);
    const uint64_t last = next + Histogram::bucket_width(i) - 1;
    ASSERT_EQ(Histogram::index(last), i);
    // Every bucket is narrow relative to its values.
    if (next >= Histogram::kSubBuckets) {
      ASSERT_LE(static_cast<double>(Histogram::bucket_width(i)) / static_cast<double>(next),
                1.0 / static_cast<double>(Histogram::kHalf));
    }
    next = last + 1;
  }
  EXPECT_EQ(next - 1, Histogram::kMaxValue);
}

TEST(HistogramTest, ExactStatistics) {
  Histogram h;
  for (uint64_t v : {10u, 20u, 30u, 40u}) h.record(v);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.min(), 10u);
  EXPECT_EQ(h.max(), 40u);
  EXPECT_DOUBLE_EQ(h.mean(), 25.0);
  // Small values have buckets of width 1: exact.
  EXPECT_DOUBLE_EQ(h.percentile(50), 20.0);
  EXPECT_DOUBLE_EQ(h.percentile(100), 40.0);
  EXPECT_DOUBLE_EQ(h.percentile(0), 10.0);
}

TEST(HistogramTest, PercentilesWithinRelativeError) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(200'000.0), 0.5);  // ~200 us
  std::vector<uint64_t> values;
  Histogram h;
  for (int i = 0; i < 100'000; i++) {
    const uint64_t v = static_cast<uint64_t>(dist(rng));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9}) {
    const double exact = static_cast<double>(
        values[static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(values.size()))) - 1]);
    EXPECT_NEAR(h.percentile(p), exact, exact * 1.0 / Histogram::kHalf) << "p" << p;
  }
}

TEST(HistogramTest, MergeEqualsRecordingTogether) {
  Histogram a, b, both;
  for (uint64_t v = 1; v < 100000; v += 7) {
    (v % 2 ? a : b).record(v * 13);
    both.record(v * 13);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.sum(), both.sum());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_EQ(a.max(), both.max());
  for (double p : {50.0, 90.0, 99.0}) EXPECT_EQ(a.percentile(p), both.percentile(p));
}

TEST(HistogramTest, ClampsHugeValues) {
  Histogram h;
  h.record(UINT64_MAX);
  EXPECT_EQ(h.max(), Histogram::kMaxValue);
  h.clear();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0.0);
}

}  // namespace
}  // namespace hsbench
