// Statistics across repetitions, against values worked by hand.
#include "stats/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

}  // namespace
}  // namespace hsbench
