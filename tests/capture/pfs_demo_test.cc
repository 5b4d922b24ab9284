// The forward-secrecy demo on each real backend: with the stolen server key
// the RSA-key-transport recording opens to the exact messages, and the
// ECDHE recording (same certificate, same key) opens to nothing.
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "demo/pfs.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"

namespace hsbench::demo {
namespace {

std::vector<std::string> real_backends() {
  std::vector<std::string> out;
  if (HSBENCH_HAVE_OPENSSL) out.push_back("openssl");
  if (HSBENCH_HAVE_BORINGSSL) out.push_back("boringssl");
  return out;
}

class PfsDemoTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    backend_ = load_backend(GetParam(), &error);
    ASSERT_NE(backend_, nullptr) << error;
    ASSERT_TRUE(run_pfs_demo(backend_->backend(), default_pki_dir(), &result_, &error)) << error;
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
  for (const AttackStep& s : c.attack) EXPECT_TRUE(s.succeeded) << s.action << ": " << s.outcome;
}

TEST_P(PfsDemoTest, EcdheRecordingStaysShut) {
  const PfsCase& c = result_.ecdhe;
  EXPECT_EQ(c.scenario, kEcdheScenario);
  EXPECT_EQ(c.cipher_suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
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
  ASSERT_FALSE(c.attack.empty());
  EXPECT_FALSE(c.attack.back().succeeded);
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
  for (const auto& h : j["handshakes"]) {
    EXPECT_GT(h["recorded"]["flights"].get<int>(), 3);
    EXPECT_GT(h["recorded"]["client_bytes"].get<int>(), 0);
    EXPECT_GT(h["recorded"]["server_bytes"].get<int>(), 1000);  // a certificate chain
    for (const auto& s : h["attack"]) {
      EXPECT_TRUE(s["action"].is_string());
      EXPECT_TRUE(s["outcome"].is_string());
      EXPECT_TRUE(s["succeeded"].is_boolean());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, PfsDemoTest, ::testing::ValuesIn(real_backends()),
                         [](const auto& p) { return p.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PfsDemoTest);

}  // namespace
}  // namespace hsbench::demo
