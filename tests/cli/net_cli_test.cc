// hsbench connect and serve, run as a user runs them: bad flags are one
// line and exit 2; a run where nothing succeeds is one line and exit 1,
// with nothing written; serve writes its report when stopped by a signal;
// connect stopped by SIGINT writes the repetitions complete, marked
// partial. Each process runs in a directory of its own.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.h"

namespace hsbench {
namespace {

using test::Outcome;

size_t line_count(const std::string& text) {
  std::istringstream in(text);
  size_t n = 0;
  for (std::string l; std::getline(in, l);) n++;
  return n;
}

// A port on 127.0.0.1 that was free a moment ago: bound, then released.
int unused_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

// The project PKI's file of a kind, e.g. pki("ecdsa-p256", "client/key.pem").
std::string pki(const std::string& kind, const std::string& file) {
  return std::string(HSBENCH_SOURCE_DIR) + "/pki/" + kind + "/" + file;
}

TEST(NetCli, BadFlagsAreOneLineAndExit2) {
  test::TempDir tmp("net-cli");
  const std::string mtls = "tls13-x25519-ecdsa-p256-mtls";
  const std::string chain = pki("ecdsa-p256", "client/chain.pem");
  const std::string key = pki("ecdsa-p256", "client/key.pem");
  const std::vector<std::vector<std::string>> cases = {
      {"connect"},
      {"connect", "localhost"},
      {"connect", "127.0.0.1:0"},
      {"connect", "127.0.0.1:70000"},
      {"connect", "[::1:443"},
      {"connect", "no-such-host.invalid:443"},
      {"connect", "127.0.0.1:443", "--rate", "0"},
      {"connect", "127.0.0.1:443", "--connections", "0"},
      {"connect", "127.0.0.1:443", "--threads", "0"},
      {"connect", "127.0.0.1:443", "--duration", "0"},
      {"connect", "127.0.0.1:443", "--arrival", "bursty"},
      {"connect", "127.0.0.1:443", "--close", "never"},
      {"connect", "127.0.0.1:443", "--engine", "both,native"},
      {"connect", "127.0.0.1:443", "--scenario", "tls12-nosuch"},
      {"connect", "127.0.0.1:443", "--backend", "nosuch"},
      {"connect", "127.0.0.1:443", "--server-pid", "abc"},
      {"connect", "127.0.0.1:443", "--root", "/nonexistent/root.pem"},
      {"connect", "127.0.0.1:443", "--json", "/nonexistent-dir/x.json"},
      {"connect", "[::1]:443", "--source-addresses", "4"},
      // Mutual TLS: the chain and key together, for a -mtls scenario, readable.
      {"connect", "127.0.0.1:443", "--scenario", mtls, "--client-chain", chain},
      {"connect", "127.0.0.1:443", "--scenario", mtls, "--client-key", key},
      {"connect", "127.0.0.1:443", "--client-chain", chain, "--client-key", key},
      {"connect", "127.0.0.1:443", "--scenario", mtls, "--client-chain", "/nonexistent/c.pem",
       "--client-key", key},
      {"connect", "127.0.0.1:443", "--scenario", mtls, "--client-chain", chain, "--client-key",
       chain},
      {"serve", "--listen", "127.0.0.1:0", "--client-root", pki("ecdsa-p256", "client/root.pem")},
      {"serve", "--listen", "127.0.0.1:0", "--scenario", mtls, "--client-root",
       "/nonexistent/root.pem"},
      {"serve"},
      {"serve", "--listen", "127.0.0.1"},
      {"serve", "--listen", "127.0.0.1:0", "--engine", "both"},
      {"serve", "--listen", "127.0.0.1:0", "--scenario",
       "tls12-rsa-rsa2048,tls13-x25519-ecdsa-p256"},
      {"serve", "--listen", "127.0.0.1:0", "--backend", "openssl,boringssl"},
      {"serve", "--listen", "127.0.0.1:0", "--duration", "-1"},
  };
  for (const auto& args : cases) {
    std::string what;
    for (const auto& a : args) what += a + " ";
    const Outcome o = test::run_hsbench(tmp.path(), args);
    EXPECT_EQ(o.rc, 2) << what << "\nstderr: " << o.err;
    EXPECT_EQ(line_count(o.err), 1u) << what << "\nstderr: " << o.err;
    EXPECT_EQ(o.err.rfind("hsbench: ", 0), 0u) << what << ": " << o.err;
  }
  EXPECT_NE(access((tmp.path() + "/hsbench.json").c_str(), F_OK), 0);
}

// Nothing listens: every connection refused; one line saying so, exit 1,
// no report written.
TEST(NetCli, NothingSucceedingIsOneLineAndExit1) {
  test::TempDir tmp("net-cli");
  const std::string target = "127.0.0.1:" + std::to_string(unused_port());
  const Outcome o = test::run_hsbench(
      tmp.path(), {"connect", target, "--duration", "0.2", "--warmup", "0", "--repetitions", "1"});
  EXPECT_EQ(o.rc, 1) << o.err;
  EXPECT_EQ(line_count(o.err), 1u) << o.err;
  EXPECT_NE(o.err.find("refused"), std::string::npos) << o.err;
  EXPECT_EQ(access((tmp.path() + "/hsbench.json").c_str(), F_OK), -1);
}

// Waits (bounded) for serve's "listening on ADDRESS" line on its stderr.
std::string listening_address(const test::TempDir& dir) {
  for (int i = 0; i < 200; i++) {
    const std::string err = test::slurp(dir.path() + "/stderr");
    const size_t at = err.find("listening on ");
    if (at != std::string::npos && err.find('\n', at) != std::string::npos) {
      return err.substr(at + 13, err.find('\n', at) - at - 13);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

// Mutual TLS over TCP from the command line: serve requires a client
// certificate; connect presents the project PKI's client chain (by default,
// or named with --client-chain and --client-key) and completes; a chain the
// server does not trust (the server's own, under the server root) completes
// nothing: one line, exit 1. And serve with another --client-root refuses
// the project's client chain.
TEST(NetCli, MutualTlsServeAndConnect) {
  const std::string mtls = "tls12-ecdhe-x25519-ecdsa-p256-mtls";
  test::TempDir serve_dir("net-cli-mtls-serve");
  test::Process serve(serve_dir.path(),
                      test::hsbench_argv({"serve", "--listen", "127.0.0.1:0", "--scenario", mtls,
                                          "--json", "s.json"}));
  ASSERT_TRUE(serve.started());
  const std::string address = listening_address(serve_dir);
  ASSERT_FALSE(address.empty()) << test::slurp(serve_dir.path() + "/stderr");
  const std::vector<std::string> run = {"connect",       address, "--scenario", mtls,
                                        "--duration",    "0.2",   "--warmup",   "0",
                                        "--repetitions", "1",     "--quiet"};
  test::TempDir dir("net-cli-mtls-connect");
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = run;
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_hsbench(dir.path(), args);
  };
  const Outcome by_default = with({"--json", "d.json"});
  EXPECT_EQ(by_default.rc, 0) << by_default.err;
  const auto d = nlohmann::json::parse(test::slurp(dir.path() + "/d.json"));
  EXPECT_GT(d["results"][0]["handshakes"].get<int>(), 0);
  const Outcome named =
      with({"--client-chain", pki("ecdsa-p256", "client/chain.pem"), "--client-key",
            pki("ecdsa-p256", "client/key.pem"), "--json", "n.json"});
  EXPECT_EQ(named.rc, 0) << named.err;
  const Outcome stranger = with({"--client-chain", pki("ecdsa-p256", "chain.pem"), "--client-key",
                                 pki("ecdsa-p256", "key.pem"), "--json", "x.json"});
  EXPECT_EQ(stranger.rc, 1) << stranger.err;
  EXPECT_EQ(line_count(stranger.err), 1u) << stranger.err;
  EXPECT_NE(stranger.err.find("alert"), std::string::npos) << stranger.err;
  EXPECT_NE(access((dir.path() + "/x.json").c_str(), F_OK), 0);
  serve.signal(SIGINT);
  const Outcome served = serve.wait();
  EXPECT_EQ(served.rc, 0) << served.err;

  // Clients checked against another root: the project's client chain is not
  // under it, so nothing completes.
  test::TempDir other_dir("net-cli-mtls-other");
  test::Process other(other_dir.path(),
                      test::hsbench_argv({"serve", "--listen", "127.0.0.1:0", "--scenario", mtls,
                                          "--client-root", pki("ecdsa-p256", "root.pem")}));
  ASSERT_TRUE(other.started());
  const std::string other_address = listening_address(other_dir);
  ASSERT_FALSE(other_address.empty()) << test::slurp(other_dir.path() + "/stderr");
  std::vector<std::string> args = run;
  args[1] = other_address;
  const Outcome refused = test::run_hsbench(dir.path(), args);
  EXPECT_EQ(refused.rc, 1) << refused.err;
  other.signal(SIGINT);
  other.wait();
}

// serve until SIGINT, with connect against it; then connect stopped by
// SIGINT midway writes what it completed, marked partial.
TEST(NetCli, ServeWritesItsReportOnSigintAndConnectMarksAStoppedRunPartial) {
  test::TempDir serve_dir("net-cli-serve");
  test::Process serve(serve_dir.path(),
                      test::hsbench_argv({"serve", "--listen", "127.0.0.1:0", "--json", "s.json"}));
  ASSERT_TRUE(serve.started());
  const std::string address = listening_address(serve_dir);
  ASSERT_FALSE(address.empty()) << test::slurp(serve_dir.path() + "/stderr");

  test::TempDir connect_dir("net-cli-connect");
  const Outcome full = test::run_hsbench(
      connect_dir.path(), {"connect", address, "--duration", "0.3", "--warmup", "0.1",
                           "--repetitions", "2", "--json", "c.json", "--request", "http"});
  ASSERT_EQ(full.rc, 0) << full.err;
  const auto c = nlohmann::json::parse(test::slurp(connect_dir.path() + "/c.json"));
  const auto& r = c["results"][0];
  EXPECT_EQ(r["status"], "ok");
  EXPECT_GT(r["handshakes"].get<int>(), 0);
  EXPECT_EQ(r["network"]["role"], "client");
  EXPECT_FALSE(r.contains("partial"));

  // Long repetitions, stopped after the first can have completed.
  test::TempDir stopped_dir("net-cli-stopped");
  test::Process stopped(stopped_dir.path(),
                        test::hsbench_argv({"connect", address, "--duration", "1", "--warmup",
                                            "0.1", "--repetitions", "20", "--json", "p.json"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  stopped.signal(SIGINT);
  const Outcome partial = stopped.wait();
  EXPECT_EQ(partial.rc, 130) << partial.err;
  const auto p = nlohmann::json::parse(test::slurp(stopped_dir.path() + "/p.json"));
  EXPECT_EQ(p["context"]["partial"], true);
  const auto& pr = p["results"][0];
  EXPECT_EQ(pr["partial"], true);
  EXPECT_GE(pr["handshakes_per_sec"]["repetitions"].size(), 1u);
  EXPECT_LT(pr["handshakes_per_sec"]["repetitions"].size(), 20u);

  serve.signal(SIGINT);
  const Outcome served = serve.wait();
  EXPECT_EQ(served.rc, 0) << served.err;
  const auto s = nlohmann::json::parse(test::slurp(serve_dir.path() + "/s.json"));
  const auto& sr = s["results"][0];
  EXPECT_EQ(sr["network"]["role"], "server");
  EXPECT_GE(sr["handshakes"].get<int>(), r["handshakes"].get<int>());
  EXPECT_FALSE(sr["steps"].empty());
}

}  // namespace
}  // namespace hsbench
