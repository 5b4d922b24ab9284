// The runner on the null backend, with small handshake counts: what it
// counts and aggregates; and on a backend of known cost (fixed_cost_backend.h),
// that its time, CPU and memory per handshake account for that cost, on the
// side that spends it. Bounds on time are one-sided, or generous factors:
// never how fast the machine is.
#include "hsbench/runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "fixed_cost_backend.h"
#include "hsbench/heap.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "run/lower_bound.h"
#include "stats/histogram.h"

#if HSBENCH_COUNTING_MALLOC
#include "counting_malloc.h"
#endif

namespace hsbench {
namespace {

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    backend_ = load_backend("null", &error);
    ASSERT_NE(backend_, nullptr) << error;
  }
  std::unique_ptr<Pki> pki(const std::string& kind) {
    std::string error;
    auto p = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
    EXPECT_NE(p, nullptr) << error;
    return p;
  }
  RunOptions small(int threads, bool timing = true) {
    RunOptions o;
    o.threads = threads;
    o.warmup_s = 0;
    o.handshakes = 4;
    o.repetitions = 3;
    o.timing = timing;
    return o;
  }
  std::unique_ptr<LoadedBackend> backend_;
};

TEST_F(RunnerTest, CountsAndAggregates) {
  const Scenario* s = find_scenario("tls12-ecdhe-x25519-ecdsa-p256");
  ASSERT_NE(s, nullptr);
  auto p = pki(s->cert);
  int progress_calls = 0;
  Result r = run_scenario(*s, backend_->backend(), *p, small(1), [&](int rep, int reps) {
    EXPECT_EQ(rep, progress_calls);
    EXPECT_EQ(reps, 3);
    progress_calls++;
  });
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_EQ(progress_calls, 4);  // warm-up, then each repetition
  EXPECT_EQ(r.scenario, s->id);
  EXPECT_EQ(r.backend, "null");
  EXPECT_EQ(r.engine, "hsbench");
  EXPECT_EQ(r.config.tls, "1.2");
  EXPECT_EQ(r.config.kx, "ecdhe");
  EXPECT_EQ(r.config.group, "x25519");
  EXPECT_EQ(r.config.cert, "ecdsa-p256");
  EXPECT_EQ(r.config.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(r.handshakes, 12u);
  ASSERT_EQ(r.repetitions.size(), 3u);
  ASSERT_EQ(r.handshakes_per_sec.values.size(), 3u);
  for (const RepetitionResult& rep : r.repetitions) EXPECT_EQ(rep.handshakes, 4u);
  ASSERT_TRUE(r.cpu_us_per_handshake.client_us && r.cpu_us_per_handshake.server_us);
  ASSERT_TRUE(r.latency_us);

  // Steps: wire order starts with the client's ClientHello; every user step
  // of TLS 1.2 shows.
  ASSERT_FALSE(r.steps.empty());
  EXPECT_EQ(r.steps.front().message, Message::client_hello);
  EXPECT_EQ(r.steps.front().side, Side::client);
  EXPECT_EQ(r.steps.front().action, Action::write);
  std::vector<bool> seen(kUserSteps + 1, false);
  for (const StepResult& st : r.steps) {
    ASSERT_GE(st.user_step, 0);
    ASSERT_LE(st.user_step, kUserSteps);
    seen[static_cast<size_t>(st.user_step)] = true;
    for (const OpResult& op : st.crypto) {
      EXPECT_EQ(op.name, op_name(op.op));
      EXPECT_GT(op.count, 0);
    }
  }
  for (int i = 1; i <= kUserSteps; i++) EXPECT_TRUE(seen[static_cast<size_t>(i)]) << i;

  // The server signs once and the client verifies the chain once per
  // handshake.
  auto count_of = [&](std::string_view op) {
    double n = 0;
    for (const OpResult& o : r.ops_per_handshake) {
      if (o.name == op) n += o.count;
    }
    return n;
  };
  EXPECT_EQ(count_of("sign:ecdsa_secp256r1_sha256"), 1);
  EXPECT_EQ(count_of("verify_chain"), 1);
  EXPECT_EQ(count_of("keygen:x25519"), 2);
  // Crypto per step adds up to the handshake's.
  double steps_sign = 0;
  for (const StepResult& st : r.steps) {
    for (const OpResult& op : st.crypto) {
      if (op.name == "sign:ecdsa_secp256r1_sha256") steps_sign += op.count;
    }
  }
  EXPECT_EQ(steps_sign, 1);
}

TEST_F(RunnerTest, ThreadsEachRunTheirCount) {
  const Scenario* s = find_scenario("tls12-rsa-rsa2048");
  ASSERT_NE(s, nullptr);
  auto p = pki(s->cert);
  Result r = run_scenario(*s, backend_->backend(), *p, small(2));
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_EQ(r.threads, 2);
  EXPECT_EQ(r.handshakes, 2u * 4 * 3);
  for (const RepetitionResult& rep : r.repetitions) EXPECT_EQ(rep.handshakes, 8u);
  ASSERT_FALSE(r.steps.empty());
}

TEST_F(RunnerTest, NoTimingRecordsNoTrace) {
  const Scenario* s = find_scenario("tls12-rsa-rsa2048");
  auto p = pki(s->cert);
  Result r = run_scenario(*s, backend_->backend(), *p, small(1, false));
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_FALSE(r.timing);
  EXPECT_EQ(r.handshakes, 12u);
  EXPECT_TRUE(r.steps.empty());
  EXPECT_FALSE(r.latency_us);
  EXPECT_FALSE(r.cpu_us_per_handshake.client_us);
  EXPECT_GT(r.cpu_us_per_handshake.total_us, 0);
  // The crypto profile comes from one traced handshake outside the run.
  EXPECT_FALSE(r.ops_per_handshake.empty());
}

TEST_F(RunnerTest, DurationMode) {
  const Scenario* s = find_scenario("tls12-rsa-rsa2048");
  auto p = pki(s->cert);
  RunOptions o = small(1);
  o.handshakes = 0;
  o.duration_s = 0.02;
  o.repetitions = 2;
  Result r = run_scenario(*s, backend_->backend(), *p, o);
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_GE(r.handshakes, 2u);
  EXPECT_GE(r.duration_s, 0.04);
}

TEST_F(RunnerTest, EveryScenarioRunsOnNull) {
  for (const Scenario& s : all_scenarios()) {
    auto p = pki(s.cert);
    RunOptions o = small(1);
    o.handshakes = 1;
    o.repetitions = 1;
    Result r = run_scenario(s, backend_->backend(), *p, o);
    EXPECT_EQ(r.config.tls, std::string(name(s.version))) << s.id;
    if (is_kem(s.group) && s.kx == KxMode::ecdhe) {
      // null has no KEM groups: unsupported, and it says so.
      EXPECT_TRUE(r.skipped) << s.id;
      EXPECT_EQ(r.skip_kind, FailureKind::unsupported) << s.id;
      EXPECT_NE(r.skip_reason.find("KEM"), std::string::npos) << s.id << ": " << r.skip_reason;
      continue;
    }
    EXPECT_FALSE(r.skipped) << s.id << ": " << r.skip_reason;
  }
}

TEST_F(RunnerTest, ScenarioThatCannotRunIsSkippedWithItsReason) {
  // An RSA key transport scenario with an ECDSA certificate cannot work.
  const Scenario* s = find_scenario("tls12-rsa-rsa2048");
  auto p = pki("ecdsa-p256");
  Result r = run_scenario(*s, backend_->backend(), *p, small(1));
  EXPECT_TRUE(r.skipped);
  EXPECT_FALSE(r.skip_reason.empty());
  EXPECT_EQ(r.skip_reason.find('\n'), std::string::npos);
  EXPECT_EQ(r.handshakes, 0u);
}

}  // namespace
}  // namespace hsbench

namespace hsbench {
namespace {

using test::FixedCostBackend;
using test::FixedCosts;

// What a wall-clock reading may lose to a slewed clock: wall time is at
// least the CPU time burnt, to within this.
constexpr double kWallSlack = 0.99;
// A histogram's percentile is the midpoint of its bucket, within
// 1 / kHalf of the value (histogram.h).
constexpr double kBucketSlack = 1.0 - 1.0 / static_cast<double>(Histogram::kHalf);

// The runner on the null backend's crypto with set costs added: the server
// signs once per handshake (ServerKeyExchange), the client verifies the
// chain once.
class FixedCostTest : public RunnerTest {
 protected:
  static constexpr const char* kScenario = "tls12-ecdhe-x25519-ecdsa-p256";
  static constexpr const char* kSign = "sign:ecdsa_secp256r1_sha256";
  static constexpr const char* kVerify = "verify_chain";
  static constexpr double kCostUs = 2000;

  Result run(const FixedCosts& costs, const RunOptions& o, uint64_t* out_signatures = nullptr) {
    const Scenario* s = find_scenario(kScenario);
    EXPECT_NE(s, nullptr);
    auto p = pki(s->cert);
    FixedCostBackend backend(backend_->backend(), costs);
    Result r = run_scenario(*s, backend, *p, o);
    EXPECT_FALSE(r.skipped) << r.skip_reason;
    if (out_signatures != nullptr) *out_signatures = backend.signatures();
    return r;
  }
  RunOptions options(int threads, uint64_t handshakes = 10, int repetitions = 3) {
    RunOptions o = small(threads);
    o.handshakes = handshakes;
    o.repetitions = repetitions;
    o.memory_handshakes = 0;
    return o;
  }
  // The same handshakes at no added cost: what the engine and the null
  // crypto take themselves, for the upper bounds.
  Result base(int threads) { return run(FixedCosts{}, options(threads)); }

  static const StepResult* step_with(const Result& r, std::string_view op) {
    for (const StepResult& st : r.steps) {
      for (const OpResult& o : st.crypto) {
        if (o.name == op) return &st;
      }
    }
    return nullptr;
  }
  static double longest_wall_s(const Result& r) {
    double out = 0;
    for (const RepetitionResult& rep : r.repetitions) out = std::max(out, rep.wall_s);
    return out;
  }
  static const OpResult* op_of(const std::vector<OpResult>& ops, std::string_view op) {
    for (const OpResult& o : ops) {
      if (o.name == op) return &o;
    }
    return nullptr;
  }
};

TEST_F(FixedCostTest, ServerSignatureCostIsCountedOnTheServer) {
  const Result b = base(1);
  FixedCosts costs;
  costs.sign_us = static_cast<uint64_t>(kCostUs);
  const Result r = run(costs, options(1));
  ASSERT_FALSE(r.skipped);
  ASSERT_EQ(r.handshakes, 30u);

  // CPU per handshake, from the thread's CPU clock: at least the cost
  // burnt in each, and not much more than it and the handshake's own.
  const double base_cpu = b.cpu_us_per_handshake.total_us;
  EXPECT_GE(r.cpu_us_per_handshake.total_us, kCostUs);
  EXPECT_LE(r.cpu_us_per_handshake.total_us, 1.25 * kCostUs + 10 * base_cpu + 100);
  for (const RepetitionResult& rep : r.repetitions) {
    EXPECT_GE(rep.cpu_us_per_handshake, kCostUs);
    // A repetition lasts at least its handshakes' CPU time.
    EXPECT_GE(rep.wall_s, kWallSlack * static_cast<double>(rep.handshakes) * kCostUs / 1e6);
  }

  // Time per handshake: at least its CPU; handshakes/s at most what one
  // thread doing nothing else could reach. The upper bound on the time is a
  // factor of 100, which no load reaches and a wrong unit exceeds.
  EXPECT_GE(r.us_per_handshake, kWallSlack * kCostUs);
  EXPECT_LE(r.us_per_handshake, 100 * (kCostUs + b.us_per_handshake));
  EXPECT_LE(r.us_per_handshake, longest_wall_s(r) * 1e6 / 10 * (1 + 1e-9));
  ASSERT_EQ(r.handshakes_per_sec.values.size(), 3u);
  for (double v : r.handshakes_per_sec.values) EXPECT_LE(v, 1e6 / (kWallSlack * kCostUs));

  // The split puts the cost on the server, which signs.
  ASSERT_TRUE(r.cpu_us_per_handshake.server_us && r.cpu_us_per_handshake.client_us);
  EXPECT_GE(*r.cpu_us_per_handshake.server_us, 0.5 * kCostUs);
  EXPECT_GT(*r.cpu_us_per_handshake.server_us, *r.cpu_us_per_handshake.client_us);

  // The step that signs, and the signature itself, take at least the cost
  // in every handshake: mean and median.
  const StepResult* st = step_with(r, kSign);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->side, Side::server);
  EXPECT_GE(st->mean_us, kWallSlack * kCostUs);
  EXPECT_GE(st->p50_us, kWallSlack * kBucketSlack * kCostUs);
  const OpResult* sign = op_of(r.ops_per_handshake, kSign);
  ASSERT_NE(sign, nullptr);
  EXPECT_EQ(sign->count, 1);
  EXPECT_GE(sign->mean_us, kWallSlack * kCostUs);
  ASSERT_TRUE(r.latency_us);
  EXPECT_GE(r.latency_us->mean, kWallSlack * kCostUs);
  EXPECT_GE(r.latency_us->p50, kWallSlack * kBucketSlack * kCostUs);
  // Without the cost, the same step takes a fraction of it.
  const StepResult* base_step = step_with(b, kSign);
  ASSERT_NE(base_step, nullptr);
  EXPECT_LT(base_step->p50_us, st->p50_us);
}

TEST_F(FixedCostTest, ClientVerificationCostIsCountedOnTheClient) {
  FixedCosts costs;
  costs.verify_chain_us = static_cast<uint64_t>(kCostUs);
  const Result r = run(costs, options(1));
  ASSERT_FALSE(r.skipped);
  EXPECT_GE(r.cpu_us_per_handshake.total_us, kCostUs);
  ASSERT_TRUE(r.cpu_us_per_handshake.server_us && r.cpu_us_per_handshake.client_us);
  EXPECT_GE(*r.cpu_us_per_handshake.client_us, 0.5 * kCostUs);
  EXPECT_GT(*r.cpu_us_per_handshake.client_us, *r.cpu_us_per_handshake.server_us);
  const StepResult* st = step_with(r, kVerify);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->side, Side::client);
  EXPECT_GE(st->mean_us, kWallSlack * kCostUs);
}

// Two threads, each its own pair: CPU per handshake is still the cost of
// one handshake (the threads' CPU over all their handshakes), time per
// handshake at least that, and handshakes/s at most two threads' worth.
TEST_F(FixedCostTest, TwoThreadsCountEachHandshakeOnce) {
  const Result b = base(2);
  FixedCosts costs;
  costs.sign_us = static_cast<uint64_t>(kCostUs);
  const Result r = run(costs, options(2));
  ASSERT_FALSE(r.skipped);
  ASSERT_EQ(r.handshakes, 2u * 10 * 3);
  EXPECT_GE(r.cpu_us_per_handshake.total_us, kCostUs);
  EXPECT_LE(r.cpu_us_per_handshake.total_us,
            1.25 * kCostUs + 10 * b.cpu_us_per_handshake.total_us + 100);
  for (const RepetitionResult& rep : r.repetitions) {
    EXPECT_EQ(rep.handshakes, 20u);
    EXPECT_GE(rep.cpu_us_per_handshake, kCostUs);
    // Each thread ran 10 handshakes; the repetition lasts as long as the
    // slower one, at least 10 costs.
    EXPECT_GE(rep.wall_s, kWallSlack * 10 * kCostUs / 1e6);
  }
  EXPECT_GE(r.us_per_handshake, kWallSlack * kCostUs);
  for (double v : r.handshakes_per_sec.values) EXPECT_LE(v, 2 * 1e6 / (kWallSlack * kCostUs));
  // Each thread's rate is at least its 10 handshakes over the slowest
  // thread's time, so time per handshake is at most that time over 10.
  EXPECT_LE(r.us_per_handshake, longest_wall_s(r) * 1e6 / 10 * (1 + 1e-9));
}

// With timing off the runner still reads the CPU clock around each
// repetition.
TEST_F(FixedCostTest, CpuWithoutTiming) {
  FixedCosts costs;
  costs.sign_us = static_cast<uint64_t>(kCostUs);
  RunOptions o = options(1);
  o.timing = false;
  const Result r = run(costs, o);
  ASSERT_FALSE(r.skipped);
  EXPECT_GE(r.cpu_us_per_handshake.total_us, kCostUs);
  EXPECT_GE(r.us_per_handshake, kWallSlack * kCostUs);
  EXPECT_FALSE(r.cpu_us_per_handshake.server_us);
}

// Percentiles of a known mix: one signature in ten is slow. Of 20 measured
// handshakes exactly 2 have a slow signature, whatever came before, so by
// the histogram's rank rule (the ceil-ish rank round(p% of 20)) the median
// and p90 (ranks 10 and 18) are fast handshakes and p99 (rank 20) a slow one.
TEST_F(FixedCostTest, PercentilesOfAKnownMix) {
  constexpr double kFastUs = 1000, kSlowUs = 20000;
  FixedCosts costs;
  costs.sign_us = static_cast<uint64_t>(kFastUs);
  costs.sign_slow_us = static_cast<uint64_t>(kSlowUs);
  costs.slow_every = 10;
  uint64_t signatures = 0;
  const Result r = run(costs, options(1, 20, 1), &signatures);
  ASSERT_FALSE(r.skipped);
  ASSERT_EQ(r.handshakes, 20u);
  EXPECT_GE(signatures, 21u);  // the probe handshake, the warm-up, the 20
  ASSERT_TRUE(r.latency_us);
  const LatencyUs& l = *r.latency_us;
  EXPECT_GE(l.p50, kWallSlack * kBucketSlack * kFastUs);
  // A factor of 20: the median is a fast one unless half the handshakes
  // were each held off the CPU for 19 ms. (p90 is the slowest fast one: a
  // single preemption could lift it, so it is not bounded here.)
  EXPECT_LT(l.p50, kSlowUs);
  EXPECT_GE(l.p99, kWallSlack * kBucketSlack * kSlowUs);
  EXPECT_GE(l.max, kWallSlack * kSlowUs);
  // The mean, by hand: (18 fast + 2 slow) / 20.
  EXPECT_GE(l.mean, kWallSlack * (18 * kFastUs + 2 * kSlowUs) / 20);
  const StepResult* st = step_with(r, kSign);
  ASSERT_NE(st, nullptr);
  EXPECT_GE(st->p99_us, kWallSlack * kBucketSlack * kSlowUs);
  EXPECT_LT(st->p50_us, kSlowUs);
  EXPECT_GE(st->mean_us, kWallSlack * (18 * kFastUs + 2 * kSlowUs) / 20);
}

// The crypto lower bound with one operation of known cost: the
// signature's term is one per handshake and at least the cost, so is the
// bound, and so is the handshake's own time; with everything else in the
// handshake small next to it, handshake over bound is close to 1 (both are
// CPU times, fastest batches). A bound that missed the signature, or a
// handshake time or bound off by a factor, lands far from it (a ratio
// turned upside down would not: that near 1 it reads the same).
TEST_F(FixedCostTest, LowerBoundOfAKnownCost) {
  const Scenario* s = find_scenario(kScenario);
  ASSERT_NE(s, nullptr);
  auto p = pki(s->cert);
  FixedCosts costs;
  costs.sign_us = static_cast<uint64_t>(kCostUs);
  FixedCostBackend backend(backend_->backend(), costs);
  Result r = run_scenario(*s, backend, *p, options(1, 2, 1));
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  LowerBoundEstimator estimator(0.003, 3);
  apply_lower_bound(&estimator, *s, backend, *p, &r, nullptr);
  ASSERT_TRUE(r.crypto_lower_bound_us && r.handshake_best_us && r.overhead_ratio)
      << r.lower_bound_error;
  const LowerBoundTerm* sign = nullptr;
  for (const LowerBoundTerm& t : r.lower_bound_terms) {
    if (t.op == kSign) sign = &t;
  }
  ASSERT_NE(sign, nullptr);
  EXPECT_EQ(sign->count, 1);
  EXPECT_GE(sign->us, kCostUs);
  EXPECT_LE(sign->us, 1.25 * kCostUs + 100);
  EXPECT_GE(*r.crypto_lower_bound_us, kCostUs);
  EXPECT_GE(*r.handshake_best_us, kCostUs);
  ASSERT_TRUE(r.crypto_in_order_us);
  EXPECT_GE(*r.crypto_in_order_us, kCostUs);
  EXPECT_GT(*r.overhead_ratio, 0.8);
  EXPECT_LT(*r.overhead_ratio, 1.5);
}

// Memory per handshake against a known pattern: each signature holds 4
// blocks of 64 KiB at once. Against the same handshakes without them, that
// is 5 more allocations (the blocks and the vector holding them) and 256 KiB
// and 32 bytes more per handshake, and a peak of about 256 KiB over the
// handshake's start, no more than that (and glibc's chunk headers) above
// the peak without them.
TEST_F(FixedCostTest, MemoryOfAKnownAllocationPattern) {
#if HSBENCH_COUNTING_MALLOC
  install_counting_malloc();
#endif
  if (heap_counter_hooks() == nullptr) {
    GTEST_SKIP() << "this build does not count its heap (sanitizers own malloc)";
  }
  constexpr int kBlocks = 4;
  constexpr size_t kBlockBytes = 64 * 1024;
  RunOptions o = options(1, 2, 1);
  o.memory_handshakes = 8;
  const Result b = run(FixedCosts{}, o);
  FixedCosts costs;
  costs.sign_blocks = kBlocks;
  costs.sign_block_bytes = kBlockBytes;
  const Result r = run(costs, o);
  ASSERT_TRUE(b.memory && r.memory) << b.memory_note << r.memory_note;
  EXPECT_EQ(r.memory->handshakes, 8);
  // The pattern's own bookkeeping: one vector of kBlocks pointers.
  const double pattern_bytes = kBlocks * kBlockBytes + kBlocks * sizeof(void*);
  EXPECT_NEAR(r.memory->allocations - b.memory->allocations, kBlocks + 1, 0.5);
  EXPECT_NEAR(r.memory->bytes_allocated - b.memory->bytes_allocated, pattern_bytes, 64);
  // Before it signs, a handshake may have freed what the one before it
  // left (at most what one allocates, in glibc's 16-byte-rounded chunks),
  // so the peak over its start can fall short of the blocks by that.
  EXPECT_GE(r.memory->peak_live_bytes,
            kBlocks * kBlockBytes - b.memory->bytes_allocated - 16 * b.memory->allocations);
  EXPECT_LE(r.memory->peak_live_bytes,
            b.memory->peak_live_bytes + kBlocks * (kBlockBytes + 64) + 256);
}

}  // namespace
}  // namespace hsbench
