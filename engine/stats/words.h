// A flat encoding of measurements as 64-bit words, for moving them between
// processes (the ranks of an MPI run gather into one): integers, doubles,
// strings and histograms, read back with every length checked. Both ends
// are the same build, so there is no versioning; a reader that runs out or
// meets a length beyond what is left fails and stays failed.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stats/histogram.h"

namespace hsbench {

class WordWriter {
 public:
  void u64(uint64_t v) { words_.push_back(v); }
  void f64(double v) { words_.push_back(std::bit_cast<uint64_t>(v)); }
  void str(std::string_view s) {
    u64(s.size());
    for (size_t i = 0; i < s.size(); i += 8) {
      uint64_t w = 0;
      std::memcpy(&w, s.data() + i, std::min<size_t>(8, s.size() - i));
      words_.push_back(w);
    }
  }
  // Sparse: the buckets that hold something, as (index, count) pairs.
  void histogram(const Histogram& h) {
    u64(h.sum());
    u64(h.min());
    u64(h.max());
    const std::span<const uint64_t> b = h.buckets();
    size_t used = 0;
    for (uint64_t c : b) used += c != 0;
    u64(used);
    for (size_t i = 0; i < b.size(); i++) {
      if (b[i] == 0) continue;
      u64(i);
      u64(b[i]);
    }
  }

  const std::vector<uint64_t>& words() const { return words_; }
  std::vector<uint64_t> take() { return std::move(words_); }

 private:
  std::vector<uint64_t> words_;
};

class WordReader {
 public:
  explicit WordReader(std::span<const uint64_t> words) : words_(words) {}

  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == words_.size(); }

  uint64_t u64() {
    if (!ok_ || pos_ >= words_.size()) {
      ok_ = false;
      return 0;
    }
    return words_[pos_++];
  }
  double f64() { return std::bit_cast<double>(u64()); }
  std::string str() {
    const uint64_t n = u64();
    if (!ok_ || n > (words_.size() - pos_) * 8) {
      ok_ = false;
      return {};
    }
    std::string s(n, '\0');
    for (size_t i = 0; i < n; i += 8) {
      const uint64_t w = words_[pos_++];
      std::memcpy(s.data() + i, &w, std::min<size_t>(8, n - i));
    }
    return s;
  }
  // Into *out, replacing it; false (and the reader failed) on a bucket
  // index out of range or a short input.
  bool histogram(Histogram* out) {
    const uint64_t sum = u64(), min = u64(), max = u64(), used = u64();
    if (!ok_ || used > Histogram::kBuckets || used * 2 > words_.size() - pos_) {
      ok_ = false;
      return false;
    }
    std::vector<uint64_t> counts(Histogram::kBuckets, 0);
    for (uint64_t k = 0; k < used; k++) {
      const uint64_t i = u64(), c = u64();
      if (i >= Histogram::kBuckets) {
        ok_ = false;
        return false;
      }
      counts[i] += c;
    }
    return out->restore(counts, sum, min, max);
  }

 private:
  std::span<const uint64_t> words_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace hsbench
