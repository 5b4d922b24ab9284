#include "stats/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace hsbench {

double student_t95(int df) {
  // t_{0.975, df}, df = 1..30 (any statistics table).
  static constexpr double kTable[] = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
  };
  if (df < 1) return 0;
  if (df <= 30) return kTable[df - 1];
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.000;
  if (df <= 120) return 1.980;
  return 1.960;
}

Summary summarize(std::span<const double> values) {
  Summary s;
  s.values.assign(values.begin(), values.end());
  const size_t n = values.size();
  if (n == 0) return s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  s.median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  if (n > 1) {
    double ss = 0;
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(n - 1));
  }
  const double half =
      n > 1 ? student_t95(static_cast<int>(n - 1)) * s.stddev / std::sqrt(static_cast<double>(n))
            : 0;
  s.ci95_lo = s.mean - half;
  s.ci95_hi = s.mean + half;
  return s;
}

}  // namespace hsbench
