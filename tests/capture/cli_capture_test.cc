// hsbench pfs-demo and a run's --pcap/--keylog, run as a user runs them:
// what they print, what they write, and one line and exit 2 on bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "demo/pfs.h"

namespace hsbench {
namespace {

using test::Outcome;
using test::slurp;

std::string real_backend() { return HSBENCH_HAVE_OPENSSL ? "openssl" : "boringssl"; }

class CliCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HSBENCH_HAVE_OPENSSL && !HSBENCH_HAVE_BORINGSSL) GTEST_SKIP() << "no real backend built";
    ASSERT_TRUE(tmp_.ok()) << "cannot make a temporary directory";
  }
  // Runs hsbench in dir_ with args, words split at spaces (none of these
  // has a space inside).
  Outcome hsbench(const std::string& args) {
    std::vector<std::string> words;
    std::istringstream in(args);
    for (std::string w; in >> w;) words.push_back(w);
    return test::run_hsbench(dir_, words);
  }
  test::TempDir tmp_{"cli-capture-test"};
  std::string dir_ = tmp_.path();
};

TEST_F(CliCaptureTest, PfsDemoText) {
  const Outcome o = hsbench("pfs-demo --backend " + real_backend());
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_NE(o.out.find("Forward secrecy, shown"), std::string::npos);
  EXPECT_NE(o.out.find("password=correct-horse-battery-staple\""), std::string::npos);
  EXPECT_NE(o.out.find("Nothing decrypts."), std::string::npos);
}

TEST_F(CliCaptureTest, PfsDemoJsonAndPcap) {
  const Outcome o = hsbench("pfs-demo --json - --pcap " + dir_ + "/demo.pcap");
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto j = nlohmann::json::parse(o.out);
  EXPECT_EQ(j["schema"], "hsbench-pfs-demo/v1");
  EXPECT_EQ(j["handshakes"][0]["recovered_client_data"], demo::kClientMessage);
  EXPECT_EQ(j["handshakes"][1]["decrypted"], false);
  const std::string pcap = slurp(dir_ + "/demo.pcap");
  ASSERT_GT(pcap.size(), 24u);
  EXPECT_EQ(pcap.substr(0, 4), std::string("\xd4\xc3\xb2\xa1", 4));

  const Outcome f = hsbench("pfs-demo --json " + dir_ + "/demo.json");
  ASSERT_EQ(f.rc, 0) << f.err;
  EXPECT_NE(f.out.find("Nothing decrypts."), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(slurp(dir_ + "/demo.json"))["schema"], "hsbench-pfs-demo/v1");
}

TEST_F(CliCaptureTest, PfsDemoBadInput) {
  for (const std::string args : {"pfs-demo --backend null", "pfs-demo --backend nosuch",
                                 "pfs-demo --pcap /nonexistent/dir/x.pcap"}) {
    const Outcome o = hsbench(args);
    EXPECT_EQ(o.rc, 2) << args;
    EXPECT_EQ(o.out, "") << args;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << args << ": " << o.err;
  }
}

TEST_F(CliCaptureTest, RunWritesPcapAndKeyLog) {
  const Outcome o =
      hsbench("--backend " + real_backend() + ",null" +
              " --scenario tls12-rsa-rsa2048,tls13-x25519-ecdsa-p256 -n 5 -r 1"
              " --no-lower-bound -q --json " +
              dir_ + "/run.json --pcap " + dir_ + "/run.pcap --keylog " + dir_ + "/run.keys");
  ASSERT_EQ(o.rc, 0) << o.err;
  // The null backend is not captured; -q keeps the note to itself.
  EXPECT_EQ(o.err, "");
  const std::string pcap = slurp(dir_ + "/run.pcap");
  EXPECT_EQ(pcap.substr(0, 4), std::string("\xd4\xc3\xb2\xa1", 4));
  // One CLIENT_RANDOM for the TLS 1.2 handshake, four TLS 1.3 secrets.
  const std::string keys = slurp(dir_ + "/run.keys");
  std::istringstream lines(keys);
  int n = 0, client_random = 0;
  for (std::string l; std::getline(lines, l); n++) {
    if (l.rfind("CLIENT_RANDOM ", 0) == 0) client_random++;
  }
  EXPECT_EQ(client_random, 1);
  EXPECT_EQ(n, 5);
}

TEST_F(CliCaptureTest, RunSaysWhatItDidNotCapture) {
  const Outcome o = hsbench(
      "--backend null --scenario tls12-rsa-rsa2048 -n 5 -r 1 --no-lower-bound"
      " --json " +
      dir_ + "/run.json --pcap " + dir_ + "/run.pcap");
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_NE(o.err.find("not captured: tls12-rsa-rsa2048 on null"), std::string::npos) << o.err;
}

TEST_F(CliCaptureTest, RunRefusesUnwritableCapturePaths) {
  for (const std::string flag : {"--pcap", "--keylog"}) {
    const Outcome o = hsbench("--backend null -n 5 -r 1 --json " + dir_ + "/run.json " + flag +
                              " /nonexistent/dir/file");
    EXPECT_EQ(o.rc, 2) << flag;
    EXPECT_NE(o.err.find(flag + ": "), std::string::npos) << o.err;
  }
}

}  // namespace
}  // namespace hsbench
