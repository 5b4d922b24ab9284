// The network-mode test servers (net/servers.h) against clients that are
// not hsbench: each real server completes a handshake at exactly the version
// and key exchange asked for and answers an HTTP GET (openssl s_client,
// curl); TLS session resumption works as configured; each fault server does
// what its fault says to a raw socket client; and every test leaves no child
// process and no descriptor behind. Waits are bounded and generous; nothing
// is timed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "cli_util.h"
#include "net/servers.h"

namespace hsbench::test {
namespace {

constexpr int kClientTimeoutMs = 20000;
constexpr int kWaitMs = 10000;
const char kRequest[] = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

bool eventually(const std::function<bool()>& done, int timeout_ms = kWaitMs) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    poll(nullptr, 0, 10);
  }
  return true;
}

std::string join(const std::vector<pid_t>& pids) {
  std::string s;
  for (pid_t p : pids) s += std::to_string(p) + " ";
  return s;
}

// Every test: no child process and no descriptor outlives it.
class Net : public ::testing::Test {
 protected:
  void SetUp() override { fds_ = open_fd_count(); }
  void TearDown() override {
    EXPECT_TRUE(child_pids_of(getpid()).empty())
        << "children left: " << join(child_pids_of(getpid()));
    EXPECT_EQ(open_fd_count(), fds_);
  }
  int fds_ = 0;
};

// What s_client reports of one connection.
struct Handshake {
  bool verified = false;  // chain and hostname verified against the root
  std::string kind;       // "New" or "Reused"
  std::string version;    // "TLSv1.2", "TLSv1.3"
  std::string cipher;     // OpenSSL's name
  bool http_200 = false;  // the response to kRequest
  CommandResult run;
};

// What a client must allow for in a server tool.
struct Quirks {
  // bssl-tool's -www closes without a close_notify alert, which OpenSSL 3
  // takes for a truncation attack (an "unexpected eof" error, exit 1).
  bool no_close_notify = false;
};

Quirks quirks_of(const std::string& tool) { return {.no_close_notify = tool == "bssl"}; }

// One s_client connection limited to `tls`, verifying the server as
// localhost against pki/KIND/root.pem, sending kRequest and reading the
// answer until the server closes.
Handshake s_client(const std::string& address, const std::string& pki_kind, const std::string& tls,
                   Quirks quirks, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"openssl",
                                   "s_client",
                                   "-connect",
                                   address,
                                   "-servername",
                                   "localhost",
                                   "-verify_hostname",
                                   "localhost",
                                   "-verify_return_error",
                                   "-CAfile",
                                   pki_file(pki_kind, "root.pem"),
                                   tls == "1.2" ? "-tls1_2" : "-tls1_3",
                                   "-ign_eof"};
  if (quirks.no_close_notify) argv.push_back("-ignore_unexpected_eof");
  argv.insert(argv.end(), extra.begin(), extra.end());
  Handshake h;
  h.run = run_command(argv, kRequest, kClientTimeoutMs);
  std::smatch m;
  static const std::regex session("(New|Reused), (TLSv1\\.[0-3]), Cipher is (\\S+)");
  if (std::regex_search(h.run.output, m, session)) {
    h.kind = m[1];
    h.version = m[2];
    h.cipher = m[3];
  }
  h.verified = h.run.output.find("Verify return code: 0 (ok)") != std::string::npos;
  h.http_200 = std::regex_search(h.run.output, std::regex("HTTP/1\\.[01] 200"));
  return h;
}

// curl's view: the HTTP status of GET https://localhost:PORT/ at exactly
// `tls`, the server verified against pki/KIND/root.pem.
CommandResult curl_get(uint16_t port, const std::string& pki_kind, const std::string& tls) {
  std::string p = std::to_string(port);
  return run_command({"curl", "-sS", "--max-time", "15", "--cacert", pki_file(pki_kind, "root.pem"),
                      "--resolve", "localhost:" + p + ":127.0.0.1", "--tlsv" + tls, "--tls-max",
                      tls, "-o", "/dev/null", "-w", "%{http_code}", "https://localhost:" + p + "/"},
                     "", kClientTimeoutMs);
}

std::unique_ptr<ServerProcess> start_or_fail(const TlsServerSpec& spec) {
  std::string error;
  auto server = ServerProcess::start(spec, &error);
  EXPECT_NE(server, nullptr) << spec.tool << ": " << error;
  return server;
}

// ---------------------------------------------------------------------------
// Handshakes: each tool at TLS 1.2 ECDHE, TLS 1.2 RSA key transport, TLS 1.3.

struct Mode {
  const char* name;
  const char* pki_kind;
  const char* tls;
  bool rsa_key_transport;
};
constexpr Mode kModes[] = {{"tls12_ecdhe", "ecdsa-p256", "1.2", false},
                           {"tls12_rsa", "rsa2048", "1.2", true},
                           {"tls13", "ecdsa-p256", "1.3", false}};

void PrintTo(const Mode& m, std::ostream* os) { *os << m.name; }

class Handshakes : public Net,
                   public ::testing::WithParamInterface<std::tuple<const char*, Mode>> {};

TEST_P(Handshakes, VersionKeyExchangeAndResponseAreTheOnesAskedFor) {
  auto [tool, mode] = GetParam();
  TlsServerSpec spec{.tool = tool,
                     .pki_kind = mode.pki_kind,
                     .tls = mode.tls,
                     .rsa_key_transport = mode.rsa_key_transport};
  auto server = start_or_fail(spec);
  ASSERT_NE(server, nullptr);
  std::string bound = server->listening_address();
  if (spec.tool == "bssl")  // it takes a port only
    EXPECT_TRUE(bound == "[::]:" + std::to_string(server->port()) ||
                bound == "0.0.0.0:" + std::to_string(server->port()))
        << bound;
  else
    EXPECT_EQ(bound, server->address());

  Handshake h = s_client(server->address(), mode.pki_kind, mode.tls, quirks_of(spec.tool));
  ASSERT_EQ(h.run.exit_code, 0) << h.run.output << server->log();
  EXPECT_TRUE(h.verified) << h.run.output;
  EXPECT_EQ(h.kind, "New");
  EXPECT_EQ(h.version, std::string("TLSv") + mode.tls);
  if (spec.tls == "1.3")
    EXPECT_EQ(h.cipher.rfind("TLS_", 0), 0u) << h.cipher;
  else if (spec.rsa_key_transport)  // no key exchange in the name: RSA
    EXPECT_EQ(h.cipher.rfind("AES", 0), 0u) << h.cipher;
  else
    EXPECT_EQ(h.cipher.rfind("ECDHE-", 0), 0u) << h.cipher;
  EXPECT_TRUE(h.http_200) << h.run.output;

  CommandResult curl = curl_get(server->port(), mode.pki_kind, mode.tls);
  EXPECT_EQ(curl.exit_code, 0) << curl.output;
  EXPECT_EQ(curl.output, "200");

  if (spec.tool == "nginx") {
    EXPECT_TRUE(eventually([&] { return server->handshakes_logged() == 2; }))
        << server->handshakes_logged();
  } else {
    EXPECT_EQ(server->handshakes_logged(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Tools, Handshakes,
                         ::testing::Combine(::testing::Values("openssl", "bssl", "nginx"),
                                            ::testing::ValuesIn(kModes)),
                         [](const auto& param_info) {
                           return std::string(std::get<0>(param_info.param)) + "_" +
                                  std::get<1>(param_info.param).name;
                         });

// ---------------------------------------------------------------------------
// Resumption: a session saved by one s_client is offered by the next.

struct Resumption {
  const char* name;
  const char* tool;
  const char* tls;
  bool tickets;
  bool session_cache;
  bool expect_reused;
};
constexpr Resumption kResumptions[] = {
    {"openssl_tls12_tickets_and_cache", "openssl", "1.2", true, true, true},
    {"openssl_tls12_tickets_only", "openssl", "1.2", true, false, true},
    {"openssl_tls12_session_id_only", "openssl", "1.2", false, true, true},
    {"openssl_tls12_none", "openssl", "1.2", false, false, false},
    {"openssl_tls13_tickets", "openssl", "1.3", true, false, true},
    {"openssl_tls13_stateful", "openssl", "1.3", false, true, true},
    {"openssl_tls13_none", "openssl", "1.3", false, false, false},
    {"bssl_tls12", "bssl", "1.2", true, true, true},
    {"bssl_tls13", "bssl", "1.3", true, true, true},
    {"nginx_tls12_tickets_and_cache", "nginx", "1.2", true, true, true},
    {"nginx_tls12_tickets_only", "nginx", "1.2", true, false, true},
    {"nginx_tls12_session_id_only", "nginx", "1.2", false, true, true},
    {"nginx_tls12_none", "nginx", "1.2", false, false, false},
    {"nginx_tls13_tickets", "nginx", "1.3", true, false, true},
    {"nginx_tls13_stateful", "nginx", "1.3", false, true, true},
    {"nginx_tls13_none", "nginx", "1.3", false, false, false},
};

void PrintTo(const Resumption& r, std::ostream* os) { *os << r.name; }

class Resumes : public Net, public ::testing::WithParamInterface<Resumption> {};

TEST_P(Resumes, SecondConnectionReusesTheFirstSessionWhenConfigured) {
  const Resumption& r = GetParam();
  TlsServerSpec spec{
      .tool = r.tool, .tls = r.tls, .tickets = r.tickets, .session_cache = r.session_cache};
  auto server = start_or_fail(spec);
  ASSERT_NE(server, nullptr);
  TempDir dir("net-session");
  ASSERT_TRUE(dir.ok());
  std::string session = dir.file("session.pem");
  Quirks quirks = quirks_of(spec.tool);
  Handshake first =
      s_client(server->address(), spec.pki_kind, r.tls, quirks, {"-sess_out", session});
  ASSERT_EQ(first.run.exit_code, 0) << first.run.output << server->log();
  EXPECT_EQ(first.kind, "New");
  // In TLS 1.2 s_client saves only a resumable session: none when the
  // server neither cached it nor sent a ticket. (In TLS 1.3 it saves one
  // either way.)
  std::vector<std::string> offer;
  if (std::filesystem::exists(session)) offer = {"-sess_in", session};
  if (std::string(r.tls) == "1.2") {
    EXPECT_EQ(!offer.empty(), r.expect_reused);
  }
  Handshake second = s_client(server->address(), spec.pki_kind, r.tls, quirks, offer);
  ASSERT_EQ(second.run.exit_code, 0) << second.run.output << server->log();
  EXPECT_EQ(second.kind, r.expect_reused ? "Reused" : "New") << second.run.output;
  EXPECT_EQ(second.version, std::string("TLSv") + r.tls);
  EXPECT_TRUE(second.http_200) << second.run.output;
  if (spec.tool == "nginx") {
    EXPECT_TRUE(eventually([&] { return server->handshakes_logged() == 2; }));
    EXPECT_EQ(server->resumed_logged(), r.expect_reused ? 1u : 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Tools, Resumes, ::testing::ValuesIn(kResumptions),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// ---------------------------------------------------------------------------
// Starting and stopping.

TEST_F(Net, NginxWorkersAreItsChildrenAndGoWithIt) {
  auto server = start_or_fail({.tool = "nginx", .workers = 3});
  ASSERT_NE(server, nullptr);
  std::vector<pid_t> workers = server->worker_pids();
  EXPECT_EQ(workers.size(), 3u) << server->log();
  for (int i = 0; i < 3; ++i) {
    CommandResult curl = curl_get(server->port(), "ecdsa-p256", "1.3");
    EXPECT_EQ(curl.output, "200") << curl.output;
  }
  EXPECT_TRUE(eventually([&] { return server->handshakes_logged() == 3; }));
  pid_t master = server->pid();
  server.reset();
  EXPECT_FALSE(process_alive(master));
  for (pid_t w : workers) EXPECT_FALSE(process_alive(w)) << w;
}

TEST_F(Net, EachToolsServerStopsAndLeavesNothing) {
  for (const char* tool : {"openssl", "bssl", "nginx"}) {
    auto server = start_or_fail({.tool = tool});
    ASSERT_NE(server, nullptr);
    EXPECT_EQ(server->worker_pids().size(), 1u);
    EXPECT_FALSE(server->log().empty() && std::string(tool) == "nginx");
    pid_t pid = server->pid();
    std::string dir = server->temp_dir();
    EXPECT_TRUE(std::filesystem::is_directory(dir));
    std::vector<pid_t> children = child_pids_of(getpid());
    EXPECT_EQ(children.size(), 2u) << "the server and its guard: " << join(children);
    EXPECT_NE(std::find(children.begin(), children.end(), pid), children.end());
    server.reset();
    EXPECT_FALSE(process_alive(pid)) << tool;
    EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  }
}

// A test process that dies without stopping its server (a crash, a test
// runner's timeout) takes the server with it, nginx's workers included.
TEST_F(Net, AServerDiesWithItsTestProcess) {
  // Orphans come to this process instead of init, to be reaped here.
  ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int report[2];
  ASSERT_EQ(pipe2(report, O_CLOEXEC), 0);
  pid_t test = fork();
  ASSERT_GE(test, 0);
  if (test == 0) {
    std::string error;
    auto server = ServerProcess::start({.tool = "nginx", .workers = 2}, &error);
    std::vector<pid_t> pids;
    if (server) {
      pids = server->worker_pids();
      pids.push_back(server->pid());
    }
    std::string dir = server ? server->temp_dir() : "";
    bool sent = write(report[1], pids.data(), pids.size() * sizeof(pid_t)) > 0 &&
                write(report[1], dir.data(), dir.size()) > 0;
    _exit(sent ? 0 : 1);  // no destructor runs
  }
  close(report[1]);
  std::vector<pid_t> pids(3);
  ssize_t n = read(report[0], pids.data(), pids.size() * sizeof(pid_t));
  char dir[4096] = {};
  ssize_t dir_size = read(report[0], dir, sizeof dir - 1);
  close(report[0]);
  EXPECT_GT(dir_size, 0);
  int status = 0;
  waitpid(test, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  pids.resize(static_cast<size_t>(n) / sizeof(pid_t));
  EXPECT_EQ(pids.size(), 3u);
  for (pid_t p : pids) EXPECT_TRUE(eventually([&] { return !process_alive(p); })) << p;
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(dir); })) << dir;
  EXPECT_TRUE(eventually([&] {
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return child_pids_of(getpid()).empty();
  }));
  prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST_F(Net, TwoServersOfOneToolGetTwoPorts) {
  auto a = start_or_fail({.tool = "openssl"});
  auto b = start_or_fail({.tool = "openssl"});
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->port(), b->port());
  EXPECT_EQ(s_client(b->address(), "ecdsa-p256", "1.3", {}).kind, "New");
}

TEST_F(Net, SpecsAToolCannotServeAreRefusedWithOneLine) {
  struct Bad {
    TlsServerSpec spec;
    const char* says;
  };
  const Bad bad[] = {
      {{.tool = "apache"}, "unknown server tool"},
      {{.tool = "openssl", .tls = "1.1"}, "unknown TLS version"},
      {{.tool = "openssl", .pki_kind = "dsa1024"}, "no key for pki kind"},
      {{.tool = "openssl", .pki_kind = "rsa2048", .rsa_key_transport = true}, "up to TLS 1.2"},
      {{.tool = "nginx", .tls = "1.2", .rsa_key_transport = true}, "needs an RSA key"},
      {{.tool = "bssl", .tickets = false}, "cannot turn session tickets"},
      {{.tool = "openssl", .workers = 2}, "workers must be 1"},
  };
  for (const Bad& b : bad) {
    std::string error;
    EXPECT_EQ(ServerProcess::start(b.spec, &error), nullptr) << b.says;
    EXPECT_NE(error.find(b.says), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

TEST_F(Net, HelpersSeeTheProcessAndItsDescriptors) {
  EXPECT_TRUE(find_tool("openssl").starts_with("/")) << "openssl is a test dependency";
  EXPECT_EQ(find_tool("hsbench-no-such-tool"), "");
  int before = open_fd_count();
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_EQ(open_fd_count(), before + 1);
  close(fd);
  EXPECT_EQ(open_fd_count(), before);

  CommandResult sleeper = run_command({"sleep", "30"}, "", 200);
  EXPECT_TRUE(sleeper.timed_out);
  EXPECT_EQ(sleeper.exit_code, -1);
  CommandResult cat = run_command({"cat"}, "echoed", kClientTimeoutMs);
  EXPECT_EQ(cat.exit_code, 0);
  EXPECT_EQ(cat.output, "echoed");
  CommandResult missing = run_command({"hsbench-no-such-tool"}, "", 1000);
  EXPECT_EQ(missing.exit_code, -1);
  EXPECT_NE(missing.output.find("not found"), std::string::npos);
  CommandResult fails = run_command({"sh", "-c", "echo oops >&2; exit 3"}, "", kClientTimeoutMs);
  EXPECT_EQ(fails.exit_code, 3);
  EXPECT_EQ(fails.output, "oops\n");
}

// ---------------------------------------------------------------------------
// Fault servers against a raw socket client.

// A connected TCP socket to 127.0.0.1:port, or -1 with errno set.
int connect_to(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

// A ClientHello record (RFC 8446 section 4.1.2) well formed enough to pass
// for one: TLS 1.2 legacy_version, a random, no session id, one suite, null
// compression, no extensions.
std::vector<uint8_t> fake_client_hello() {
  std::vector<uint8_t> body = {0x03, 0x03};
  for (int i = 0; i < 32; ++i) body.push_back(static_cast<uint8_t>(i * 7 + 1));
  body.insert(body.end(), {0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, 0x00, 0x00});
  std::vector<uint8_t> hs = {0x01, 0x00, 0x00, static_cast<uint8_t>(body.size())};
  hs.insert(hs.end(), body.begin(), body.end());
  std::vector<uint8_t> record = {0x16, 0x03, 0x01, 0x00, static_cast<uint8_t>(hs.size())};
  record.insert(record.end(), hs.begin(), hs.end());
  return record;
}

// What the client sees after sending the ClientHello: the bytes until EOF,
// an error, or `timeout_ms` of silence.
struct Seen {
  std::vector<uint8_t> bytes;
  bool eof = false;
  int error = 0;  // errno of a failed read
  bool silence = false;
};

Seen hello_and_watch(uint16_t port, int timeout_ms) {
  Seen seen;
  int fd = connect_to(port);
  if (fd < 0) {
    seen.error = errno;
    return seen;
  }
  std::vector<uint8_t> hello = fake_client_hello();
  if (send(fd, hello.data(), hello.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(hello.size())) {
    seen.error = errno;  // the server was quicker to close
    close(fd);
    return seen;
  }
  for (;;) {
    pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) == 0) {
      seen.silence = true;
      break;
    }
    uint8_t buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      seen.bytes.insert(seen.bytes.end(), buf, buf + n);
      continue;
    }
    if (n == 0)
      seen.eof = true;
    else
      seen.error = errno;
    break;
  }
  close(fd);
  return seen;
}

std::unique_ptr<FaultServer> fault_or_fail(Fault fault, std::string upstream = "",
                                           int delay_ms = 0) {
  std::string error;
  auto server = FaultServer::start(fault, &error, upstream, delay_ms);
  EXPECT_NE(server, nullptr) << error;
  return server;
}

TEST_F(Net, SilentServerAcceptsAndNeverAnswers) {
  auto server = fault_or_fail(Fault::silent);
  ASSERT_NE(server, nullptr);
  Seen seen = hello_and_watch(server->port(), 500);
  EXPECT_TRUE(seen.silence);
  EXPECT_TRUE(seen.bytes.empty());
  EXPECT_EQ(server->accepted(), 1u);
}

TEST_F(Net, CloseAfterHelloEndsWithEof) {
  auto server = fault_or_fail(Fault::close_after_hello);
  ASSERT_NE(server, nullptr);
  Seen seen = hello_and_watch(server->port(), kWaitMs);
  EXPECT_TRUE(seen.eof) << seen.error;
  EXPECT_TRUE(seen.bytes.empty());
}

TEST_F(Net, ResetAfterHelloEndsWithReset) {
  auto server = fault_or_fail(Fault::reset_after_hello);
  ASSERT_NE(server, nullptr);
  Seen seen = hello_and_watch(server->port(), kWaitMs);
  EXPECT_EQ(seen.error, ECONNRESET);
  EXPECT_FALSE(seen.eof);
}

TEST_F(Net, GarbageIsNoTlsRecord) {
  auto server = fault_or_fail(Fault::garbage);
  ASSERT_NE(server, nullptr);
  Seen seen = hello_and_watch(server->port(), kWaitMs);
  EXPECT_TRUE(seen.eof);
  ASSERT_FALSE(seen.bytes.empty());
  // RFC 8446 section 5.1 and RFC 6520: content types 20 to 24.
  EXPECT_TRUE(seen.bytes[0] < 20 || seen.bytes[0] > 24) << int(seen.bytes[0]);
}

TEST_F(Net, AlertIsAFatalHandshakeFailure) {
  auto server = fault_or_fail(Fault::alert);
  ASSERT_NE(server, nullptr);
  // Several clients at once, each answered.
  for (int i = 0; i < 3; ++i) {
    Seen seen = hello_and_watch(server->port(), kWaitMs);
    EXPECT_TRUE(seen.eof);
    EXPECT_EQ(seen.bytes, (std::vector<uint8_t>{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}));
  }
  EXPECT_EQ(server->accepted(), 3u);
}

TEST_F(Net, RealClientsFailAgainstEachAnsweringFault) {
  for (Fault fault :
       {Fault::close_after_hello, Fault::reset_after_hello, Fault::garbage, Fault::alert}) {
    auto server = fault_or_fail(fault);
    ASSERT_NE(server, nullptr);
    CommandResult r =
        run_command({"openssl", "s_client", "-connect", server->address()}, "", kClientTimeoutMs);
    EXPECT_FALSE(r.timed_out) << static_cast<int>(fault);
    EXPECT_NE(r.exit_code, 0) << static_cast<int>(fault) << r.output;
    if (fault == Fault::alert) {
      EXPECT_NE(r.output.find("handshake failure"), std::string::npos) << r.output;
    }
  }
}

TEST_F(Net, SlowProxyStillCarriesAHandshake) {
  auto upstream = start_or_fail({.tool = "openssl", .tls = "1.3"});
  ASSERT_NE(upstream, nullptr);
  auto proxy = fault_or_fail(Fault::slow, upstream->address(), 50);
  ASSERT_NE(proxy, nullptr);
  Handshake h = s_client(proxy->address(), "ecdsa-p256", "1.3", {});
  ASSERT_EQ(h.run.exit_code, 0) << h.run.output;
  EXPECT_EQ(h.kind, "New");
  EXPECT_EQ(h.version, "TLSv1.3");
  EXPECT_TRUE(h.verified);
  EXPECT_TRUE(h.http_200) << h.run.output;
  EXPECT_EQ(proxy->accepted(), 1u);
}

TEST_F(Net, SlowProxyCarriesBytesAndEofBothWays) {
  auto alert = fault_or_fail(Fault::alert);
  ASSERT_NE(alert, nullptr);
  auto proxy = fault_or_fail(Fault::slow, alert->address(), 20);
  ASSERT_NE(proxy, nullptr);
  // The ClientHello reaches the alert server through the proxy, its alert
  // and FIN come back through it.
  Seen seen = hello_and_watch(proxy->port(), kWaitMs);
  EXPECT_TRUE(seen.eof);
  EXPECT_EQ(seen.bytes, (std::vector<uint8_t>{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}));
  EXPECT_EQ(alert->accepted(), 1u);
}

TEST_F(Net, SlowProxyClosesClientsWhenItsUpstreamRefuses) {
  auto proxy = fault_or_fail(Fault::slow, "127.0.0.1:" + std::to_string(refused_port()), 20);
  ASSERT_NE(proxy, nullptr);
  Seen seen = hello_and_watch(proxy->port(), kWaitMs);
  EXPECT_FALSE(seen.silence);
  EXPECT_TRUE(seen.eof || seen.error == ECONNRESET || seen.error == EPIPE) << seen.error;
  EXPECT_TRUE(seen.bytes.empty());
}

TEST_F(Net, SlowProxyNeedsANumericUpstream) {
  std::string error;
  EXPECT_EQ(FaultServer::start(Fault::slow, &error, "example.invalid:443", 10), nullptr);
  EXPECT_NE(error.find("upstream"), std::string::npos) << error;
}

TEST_F(Net, RefusedPortRefuses) {
  uint16_t port = refused_port();
  ASSERT_NE(port, 0);
  EXPECT_EQ(connect_to(port), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
}

}  // namespace
}  // namespace hsbench::test
