// The runner on the null backend, with small handshake counts: what it
// counts and aggregates, never how fast anything is.
#include "hsbench/runner.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>

#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"

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
  EXPECT_GT(r.handshakes_per_sec.mean, 0);
  EXPECT_LE(r.handshakes_per_sec.ci95_lo, r.handshakes_per_sec.mean);
  EXPECT_GE(r.handshakes_per_sec.ci95_hi, r.handshakes_per_sec.mean);
  EXPECT_GT(r.us_per_handshake, 0);

  // CPU: the split adds up to the total.
  ASSERT_TRUE(r.cpu_us_per_handshake.client_us && r.cpu_us_per_handshake.server_us);
  EXPECT_NEAR(*r.cpu_us_per_handshake.client_us + *r.cpu_us_per_handshake.server_us,
              r.cpu_us_per_handshake.total_us, 1e-6);

  ASSERT_TRUE(r.latency_us);
  EXPECT_LE(r.latency_us->p50, r.latency_us->p99 + 1e-9);
  EXPECT_LE(r.latency_us->p99, r.latency_us->max * (1 + 1.0 / 64) + 1e-9);

  // Steps: wire order starts with the client's ClientHello; every user step
  // of TLS 1.2 shows; shares add up to 1.
  ASSERT_FALSE(r.steps.empty());
  EXPECT_EQ(r.steps.front().message, Message::client_hello);
  EXPECT_EQ(r.steps.front().side, Side::client);
  EXPECT_EQ(r.steps.front().action, Action::write);
  std::vector<bool> seen(kUserSteps + 1, false);
  double share = 0;
  for (const StepResult& st : r.steps) {
    ASSERT_GE(st.user_step, 0);
    ASSERT_LE(st.user_step, kUserSteps);
    seen[static_cast<size_t>(st.user_step)] = true;
    share += st.share;
    EXPECT_GE(st.mean_us, 0);
    for (const OpResult& op : st.crypto) {
      EXPECT_EQ(op.name, op_name(op.op));
      EXPECT_GT(op.count, 0);
    }
  }
  for (int i = 1; i <= kUserSteps; i++) EXPECT_TRUE(seen[static_cast<size_t>(i)]) << i;
  EXPECT_NEAR(share, 1.0, 1e-9);

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
    EXPECT_FALSE(r.skipped) << s.id << ": " << r.skip_reason;
    EXPECT_EQ(r.config.tls, std::string(name(s.version))) << s.id;
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
