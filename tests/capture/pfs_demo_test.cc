// The forward-secrecy demo on each real backend: with the stolen server key
// the RSA-key-transport recording opens to the exact messages, and the
// ECDHE recording (same certificate, same key) opens to nothing, each
// attempt failing for its own reason. The controls: an RSA recording
// labelled ECDHE opens, and a key that is not the certificate's proves no
// forward secrecy.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"
#include "demo/pfs.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"

namespace hsbench::demo {
namespace {

// Every real backend the plugin search finds.
std::vector<std::string> real_backends() { return hsbench::test::built_backends(); }

// The step of an attempt; a failed expectation and an empty step when the
// attack never made it.
AttackStep attempt(const PfsCase& c, std::string_view name) {
  for (const AttackStep& s : c.attack) {
    if (s.attempt == name) return s;
  }
  ADD_FAILURE() << c.scenario << ": no attempt " << name;
  return {};
}

class PfsDemoTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    backend_ = load_backend(GetParam(), &error);
    ASSERT_NE(backend_, nullptr) << error;
    ASSERT_TRUE(run_pfs_demo(backend_->backend(), default_pki_dir(), &result_, &error)) << error;
  }
  // The private key of a PKI kind, as the attacker would steal it.
  std::unique_ptr<PrivateKey> key_of(const std::string& kind) {
    std::string error;
    auto pki = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
    EXPECT_NE(pki, nullptr) << error;
    if (pki == nullptr) return nullptr;
    auto key = backend_->backend().load_private_key(pki->key, &error);
    EXPECT_NE(key, nullptr) << error;
    return key;
  }
  std::unique_ptr<LoadedBackend> backend_;
  PfsDemoResult result_;
};

TEST_P(PfsDemoTest, RsaKeyTransportRecordingOpens) {
  const PfsCase& c = result_.rsa;
  EXPECT_EQ(c.scenario, kRsaScenario);
  EXPECT_EQ(c.cipher_suite, "TLS_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_FALSE(c.forward_secret);
  EXPECT_FALSE(c.recording.empty());
  EXPECT_TRUE(c.key_matches_certificate);
  EXPECT_TRUE(c.premaster_recovered);
  EXPECT_TRUE(c.finished_verified);
  EXPECT_TRUE(c.decrypted);
  EXPECT_EQ(c.recovered_client_data, kClientMessage);
  EXPECT_EQ(c.recovered_server_data, kServerMessage);
  EXPECT_EQ(c.key_exchange, "RSA key transport");
  for (const AttackStep& s : c.attack) EXPECT_TRUE(s.succeeded) << s.action << ": " << s.outcome;
  EXPECT_NE(attempt(c, "rsa_decrypt").outcome.find("starting with the client's version 03 03"),
            std::string::npos);
  EXPECT_NE(attempt(c, "finished").outcome.find("these are the session's keys"), std::string::npos);
  EXPECT_EQ(attempt(c, "client_data").outcome, "\"" + std::string(kClientMessage) + "\"");
}

TEST_P(PfsDemoTest, EcdheRecordingStaysShut) {
  const PfsCase& c = result_.ecdhe;
  EXPECT_EQ(c.scenario, kEcdheScenario);
  EXPECT_EQ(c.cipher_suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(c.key_exchange, "ECDHE (x25519)");
  EXPECT_TRUE(c.forward_secret);
  // The same key: it matches the certificate and made the recorded
  // signature...
  EXPECT_TRUE(c.key_matches_certificate);
  EXPECT_TRUE(c.signature_verified);
  // ... and opens nothing.
  EXPECT_FALSE(c.premaster_recovered);
  EXPECT_FALSE(c.finished_verified);
  EXPECT_FALSE(c.decrypted);
  EXPECT_TRUE(c.recovered_client_data.empty());
  EXPECT_TRUE(c.recovered_server_data.empty());
  // The message is nowhere in the recording in the clear.
  for (const auto& f : c.recording) {
    std::string bytes(f.bytes.begin(), f.bytes.end());
    EXPECT_EQ(bytes.find("correct-horse"), std::string::npos);
  }
  // Every attempt was made, and each failed for what it found.
  const AttackStep rsa = attempt(c, "rsa_decrypt");
  EXPECT_FALSE(rsa.succeeded);
  EXPECT_NE(rsa.outcome.find("a 32-byte value after a 1-byte length"), std::string::npos)
      << rsa.outcome;
  EXPECT_NE(rsa.outcome.find("no premaster: RSA decryption fails"), std::string::npos)
      << rsa.outcome;
  EXPECT_FALSE(attempt(c, "derive_keys").succeeded);
  const AttackStep finished = attempt(c, "finished");
  EXPECT_FALSE(finished.succeeded);
  EXPECT_NE(finished.outcome.find("does not open"), std::string::npos) << finished.outcome;
  for (const char* side : {"client_data", "server_data"}) {
    const AttackStep data = attempt(c, side);
    EXPECT_FALSE(data.succeeded) << side;
    EXPECT_NE(data.outcome.find("does not open"), std::string::npos) << data.outcome;
  }
}

// The control the ECDHE result stands against: the RSA recording, labelled
// ECDHE, is attacked as it is, not as it is called, and opens.
TEST_P(PfsDemoTest, RsaRecordingLabelledEcdheOpens) {
  auto key = key_of("rsa2048");
  ASSERT_NE(key, nullptr);
  PfsCase forged;
  forged.scenario = std::string(kEcdheScenario);
  forged.key_exchange = "ECDHE (x25519)";
  forged.cipher_suite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
  forged.recording = result_.rsa.recording;
  attack_recording(backend_->backend(), *key, &forged);
  EXPECT_EQ(forged.key_exchange, "RSA key transport");
  EXPECT_TRUE(forged.premaster_recovered);
  EXPECT_TRUE(forged.finished_verified);
  EXPECT_TRUE(forged.decrypted);
  EXPECT_FALSE(forged.forward_secret);
  EXPECT_EQ(forged.recovered_client_data, kClientMessage);
  EXPECT_EQ(forged.recovered_server_data, kServerMessage);
}

// The same through the whole demo: when the handshake recorded as the
// ECDHE one is in fact RSA key transport, the demo says it opens.
TEST_P(PfsDemoTest, DemoWhoseEcdheScenarioIsRsaSaysItOpens) {
  PfsDemoResult r;
  std::string error;
  ASSERT_TRUE(run_pfs_demo(backend_->backend(), default_pki_dir(), &r, &error,
                           PfsScenarios{kRsaScenario, kRsaScenario}))
      << error;
  EXPECT_TRUE(r.ecdhe.decrypted);
  EXPECT_FALSE(r.ecdhe.forward_secret);
  EXPECT_EQ(r.ecdhe.recovered_client_data, kClientMessage);
  const std::string text = render_text(r);
  EXPECT_EQ(text.find("Nothing decrypts."), std::string::npos) << text;
}

// And the command says so with its exit status, after printing what it
// found.
TEST_P(PfsDemoTest, CommandFailsWhenTheEcdheSlotOpens) {
  PfsDemoOptions options;
  options.backend = GetParam();
  options.scenarios = PfsScenarios{kRsaScenario, kRsaScenario};
  std::ostringstream out, err;
  EXPECT_EQ(pfs_demo_command(options, out, err), 1);
  EXPECT_NE(out.str().find("The attacker reads the whole recorded session"), std::string::npos);
  EXPECT_NE(err.str().find("not found forward secret"), std::string::npos) << err.str();
  std::ostringstream out_ok, err_ok;
  options.scenarios = PfsScenarios{};
  EXPECT_EQ(pfs_demo_command(options, out_ok, err_ok), 0) << err_ok.str();
  EXPECT_EQ(err_ok.str(), "");
}

// A failed attack with the wrong key shows nothing about forward secrecy:
// the ECDSA test key is not the certificate's, and the ECDHE recording is
// not called forward secret on its account.
TEST_P(PfsDemoTest, WrongKeyProvesNothing) {
  auto key = key_of("ecdsa-p256");
  ASSERT_NE(key, nullptr);
  PfsCase c = result_.ecdhe;
  attack_recording(backend_->backend(), *key, &c);
  EXPECT_FALSE(c.key_matches_certificate);
  EXPECT_FALSE(c.forward_secret);
  EXPECT_FALSE(c.decrypted);
  ASSERT_FALSE(c.attack.empty());
  EXPECT_EQ(c.attack.back().attempt, "check_key");
}

// A recording without its application data: nothing opens because there
// is nothing to open, which is no sign of forward secrecy.
TEST_P(PfsDemoTest, RecordingWithoutDataProvesNothing) {
  auto key = key_of("rsa2048");
  ASSERT_NE(key, nullptr);
  PfsCase c = result_.ecdhe;
  ASSERT_EQ(c.recording.size(), 6u);
  c.recording.resize(4);  // the hellos and each side's ChangeCipherSpec and Finished
  attack_recording(backend_->backend(), *key, &c);
  EXPECT_FALSE(c.decrypted);
  EXPECT_FALSE(c.forward_secret);
  EXPECT_EQ(attempt(c, "client_data").outcome, "there is none in the recording");
}

// The text with its line breaks and indentation folded into single spaces.
std::string folded(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  return out;
}

TEST_P(PfsDemoTest, TextSaysWhatHappened) {
  const std::string raw = render_text(result_);
  for (size_t start = 0, end; start < raw.size(); start = end + 1) {
    end = raw.find('\n', start);
    if (end == std::string::npos) end = raw.size();
    EXPECT_LE(end - start, 100u) << "a long line: " << raw.substr(start, end - start);
  }
  const std::string text = folded(raw);
  EXPECT_NE(text.find("backend " + GetParam()), std::string::npos);
  EXPECT_NE(text.find("RSA key transport: tls12-rsa-rsa2048"), std::string::npos);
  EXPECT_NE(text.find("\"" + std::string(kClientMessage) + "\" and"), std::string::npos);
  EXPECT_NE(text.find("RSA key transport has no forward secrecy"), std::string::npos);
  EXPECT_NE(text.find("Nothing decrypts."), std::string::npos);
  EXPECT_EQ(text.find("unexpected"), std::string::npos);
}

TEST_P(PfsDemoTest, JsonShape) {
  const auto j = nlohmann::json::parse(render_json(result_));
  EXPECT_EQ(j["schema"], "hsbench-pfs-demo/v1");
  EXPECT_EQ(j["backend"]["name"], GetParam());
  EXPECT_EQ(j["client_message"], kClientMessage);
  ASSERT_EQ(j["handshakes"].size(), 2u);
  const auto& rsa = j["handshakes"][0];
  const auto& ecdhe = j["handshakes"][1];
  EXPECT_EQ(rsa["scenario"], kRsaScenario);
  EXPECT_EQ(rsa["decrypted"], true);
  EXPECT_EQ(rsa["forward_secret"], false);
  EXPECT_EQ(rsa["recovered_client_data"], kClientMessage);
  EXPECT_EQ(rsa["recovered_server_data"], kServerMessage);
  EXPECT_EQ(ecdhe["scenario"], kEcdheScenario);
  EXPECT_EQ(ecdhe["decrypted"], false);
  EXPECT_EQ(ecdhe["forward_secret"], true);
  EXPECT_EQ(ecdhe["signature_verified"], true);
  EXPECT_TRUE(ecdhe["recovered_client_data"].is_null());
  // Each attempt's outcome, with its reason, as the case found it.
  ASSERT_EQ(ecdhe["attack"].size(), result_.ecdhe.attack.size());
  for (size_t i = 0; i < result_.ecdhe.attack.size(); i++) {
    EXPECT_EQ(ecdhe["attack"][i]["attempt"], result_.ecdhe.attack[i].attempt);
    EXPECT_EQ(ecdhe["attack"][i]["outcome"], result_.ecdhe.attack[i].outcome);
    EXPECT_EQ(ecdhe["attack"][i]["succeeded"], result_.ecdhe.attack[i].succeeded);
  }
  for (const auto& h : j["handshakes"]) {
    EXPECT_GT(h["recorded"]["flights"].get<int>(), 3);
    EXPECT_GT(h["recorded"]["client_bytes"].get<int>(), 0);
    EXPECT_GT(h["recorded"]["server_bytes"].get<int>(), 1000);  // a certificate chain
    for (const auto& s : h["attack"]) {
      EXPECT_TRUE(s["attempt"].is_string());
      EXPECT_TRUE(s["action"].is_string());
      EXPECT_TRUE(s["outcome"].is_string());
      EXPECT_TRUE(s["succeeded"].is_boolean());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, PfsDemoTest, ::testing::ValuesIn(real_backends()),
                         [](const auto& p) { return test::test_name(p.param); });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PfsDemoTest);

}  // namespace
}  // namespace hsbench::demo
