// The pieces a connect run's figures travel in between processes (the
// ranks of hsbench-mpi): words, histograms, steps, errors and the whole
// tally, each read back as written; merged as the ranks' are; and a
// truncated or corrupt encoding refused, never read past its end.
#include "net/tally.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "hsbench/scenario.h"
#include "run/steps.h"
#include "stats/histogram.h"
#include "stats/words.h"

namespace hsbench {
namespace {

TEST(Words, ReadBackWhatWasWritten) {
  WordWriter w;
  w.u64(0);
  w.u64(~uint64_t{0});
  w.f64(-2.5);
  for (const char* s : {"", "a", "12345678", "123456789", "refused"}) w.str(s);
  const std::vector<uint64_t> words = w.words();
  WordReader r(words);
  EXPECT_EQ(r.u64(), 0u);
  EXPECT_EQ(r.u64(), ~uint64_t{0});
  EXPECT_EQ(r.f64(), -2.5);
  for (const char* s : {"", "a", "12345678", "123456789", "refused"}) EXPECT_EQ(r.str(), s);
  EXPECT_TRUE(r.done());
  // Past the end: a failure that sticks, no read beyond the words.
  EXPECT_EQ(r.u64(), 0u);
  EXPECT_FALSE(r.ok());
}

TEST(Words, AStringLongerThanWhatIsLeftFails) {
  std::vector<uint64_t> words = {100, 0x4141414141414141};
  WordReader r(words);
  EXPECT_EQ(r.str(), "");
  EXPECT_FALSE(r.ok());
}

Histogram sample_histogram(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> d(13, 1.2);  // around 0.5 ms
  Histogram h;
  for (int i = 0; i < n; i++) h.record(static_cast<uint64_t>(d(rng)));
  return h;
}

void expect_same(const Histogram& a, const Histogram& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.sum(), b.sum());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_TRUE(std::equal(a.buckets().begin(), a.buckets().end(), b.buckets().begin()));
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.percentile(p), b.percentile(p)) << p;
}

TEST(Words, HistogramsReadBackBucketForBucket) {
  for (int n : {0, 1, 5000}) {
    const Histogram h = sample_histogram(static_cast<uint64_t>(n), n);
    WordWriter w;
    w.histogram(h);
    const std::vector<uint64_t> words = w.words();
    WordReader r(words);
    Histogram back;
    back.record(7);  // replaced, not added to
    ASSERT_TRUE(r.histogram(&back));
    EXPECT_TRUE(r.done());
    expect_same(back, h);
  }
}

TEST(Words, AHistogramWithABucketOutOfRangeFails) {
  WordWriter w;
  w.histogram(sample_histogram(1, 10));
  std::vector<uint64_t> words = w.words();
  words[4] = Histogram::kBuckets;  // the first bucket's index
  WordReader r(words);
  Histogram back;
  EXPECT_FALSE(r.histogram(&back));
  EXPECT_FALSE(r.ok());
}

// Merged histograms of several ranks are the histogram of all their
// values: the percentiles of the merged one are those of everything, not
// an average of the ranks'.
TEST(Histogram, RestoredSumsAreTheHistogramOfEveryValue) {
  std::vector<uint64_t> all;
  Histogram ranks[3];
  std::mt19937_64 rng(42);
  for (int k = 0; k < 3; k++) {
    // Unlike ranks: each its own latency.
    std::lognormal_distribution<double> d(12 + k, 0.5);
    for (int i = 0; i < 2000; i++) {
      const uint64_t v = static_cast<uint64_t>(d(rng));
      ranks[k].record(v);
      all.push_back(v);
    }
  }
  std::vector<uint64_t> sum(Histogram::kBuckets, 0);
  uint64_t total = 0, lo = ~uint64_t{0}, hi = 0;
  for (const Histogram& h : ranks) {
    for (size_t i = 0; i < sum.size(); i++) sum[i] += h.buckets()[i];
    total += h.sum();
    lo = std::min(lo, h.min());
    hi = std::max(hi, h.max());
  }
  Histogram reduced;
  ASSERT_TRUE(reduced.restore(sum, total, lo, hi));
  Histogram everything;
  for (uint64_t v : all) everything.record(v);
  expect_same(reduced, everything);
  // And not the mean of the ranks' p99s.
  const double mean_p99 =
      (ranks[0].percentile(99) + ranks[1].percentile(99) + ranks[2].percentile(99)) / 3;
  EXPECT_GT(std::abs(reduced.percentile(99) - mean_p99), reduced.percentile(99) * 0.05);
  EXPECT_FALSE(reduced.restore(std::vector<uint64_t>(3, 0), 0, 0, 0));
}

HandshakeTrace trace_of(uint32_t scale) {
  HandshakeTrace t;
  auto step = [&](Side side, Action action, Message m, uint64_t ns, CryptoOp op) {
    t.ops[t.op_count].op = op;
    t.ops[t.op_count].ns = static_cast<uint32_t>(ns / 2);
    Step& st = t.steps[t.step_count];
    st.side = side;
    st.action = action;
    st.message = m;
    st.ns = ns;
    st.first_op = static_cast<uint16_t>(t.op_count);
    st.op_count = 1;
    t.op_count++;
    t.step_count++;
  };
  step(Side::client, Action::write, Message::client_hello, 1000 * scale, {OpKind::keygen, 0x1d, 0});
  step(Side::client, Action::read, Message::server_hello, 3000 * scale, {OpKind::derive, 0x1d, 0});
  step(Side::client, Action::read, Message::finished, 500 * scale, {OpKind::hmac, 4, 0});
  return t;
}

TEST(StepAggregator, ReadsBackAndMergesAsItWasWritten) {
  StepAggregator a, b;
  for (uint32_t i = 1; i <= 20; i++) a.add(trace_of(i));
  for (uint32_t i = 30; i <= 35; i++) b.add(trace_of(i));
  WordWriter w;
  a.encode(&w);
  const std::vector<uint64_t> words = w.words();
  WordReader r(words);
  StepAggregator back;
  ASSERT_TRUE(back.decode(&r));
  EXPECT_TRUE(r.done());
  back.merge(b);
  a.merge(b);
  const auto want = a.results(TlsVersion::tls13);
  const auto got = back.results(TlsVersion::tls13);
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); i++) {
    EXPECT_EQ(got[i].message, want[i].message);
    EXPECT_EQ(got[i].mean_us, want[i].mean_us);
    EXPECT_EQ(got[i].p99_us, want[i].p99_us);
    ASSERT_EQ(got[i].crypto.size(), 1u);
    EXPECT_EQ(got[i].crypto[0].name, want[i].crypto[0].name);
    EXPECT_EQ(got[i].crypto[0].mean_us, want[i].crypto[0].mean_us);
  }
  // 26 handshakes; ClientHello's mean is 1000 ns x the mean scale.
  const double scales = (20 * 21 / 2) + (30 + 31 + 32 + 33 + 34 + 35);
  EXPECT_DOUBLE_EQ(got[0].mean_us, 1000 * scales / 26 / 1e3);
}

TEST(StepAggregator, RefusesTruncatedWords) {
  StepAggregator a;
  a.add(trace_of(1));
  WordWriter w;
  a.encode(&w);
  std::vector<uint64_t> words = w.words();
  for (size_t cut = 0; cut < words.size(); cut++) {
    WordReader r(std::span<const uint64_t>(words.data(), cut));
    StepAggregator back;
    EXPECT_FALSE(back.decode(&r) && r.done()) << cut;
  }
}

net::ConnectTally sample_tally(uint64_t handshakes, uint64_t started) {
  net::ConnectTally t;
  t.host = "load-" + std::to_string(handshakes);
  t.threads = 2;
  t.connections = 8;
  t.repetition_ns = 1'000'000'000;
  t.repetitions = {{handshakes, handshakes + 1, 1, 5'000'000},
                   {handshakes * 2, handshakes * 2, 0, 6'000'000}};
  t.servers = {{4242, true, 777}};
  t.phases[net::kHandshake] = sample_histogram(handshakes, static_cast<int>(handshakes * 3));
  t.corrected = sample_histogram(handshakes + 1, 10);
  t.steps.add(trace_of(static_cast<uint32_t>(handshakes)));
  t.errors.add("timeout", "handshake");
  t.unmeasured_errors.add("refused", "");
  t.resumption_offered = 10;
  t.resumption_accepted = 9;
  t.bytes_sent = 100 * handshakes;
  t.completed = handshakes * 3 + 5;
  t.abandoned = 1;
  t.negotiated = Negotiated{
      "1.3", "TLS_AES_128_GCM_SHA256", "x25519", "ecdsa_secp256r1_sha256", "ecdsa-p256", 2, 957,
      false};
  t.version = TlsVersion::tls13;
  t.started_real_ns = started;
  return t;
}

TEST(ConnectTally, ReadsBackWhatWasWritten) {
  for (bool histograms : {true, false}) {
    const net::ConnectTally t = sample_tally(100, 12345);
    WordWriter w;
    t.encode(&w, histograms);
    const std::vector<uint64_t> words = w.words();
    WordReader r(words);
    net::ConnectTally back;
    ASSERT_TRUE(back.decode(&r, histograms));
    EXPECT_TRUE(r.done());
    EXPECT_EQ(back.host, t.host);
    EXPECT_EQ(back.repetitions.size(), 2u);
    EXPECT_EQ(back.repetitions[1].handshakes, 200u);
    EXPECT_EQ(back.repetitions[0].cpu_ns, 5'000'000u);
    EXPECT_EQ(back.servers.size(), 1u);
    EXPECT_EQ(back.completed, t.completed);
    EXPECT_EQ(back.errors.list().front().kind, "timeout");
    EXPECT_EQ(back.unmeasured_errors.total(), 1u);
    ASSERT_TRUE(back.negotiated.has_value());
    EXPECT_EQ(back.negotiated->chain_bytes, 957u);
    EXPECT_EQ(back.started_real_ns, 12345u);
    EXPECT_EQ(back.phases[net::kHandshake].count(), histograms ? 300u : 0u);
    // Every shorter encoding is refused.
    for (size_t cut = 0; cut < words.size(); cut += 7) {
      WordReader shorter(std::span<const uint64_t>(words.data(), cut));
      net::ConnectTally partial;
      EXPECT_FALSE(partial.decode(&shorter, histograms) && shorter.done()) << cut;
    }
  }
}

// Two ranks merged: what a result built from the merge says is what the
// two said together.
TEST(ConnectTally, MergedRanksMakeOneResult) {
  net::ConnectTally a = sample_tally(100, 5000), b = sample_tally(40, 3000);
  b.repetitions.pop_back();  // b completed one repetition only
  b.servers.clear();         // read on one rank
  const uint64_t completed = a.completed + b.completed;
  net::ConnectTally merged = std::move(a);
  merged.merge(b);
  EXPECT_EQ(merged.ranks, 2);
  EXPECT_EQ(merged.threads, 4);
  ASSERT_EQ(merged.repetitions.size(), 1u);  // what both completed
  EXPECT_EQ(merged.repetitions[0].handshakes, 140u);
  EXPECT_EQ(merged.completed, completed);
  EXPECT_EQ(merged.started_real_ns, 3000u);
  EXPECT_EQ(merged.phases[net::kHandshake].count(), 420u);
  EXPECT_EQ(merged.errors.list().front().count, 2u);

  const Scenario* s = find_scenario("tls13-x25519-ecdsa-p256");
  ASSERT_NE(s, nullptr);
  ConnectOptions o;
  o.target = "127.0.0.1:4433";
  o.repetitions = 2;
  const Result r = net::connect_result(*s, "openssl", o, "127.0.0.1:4433", merged);
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_TRUE(r.partial);  // one of two repetitions
  EXPECT_EQ(r.handshakes, 140u);
  EXPECT_EQ(r.handshakes_per_sec.mean, 140.0);
  EXPECT_EQ(r.threads, 4);
  ASSERT_TRUE(r.network.has_value());
  EXPECT_EQ(r.network->attempted, 142u);
  EXPECT_EQ(r.network->failed, 2u);
  EXPECT_EQ(r.network->completed, completed);
  // This process's CPU over one repetition, 10 ms, for 140 handshakes.
  EXPECT_NEAR(r.network->client_cpu_us_per_handshake, 10'000.0 / 140, 1e-9);
  ASSERT_EQ(r.network->server_cpu.size(), 1u);
  EXPECT_EQ(r.network->server_cpu[0].pid, 4242);
  ASSERT_TRUE(r.latency_us.has_value());
  EXPECT_EQ(r.latency_us->p99, merged.phases[net::kHandshake].percentile(99) / 1e3);
}

TEST(ConnectTally, NoCompleteRepetitionIsASkippedResult) {
  net::ConnectTally t = sample_tally(10, 1);
  t.repetitions.clear();
  const Scenario* s = find_scenario("tls13-x25519-ecdsa-p256");
  const Result r = net::connect_result(*s, "openssl", ConnectOptions{}, "", t);
  EXPECT_TRUE(r.skipped);
  EXPECT_NE(r.skip_reason.find("interrupted"), std::string::npos);
}

}  // namespace
}  // namespace hsbench
