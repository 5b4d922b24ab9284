// Network mode in one process: hsbench serve on a thread of its own,
// hsbench connect against it, over real TCP sockets on 127.0.0.1 (a port
// the kernel picks). The engine and each library's own stack on both ends,
// every real backend, full and resumed handshakes; and what the client
// counts when the server is not there or not trusted. Short runs: nothing
// here measures speed, only what completed and what was counted.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hsbench/loader.h"
#include "hsbench/network.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "net/serve_thread.h"
#include "net/socket.h"

namespace hsbench {
namespace {

using test::default_pki;

// The response of the servers these tests start.
constexpr char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

class ServeThread : public test::ServeThread {
 public:
  ServeThread(const Scenario& s, Backend& b, const Pki& pki, EngineKind engine)
      : test::ServeThread(s, b, pki, engine, kResponse) {}
};

ConnectOptions short_run(const std::string& target, EngineKind engine) {
  ConnectOptions o;
  o.target = target;
  o.server_name = "localhost";
  o.engine = engine;
  o.connections = 4;
  o.warmup_s = 0.05;
  o.duration_s = 0.25;
  o.repetitions = 2;
  o.timeout_s = 5;
  return o;
}

struct Case {
  std::string backend;
  std::string scenario;
  EngineKind client;
  EngineKind server;
  bool with_request = false;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.backend + "_" + info.param.scenario + "_" +
                  std::string(name(info.param.client)) + "_to_" +
                  std::string(name(info.param.server));
  for (char& c : s) {
    if (c == '-') c = '_';
  }
  return s;
}

class OverTcp : public ::testing::TestWithParam<Case> {};

TEST_P(OverTcp, HandshakesCompleteAndTheServerCountsThem) {
  const Case& c = GetParam();
  std::string error;
  auto backend = load_backend(c.backend, &error);
  ASSERT_NE(backend, nullptr) << error;
  const Scenario* s = find_scenario(c.scenario);
  ASSERT_NE(s, nullptr);
  auto pki = default_pki(s->cert);
  ASSERT_NE(pki, nullptr);

  const int fds_before = net::open_fd_count();
  Result client;
  {
    ServeThread server(*s, backend->backend(), *pki, c.server);
    ASSERT_FALSE(server.address().empty());
    ConnectOptions o = short_run(server.address(), c.client);
    o.request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    client = run_connect(*s, backend->backend(), *pki, o);
    const Result& served = server.stop();
    ASSERT_FALSE(client.skipped) << client.skip_reason;
    ASSERT_FALSE(served.skipped) << served.skip_reason;
    ASSERT_TRUE(client.network.has_value());
    ASSERT_TRUE(served.network.has_value());
    EXPECT_GT(client.handshakes, 0u);
    EXPECT_TRUE(client.network->errors.empty())
        << client.network->errors.front().kind << ": " << client.network->errors.front().detail;
    // The server saw at least what the client counted in its windows
    // (plus the warm-up's and the abandoned ones).
    EXPECT_GE(served.handshakes, client.handshakes);
    EXPECT_GE(served.network->requests, client.handshakes);

    // What was negotiated is what the scenario offered.
    ASSERT_TRUE(client.network->negotiated.has_value());
    const Negotiated& n = *client.network->negotiated;
    EXPECT_EQ(n.version, std::string(name(s->version)));
    EXPECT_EQ(n.cipher, std::string(cipher_suite_info(s->suite)->name));
    EXPECT_FALSE(n.varied);
    if (c.client == EngineKind::hsbench) {
      EXPECT_EQ(n.group, s->kx == KxMode::rsa ? "" : std::string(name(s->group)));
      EXPECT_EQ(n.server_key, s->cert);
      EXPECT_EQ(n.chain_certificates, static_cast<int>(pki->chain.size()));
    }
    // Every measured connection reached every phase; a request was sent.
    for (const NetworkPhase& p : client.network->phases) {
      if (p.name == "server_finished" && c.client == EngineKind::native) continue;
      EXPECT_EQ(p.count, client.handshakes) << p.name;
    }
    EXPECT_EQ(client.network->phases.size(), c.client == EngineKind::native ? 4u : 5u);
    EXPECT_EQ(client.steps.empty(), c.client == EngineKind::native);
    EXPECT_EQ(served.steps.empty(), c.server == EngineKind::native);
  }
  EXPECT_EQ(net::open_fd_count(), fds_before);
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* backend : {"openssl", "boringssl"}) {
    for (const char* scenario :
         {"tls12-rsa-rsa2048", "tls12-ecdhe-x25519-ecdsa-p256", "tls13-x25519-ecdsa-p256"}) {
      out.push_back({backend, scenario, EngineKind::hsbench, EngineKind::hsbench});
      out.push_back({backend, scenario, EngineKind::native, EngineKind::hsbench});
      out.push_back({backend, scenario, EngineKind::hsbench, EngineKind::native});
    }
    // Mutual TLS over TCP: the client presents the PKI's client chain, the
    // server requires it and checks it against the client root.
    for (const char* scenario :
         {"tls12-ecdhe-x25519-ecdsa-p256-mtls", "tls13-x25519-rsa2048-mtls"}) {
      out.push_back({backend, scenario, EngineKind::hsbench, EngineKind::hsbench});
      out.push_back({backend, scenario, EngineKind::native, EngineKind::hsbench});
      out.push_back({backend, scenario, EngineKind::hsbench, EngineKind::native});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, OverTcp, ::testing::ValuesIn(cases()), case_name);

class Resumed : public ::testing::TestWithParam<Case> {};

TEST_P(Resumed, EveryOfferedResumptionIsAccepted) {
  const Case& c = GetParam();
  std::string error;
  auto backend = load_backend(c.backend, &error);
  ASSERT_NE(backend, nullptr) << error;
  const Scenario* s = find_scenario(c.scenario);
  ASSERT_NE(s, nullptr);
  auto pki = default_pki(s->cert);
  ServeThread server(*s, backend->backend(), *pki, c.server);
  // With a request: a BoringSSL server sends its TLS 1.3 tickets only once
  // it writes. The client reads them before closing either way.
  ConnectOptions o = short_run(server.address(), c.client);
  if (c.with_request) o.request = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
  const Result r = run_connect(*s, backend->backend(), *pki, o);
  const Result& served = server.stop();
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  ASSERT_TRUE(r.network.has_value());
  EXPECT_GT(r.handshakes, 0u);
  EXPECT_TRUE(r.network->errors.empty()) << r.network->errors.front().kind;
  EXPECT_GT(r.network->resumption_offered, 0u);
  EXPECT_EQ(r.network->resumption_accepted, r.network->resumption_offered);
  EXPECT_GE(served.network->resumption_accepted, r.network->resumption_accepted);
}

std::vector<Case> resumed_cases() {
  std::vector<Case> out;
  for (const char* backend : {"openssl", "boringssl"}) {
    for (const char* scenario :
         {"tls12-ecdhe-x25519-rsa2048-resume", "tls13-x25519-ecdsa-p256-resume",
          "tls13-x25519-ecdsa-p256-mtls-resume"}) {
      out.push_back({backend, scenario, EngineKind::hsbench, EngineKind::hsbench});
      out.push_back({backend, scenario, EngineKind::native, EngineKind::hsbench});
      out.push_back({backend, scenario, EngineKind::hsbench, EngineKind::native, true});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, Resumed, ::testing::ValuesIn(resumed_cases()), case_name);

class ConnectFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    backend_ = load_backend("openssl", &error);
    ASSERT_NE(backend_, nullptr) << error;
    scenario_ = find_scenario("tls13-x25519-ecdsa-p256");
    pki_ = default_pki("ecdsa-p256");
  }
  Backend& backend() { return backend_->backend(); }

  std::unique_ptr<LoadedBackend> backend_;
  const Scenario* scenario_ = nullptr;
  std::unique_ptr<Pki> pki_;
};

// A port where nothing listens: every connection refused, counted, and the
// run still ends on time with nothing completed.
TEST_F(ConnectFaults, ARefusedPortIsCountedAsRefused) {
  std::string address;
  {
    // Bound and released: free now, and nothing listens on it.
    ServeThread server(*scenario_, backend(), *pki_, EngineKind::hsbench);
    address = server.address();
  }
  const int fds_before = net::open_fd_count();
  const Result r =
      run_connect(*scenario_, backend(), *pki_, short_run(address, EngineKind::hsbench));
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_EQ(r.handshakes, 0u);
  ASSERT_FALSE(r.network->errors.empty());
  EXPECT_EQ(r.network->errors.front().kind, "refused");
  // Every connection that ended in the measured repetitions failed.
  EXPECT_GT(r.network->failed, 0u);
  EXPECT_EQ(r.network->failed, r.network->attempted);
  EXPECT_EQ(net::open_fd_count(), fds_before);
}

// A server whose chain is not under the client's root: rejected, as a
// certificate error, unless the chain is not checked, when the handshake
// completes (the signature is still checked) and the run says so.
TEST_F(ConnectFaults, AnUntrustedChainIsACertificateErrorUnlessNotVerified) {
  auto other = default_pki("rsa2048");  // another root
  ServeThread server(*scenario_, backend(), *pki_, EngineKind::hsbench);
  ConnectOptions o = short_run(server.address(), EngineKind::hsbench);
  const Result rejected = run_connect(*scenario_, backend(), *other, o);
  ASSERT_FALSE(rejected.skipped) << rejected.skip_reason;
  EXPECT_EQ(rejected.handshakes, 0u);
  ASSERT_FALSE(rejected.network->errors.empty());
  EXPECT_EQ(rejected.network->errors.front().kind, "certificate");

  o.verify_chain = false;
  const Result accepted = run_connect(*scenario_, backend(), *other, o);
  ASSERT_FALSE(accepted.skipped) << accepted.skip_reason;
  EXPECT_GT(accepted.handshakes, 0u);
  EXPECT_TRUE(accepted.network->errors.empty());
  EXPECT_FALSE(accepted.network->verify_chain);
  ASSERT_FALSE(accepted.network->warnings.empty());
  EXPECT_NE(accepted.network->warnings.back().find("not checked"), std::string::npos);
}

// A mutual TLS server against clients it must refuse, each counted as the
// server's alert: one with no certificate (the scenario without -mtls), and
// one whose chain is under another client root. TLS 1.2: the alert comes
// before the server's Finished, so nothing completes.
TEST_F(ConnectFaults, AMutualTlsServerRefusesClientsWithoutATrustedCertificate) {
  const Scenario* mtls = find_scenario("tls12-ecdhe-x25519-ecdsa-p256-mtls");
  const Scenario* plain = find_scenario("tls12-ecdhe-x25519-ecdsa-p256");
  ASSERT_NE(mtls, nullptr);
  ASSERT_NE(plain, nullptr);
  for (EngineKind engine : {EngineKind::hsbench, EngineKind::native}) {
    SCOPED_TRACE(std::string(name(engine)) + " server");
    ServeThread server(*mtls, backend(), *pki_, engine);
    ASSERT_FALSE(server.address().empty());
    const Result none =
        run_connect(*plain, backend(), *pki_, short_run(server.address(), EngineKind::hsbench));
    ASSERT_FALSE(none.skipped) << none.skip_reason;
    EXPECT_EQ(none.handshakes, 0u);
    ASSERT_FALSE(none.network->errors.empty());
    EXPECT_EQ(none.network->errors.front().kind, "alert");

    // A chain the server does not trust: the server's own, under the
    // server root (no client roots: the client does not check it first).
    Pki stranger = *pki_;
    stranger.client_chain = pki_->chain;
    stranger.client_key = pki_->key;
    stranger.client_roots.clear();
    const Result untrusted =
        run_connect(*mtls, backend(), stranger, short_run(server.address(), EngineKind::hsbench));
    ASSERT_FALSE(untrusted.skipped) << untrusted.skip_reason;
    EXPECT_EQ(untrusted.handshakes, 0u);
    ASSERT_FALSE(untrusted.network->errors.empty());
    EXPECT_EQ(untrusted.network->errors.front().kind, "alert");
    const Result& served = server.stop();
    EXPECT_EQ(served.handshakes, 0u);
  }
}

// A server that negotiates only TLS 1.2 against a TLS 1.3 client: the
// server's alert, counted with its description.
TEST_F(ConnectFaults, AServerThatRefusesTheVersionIsCountedAsItsAlert) {
  const Scenario* tls12 = find_scenario("tls12-ecdhe-x25519-ecdsa-p256");
  ServeThread server(*tls12, backend(), *pki_, EngineKind::hsbench);
  const Result r =
      run_connect(*scenario_, backend(), *pki_, short_run(server.address(), EngineKind::hsbench));
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_EQ(r.handshakes, 0u);
  ASSERT_FALSE(r.network->errors.empty());
  EXPECT_EQ(r.network->errors.front().kind, "alert");
  EXPECT_EQ(r.network->errors.front().detail, "protocol_version");
}

// Open loop: the handshakes started follow the rate, not the server's
// pace, and latency is kept from the intended start and from the actual
// one.
TEST_F(ConnectFaults, OpenLoopKeepsCorrectedAndUncorrectedLatency) {
  ServeThread server(*scenario_, backend(), *pki_, EngineKind::hsbench);
  ConnectOptions o = short_run(server.address(), EngineKind::hsbench);
  o.rate = 100;
  o.duration_s = 0.5;
  o.arrival = ArrivalModel::poisson;
  const Result r = run_connect(*scenario_, backend(), *pki_, o);
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  ASSERT_TRUE(r.network->corrected_us.has_value());
  ASSERT_TRUE(r.network->uncorrected_us.has_value());
  EXPECT_EQ(r.network->load_model, "open");
  // 100/s over two half-second repetitions: about 100 starts. A loaded
  // machine may start fewer (the backlog waits for a free slot), never
  // many more.
  EXPECT_GT(r.network->attempted, 0u);
  EXPECT_LE(r.network->attempted, 200u);
  // From the intended start is never less than from the actual one.
  EXPECT_GE(r.network->corrected_us->max, r.network->uncorrected_us->max);
}

}  // namespace
}  // namespace hsbench
