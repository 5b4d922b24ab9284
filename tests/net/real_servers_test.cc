// hsbench connect against real servers, and real clients against hsbench
// serve, all on 127.0.0.1 with the project PKI: nginx, openssl s_server and
// bssl-tool server, started by the tests at free ports and stopped after
// (servers.h); openssl s_client, bssl-tool client and curl against serve.
// Then misbehaving servers (fault servers): each fault counted by its kind,
// nothing hangs, no descriptor outlives a run.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hsbench/loader.h"
#include "hsbench/network.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "net/serve_thread.h"
#include "net/servers.h"
#include "net/socket.h"

namespace hsbench {
namespace {

using test::default_pki;

// The response of the servers these tests start.
constexpr char kResponse[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 16\r\nConnection: close\r\n\r\nhello from serve";

class ServeThread : public test::ServeThread {
 public:
  ServeThread(const Scenario& s, Backend& b, const Pki& pki, EngineKind engine)
      : test::ServeThread(s, b, pki, engine, kResponse) {}
};

using test::Fault;
using test::FaultServer;
using test::ServerProcess;
using test::TlsServerSpec;

constexpr char kRequest[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

ConnectOptions short_run(const std::string& target, EngineKind engine) {
  ConnectOptions o;
  o.target = target;
  o.server_name = "localhost";
  o.engine = engine;
  o.connections = 2;
  o.warmup_s = 0.05;
  o.duration_s = 0.2;
  o.repetitions = 2;
  o.timeout_s = 5;
  o.request = kRequest;
  return o;
}

// The backends, loaded once for every test.
class Backends {
 public:
  static Backend& get(const std::string& name) {
    static Backends* all = new Backends;
    for (auto& b : all->loaded_) {
      if (b->backend().name() == name) return b->backend();
    }
    std::string error;
    all->loaded_.push_back(load_backend(name, &error));
    EXPECT_NE(all->loaded_.back(), nullptr) << error;
    return all->loaded_.back()->backend();
  }

 private:
  std::vector<std::unique_ptr<LoadedBackend>> loaded_;
};

struct ServerCase {
  std::string tool;
  std::string scenario;  // what the clients offer; its -resume twin too
};

class RealServer : public ::testing::TestWithParam<ServerCase> {};

// Every client (the engine and each library's own, on each real backend)
// completes full and resumed handshakes, and gets the response.
TEST_P(RealServer, EveryClientCompletesFullAndResumedHandshakes) {
  const ServerCase& c = GetParam();
  const Scenario* full = find_scenario(c.scenario);
  const Scenario* resumed = find_scenario(c.scenario + "-resume");
  ASSERT_NE(full, nullptr);
  ASSERT_NE(resumed, nullptr);
  TlsServerSpec spec;
  spec.tool = c.tool;
  spec.pki_kind = full->cert;
  spec.tls = std::string(name(full->version));
  spec.rsa_key_transport = full->kx == KxMode::rsa;
  std::string error;
  auto server = ServerProcess::start(spec, &error);
  ASSERT_NE(server, nullptr) << error;
  auto pki = default_pki(full->cert);
  const int fds_before = net::open_fd_count();

  for (const char* backend : {"openssl", "boringssl"}) {
    for (EngineKind engine : {EngineKind::hsbench, EngineKind::native}) {
      for (const Scenario* s : {full, resumed}) {
        SCOPED_TRACE(std::string(backend) + " " + std::string(name(engine)) + " " + s->id);
        const Result r =
            run_connect(*s, Backends::get(backend), *pki, short_run(server->address(), engine));
        ASSERT_FALSE(r.skipped) << r.skip_reason;
        ASSERT_TRUE(r.network.has_value());
        EXPECT_GT(r.handshakes, 0u) << server->log();
        EXPECT_TRUE(r.network->errors.empty())
            << r.network->errors.front().kind << ": " << r.network->errors.front().detail;
        ASSERT_TRUE(r.network->negotiated.has_value());
        EXPECT_EQ(r.network->negotiated->version, spec.tls);
        EXPECT_EQ(r.network->negotiated->cipher, std::string(cipher_suite_info(s->suite)->name));
        // The first response byte came for every handshake.
        bool first_byte = false;
        for (const NetworkPhase& p : r.network->phases) {
          if (p.name == "first_byte") {
            first_byte = true;
            EXPECT_EQ(p.count, r.handshakes);
          }
        }
        EXPECT_TRUE(first_byte);
        if (s->resumption) {
          EXPECT_GT(r.network->resumption_offered, 0u);
          EXPECT_EQ(r.network->resumption_accepted, r.network->resumption_offered);
        } else {
          EXPECT_EQ(r.network->resumption_offered, 0u);
        }
      }
    }
  }
  EXPECT_EQ(net::open_fd_count(), fds_before);
  if (c.tool == "nginx") {
    EXPECT_GT(server->handshakes_logged(), 0u);
  }
}

std::vector<ServerCase> server_cases() {
  std::vector<ServerCase> out;
  for (const char* tool : {"nginx", "openssl", "bssl"}) {
    for (const char* scenario :
         {"tls12-rsa-rsa2048", "tls12-ecdhe-x25519-ecdsa-p256", "tls13-x25519-ecdsa-p256"}) {
      out.push_back({tool, scenario});
    }
  }
  return out;
}

std::string server_case_name(const ::testing::TestParamInfo<ServerCase>& info) {
  std::string s = info.param.tool + "_" + info.param.scenario;
  for (char& ch : s) {
    if (ch == '-') ch = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(All, RealServer, ::testing::ValuesIn(server_cases()), server_case_name);

class RealServerMtls : public ::testing::TestWithParam<ServerCase> {};

// A real server that requires a client certificate: every client presents
// the PKI's client chain and completes, full and (TLS 1.3) resumed; nginx
// logs the chain as verified. The scenario without -mtls, no certificate,
// is refused (nginx: an HTTP 400 and the client logged as not verified).
TEST_P(RealServerMtls, EveryClientPresentsItsCertificateAndCompletes) {
  const ServerCase& c = GetParam();
  const Scenario* mtls = find_scenario(c.scenario);
  ASSERT_NE(mtls, nullptr);
  std::vector<const Scenario*> scenarios = {mtls};
  if (const Scenario* resumed = find_scenario(c.scenario + "-resume")) {
    scenarios.push_back(resumed);
  }
  const Scenario* plain = find_scenario(c.scenario.substr(0, c.scenario.size() - 5));
  ASSERT_NE(plain, nullptr);
  TlsServerSpec spec;
  spec.tool = c.tool;
  spec.pki_kind = mtls->cert;
  spec.tls = std::string(name(mtls->version));
  spec.client_auth = true;
  std::string error;
  auto server = ServerProcess::start(spec, &error);
  ASSERT_NE(server, nullptr) << error;
  auto pki = default_pki(mtls->cert);
  ASSERT_TRUE(pki->has_client());

  for (const char* backend : {"openssl", "boringssl"}) {
    for (EngineKind engine : {EngineKind::hsbench, EngineKind::native}) {
      for (const Scenario* s : scenarios) {
        SCOPED_TRACE(std::string(backend) + " " + std::string(name(engine)) + " " + s->id);
        const Result r =
            run_connect(*s, Backends::get(backend), *pki, short_run(server->address(), engine));
        ASSERT_FALSE(r.skipped) << r.skip_reason;
        EXPECT_GT(r.handshakes, 0u) << server->log();
        EXPECT_TRUE(r.network->errors.empty())
            << r.network->errors.front().kind << ": " << r.network->errors.front().detail;
        if (s->resumption) {
          EXPECT_GT(r.network->resumption_offered, 0u);
          EXPECT_EQ(r.network->resumption_accepted, r.network->resumption_offered);
        }
      }
    }
  }
  if (c.tool == "nginx") {
    // Every request so far came with a verified certificate.
    EXPECT_GT(server->client_verify_logged("SUCCESS"), 0u);
    EXPECT_EQ(server->client_verify_logged("NONE"), 0u);
    EXPECT_EQ(server->client_verify_logged("FAILED"), 0u);
  }
  // No certificate: refused, counted, never a response. nginx ends the
  // handshake and answers 400 instead ("No required SSL certificate was
  // sent"), and logs the client as not verified, once the request is done
  // (a bounded wait: its log may lag the response).
  const Result none = run_connect(*plain, Backends::get("openssl"), *pki,
                                  short_run(server->address(), EngineKind::hsbench));
  ASSERT_FALSE(none.skipped) << none.skip_reason;
  if (c.tool == "nginx") {
    for (int i = 0; i < 100 && server->client_verify_logged("NONE") == 0; i++) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_GT(server->client_verify_logged("NONE"), 0u);
    EXPECT_EQ(server->client_verify_logged("FAILED"), 0u);
    return;
  }
  EXPECT_FALSE(none.network->errors.empty());
  for (const NetworkPhase& p : none.network->phases) {
    if (p.name == "first_byte") {
      EXPECT_EQ(p.count, 0u);
    }
  }
}

std::vector<ServerCase> mtls_server_cases() {
  std::vector<ServerCase> out;
  for (const char* tool : {"nginx", "openssl", "bssl"}) {
    for (const char* scenario : {"tls12-ecdhe-x25519-ecdsa-p256-mtls",
                                 "tls13-x25519-ecdsa-p256-mtls", "tls13-x25519-rsa2048-mtls"}) {
      out.push_back({tool, scenario});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, RealServerMtls, ::testing::ValuesIn(mtls_server_cases()),
                         server_case_name);

// TLS 1.2 resumption by session id alone (no tickets): the libraries' own
// clients resume; the engine resumes from tickets only, so it offers none.
TEST(RealServerSessionId, TheLibrariesResumeBySessionIdTheEngineOffersNone) {
  const Scenario* s = find_scenario("tls12-ecdhe-x25519-ecdsa-p256-resume");
  ASSERT_NE(s, nullptr);
  TlsServerSpec spec;
  spec.tool = "nginx";
  spec.tls = "1.2";
  spec.tickets = false;
  spec.session_cache = true;
  std::string error;
  auto server = ServerProcess::start(spec, &error);
  ASSERT_NE(server, nullptr) << error;
  auto pki = default_pki(s->cert);
  for (const char* backend : {"openssl", "boringssl"}) {
    SCOPED_TRACE(backend);
    const Result native = run_connect(*s, Backends::get(backend), *pki,
                                      short_run(server->address(), EngineKind::native));
    ASSERT_FALSE(native.skipped) << native.skip_reason;
    EXPECT_GT(native.network->resumption_offered, 0u);
    EXPECT_EQ(native.network->resumption_accepted, native.network->resumption_offered);
    const Result engine = run_connect(*s, Backends::get(backend), *pki,
                                      short_run(server->address(), EngineKind::hsbench));
    ASSERT_FALSE(engine.skipped) << engine.skip_reason;
    EXPECT_GT(engine.handshakes, 0u);
    EXPECT_EQ(engine.network->resumption_offered, 0u);
  }
}

struct ServeCase {
  std::string backend;
  EngineKind engine;
  std::string scenario;
};

class RealClients : public ::testing::TestWithParam<ServeCase> {};

// The scenario's suite as OpenSSL and curl name it. The clients offer only
// it: a BoringSSL server cannot be told its TLS 1.3 suites, and takes the
// client's first, which OpenSSL's clients make AES-256.
std::string suite_name(const Scenario& s, bool tls13) {
  if (tls13) return std::string(cipher_suite_info(s.suite)->name);
  return s.kx == KxMode::rsa ? "AES128-GCM-SHA256" : "ECDHE-ECDSA-AES128-GCM-SHA256";
}

// openssl s_client, bssl-tool client and curl complete a handshake with
// hsbench serve and read its response.
TEST_P(RealClients, CompleteAndReadTheResponse) {
  const ServeCase& c = GetParam();
  const Scenario* s = find_scenario(c.scenario);
  ASSERT_NE(s, nullptr);
  auto pki = default_pki(s->cert);
  ServeThread server(*s, Backends::get(c.backend), *pki, c.engine);
  ASSERT_FALSE(server.address().empty());
  const std::string root = test::pki_file(s->cert, "root.pem");
  const bool tls13 = s->version == TlsVersion::tls13;

  const test::CommandResult openssl = test::run_command(
      {test::find_tool("openssl"), "s_client", "-connect", server.address(), "-servername",
       "localhost", "-CAfile", root, "-verify_return_error", "-quiet",
       tls13 ? "-tls1_3" : "-tls1_2", tls13 ? "-ciphersuites" : "-cipher", suite_name(*s, tls13)},
      kRequest, 10000);
  EXPECT_EQ(openssl.exit_code, 0) << openssl.output;
  EXPECT_NE(openssl.output.find("hello from serve"), std::string::npos) << openssl.output;

  const test::CommandResult bssl =
      test::run_command({test::find_tool("bssl-tool"), "client", "-connect", server.address(),
                         "-server-name", "localhost", "-root-certs", root, "-min-version",
                         tls13 ? "tls1.3" : "tls1.2", "-max-version", tls13 ? "tls1.3" : "tls1.2"},
                        kRequest, 10000);
  EXPECT_NE(bssl.output.find("hello from serve"), std::string::npos) << bssl.output;

  const test::CommandResult curl = test::run_command(
      {test::find_tool("curl"), "-sS", "--cacert", root, "--resolve",
       "localhost:" + server.port() + ":127.0.0.1", tls13 ? "--tlsv1.3" : "--tlsv1.2", "--tls-max",
       tls13 ? "1.3" : "1.2", tls13 ? "--tls13-ciphers" : "--ciphers", suite_name(*s, tls13),
       "https://localhost:" + server.port() + "/"},
      "", 10000);
  EXPECT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("hello from serve"), std::string::npos) << curl.output;

  const Result& served = server.stop();
  ASSERT_FALSE(served.skipped) << served.skip_reason;
  for (const NetworkError& e : served.network->errors) {
    ADD_FAILURE() << "the server counted " << e.count << " " << e.kind << ": " << e.detail;
  }
  EXPECT_GE(served.handshakes, 3u);
  EXPECT_GE(served.network->requests, 3u);
}

std::vector<ServeCase> serve_cases() {
  std::vector<ServeCase> out;
  for (const char* backend : {"openssl", "boringssl"}) {
    for (EngineKind engine : {EngineKind::hsbench, EngineKind::native}) {
      for (const char* scenario : {"tls12-ecdhe-x25519-ecdsa-p256", "tls13-x25519-ecdsa-p256"}) {
        out.push_back({backend, engine, scenario});
      }
    }
    out.push_back({backend, EngineKind::hsbench, "tls12-rsa-rsa2048"});
  }
  return out;
}

std::string serve_case_name(const ::testing::TestParamInfo<ServeCase>& info) {
  std::string s =
      info.param.backend + "_" + std::string(name(info.param.engine)) + "_" + info.param.scenario;
  for (char& ch : s) {
    if (ch == '-') ch = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(All, RealClients, ::testing::ValuesIn(serve_cases()), serve_case_name);

class RealClientsMtls : public ::testing::TestWithParam<ServeCase> {};

// hsbench serve requiring a client certificate: openssl s_client,
// bssl-tool client and curl with the PKI's client chain complete and read
// the response; s_client without one is refused and reads nothing.
TEST_P(RealClientsMtls, WithTheClientChainCompleteWithoutItAreRefused) {
  const ServeCase& c = GetParam();
  const Scenario* s = find_scenario(c.scenario);
  ASSERT_NE(s, nullptr);
  auto pki = default_pki(s->cert);
  ServeThread server(*s, Backends::get(c.backend), *pki, c.engine);
  ASSERT_FALSE(server.address().empty());
  const std::string root = test::pki_file(s->cert, "root.pem");
  const std::string chain = test::pki_file(s->cert, "client/chain.pem");
  const std::string key = test::pki_file(s->cert, "client/key.pem");
  const bool tls13 = s->version == TlsVersion::tls13;
  const std::vector<std::string> openssl_client = {test::find_tool("openssl"),
                                                   "s_client",
                                                   "-connect",
                                                   server.address(),
                                                   "-servername",
                                                   "localhost",
                                                   "-CAfile",
                                                   root,
                                                   "-verify_return_error",
                                                   "-quiet",
                                                   tls13 ? "-tls1_3" : "-tls1_2",
                                                   tls13 ? "-ciphersuites" : "-cipher",
                                                   suite_name(*s, tls13)};

  std::vector<std::string> with_cert = openssl_client;
  with_cert.insert(with_cert.end(),
                   {"-cert", test::pki_file(s->cert, "client/leaf.pem"), "-cert_chain",
                    test::pki_file(s->cert, "client/intermediate.pem"), "-key", key});
  const test::CommandResult openssl = test::run_command(with_cert, kRequest, 10000);
  EXPECT_EQ(openssl.exit_code, 0) << openssl.output;
  EXPECT_NE(openssl.output.find("hello from serve"), std::string::npos) << openssl.output;

  const test::CommandResult bssl = test::run_command(
      {test::find_tool("bssl-tool"), "client", "-connect", server.address(), "-server-name",
       "localhost", "-root-certs", root, "-cert", chain, "-key", key, "-min-version",
       tls13 ? "tls1.3" : "tls1.2", "-max-version", tls13 ? "tls1.3" : "tls1.2"},
      kRequest, 10000);
  EXPECT_NE(bssl.output.find("hello from serve"), std::string::npos) << bssl.output;

  const test::CommandResult curl = test::run_command(
      {test::find_tool("curl"), "-sS", "--cacert", root, "--cert", chain, "--key", key, "--resolve",
       "localhost:" + server.port() + ":127.0.0.1", tls13 ? "--tlsv1.3" : "--tlsv1.2", "--tls-max",
       tls13 ? "1.3" : "1.2", tls13 ? "--tls13-ciphers" : "--ciphers", suite_name(*s, tls13),
       "https://localhost:" + server.port() + "/"},
      "", 10000);
  EXPECT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_NE(curl.output.find("hello from serve"), std::string::npos) << curl.output;

  const test::CommandResult refused = test::run_command(openssl_client, kRequest, 10000);
  EXPECT_EQ(refused.output.find("hello from serve"), std::string::npos) << refused.output;

  const Result& served = server.stop();
  ASSERT_FALSE(served.skipped) << served.skip_reason;
  EXPECT_GE(served.handshakes, 3u);
  EXPECT_GE(served.network->requests, 3u);
  // The refused client is counted.
  uint64_t errors = 0;
  for (const NetworkError& e : served.network->errors) errors += e.count;
  EXPECT_GE(errors, 1u);
}

std::vector<ServeCase> mtls_serve_cases() {
  std::vector<ServeCase> out;
  for (const char* backend : {"openssl", "boringssl"}) {
    for (EngineKind engine : {EngineKind::hsbench, EngineKind::native}) {
      for (const char* scenario :
           {"tls12-ecdhe-x25519-ecdsa-p256-mtls", "tls13-x25519-ecdsa-p256-mtls"}) {
        out.push_back({backend, engine, scenario});
      }
    }
    out.push_back({backend, EngineKind::hsbench, "tls13-x25519-rsa2048-mtls"});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, RealClientsMtls, ::testing::ValuesIn(mtls_serve_cases()),
                         serve_case_name);

struct FaultCase {
  Fault fault;
  std::string kind;    // the error kind every connection must end in
  std::string detail;  // and its detail, when it is fixed
};

class Faults : public ::testing::TestWithParam<FaultCase> {};

// Each misbehaving server: every connection counted by its kind, nothing
// completed, the run ends on time, and no descriptor is left open.
TEST_P(Faults, AreCountedByKind) {
  const FaultCase& c = GetParam();
  const Scenario* s = find_scenario("tls13-x25519-ecdsa-p256");
  auto pki = default_pki(s->cert);
  // Counted before the fault server starts and after it stops: it runs in
  // this process, and may not yet have closed its end of the last
  // connection when the run returns.
  const int fds_before = net::open_fd_count();
  std::string error;
  auto fault = FaultServer::start(c.fault, &error);
  ASSERT_NE(fault, nullptr) << error;
  ConnectOptions o = short_run(fault->address(), EngineKind::hsbench);
  // The silent server: each connection times out, soon. The others answer
  // at once, but a loaded machine may be slow to: a long timeout, so that
  // none of them is counted as one.
  o.timeout_s = c.fault == Fault::silent ? 0.1 : 10;
  o.duration_s = 0.3;
  const Result r = run_connect(*s, Backends::get("openssl"), *pki, o);
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_EQ(r.handshakes, 0u);
  ASSERT_FALSE(r.network->errors.empty());
  for (const NetworkError& e : r.network->errors) {
    EXPECT_EQ(e.kind, c.kind) << e.detail;
    if (!c.detail.empty()) {
      EXPECT_EQ(e.detail, c.detail);
    }
  }
  EXPECT_GT(r.network->failed, 0u);
  EXPECT_GT(fault->accepted(), 0u);
  fault.reset();
  EXPECT_EQ(net::open_fd_count(), fds_before);
}

std::string fault_name(const ::testing::TestParamInfo<FaultCase>& info) {
  return info.param.kind + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(
    All, Faults,
    ::testing::Values(FaultCase{Fault::silent, "timeout", "handshake"},
                      FaultCase{Fault::close_after_hello, "closed", "handshake"},
                      FaultCase{Fault::reset_after_hello, "reset", "handshake"},
                      FaultCase{Fault::garbage, "protocol", ""},
                      FaultCase{Fault::alert, "alert", "handshake_failure"}),
    fault_name);

// A slow server (a proxy that delays every chunk) is slow, not broken:
// handshakes complete, each taking at least the delay of its round trips.
TEST(SlowServer, HandshakesCompleteLate) {
  TlsServerSpec spec;
  spec.tool = "openssl";
  std::string error;
  auto server = ServerProcess::start(spec, &error);
  ASSERT_NE(server, nullptr) << error;
  constexpr int kDelayMs = 20;
  auto slow = FaultServer::start(Fault::slow, &error, server->address(), kDelayMs);
  ASSERT_NE(slow, nullptr) << error;
  const Scenario* s = find_scenario("tls13-x25519-ecdsa-p256");
  auto pki = default_pki(s->cert);
  ConnectOptions o = short_run(slow->address(), EngineKind::hsbench);
  o.duration_s = 0.5;
  const Result r = run_connect(*s, Backends::get("openssl"), *pki, o);
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_GT(r.handshakes, 0u);
  EXPECT_TRUE(r.network->errors.empty());
  // One round trip through the proxy, each way delayed: a lower bound,
  // which no load can break.
  ASSERT_TRUE(r.latency_us.has_value());
  EXPECT_GE(r.latency_us->p50, 2 * kDelayMs * 1000.0);
}

}  // namespace
}  // namespace hsbench
