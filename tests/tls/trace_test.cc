// The step trace of one handshake: every message on each side, in wire
// order, mapped to the 8 user steps, with the crypto operations charged to
// the step that made them, and step times that add up to the handshake.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"

namespace hsbench {
namespace {

struct Expected {
  Side side;
  Action action;
  Message message;
  int user_step;
  std::vector<std::string> ops;  // op names that must appear in this step
};

std::string backend_name() { return HSBENCH_HAVE_OPENSSL ? "openssl" : "null"; }

class TraceTest : public ::testing::Test {
 protected:
  void run(const std::string& scenario, HandshakeTrace* trace) {
    const Scenario* s = find_scenario(scenario);
    ASSERT_NE(s, nullptr);
    std::string error;
    backend_ = load_backend(backend_name(), &error);
    ASSERT_NE(backend_, nullptr) << error;
    pki_ = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
    ASSERT_NE(pki_, nullptr) << error;
    pair_ = make_engine_pair(*s, backend_->backend(), backend_->backend(), *pki_, &error);
    ASSERT_NE(pair_, nullptr) << error;
    ASSERT_TRUE(pair_->run(trace, &error)) << error;
  }

  void expect_steps(const HandshakeTrace& trace, const std::vector<Expected>& expected) {
    ASSERT_EQ(trace.step_count, expected.size());
    for (size_t i = 0; i < expected.size(); i++) {
      const Step& step = trace.steps[i];
      const Expected& e = expected[i];
      SCOPED_TRACE("step " + std::to_string(i) + ": " + std::string(name(e.message)));
      EXPECT_EQ(step.side, e.side);
      EXPECT_EQ(step.action, e.action);
      EXPECT_EQ(step.message, e.message);
      Side sender = step.action == Action::write ? step.side : peer(step.side);
      EXPECT_EQ(user_step(trace.version, step.message, sender), e.user_step);
      std::vector<std::string> ops;
      for (size_t k = 0; k < step.op_count; k++) {
        ops.push_back(op_name(trace.ops[step.first_op + k].op));
      }
      for (const auto& want : e.ops) {
        EXPECT_NE(std::find(ops.begin(), ops.end(), want), ops.end())
            << want << " missing from " << testing::PrintToString(ops);
      }
    }
  }

  std::unique_ptr<LoadedBackend> backend_;
  std::unique_ptr<Pki> pki_;
  std::unique_ptr<EnginePair> pair_;
};

constexpr Side C = Side::client;
constexpr Side S = Side::server;
constexpr Action W = Action::write;
constexpr Action R = Action::read;

TEST_F(TraceTest, Tls12EcdheWireOrderAndOps) {
  HandshakeTrace trace;
  run("tls12-ecdhe-x25519-ecdsa-p256", &trace);
  // Wire order 1,2,3,4,6,7,5,8 (README.md, "The handshake, step by step").
  expect_steps(
      trace,
      {
          {C, W, Message::client_hello, 1, {"random"}},
          {S, R, Message::client_hello, 1, {}},
          {S, W, Message::server_hello, 2, {"random"}},
          {S, W, Message::certificate, 3, {}},
          {S, W, Message::server_key_exchange, 4, {"keygen:x25519", "sign:ecdsa_secp256r1_sha256"}},
          {S, W, Message::server_hello_done, 4, {}},
          {C, R, Message::server_hello, 2, {}},
          {C, R, Message::certificate, 3, {"parse_chain", "verify_chain"}},
          {C, R, Message::server_key_exchange, 4, {"verify:ecdsa_secp256r1_sha256"}},
          {C, R, Message::server_hello_done, 4, {}},
          {C,
           W,
           Message::client_key_exchange,
           6,
           {"keygen:x25519", "derive:x25519", "prf:extended_master_secret", "prf:key_expansion"}},
          {C, W, Message::change_cipher_spec, 7, {}},
          {C, W, Message::finished, 7, {"prf:client_finished", "aead_seal:aes128gcm"}},
          {S, R, Message::client_key_exchange, 6, {"derive:x25519", "prf:extended_master_secret"}},
          {S, R, Message::change_cipher_spec, 7, {}},
          {S, R, Message::finished, 7, {"aead_open:aes128gcm", "prf:client_finished"}},
          {S, W, Message::change_cipher_spec, 5, {}},
          {S, W, Message::finished, 5, {"prf:server_finished", "aead_seal:aes128gcm"}},
          {C, R, Message::change_cipher_spec, 5, {}},
          {C, R, Message::finished, 5, {"aead_open:aes128gcm", "prf:server_finished"}},
          {C, W, Message::application_data, 8, {"aead_seal:aes128gcm"}},
          {S, R, Message::application_data, 8, {"aead_open:aes128gcm"}},
          {S, W, Message::application_data, 8, {"aead_seal:aes128gcm"}},
          {C, R, Message::application_data, 8, {"aead_open:aes128gcm"}},
      });
}

TEST_F(TraceTest, Tls12RsaKeyTransportOps) {
  HandshakeTrace trace;
  run("tls12-rsa-rsa2048", &trace);
  std::vector<std::string> client_cke, server_cke;
  for (size_t i = 0; i < trace.step_count; i++) {
    const Step& s = trace.steps[i];
    if (s.message != Message::client_key_exchange) continue;
    for (size_t k = 0; k < s.op_count; k++) {
      (s.side == Side::client ? client_cke : server_cke)
          .push_back(op_name(trace.ops[s.first_op + k].op));
    }
  }
  // No ServerKeyExchange, and the premaster travels RSA-encrypted.
  for (size_t i = 0; i < trace.step_count; i++) {
    EXPECT_NE(trace.steps[i].message, Message::server_key_exchange);
  }
  EXPECT_NE(std::find(client_cke.begin(), client_cke.end(), "encrypt:rsa2048-pkcs1"),
            client_cke.end());
  EXPECT_NE(std::find(server_cke.begin(), server_cke.end(), "decrypt:rsa2048-pkcs1"),
            server_cke.end());
}

TEST_F(TraceTest, Tls13FoldsKeyExchangeIntoHellos) {
  HandshakeTrace trace;
  run("tls13-x25519-ecdsa-p256", &trace);
  expect_steps(
      trace, {
                 {C, W, Message::client_hello, 1, {"keygen:x25519"}},
                 {S, R, Message::client_hello, 1, {}},
                 {S,
                  W,
                  Message::server_hello,
                  2,
                  {"keygen:x25519", "derive:x25519", "hkdf_extract:sha256", "hkdf_expand:sha256"}},
                 {S, W, Message::change_cipher_spec, 5, {}},
                 {S, W, Message::encrypted_extensions, 3, {"aead_seal:aes128gcm"}},
                 {S, W, Message::certificate, 3, {}},
                 {S, W, Message::certificate_verify, 4, {"sign:ecdsa_secp256r1_sha256"}},
                 {S, W, Message::finished, 5, {"hmac:sha256"}},
                 {C, R, Message::server_hello, 2, {"derive:x25519", "hkdf_extract:sha256"}},
                 {C, R, Message::encrypted_extensions, 3, {"aead_open:aes128gcm"}},
                 {C, R, Message::certificate, 3, {"parse_chain", "verify_chain"}},
                 {C, R, Message::certificate_verify, 4, {"verify:ecdsa_secp256r1_sha256"}},
                 {C, R, Message::finished, 5, {"hmac:sha256"}},
                 {C, W, Message::change_cipher_spec, 7, {}},
                 {C, W, Message::finished, 7, {"hmac:sha256", "aead_seal:aes128gcm"}},
                 {C, W, Message::application_data, 8, {"aead_seal:aes128gcm"}},
                 {S, R, Message::finished, 7, {"hmac:sha256"}},
                 {S, R, Message::application_data, 8, {"aead_open:aes128gcm"}},
                 {S, W, Message::application_data, 8, {"aead_seal:aes128gcm"}},
                 {C, R, Message::application_data, 8, {"aead_open:aes128gcm"}},
             });
}

// The steps lie within the handshake's wall time: what lies between them is
// the driver moving bytes. (That this is a small share of a handshake is
// bounded by instruction count, in tests/python/test_icount.py, not by time.)
TEST_F(TraceTest, StepTimesAddUpToTheHandshake) {
  for (const char* scenario : {"tls12-ecdhe-x25519-ecdsa-p256", "tls13-x25519-rsa2048"}) {
    SCOPED_TRACE(scenario);
    HandshakeTrace trace;
    run(scenario, &trace);
    for (int i = 0; i < 30; i++) {
      std::string error;
      ASSERT_TRUE(pair_->run(&trace, &error)) << error;
      uint64_t sum = 0;
      for (size_t k = 0; k < trace.step_count; k++) sum += trace.steps[k].ns;
      ASSERT_GT(sum, 0u);
      ASSERT_LE(sum, trace.total_ns);
    }
  }
}

}  // namespace
}  // namespace hsbench
