// The runner's native mode: each backend's own libssl through the same
// harness, its steps in wire order with the right user steps, resumption
// through the library's tickets, and what a library cannot do skipped as
// unsupported. (native_plain_loop_test.cc compares its speed with libssl
// alone.)
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"

namespace hsbench {
namespace {

// A short native run of s: no warm-up, one repetition of `handshakes`.
Result run_native(Backend& backend, const Scenario& s, uint64_t handshakes) {
  const auto pki = test::read_default_pki(s.cert);
  if (pki == nullptr) return skipped_result(s, backend.name(), 1, "no test PKI");
  RunOptions o;
  o.engine = EngineKind::native;
  o.warmup_s = 0;
  o.handshakes = handshakes;
  o.repetitions = 1;
  return run_scenario(s, backend, *pki, o);
}

struct Expected {
  Side side;
  Action action;
  Message message;
};

// The (side, action, message) of a result's steps, without ChangeCipherSpec
// (which TLS 1.3 libraries send for middlebox compatibility each where
// they like).
std::vector<Expected> steps_of(const Result& r) {
  std::vector<Expected> out;
  for (const StepResult& s : r.steps) {
    if (s.message == Message::change_cipher_spec) continue;
    out.push_back({s.side, s.action, s.message});
  }
  return out;
}

std::string describe(const std::vector<Expected>& steps) {
  std::string out;
  for (const Expected& e : steps) {
    out += std::string(name(e.side)) + " " + std::string(name(e.action)) + " " +
           std::string(name(e.message)) + "\n";
  }
  return out;
}

constexpr Side C = Side::client;
constexpr Side S = Side::server;
constexpr Action W = Action::write;
constexpr Action R = Action::read;

const std::vector<Expected> kTls12Full = {
    {C, W, Message::client_hello},
    {S, R, Message::client_hello},
    {S, W, Message::server_hello},
    {S, W, Message::certificate},
    {S, W, Message::server_key_exchange},
    {S, W, Message::server_hello_done},
    {C, R, Message::server_hello},
    {C, R, Message::certificate},
    {C, R, Message::server_key_exchange},
    {C, R, Message::server_hello_done},
    {C, W, Message::client_key_exchange},
    {C, W, Message::finished},
    {S, R, Message::client_key_exchange},
    {S, R, Message::finished},
    {S, W, Message::finished},
    {C, R, Message::finished},
    {C, W, Message::application_data},
    {S, R, Message::application_data},
    {S, W, Message::application_data},
    {C, R, Message::application_data},
};

const std::vector<Expected> kTls13Full = {
    {C, W, Message::client_hello},
    {S, R, Message::client_hello},
    {S, W, Message::server_hello},
    {S, W, Message::encrypted_extensions},
    {S, W, Message::certificate},
    {S, W, Message::certificate_verify},
    {S, W, Message::finished},
    {C, R, Message::server_hello},
    {C, R, Message::encrypted_extensions},
    {C, R, Message::certificate},
    {C, R, Message::certificate_verify},
    {C, R, Message::finished},
    {C, W, Message::finished},
    {S, R, Message::finished},
    {C, W, Message::application_data},
    {S, R, Message::application_data},
    {S, W, Message::application_data},
    {C, R, Message::application_data},
};

class NativeStepsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NativeStepsTest, WireOrderAndUserSteps) {
  std::string error;
  auto backend = load_backend(GetParam(), &error);
  if (backend == nullptr) GTEST_SKIP() << error;
  for (const char* id : {"tls12-ecdhe-x25519-rsa2048", "tls13-x25519-ecdsa-p256"}) {
    SCOPED_TRACE(id);
    const Scenario* s = find_scenario(id);
    ASSERT_NE(s, nullptr);
    Result r = run_native(backend->backend(), *s, 3);
    ASSERT_FALSE(r.skipped) << r.skip_reason;
    EXPECT_EQ(r.engine, "native");
    const std::vector<Expected> want = s->version == TlsVersion::tls12 ? kTls12Full : kTls13Full;
    const std::vector<Expected> got = steps_of(r);
    ASSERT_EQ(describe(got), describe(want));
    double total = 0;
    for (const StepResult& step : r.steps) {
      const Side sender = step.action == Action::write ? step.side : peer(step.side);
      EXPECT_EQ(step.user_step, user_step(s->version, step.message, sender))
          << name(step.side) << " " << name(step.action) << " " << name(step.message);
      EXPECT_TRUE(step.crypto.empty());
      EXPECT_GE(step.mean_us, 0);
      total += step.mean_us;
    }
    // The steps hold every nanosecond spent inside the library, and the
    // library does the work: the client's certificate check takes time.
    EXPECT_GT(total, 0);
    ASSERT_TRUE(r.latency_us);
    EXPECT_GE(r.latency_us->mean * 1.001, total);
    // Writing the server's first message follows reading the ClientHello in
    // the same call with no boundary between them.
    EXPECT_TRUE(r.steps[1].approximate && r.steps[2].approximate);
    EXPECT_FALSE(r.steps[0].approximate);
    // Outside the hsbench executable nothing counts the heap.
    EXPECT_FALSE(r.memory);
    EXPECT_FALSE(r.memory_note.empty());
  }
}

// Every real backend the plugin search finds whose library reports each
// handshake message it writes and reads. wolfSSL 5.5.4 calls its message
// callback in TLS 1.2 only, and there only for what it reads and for
// ChangeCipherSpec: its native steps are coarse (README, Backends), which
// this test would call a wrong wire order.
std::vector<std::string> backends_with_message_callbacks() {
  std::vector<std::string> out;
  for (const std::string& b : test::built_backends()) {
    if (b != "wolfssl") out.push_back(b);
  }
  return out;
}
INSTANTIATE_TEST_SUITE_P(Backends, NativeStepsTest,
                         ::testing::ValuesIn(backends_with_message_callbacks()),
                         [](const auto& param_info) { return test::test_name(param_info.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(NativeStepsTest);

TEST(NativeRunner, UnsupportedIsSkippedWithReason) {
  std::string error;
  auto backend = load_backend("boringssl", &error);
  if (backend == nullptr) GTEST_SKIP() << error;
  for (const char* id : {"tls13-psk-ecdsa-p256-resume", "tls13-x25519-ecdsa-p256-chacha20"}) {
    const Scenario* s = find_scenario(id);
    ASSERT_NE(s, nullptr);
    Result r = run_native(backend->backend(), *s, 1);
    EXPECT_TRUE(r.skipped) << id;
    EXPECT_EQ(r.engine, "native");
    EXPECT_NE(r.skip_reason.find("unsupported"), std::string::npos) << r.skip_reason;
  }
}

TEST(NativeRunner, ResumesThroughTheLibrarysTickets) {
  for (const std::string& backend_name : test::built_backends()) {
    std::string error;
    auto backend = load_backend(backend_name, &error);
    if (backend == nullptr) continue;
    for (const char* id : {"tls12-ecdhe-x25519-rsa2048-resume", "tls13-x25519-rsa2048-resume"}) {
      SCOPED_TRACE(backend_name + " " + id);
      const Scenario* s = find_scenario(id);
      ASSERT_NE(s, nullptr);
      Result r = run_native(backend->backend(), *s, 3);
      ASSERT_FALSE(r.skipped) << r.skip_reason;  // a handshake not resumed fails the run
      // A resumed handshake sends no certificate.
      for (const StepResult& step : r.steps) EXPECT_NE(step.message, Message::certificate);
    }
  }
}

}  // namespace
}  // namespace hsbench
