// Resumption gives a forger nothing (RFC 8446 4.2.11 and 4.6.1; RFC 5077
// 3.1 and 4): a ticket the server cannot open (forged, or sealed under
// another server's key), an expired one, or one for a cipher suite the
// server will not resume gets a full handshake, never a resumed session;
// a ticket that opens but whose binder does not verify ends the handshake
// with decrypt_error (RFC 8446 4.2.11, 6.2). And a resumed handshake does
// only what README.md says it does: in TLS 1.3 no Certificate and no
// CertificateVerify, and with psk_ke no (EC)DHE at all; in TLS 1.2 no
// Certificate, key exchange or ClientKeyExchange, and the server finishes
// first. Pairs run through the driver core (drive::EngineEndpoint,
// run_pair) over a link whose flights a test may edit on the way.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "backend/backend_test_util.h"
#include "drive/configs.h"
#include "drive/pair.h"
#include "drive/transport.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "tls/client.h"
#include "tls/server.h"

namespace hsbench {
namespace {

// Edits a flight before the peer gets it: the sender, and which of its
// flights this is in the handshake (0 for the first).
using Edit = std::function<void(Side from, int flight, Bytes& bytes)>;

// One side's end of an in-memory link that passes each flight through an
// edit.
class EditingTransport final : public drive::Transport {
 public:
  EditingTransport(Side side, Bytes* inbound, Bytes* outbound, const Edit* edit)
      : side_(side), inbound_(inbound), outbound_(outbound), edit_(edit) {}

  drive::Io send(Bytes* bytes) override {
    if (bytes->empty()) return drive::Io::ok;
    if (*edit_) (*edit_)(side_, flights_, *bytes);
    flights_++;
    outbound_->insert(outbound_->end(), bytes->begin(), bytes->end());
    bytes->clear();
    return drive::Io::ok;
  }
  drive::Io receive(ByteView* out_bytes) override {
    *out_bytes = *inbound_;
    return inbound_->empty() ? drive::Io::would_block : drive::Io::ok;
  }
  void consume(size_t n) override {
    inbound_->erase(inbound_->begin(),
                    inbound_->begin() + static_cast<std::ptrdiff_t>(std::min(n, inbound_->size())));
  }

 private:
  Side side_;
  Bytes* inbound_;
  Bytes* outbound_;
  const Edit* edit_;
  int flights_ = 0;
};

struct Outcome {
  drive::PairOutcome pair;
  bool client_resumed = false;
  bool server_resumed = false;
  tls::Error client_error, server_error;
};

// Resets both sides and runs a handshake and the default exchange, with
// both sides' steps in trace (when not null).
Outcome handshake(tls::Client& client, tls::Server& server, HandshakeTrace* trace = nullptr,
                  const Edit& edit = {}) {
  client.reset();
  server.reset();
  Bytes to_client, to_server;
  EditingTransport client_link(Side::client, &to_client, &to_server, &edit);
  EditingTransport server_link(Side::server, &to_server, &to_client, &edit);
  drive::EngineEndpoint client_end(&client, &client_link);
  drive::EngineEndpoint server_end(&server, &server_link);
  if (trace != nullptr) trace->clear();
  client_end.begin(trace);
  server_end.begin(trace);
  Outcome out;
  out.pair = drive::run_pair(static_cast<drive::Endpoint&>(client_end),
                             static_cast<drive::Endpoint&>(server_end));
  client_end.end();
  server_end.end();
  if (trace != nullptr) trace->version = client.version();
  out.client_resumed = client.resumed();
  out.server_resumed = server.resumed();
  out.client_error = client.error();
  out.server_error = server.error();
  return out;
}

std::string describe(const Outcome& o) {
  if (o.pair.ok) return "completed";
  return std::string(name(o.pair.failed_side)) + " failed: " + o.pair.error.reason + " (" +
         (o.pair.error.received ? "received " : "") + std::string(tls::name(o.pair.error.alert)) +
         ")";
}

// A full handshake: completed, and neither side resumed.
void expect_full_handshake(const Outcome& o) {
  ASSERT_TRUE(o.pair.ok) << describe(o);
  EXPECT_FALSE(o.server_resumed) << "the server resumed";
  EXPECT_FALSE(o.client_resumed) << "the client resumed";
}

void expect_resumed(const Outcome& o) {
  ASSERT_TRUE(o.pair.ok) << describe(o);
  EXPECT_TRUE(o.server_resumed) << "the server did not resume";
  EXPECT_TRUE(o.client_resumed) << "the client did not resume";
}

// The server noticed and sent alert; the client read it.
void expect_server_alert(const Outcome& o, tls::Alert alert) {
  ASSERT_FALSE(o.pair.ok) << "the handshake completed";
  EXPECT_EQ(name(o.pair.failed_side), "server") << describe(o);
  EXPECT_EQ(tls::name(o.server_error.alert), tls::name(alert)) << o.server_error.reason;
  EXPECT_FALSE(o.server_error.received);
  EXPECT_TRUE(o.client_error.received) << "the client did not read the alert";
  EXPECT_EQ(tls::name(o.client_error.alert), tls::name(alert)) << o.client_error.reason;
  EXPECT_FALSE(o.server_resumed);
}

// --- Traces. ---

struct StepKey {
  Side side;
  Action action;
  Message message;
  friend bool operator==(const StepKey&, const StepKey&) = default;
};

std::string describe(const StepKey& k) {
  return std::string(name(k.side)) + " " + std::string(name(k.action)) + " " +
         std::string(name(k.message));
}

std::string describe(const std::vector<StepKey>& steps) {
  std::string out;
  for (const StepKey& k : steps) out += describe(k) + "; ";
  return out;
}

Side sender(const Step& s) { return s.action == Action::write ? s.side : peer(s.side); }

std::vector<StepKey> steps_of(const HandshakeTrace& t) {
  std::vector<StepKey> out;
  for (size_t i = 0; i < t.step_count; i++) {
    out.push_back({t.steps[i].side, t.steps[i].action, t.steps[i].message});
  }
  return out;
}

// The steps of a trace without those whose message satisfies drop.
std::vector<StepKey> steps_without(const HandshakeTrace& t,
                                   const std::function<bool(const Step&)>& drop) {
  std::vector<StepKey> out;
  for (size_t i = 0; i < t.step_count; i++) {
    const Step& s = t.steps[i];
    if (!drop(s)) out.push_back({s.side, s.action, s.message});
  }
  return out;
}

std::set<int> user_steps(const HandshakeTrace& t) {
  std::set<int> out;
  for (size_t i = 0; i < t.step_count; i++) {
    out.insert(user_step(t.version, t.steps[i].message, sender(t.steps[i])));
  }
  return out;
}

// Every operation of the trace of one kind, as "side message: op".
std::vector<std::string> ops_of_kind(const HandshakeTrace& t, std::set<OpKind> kinds) {
  std::vector<std::string> out;
  for (size_t i = 0; i < t.step_count; i++) {
    const Step& s = t.steps[i];
    for (size_t k = 0; k < s.op_count; k++) {
      const CryptoOp op = t.ops[s.first_op + k].op;
      if (kinds.count(op.kind) != 0) {
        out.push_back(std::string(name(s.side)) + " " + std::string(name(s.message)) + ": " +
                      op_name(op));
      }
    }
  }
  return out;
}

bool has_op(const HandshakeTrace& t, Side side, Message message, OpKind kind) {
  for (size_t i = 0; i < t.step_count; i++) {
    const Step& s = t.steps[i];
    if (s.side != side || s.message != message) continue;
    for (size_t k = 0; k < s.op_count; k++) {
      if (t.ops[s.first_op + k].op.kind == kind) return true;
    }
  }
  return false;
}

size_t index_of(const std::vector<StepKey>& steps, StepKey k) {
  return static_cast<size_t>(std::find(steps.begin(), steps.end(), k) - steps.begin());
}

// --- The fixture: one backend, both sides; the scenario's configurations,
// with ticket keys and clocks of the test's choosing. ---

// The null backend and every real backend the plugin search finds.
std::vector<std::string> backends() {
  std::vector<std::string> out = {"null"};
  for (const std::string& name : test::built_backends()) out.push_back(name);
  return out;
}

class ResumptionSecurityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    backend_ = load_backend(GetParam(), &error);
    ASSERT_NE(backend_, nullptr) << error;
    pki_ = read_pki("ecdsa-p256", default_pki_files(default_pki_dir(), "ecdsa-p256"), &error);
    ASSERT_NE(pki_, nullptr) << error;
    credentials_ = prepare_credentials(backend(), *pki_, kServerName, &error);
    ASSERT_NE(credentials_, nullptr) << error;
  }

  Backend& backend() { return backend_->backend(); }

  const Scenario& scenario(std::string_view id) {
    const Scenario* s = find_scenario(id);
    EXPECT_NE(s, nullptr) << id;
    return *s;
  }

  // A client of the scenario, its config changed by adjust.
  tls::Client& client(std::string_view id, const std::function<void(tls::Config&)>& adjust = {}) {
    auto config = std::make_unique<tls::Config>(
        engine_client_config(scenario(id), credentials_->trust.get()));
    if (adjust) adjust(*config);
    configs_.push_back(std::move(config));
    clients_.push_back(std::make_unique<tls::Client>(&backend(), configs_.back().get()));
    return *clients_.back();
  }

  // A server of the scenario whose tickets are sealed under a key of
  // key_byte repeated, stamped by the test's clock (now_).
  tls::Server& server(std::string_view id, uint8_t key_byte,
                      const std::function<void(tls::Config&)>& adjust = {}) {
    auto config =
        std::make_unique<tls::Config>(engine_server_config(scenario(id), credentials_.get()));
    config->ticket_key.fill(key_byte);
    config->ticket_clock = [this] { return now_; };
    if (adjust) adjust(*config);
    configs_.push_back(std::move(config));
    servers_.push_back(std::make_unique<tls::Server>(&backend(), configs_.back().get()));
    return *servers_.back();
  }

  // A full handshake, and the session from its ticket.
  std::shared_ptr<const tls::ClientSession> prime(tls::Client& c, tls::Server& s,
                                                  HandshakeTrace* trace = nullptr) {
    c.set_resumption(nullptr);
    const Outcome o = handshake(c, s, trace);
    EXPECT_TRUE(o.pair.ok) << describe(o);
    EXPECT_FALSE(o.server_resumed);
    EXPECT_NE(c.new_session(), nullptr) << "no ticket";
    return c.new_session();
  }

  // A copy of a session, changed.
  static std::shared_ptr<const tls::ClientSession> altered(
      const std::shared_ptr<const tls::ClientSession>& s,
      const std::function<void(tls::ClientSession&)>& change) {
    auto copy = std::make_shared<tls::ClientSession>(*s);
    change(*copy);
    return copy;
  }

  uint64_t now_ = 1'700'000'000;  // seconds since the Unix epoch

 private:
  std::unique_ptr<LoadedBackend> backend_;
  std::unique_ptr<Pki> pki_;
  std::unique_ptr<Credentials> credentials_;
  std::vector<std::unique_ptr<tls::Config>> configs_;
  std::vector<std::unique_ptr<tls::Client>> clients_;
  std::vector<std::unique_ptr<tls::Server>> servers_;
};

constexpr std::string_view kTls13 = "tls13-x25519-ecdsa-p256-resume";
constexpr std::string_view kTls13PskKe = "tls13-psk-ecdsa-p256-resume";
constexpr std::string_view kTls12 = "tls12-ecdhe-x25519-ecdsa-p256-resume";

// =====================================================================
// What a resumed handshake does.

// RFC 8446 2.2: the PSK authenticates the server, so a resumed handshake
// has no Certificate and no CertificateVerify, and no signature is made
// or verified; everything else is the full handshake's, in its order, and
// with psk_dhe_ke both sides still make the (EC)DHE.
TEST_P(ResumptionSecurityTest, Tls13ResumedSkipsCertificateAndCertificateVerify) {
  tls::Client& c = client(kTls13);
  tls::Server& s = server(kTls13, 0x11);
  HandshakeTrace full, resumed;
  c.set_resumption(prime(c, s, &full));
  const Outcome o = handshake(c, s, &resumed);
  expect_resumed(o);
  ASSERT_FALSE(full.overflow || resumed.overflow);

  const auto expected = steps_without(full, [](const Step& st) {
    return st.message == Message::certificate || st.message == Message::certificate_verify;
  });
  EXPECT_EQ(describe(steps_of(resumed)), describe(expected));
  EXPECT_EQ(user_steps(full), (std::set<int>{1, 2, 3, 4, 5, 7, 8}));
  // EncryptedExtensions stays: user step 3 is left with that alone.
  EXPECT_EQ(user_steps(resumed), (std::set<int>{1, 2, 3, 5, 7, 8}));
  EXPECT_EQ(ops_of_kind(resumed,
                        {OpKind::sign, OpKind::verify, OpKind::parse_chain, OpKind::verify_chain}),
            std::vector<std::string>{});
  EXPECT_NE(ops_of_kind(full, {OpKind::sign}), std::vector<std::string>{});
  // psk_dhe_ke: a fresh (EC)DHE all the same (RFC 8446 4.2.9).
  EXPECT_TRUE(has_op(resumed, Side::client, Message::client_hello, OpKind::keygen));
  EXPECT_TRUE(has_op(resumed, Side::server, Message::server_hello, OpKind::keygen));
  EXPECT_TRUE(has_op(resumed, Side::server, Message::server_hello, OpKind::derive));
  EXPECT_TRUE(has_op(resumed, Side::client, Message::server_hello, OpKind::derive));
}

// psk_ke (RFC 8446 4.2.9): the PSK alone. No key share is made or used on
// either side, in any step.
TEST_P(ResumptionSecurityTest, Tls13PskKeMakesNoKeyShare) {
  tls::Client& c = client(kTls13PskKe);
  tls::Server& s = server(kTls13PskKe, 0x11);
  HandshakeTrace full, resumed;
  c.set_resumption(prime(c, s, &full));
  const Outcome o = handshake(c, s, &resumed);
  expect_resumed(o);
  ASSERT_FALSE(resumed.overflow);
  // The full handshake that issued the ticket had its (EC)DHE ...
  EXPECT_NE(ops_of_kind(full, {OpKind::keygen, OpKind::derive}), std::vector<std::string>{});
  // ... the resumed one none at all.
  EXPECT_EQ(ops_of_kind(resumed, {OpKind::keygen, OpKind::derive}), std::vector<std::string>{});
  EXPECT_EQ(ops_of_kind(resumed, {OpKind::sign, OpKind::verify, OpKind::verify_chain}),
            std::vector<std::string>{});
  EXPECT_EQ(user_steps(resumed), (std::set<int>{1, 2, 3, 5, 7, 8}));
}

// RFC 5077 3.1 and RFC 5246 7.3: an accepted ticket means the abbreviated
// handshake: no Certificate, ServerKeyExchange, ServerHelloDone or
// ClientKeyExchange, no new master secret, no signature and no (EC)DHE;
// the server sends its ChangeCipherSpec and Finished first.
TEST_P(ResumptionSecurityTest, Tls12ResumedIsAbbreviated) {
  tls::Client& c = client(kTls12);
  tls::Server& s = server(kTls12, 0x11);
  HandshakeTrace full, resumed;
  c.set_resumption(prime(c, s, &full));
  const Outcome o = handshake(c, s, &resumed);
  expect_resumed(o);
  ASSERT_FALSE(full.overflow || resumed.overflow);

  EXPECT_EQ(user_steps(full), (std::set<int>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(user_steps(resumed), (std::set<int>{1, 2, 5, 7, 8}));
  // The same steps as the full handshake's but for 3, 4 and 6, and the
  // ticket: the server keeps the one it accepted (RFC 5077 3.3 lets it).
  auto expected = steps_without(full, [](const Step& st) {
    const int u = user_step(TlsVersion::tls12, st.message, sender(st));
    return u == 3 || u == 4 || u == 6 || st.message == Message::new_session_ticket;
  });
  auto got = steps_of(resumed);
  auto sorted = [](std::vector<StepKey> v) {
    std::sort(v.begin(), v.end(), [](const StepKey& a, const StepKey& b) {
      return std::tie(a.side, a.action, a.message) < std::tie(b.side, b.action, b.message);
    });
    return v;
  };
  EXPECT_EQ(describe(sorted(got)), describe(sorted(expected)));
  // The server's Finished before the client's, the other way round from
  // the full handshake.
  const StepKey server_fin{Side::server, Action::write, Message::finished};
  const StepKey client_fin{Side::client, Action::write, Message::finished};
  EXPECT_LT(index_of(got, server_fin), index_of(got, client_fin)) << describe(got);
  EXPECT_GT(index_of(steps_of(full), server_fin), index_of(steps_of(full), client_fin));

  EXPECT_EQ(ops_of_kind(resumed, {OpKind::keygen, OpKind::derive, OpKind::sign, OpKind::verify,
                                  OpKind::rsa_encrypt, OpKind::rsa_decrypt, OpKind::parse_chain,
                                  OpKind::verify_chain}),
            std::vector<std::string>{});
  // The master secret comes from the ticket: no PRF derives one.
  for (const std::string& op : ops_of_kind(resumed, {OpKind::prf})) {
    EXPECT_EQ(op.find("master_secret"), std::string::npos) << op;
  }
}

// =====================================================================
// TLS 1.3 tickets that must not resume.

// The control for what follows: an honest ticket does resume.
TEST_P(ResumptionSecurityTest, Tls13HonestTicketResumes) {
  tls::Client& c = client(kTls13);
  tls::Server& s = server(kTls13, 0x11);
  c.set_resumption(prime(c, s));
  expect_resumed(handshake(c, s));
}

// A ticket changed anywhere (its nonce, its ciphertext, its tag), or made
// up, does not open: a full handshake. The client's binder is right for
// the secret it holds, so only the ticket is wrong.
TEST_P(ResumptionSecurityTest, Tls13ForgedTicketGetsFullHandshake) {
  tls::Client& c = client(kTls13);
  tls::Server& s = server(kTls13, 0x11);
  const auto session = prime(c, s);
  ASSERT_NE(session, nullptr);
  const size_t n = session->ticket.size();
  for (size_t at : {size_t{0}, n / 2, n - 1}) {
    SCOPED_TRACE("flipped ticket byte " + std::to_string(at));
    c.set_resumption(altered(session, [&](tls::ClientSession& x) { x.ticket.at(at) ^= 0x01; }));
    expect_full_handshake(handshake(c, s));
  }
  SCOPED_TRACE("made-up ticket");
  c.set_resumption(altered(session, [](tls::ClientSession& x) {
    for (size_t i = 0; i < x.ticket.size(); i++) x.ticket[i] = static_cast<uint8_t>(i * 7 + 3);
  }));
  expect_full_handshake(handshake(c, s));
}

// With psk_ke the client makes no key share for its first hello; if the
// server cannot use the ticket, it asks for one (a HelloRetryRequest,
// RFC 8446 4.1.4) and the handshake goes on as a full one.
TEST_P(ResumptionSecurityTest, Tls13PskKeForgedTicketGetsFullHandshake) {
  tls::Client& c = client(kTls13PskKe);
  tls::Server& s = server(kTls13PskKe, 0x11);
  const auto session = prime(c, s);
  ASSERT_NE(session, nullptr);
  c.set_resumption(altered(session, [](tls::ClientSession& x) { x.ticket.back() ^= 0x01; }));
  HandshakeTrace trace;
  expect_full_handshake(handshake(c, s, &trace));
  EXPECT_NE(index_of(steps_of(trace), {Side::server, Action::write, Message::hello_retry_request}),
            trace.step_count);
}

// RFC 5077 4 (and RFC 8446 4.6.1's self-encrypted tickets): a ticket is
// only good at the server whose key sealed it.
TEST_P(ResumptionSecurityTest, Tls13TicketFromAnotherServerGetsFullHandshake) {
  tls::Client& c = client(kTls13);
  tls::Server& ours = server(kTls13, 0x11);
  tls::Server& theirs = server(kTls13, 0x22);
  c.set_resumption(prime(c, theirs));
  expect_full_handshake(handshake(c, ours));
  // The same ticket still resumes where it came from.
  expect_resumed(handshake(c, theirs));
}

// RFC 8446 4.6.1: the server must not accept a ticket older than the
// lifetime it gave it.
TEST_P(ResumptionSecurityTest, Tls13ExpiredTicketGetsFullHandshake) {
  tls::Client& c = client(kTls13);
  tls::Server& s = server(kTls13, 0x11);
  const auto session = prime(c, s);
  const uint64_t issued = now_;
  c.set_resumption(session);
  now_ = issued + tls::kTicketLifetimeSeconds;
  expect_resumed(handshake(c, s));
  now_ = issued + tls::kTicketLifetimeSeconds + 1;
  expect_full_handshake(handshake(c, s));
  // Nor one stamped later than the server's clock reads.
  now_ = issued - 1;
  expect_full_handshake(handshake(c, s));
}

// RFC 8446 4.2.11: a ticket that opens with a binder that does not verify
// is an attack on the handshake, not a stale ticket: decrypt_error (6.2),
// not a quiet full handshake. First a client holding the wrong secret for
// its ticket, then a binder changed on the wire (the ClientHello's last
// byte).
TEST_P(ResumptionSecurityTest, Tls13BadBinderIsDecryptError) {
  tls::Client& c = client(kTls13);
  tls::Server& s = server(kTls13, 0x11);
  const auto session = prime(c, s);
  ASSERT_NE(session, nullptr);
  {
    SCOPED_TRACE("wrong PSK");
    c.set_resumption(altered(session, [](tls::ClientSession& x) { x.secret[0] ^= 0x01; }));
    expect_server_alert(handshake(c, s), tls::Alert::decrypt_error);
  }
  {
    SCOPED_TRACE("binder changed in flight");
    c.set_resumption(session);
    const Outcome o = handshake(c, s, nullptr, [](Side from, int flight, Bytes& bytes) {
      if (from == Side::client && flight == 0) bytes.back() ^= 0x01;
    });
    expect_server_alert(o, tls::Alert::decrypt_error);
  }
  // The server is not left broken: the honest session resumes.
  c.set_resumption(session);
  expect_resumed(handshake(c, s));
}

// RFC 8446 4.2.11: a PSK is only usable with a suite of its hash. A ticket
// sealed (under the same key) by a server that chose TLS_AES_256_GCM_SHA384
// opens at a server that only takes SHA-256 suites, and must still get a
// full handshake. A TLS 1.2 ticket offered as a TLS 1.3 PSK likewise.
TEST_P(ResumptionSecurityTest, Tls13TicketForAnotherSuiteOrVersionGetsFullHandshake) {
  tls::Client& c = client(kTls13, [](tls::Config& x) {
    x.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_AES_256_GCM_SHA384};
  });
  tls::Server& sha384 = server(kTls13, 0x11, [](tls::Config& x) {
    x.cipher_suites = {CipherSuite::TLS_AES_256_GCM_SHA384};
  });
  tls::Server& sha256 = server(kTls13, 0x11);
  const auto session = prime(c, sha384);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->suite, CipherSuite::TLS_AES_256_GCM_SHA384);
  c.set_resumption(session);
  expect_resumed(handshake(c, sha384));
  const Outcome o = handshake(c, sha256);
  expect_full_handshake(o);
  if (o.pair.ok) {
    EXPECT_EQ(c.cipher_suite(), CipherSuite::TLS_AES_128_GCM_SHA256);
  }

  SCOPED_TRACE("TLS 1.2 ticket");
  tls::Client& c12 = client(kTls12);
  tls::Server& s12 = server(kTls12, 0x11);
  const auto session12 = prime(c12, s12);
  ASSERT_NE(session12, nullptr);
  const auto session13 = prime(c, sha256);
  ASSERT_NE(session13, nullptr);
  c.set_resumption(
      altered(session13, [&](tls::ClientSession& x) { x.ticket = session12->ticket; }));
  expect_full_handshake(handshake(c, sha256));
}

// =====================================================================
// TLS 1.2 tickets (RFC 5077): one the server cannot use means a full
// handshake (3.1: "If the server cannot or does not want to honor the
// ticket, then it can initiate a full handshake").

TEST_P(ResumptionSecurityTest, Tls12HonestTicketResumes) {
  tls::Client& c = client(kTls12);
  tls::Server& s = server(kTls12, 0x11);
  c.set_resumption(prime(c, s));
  expect_resumed(handshake(c, s));
}

TEST_P(ResumptionSecurityTest, Tls12ForgedTicketGetsFullHandshake) {
  tls::Client& c = client(kTls12);
  tls::Server& s = server(kTls12, 0x11);
  const auto session = prime(c, s);
  ASSERT_NE(session, nullptr);
  const size_t n = session->ticket.size();
  for (size_t at : {size_t{0}, n / 2, n - 1}) {
    SCOPED_TRACE("flipped ticket byte " + std::to_string(at));
    c.set_resumption(altered(session, [&](tls::ClientSession& x) { x.ticket.at(at) ^= 0x01; }));
    expect_full_handshake(handshake(c, s));
  }
  // A stolen ticket without its master secret: the server resumes (it
  // cannot tell yet), and the client, keyed from the wrong secret, cannot
  // read the server's Finished (RFC 5246 7.4.9).
  c.set_resumption(altered(session, [](tls::ClientSession& x) { x.secret[0] ^= 0x01; }));
  const Outcome o = handshake(c, s);
  ASSERT_FALSE(o.pair.ok) << "resumed with the wrong master secret";
  EXPECT_EQ(name(o.pair.failed_side), "client") << describe(o);
  EXPECT_EQ(tls::name(o.client_error.alert), tls::name(tls::Alert::bad_record_mac))
      << o.client_error.reason;
  EXPECT_TRUE(o.server_error.received) << "the server did not read the alert";
}

TEST_P(ResumptionSecurityTest, Tls12TicketFromAnotherServerGetsFullHandshake) {
  tls::Client& c = client(kTls12);
  tls::Server& ours = server(kTls12, 0x11);
  tls::Server& theirs = server(kTls12, 0x22);
  c.set_resumption(prime(c, theirs));
  expect_full_handshake(handshake(c, ours));
  expect_resumed(handshake(c, theirs));
}

TEST_P(ResumptionSecurityTest, Tls12ExpiredTicketGetsFullHandshake) {
  tls::Client& c = client(kTls12);
  tls::Server& s = server(kTls12, 0x11);
  const auto session = prime(c, s);
  const uint64_t issued = now_;
  c.set_resumption(session);
  now_ = issued + tls::kTicketLifetimeSeconds;
  expect_resumed(handshake(c, s));
  now_ = issued + tls::kTicketLifetimeSeconds + 1;
  expect_full_handshake(handshake(c, s));
  now_ = issued - 1;
  expect_full_handshake(handshake(c, s));
}

// A ticket for a suite the server no longer accepts (RFC 5246 7.4.1.2:
// a resumed session keeps its suite), and a TLS 1.3 ticket offered in a
// TLS 1.2 hello, both opening under the server's key: full handshakes.
TEST_P(ResumptionSecurityTest, Tls12TicketForAnotherSuiteOrVersionGetsFullHandshake) {
  const auto aes128 = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
  const auto aes256 = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
  tls::Client& c = client(kTls12, [&](tls::Config& x) { x.cipher_suites = {aes128, aes256}; });
  tls::Server& old_server =
      server(kTls12, 0x11, [&](tls::Config& x) { x.cipher_suites = {aes256}; });
  tls::Server& new_server =
      server(kTls12, 0x11, [&](tls::Config& x) { x.cipher_suites = {aes128}; });
  const auto session = prime(c, old_server);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->suite, aes256);
  c.set_resumption(session);
  expect_resumed(handshake(c, old_server));
  const Outcome o = handshake(c, new_server);
  expect_full_handshake(o);
  if (o.pair.ok) {
    EXPECT_EQ(c.cipher_suite(), aes128);
  }

  SCOPED_TRACE("TLS 1.3 ticket");
  tls::Client& c13 = client(kTls13);
  tls::Server& s13 = server(kTls13, 0x11);
  const auto session13 = prime(c13, s13);
  ASSERT_NE(session13, nullptr);
  const auto session12 = prime(c, new_server);
  ASSERT_NE(session12, nullptr);
  c.set_resumption(
      altered(session12, [&](tls::ClientSession& x) { x.ticket = session13->ticket; }));
  expect_full_handshake(handshake(c, new_server));
}

INSTANTIATE_TEST_SUITE_P(Backends, ResumptionSecurityTest, ::testing::ValuesIn(backends()),
                         [](const auto& param_info) { return test::test_name(param_info.param); });

}  // namespace
}  // namespace hsbench
