// A log-linear histogram of nanosecond values (HdrHistogram's bucket
// layout): each power of two is split into kSubBuckets / 2 equal buckets, so
// every recorded value is known to within 1 / (kSubBuckets / 2) of itself,
// whatever its size, in a fixed array. Recording is an index computation and
// an increment: no allocation, no unbounded sample vector.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace hsbench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 8;  // 256 sub-buckets: within 0.4% at the midpoint
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  static constexpr uint64_t kHalf = kSubBuckets / 2;
  // Values at or above 2^kMaxBits ns (about 18 minutes) are clamped.
  static constexpr int kMaxBits = 40;
  static constexpr uint64_t kMaxValue = (uint64_t{1} << kMaxBits) - 1;
  static constexpr size_t kBuckets =
      static_cast<size_t>((kMaxBits - kSubBucketBits + 1) * kHalf + kHalf);

  Histogram() : counts_(kBuckets, 0) {}

  void record(uint64_t v) {
    v = std::min(v, kMaxValue);
    counts_[index(v)]++;
    count_++;
    sum_ += v;
    min_ = std::min(min_, v);
    max_ = std::max(max_, v);
  }

  void merge(const Histogram& other) {
    for (size_t i = 0; i < kBuckets; i++) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = sum_ = max_ = 0;
    min_ = std::numeric_limits<uint64_t>::max();
  }

  uint64_t count() const { return count_; }
  uint64_t sum() const { return sum_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at percentile p (0..100): the midpoint of the bucket holding
  // the ceil(p% of count)-th smallest value, kept within [min, max].
  double percentile(double p) const {
    if (count_ == 0) return 0;
    p = std::clamp(p, 0.0, 100.0);
    uint64_t rank = static_cast<uint64_t>(p / 100.0 * static_cast<double>(count_) + 0.5);
    rank = std::clamp<uint64_t>(rank, 1, count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; i++) {
      seen += counts_[i];
      if (seen >= rank) {
        double mid = bucket_low(i) + (bucket_width(i) - 1) / 2.0;
        return std::clamp(mid, static_cast<double>(min_), static_cast<double>(max_));
      }
    }
    return static_cast<double>(max_);
  }

  // The raw state, for moving a histogram between processes (an MPI
  // reduction sums the buckets of every rank) and back.
  std::span<const uint64_t> buckets() const { return counts_; }
  // Replaces the state with these buckets (kBuckets of them) and their
  // values' sum, min and max; false, changing nothing, if the counts are
  // not kBuckets long.
  bool restore(std::span<const uint64_t> counts, uint64_t sum, uint64_t min, uint64_t max) {
    if (counts.size() != kBuckets) return false;
    std::copy(counts.begin(), counts.end(), counts_.begin());
    count_ = 0;
    for (uint64_t c : counts) count_ += c;
    sum_ = sum;
    min_ = count_ == 0 ? std::numeric_limits<uint64_t>::max() : min;
    max_ = count_ == 0 ? 0 : max;
    return true;
  }

  // Bucket layout, exposed for tests.
  static size_t index(uint64_t v) {
    if (v < kSubBuckets) return static_cast<size_t>(v);
    // shift >= 1 brings v into [kHalf, kSubBuckets).
    const int msb = 63 - std::countl_zero(v);
    const int shift = msb - kSubBucketBits + 1;
    return static_cast<size_t>(static_cast<uint64_t>(shift) * kHalf + (v >> shift));
  }
  static uint64_t bucket_low(size_t i) {
    if (i < kSubBuckets) return i;
    const uint64_t shift = (i - kHalf) / kHalf;
    const uint64_t sub = i - shift * kHalf;  // in [kHalf, kSubBuckets)
    return sub << shift;
  }
  static uint64_t bucket_width(size_t i) {
    if (i < kSubBuckets) return 1;
    return uint64_t{1} << ((i - kHalf) / kHalf);
  }

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
  uint64_t max_ = 0;
};

}  // namespace hsbench
