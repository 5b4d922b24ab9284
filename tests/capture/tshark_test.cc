// What Wireshark makes of hsbench's captures, asked of tshark: every
// handshake message dissected, no malformed packet and no expert warning
// (checksums checked too), and with the key log the Finished messages and
// the application data decrypted. For TLS 1.2 RSA key transport, TLS 1.2
// ECDHE and TLS 1.3. Skipped when tshark is not installed (Debian package
// tshark, in scripts/deps.txt). tshark only reads files here: no capture
// privileges are needed.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "capture/keylog.h"
#include "capture/scenario_capture.h"
#include "cli_util.h"
#include "demo/pfs.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/report.h"
#include "hsbench/scenario.h"

namespace hsbench::capture {
namespace {

bool have_tshark() { return std::system("tshark --version >/dev/null 2>&1") == 0; }

std::string backend_name() { return HSBENCH_HAVE_OPENSSL ? "openssl" : "boringssl"; }

struct Output {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs a shell command in dir; stdout and stderr apart.
Output run(const std::string& command, const std::string& dir) {
  test::Outcome o = test::run_shell(dir, command);
  return {o.rc, std::move(o.out), std::move(o.err)};
}

std::vector<std::vector<std::string>> rows(const std::string& out) {
  std::vector<std::vector<std::string>> result;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
      size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    result.push_back(fields);
  }
  return result;
}

// Splits "a,b,c" (tshark's separator for repeated fields).
std::vector<std::string> values(const std::string& field) {
  std::vector<std::string> out;
  std::istringstream s(field);
  std::string v;
  while (std::getline(s, v, ',')) {
    if (!v.empty()) out.push_back(v);
  }
  return out;
}

class TsharkTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!have_tshark()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
    tmp_.emplace("tshark-test");
    ASSERT_TRUE(tmp_->ok()) << "cannot make a temporary directory";
    dir_ = tmp_->path();
    pcap_ = dir_ + "/capture.pcap";
    keylog_ = dir_ + "/keylog.txt";

    const Scenario* s = find_scenario(GetParam());
    ASSERT_NE(s, nullptr);
    std::string error;
    backend_ = load_backend(backend_name(), &error);
    ASSERT_NE(backend_, nullptr) << error;
    pki_ = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
    ASSERT_NE(pki_, nullptr) << error;
    ASSERT_TRUE(capture_.add_scenario(*s, backend_->backend(), *pki_, &error)) << error;
    // A second stream of the same scenario: streams must not disturb
    // each other.
    ASSERT_TRUE(capture_.add_scenario(*s, backend_->backend(), *pki_, &error)) << error;
    ASSERT_TRUE(capture_.write(pcap_, keylog_, &error)) << error;
  }

  void TearDown() override {
    if (!tmp_ || !tmp_->ok()) return;
    if (HasFailure() || std::getenv("HSBENCH_KEEP_CAPTURE") != nullptr) {
      std::printf("capture kept in %s\n", dir_.c_str());
      tmp_->keep();
    }
  }

  // tshark over the capture; with_keys adds the key log. Checksums are
  // verified, which tshark does not do by default.
  Output tshark(bool with_keys, const std::string& args) {
    std::string cmd =
        "tshark -n -r " + pcap_ + " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE";
    if (with_keys) cmd += " -o tls.keylog_file:" + keylog_;
    return run(cmd + " " + args, dir_);
  }

  std::optional<test::TempDir> tmp_;
  std::string dir_, pcap_, keylog_;
  std::unique_ptr<LoadedBackend> backend_;
  std::unique_ptr<Pki> pki_;
  RunCapture capture_{1700000000ull * 1000000};
};

// Severity values of tshark's expert infos (epan/proto.h PI_WARN).
constexpr char kWarningsOrMalformed[] = "_ws.malformed || _ws.expert.severity >= 0x00600000";

// The handshake messages a capture shows per TCP stream, and the
// application data bytes each side's decrypted records hold.
struct Dissected {
  std::map<std::string, std::multiset<int>> handshake_types;                 // by stream
  std::map<std::string, std::vector<std::string>> client_data, server_data;  // by stream
  size_t frames = 0;
  size_t good_checksums = 0;
};

Dissected dissect(const Output& o) {
  Dissected d;
  for (const auto& f : rows(o.out)) {
    if (f.size() < 7) continue;
    d.frames++;
    if (f[5] == "1" && f[6] == "1") d.good_checksums++;  // "Good" for IPv4 and TCP
    for (const auto& t : values(f[2])) d.handshake_types[f[0]].insert(std::stoi(t));
    auto& data = f[1] == "10.0.0.1" ? d.client_data : d.server_data;
    for (const auto& v : values(f[3])) data[f[0]].push_back(v);
  }
  return d;
}

constexpr char kFields[] =
    "-T fields -e tcp.stream -e ip.src -e tls.handshake.type -e data.data -e frame.number "
    "-e ip.checksum.status -e tcp.checksum.status";

std::string hex_of(const std::string& s) {
  return to_hex(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Every handshake message that travels in the clear is dissected, each
// stream on its own, and nothing is malformed or worth a warning (bad
// checksums, retransmissions, lost segments, bad TLS records would be).
TEST_P(TsharkTest, DissectsEveryHandshakeMessageWithoutWarnings) {
  const Output warnings = tshark(false, std::string("-Y \"") + kWarningsOrMalformed + "\"");
  ASSERT_EQ(warnings.status, 0) << warnings.err;
  EXPECT_EQ(warnings.out, "");

  const Output o = tshark(false, kFields);
  ASSERT_EQ(o.status, 0) << o.err;
  const Dissected d = dissect(o);
  EXPECT_EQ(d.good_checksums, d.frames);
  EXPECT_EQ(d.frames, capture_.pcap().packets());
  ASSERT_EQ(d.handshake_types.size(), 2u) << "one TCP stream per handshake";

  std::multiset<int> expected;
  if (GetParam() == "tls12-rsa-rsa2048") {
    expected = {1, 2, 11, 14, 16};  // ClientHello .. ClientKeyExchange; Finished is encrypted
  } else if (GetParam() == "tls12-ecdhe-x25519-ecdsa-p256") {
    expected = {1, 2, 11, 12, 14, 16};
  } else {
    expected = {1, 2};  // TLS 1.3 encrypts everything after ServerHello
  }
  for (const auto& [stream, types] : d.handshake_types) {
    EXPECT_EQ(types, expected) << "stream " << stream;
  }
}

// With the key log, tshark decrypts: both Finished messages (and in TLS 1.3
// EncryptedExtensions, Certificate and CertificateVerify), and the
// application data each side sent.
TEST_P(TsharkTest, KeyLogDecryptsFinishedAndApplicationData) {
  // Decrypted application data goes to the data dissector, not to HTTP
  // (port 443's default), so that tshark shows the bytes.
  const std::string args = " --disable-protocol http ";
  const Output warnings = tshark(true, args + std::string("-Y \"") + kWarningsOrMalformed + "\"");
  ASSERT_EQ(warnings.status, 0) << warnings.err;
  EXPECT_EQ(warnings.out, "");

  const Output o = tshark(true, args + kFields);
  ASSERT_EQ(o.status, 0) << o.err;
  const Dissected d = dissect(o);
  ASSERT_EQ(d.handshake_types.size(), 2u);

  std::multiset<int> expected;
  if (GetParam() == "tls12-rsa-rsa2048") {
    expected = {1, 2, 11, 14, 16, 20, 20};
  } else if (GetParam() == "tls12-ecdhe-x25519-ecdsa-p256") {
    expected = {1, 2, 11, 12, 14, 16, 20, 20};
  } else {
    expected = {1, 2, 8, 11, 15, 20, 20};
  }
  // What the engine sends once the handshake is done (Config's default
  // application data: 64 bytes of 'h').
  const std::string app_data = hex_of(std::string(64, 'h'));
  for (const auto& [stream, types] : d.handshake_types) {
    EXPECT_EQ(types, expected) << "stream " << stream;
    EXPECT_EQ(d.client_data.at(stream), std::vector<std::string>{app_data}) << "stream " << stream;
    EXPECT_EQ(d.server_data.at(stream), std::vector<std::string>{app_data}) << "stream " << stream;
  }
}

// The checks above can fail: one flipped payload byte breaks a checksum and
// a MAC, and tshark says so.
TEST_P(TsharkTest, CorruptionIsNoticed) {
  Bytes file = capture_.pcap().bytes();
  // The last byte of the first ClientHello: 24 (file header) + 3 packets of
  // 16 + 58, 58, 54 bytes, then the ClientHello packet's record header and
  // frame.
  const size_t client_hello_at = 24 + (16 + 58) + (16 + 58) + (16 + 54);
  const size_t frame_length = file[client_hello_at + 8] | file[client_hello_at + 9] << 8;
  file[client_hello_at + 16 + frame_length - 1] ^= 0x01;
  std::string error;
  ASSERT_TRUE(write_file_atomically(
      pcap_, std::string_view(reinterpret_cast<const char*>(file.data()), file.size()), &error))
      << error;
  const Output warnings = tshark(false, std::string("-Y \"") + kWarningsOrMalformed + "\"");
  ASSERT_EQ(warnings.status, 0) << warnings.err;
  EXPECT_NE(warnings.out, "");
}

// Resumption scenarios give two streams each: the handshake that issues the
// ticket, and the resumed one. tshark decrypts the resumed TLS 1.2 session
// from the ticket it saw in the first (Wireshark's session cache), the TLS
// 1.3 one from its own key log lines.
class TsharkResumptionTest : public TsharkTest {};

TEST_P(TsharkResumptionTest, EveryStreamDecrypts) {
  const std::string args = " --disable-protocol http ";
  const Output warnings = tshark(true, args + std::string("-Y \"") + kWarningsOrMalformed + "\"");
  ASSERT_EQ(warnings.status, 0) << warnings.err;
  EXPECT_EQ(warnings.out, "");
  const Output o = tshark(true, args + kFields);
  ASSERT_EQ(o.status, 0) << o.err;
  const Dissected d = dissect(o);
  ASSERT_EQ(d.handshake_types.size(), 4u);
  ASSERT_EQ(capture_.handshakes().size(), 4u);
  const std::string app_data = hex_of(std::string(64, 'h'));
  for (size_t i = 0; i < 4; i++) {
    const std::string stream = std::to_string(i);
    EXPECT_EQ(capture_.handshakes()[i].resumed, i % 2 == 1) << "stream " << stream;
    // A resumed handshake has no Certificate.
    EXPECT_EQ(d.handshake_types.at(stream).count(11), i % 2 == 0 ? 1u : 0u) << "stream " << stream;
    EXPECT_EQ(d.handshake_types.at(stream).count(20), 2u) << "stream " << stream;
    EXPECT_EQ(d.client_data.at(stream), std::vector<std::string>{app_data}) << "stream " << stream;
    EXPECT_EQ(d.server_data.at(stream), std::vector<std::string>{app_data}) << "stream " << stream;
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, TsharkResumptionTest,
                         ::testing::Values("tls12-ecdhe-x25519-rsa2048-resume",
                                           "tls13-x25519-ecdsa-p256-resume"),
                         [](const auto& p) {
                           std::string n = p.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// Wireshark, given only the stolen RSA key (its "RSA keys list", no key
// log), agrees with pfs-demo: it opens the RSA-key-transport recording to
// the exact messages and nothing of the ECDHE one.
TEST(TsharkPfsDemo, StolenKeyOpensOnlyTheRsaRecording) {
  if (!have_tshark()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  test::TempDir tmp("tshark-test");
  tmp.keep_if_failed();
  ASSERT_TRUE(tmp.ok()) << "cannot make a temporary directory";
  const std::string dir = tmp.path(), pcap = dir + "/pfs.pcap";
  demo::PfsDemoOptions options;
  options.backend = backend_name();
  options.pcap_path = pcap;
  std::ostringstream out, err;
  ASSERT_EQ(demo::pfs_demo_command(options, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("Nothing decrypts."), std::string::npos);

  const std::string key = default_pki_files(default_pki_dir(), "rsa2048").key;
  const Output o = run("tshark -n -r " + pcap + " -o 'uat:rsa_keys:\"" + key +
                           "\",\"\"' --disable-protocol http " + kFields,
                       dir);
  ASSERT_EQ(o.status, 0) << o.err;
  const Dissected d = dissect(o);
  ASSERT_EQ(d.handshake_types.size(), 2u);
  // Stream 0 is RSA key transport: both Finished messages decrypt, and the
  // application data is the demo's.
  EXPECT_EQ(d.handshake_types.at("0").count(20), 2u);
  EXPECT_EQ(d.client_data.at("0"),
            std::vector<std::string>{hex_of(std::string(demo::kClientMessage))});
  EXPECT_EQ(d.server_data.at("0"),
            std::vector<std::string>{hex_of(std::string(demo::kServerMessage))});
  // Stream 1 is ECDHE: nothing under the handshake's keys decrypts.
  EXPECT_EQ(d.handshake_types.at("1").count(20), 0u);
  EXPECT_EQ(d.client_data.count("1"), 0u);
  EXPECT_EQ(d.server_data.count("1"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, TsharkTest,
                         ::testing::Values("tls12-rsa-rsa2048", "tls12-ecdhe-x25519-ecdsa-p256",
                                           "tls13-x25519-ecdsa-p256"),
                         [](const auto& p) {
                           std::string n = p.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace hsbench::capture
