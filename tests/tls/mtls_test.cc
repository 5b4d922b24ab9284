// Mutual TLS in the engine: the server's CertificateRequest, the client's
// Certificate and CertificateVerify, and the server's check of them, in TLS
// 1.2 (RSA key transport and ECDHE) and TLS 1.3, engine against engine on
// every pair of real backends; what each side learns of the other; where the
// messages fall in the user steps; resumption; and the peers that get it
// wrong (no certificate, a signature that does not verify, a chain under
// another root). Interop with each library's own stack is in interop_test.cc,
// which runs every scenario, the -mtls ones too.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"
#include "drive/configs.h"
#include "drive/memory_pair.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "tls/messages.h"
#include "tls/session.h"

namespace hsbench {
namespace {

const std::vector<std::string> kMtlsScenarios = {
    "tls12-rsa-rsa2048-mtls", "tls12-ecdhe-x25519-ecdsa-p256-mtls", "tls13-x25519-rsa2048-mtls",
    "tls13-x25519-ecdsa-p256-mtls", "tls13-x25519-ecdsa-p256-mtls-resume"};

Backend& backend(const std::string& name) {
  static std::map<std::string, std::unique_ptr<LoadedBackend>> loaded;
  auto& slot = loaded[name];
  if (!slot) {
    std::string error;
    slot = load_backend(name, &error);
    if (!slot) throw std::runtime_error(error);
  }
  return slot->backend();
}

const Pki& pki(const std::string& kind) { return test::shared_pki(kind); }

// A scenario's engine pair, with hooks on the configs before it is made.
struct Pair {
  std::unique_ptr<Credentials> client_side;  // the client's trust store and client chain
  std::unique_ptr<Credentials> server_side;  // the server's chain and client trust
  std::unique_ptr<drive::MemoryPair> pair;
};

template <typename Adjust>
Pair make_pair(const Scenario& s, Backend& client_backend, Backend& server_backend, Adjust adjust) {
  Pair p;
  std::string error;
  p.client_side = prepare_credentials(client_backend, pki(s.cert), kServerName, &error, true);
  EXPECT_NE(p.client_side, nullptr) << error;
  p.server_side = prepare_credentials(server_backend, pki(s.cert), kServerName, &error, true);
  EXPECT_NE(p.server_side, nullptr) << error;
  if (p.client_side == nullptr || p.server_side == nullptr) return p;
  tls::Config client =
      engine_client_config(s, p.client_side->trust.get(), p.client_side->client.get());
  tls::Config server = engine_server_config(s, p.server_side.get());
  adjust(&client, &server);
  p.pair = drive::MemoryPair::make(client_backend, server_backend, std::move(client),
                                   std::move(server), {}, &error);
  EXPECT_NE(p.pair, nullptr) << error;
  return p;
}

Pair make_pair(const Scenario& s, Backend& client_backend, Backend& server_backend) {
  return make_pair(s, client_backend, server_backend, [](tls::Config*, tls::Config*) {});
}

bool has_step(const HandshakeTrace& t, Side side, Action action, Message message) {
  for (size_t i = 0; i < t.step_count; i++) {
    if (t.steps[i].side == side && t.steps[i].action == action && t.steps[i].message == message) {
      return true;
    }
  }
  return false;
}

TEST(MtlsScenarios, AreListedAndNotDefault) {
  for (const std::string& id : kMtlsScenarios) {
    const Scenario* s = find_scenario(id);
    ASSERT_NE(s, nullptr) << id;
    EXPECT_EQ(s->client_cert, s->cert) << id;
    EXPECT_TRUE(pki(s->cert).has_client()) << id;
    for (const Scenario* d : default_scenarios()) EXPECT_NE(d->id, id);
  }
}

TEST(MtlsPki, ClientChainIsAClientsAndUnderItsOwnRoot) {
  Backend& b = backend("openssl");
  for (const std::string kind : {"rsa2048", "ecdsa-p256"}) {
    const Pki& p = pki(kind);
    ASSERT_TRUE(p.has_client()) << kind;
    std::string error;
    auto creds = prepare_credentials(b, p, kServerName, &error, true);
    ASSERT_NE(creds, nullptr) << error;
    ASSERT_NE(creds->client, nullptr);
    EXPECT_EQ(creds->client->leaf.type, creds->leaf.type) << kind;
    // Only clientAuth: not a server's certificate; and not under the
    // server's root.
    EXPECT_FALSE(creds->trust->verify(*creds->client->chain, {}, &error)) << kind;
    EXPECT_FALSE(creds->client->trust->verify(*creds->client->chain, {}, &error)) << kind;
    EXPECT_TRUE(creds->client->trust->verify_client(*creds->client->chain, &error)) << error;
    EXPECT_FALSE(creds->client->trust->verify_client(*creds->chain, &error)) << kind;
  }
}

struct BackendPair {
  std::string scenario, client, server;
};
void PrintTo(const BackendPair& p, std::ostream* os) {
  *os << p.scenario << " " << p.client << " to " << p.server;
}

std::vector<BackendPair> backend_pairs() {
  std::vector<BackendPair> out;
  for (const std::string& id : kMtlsScenarios) {
    for (const std::string& c : test::built_backends()) {
      for (const std::string& s : test::built_backends()) out.push_back({id, c, s});
    }
  }
  return out;
}

class MtlsEngineTest : public ::testing::TestWithParam<BackendPair> {};

// Both sides see the other: the client that a certificate was asked for
// and that it sent its own, the server which leaf came; the client's two
// messages fall in step 6, the request in the server's first flight.
TEST_P(MtlsEngineTest, EachSideKnowsTheOther) {
  const BackendPair& bp = GetParam();
  const Scenario* s = find_scenario(bp.scenario);
  ASSERT_NE(s, nullptr);
  Backend& cb = backend(bp.client);
  Backend& sb = backend(bp.server);
  if (auto missing = engine_missing_algorithm(*s, cb)) GTEST_SKIP() << *missing;
  if (auto missing = engine_missing_algorithm(*s, sb)) GTEST_SKIP() << *missing;
  Pair p = make_pair(*s, cb, sb);
  ASSERT_NE(p.pair, nullptr);
  HandshakeTrace trace;
  tls::HandshakeOutcome outcome = p.pair->run(&trace);
  ASSERT_TRUE(outcome.ok) << outcome.error.reason << " (" << tls::name(outcome.error.alert) << ")";
  const Bytes& client_leaf = pki(s->cert).client_chain[0];
  EXPECT_TRUE(p.pair->client().negotiated().certificate_requested);
  EXPECT_TRUE(p.pair->client().negotiated().sent_certificate);
  EXPECT_TRUE(p.pair->server().client_authenticated());
  const ByteView got = p.pair->server().client_certificate();
  EXPECT_EQ(Bytes(got.begin(), got.end()), client_leaf);

  const int request_step = s->version == TlsVersion::tls12 ? 4 : 3;
  EXPECT_EQ(user_step(s->version, Message::certificate_request, Side::server), request_step);
  EXPECT_EQ(user_step(s->version, Message::certificate, Side::client), 6);
  EXPECT_EQ(user_step(s->version, Message::certificate_verify, Side::client), 6);
  for (Message m : {Message::certificate, Message::certificate_verify}) {
    EXPECT_TRUE(has_step(trace, Side::client, Action::write, m)) << name(m);
    EXPECT_TRUE(has_step(trace, Side::server, Action::read, m)) << name(m);
  }
  EXPECT_TRUE(has_step(trace, Side::server, Action::write, Message::certificate_request));
  EXPECT_TRUE(has_step(trace, Side::client, Action::read, Message::certificate_request));

  if (!s->resumption) return;
  // The resumed handshake carries no certificate either way; the ticket
  // says the client was authenticated.
  ASSERT_TRUE(p.pair->resume_from_newest_ticket());
  outcome = p.pair->run(&trace);
  ASSERT_TRUE(outcome.ok) << outcome.error.reason;
  EXPECT_TRUE(p.pair->resumed());
  EXPECT_FALSE(p.pair->client().negotiated().certificate_requested);
  EXPECT_TRUE(p.pair->server().client_authenticated());
  EXPECT_TRUE(p.pair->server().client_certificate().empty());
  EXPECT_FALSE(has_step(trace, Side::server, Action::write, Message::certificate_request));
  EXPECT_FALSE(has_step(trace, Side::client, Action::write, Message::certificate));
}

INSTANTIATE_TEST_SUITE_P(Mtls, MtlsEngineTest, ::testing::ValuesIn(backend_pairs()),
                         [](const auto& param_info) {
                           std::string n = param_info.param.scenario + "__" +
                                           param_info.param.client + "_to_" +
                                           param_info.param.server;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

// --- Peers that get it wrong: the server fails with the alert the RFCs
// name, and the client receives it. ---

class MtlsMisbehavingTest : public ::testing::TestWithParam<std::string> {
 protected:
  template <typename Adjust>
  void expect_server_fails(Adjust adjust, tls::Alert alert) {
    const Scenario* s = find_scenario(GetParam());
    ASSERT_NE(s, nullptr);
    Backend& b = backend("openssl");
    Pair p = make_pair(*s, b, b, adjust);
    ASSERT_NE(p.pair, nullptr);
    tls::HandshakeOutcome outcome = p.pair->run(nullptr);
    ASSERT_FALSE(outcome.ok);
    EXPECT_EQ(p.pair->server().error().alert, alert)
        << tls::name(p.pair->server().error().alert) << ": " << p.pair->server().error().reason;
    EXPECT_FALSE(p.pair->server().error().received);
    EXPECT_EQ(p.pair->client().error().alert, alert);
    EXPECT_TRUE(p.pair->client().error().received);
    EXPECT_FALSE(p.pair->server().client_authenticated());
  }
};

TEST_P(MtlsMisbehavingTest, ClientWithoutCertificate) {
  const Scenario* s = find_scenario(GetParam());
  ASSERT_NE(s, nullptr);
  // RFC 8446 4.4.2.4: certificate_required; RFC 5246 7.4.6: handshake_failure.
  expect_server_fails(
      [](tls::Config* client, tls::Config*) { client->client_credentials = nullptr; },
      s->version == TlsVersion::tls13 ? tls::Alert::certificate_required
                                      : tls::Alert::handshake_failure);
}

TEST_P(MtlsMisbehavingTest, CertificateVerifyThatDoesNotVerify) {
  const Scenario* s = find_scenario(GetParam());
  ASSERT_NE(s, nullptr);
  Backend& b = backend("openssl");
  std::string error;
  auto creds = prepare_credentials(b, pki(s->cert), kServerName, &error, true);
  ASSERT_NE(creds, nullptr) << error;
  // The client's one signature is its CertificateVerify: sign, then
  // spoil the signature's last byte.
  tls::Determinism spoiled;
  const PrivateKey* key = creds->client->key.get();
  spoiled.sign = [key](SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
                       size_t* out_len) {
    if (!key->sign(scheme, message, out, out_len)) return false;
    out[*out_len - 1] ^= 0x01;
    return true;
  };
  Pair p = make_pair(*s, b, b);
  ASSERT_NE(p.pair, nullptr);
  p.pair->client().crypto().set_determinism(&spoiled);
  tls::HandshakeOutcome outcome = p.pair->run(nullptr);
  ASSERT_FALSE(outcome.ok);
  EXPECT_EQ(p.pair->server().error().alert, tls::Alert::decrypt_error)
      << p.pair->server().error().reason;
  EXPECT_TRUE(p.pair->client().error().received);
}

TEST_P(MtlsMisbehavingTest, ClientChainUnderAnotherRoot) {
  const Scenario* s = find_scenario(GetParam());
  ASSERT_NE(s, nullptr);
  // The server's own chain and key, whose leaf allows clientAuth too, but
  // whose root is not among the server's client roots.
  std::string error;
  auto other = prepare_credentials(backend("openssl"), pki(s->cert), kServerName, &error);
  ASSERT_NE(other, nullptr) << error;
  expect_server_fails(
      [&](tls::Config* client, tls::Config*) { client->client_credentials = other.get(); },
      tls::Alert::bad_certificate);
}

INSTANTIATE_TEST_SUITE_P(Mtls, MtlsMisbehavingTest,
                         ::testing::Values("tls12-rsa-rsa2048-mtls",
                                           "tls12-ecdhe-x25519-ecdsa-p256-mtls",
                                           "tls13-x25519-rsa2048-mtls",
                                           "tls13-x25519-ecdsa-p256-mtls"),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

// A ticket says whether the client was authenticated, so that a server
// that requires it resumes only tickets of such handshakes.
TEST(MtlsTicket, CarriesTheClientsAuthentication) {
  Backend& b = backend("openssl");
  tls::Crypto crypto(&b);
  tls::TicketSealer sealer;
  uint8_t key[tls::kTicketKeyLength] = {1, 2, 3};
  ASSERT_TRUE(sealer.init(crypto, key));
  for (bool authenticated : {false, true}) {
    for (bool ems : {false, true}) {
      tls::TicketContents in;
      in.version = TlsVersion::tls12;
      in.suite = CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256;
      in.extended_master_secret = ems;
      in.client_authenticated = authenticated;
      in.secret_length = 48;
      in.issued = 1234;
      Bytes ticket;
      ASSERT_TRUE(sealer.seal(crypto, in, &ticket));
      tls::TicketContents out;
      ASSERT_TRUE(sealer.open(crypto, ticket, &out));
      EXPECT_EQ(out.client_authenticated, authenticated);
      EXPECT_EQ(out.extended_master_secret, ems);
    }
  }
}

// --- The CertificateRequest parser. ---

Bytes tls12_request(Bytes types, Bytes schemes, Bytes cas) {
  Bytes b;
  b.push_back(static_cast<uint8_t>(types.size()));
  b.insert(b.end(), types.begin(), types.end());
  b.push_back(static_cast<uint8_t>(schemes.size() >> 8));
  b.push_back(static_cast<uint8_t>(schemes.size()));
  b.insert(b.end(), schemes.begin(), schemes.end());
  b.push_back(static_cast<uint8_t>(cas.size() >> 8));
  b.push_back(static_cast<uint8_t>(cas.size()));
  b.insert(b.end(), cas.begin(), cas.end());
  return b;
}

// context, then extensions given as (type, data) pairs.
Bytes tls13_request(Bytes context, std::vector<std::pair<uint16_t, Bytes>> extensions) {
  Bytes exts;
  for (const auto& [type, data] : extensions) {
    exts.push_back(static_cast<uint8_t>(type >> 8));
    exts.push_back(static_cast<uint8_t>(type));
    exts.push_back(static_cast<uint8_t>(data.size() >> 8));
    exts.push_back(static_cast<uint8_t>(data.size()));
    exts.insert(exts.end(), data.begin(), data.end());
  }
  Bytes b;
  b.push_back(static_cast<uint8_t>(context.size()));
  b.insert(b.end(), context.begin(), context.end());
  b.push_back(static_cast<uint8_t>(exts.size() >> 8));
  b.push_back(static_cast<uint8_t>(exts.size()));
  b.insert(b.end(), exts.begin(), exts.end());
  return b;
}

const Bytes kSchemes = {0x04, 0x03, 0x08, 0x04};  // ecdsa p256, rsa_pss sha256
const Bytes kSignatureAlgorithms = {0x00, 0x04, 0x04, 0x03, 0x08, 0x04};  // u16-prefixed

TEST(CertificateRequestParser, Tls12) {
  tls::CertificateRequest r;
  tls::Error e;
  Bytes good = tls12_request({1, 64}, kSchemes, {});
  ASSERT_TRUE(tls::parse_certificate_request(good, false, &r, &e)) << e.reason;
  EXPECT_EQ(r.certificate_types.size(), 2u);
  EXPECT_TRUE(tls::list_contains_u16(r.signature_algorithms, 0x0804));
  EXPECT_TRUE(r.certificate_authorities.empty());

  EXPECT_FALSE(tls::parse_certificate_request(tls12_request({}, kSchemes, {}), false, &r, &e));
  EXPECT_EQ(e.alert, tls::Alert::decode_error);
  EXPECT_FALSE(tls::parse_certificate_request(tls12_request({1}, {}, {}), false, &r, &e));
  EXPECT_FALSE(tls::parse_certificate_request(tls12_request({1}, {0x04}, {}), false, &r, &e));
  good.push_back(0);
  EXPECT_FALSE(tls::parse_certificate_request(good, false, &r, &e));
  EXPECT_EQ(e.alert, tls::Alert::decode_error);
  for (size_t n = 0; n + 1 < good.size(); n++) {
    EXPECT_FALSE(tls::parse_certificate_request(ByteView(good).first(n), false, &r, &e)) << n;
  }
}

TEST(CertificateRequestParser, Tls13) {
  tls::CertificateRequest r;
  tls::Error e;
  // The parsed request views the body: keep it.
  const Bytes good = tls13_request({}, {{13, kSignatureAlgorithms}});
  ASSERT_TRUE(tls::parse_certificate_request(good, true, &r, &e)) << e.reason;
  EXPECT_TRUE(tls::list_contains_u16(r.signature_algorithms, 0x0403));
  // Unknown extensions are ignored; a context is the caller's to refuse.
  const Bytes with_context = tls13_request({7}, {{0x1234, {1, 2}}, {13, kSignatureAlgorithms}});
  ASSERT_TRUE(tls::parse_certificate_request(with_context, true, &r, &e));
  EXPECT_EQ(r.context.size(), 1u);

  EXPECT_FALSE(tls::parse_certificate_request(tls13_request({}, {{0x1234, {}}}), true, &r, &e));
  EXPECT_EQ(e.alert, tls::Alert::missing_extension);
  EXPECT_FALSE(tls::parse_certificate_request(
      tls13_request({}, {{13, kSignatureAlgorithms}, {13, kSignatureAlgorithms}}), true, &r, &e));
  EXPECT_EQ(e.alert, tls::Alert::illegal_parameter);
  EXPECT_FALSE(
      tls::parse_certificate_request(tls13_request({}, {{13, {0x00, 0x01, 0x04}}}), true, &r, &e));
  EXPECT_EQ(e.alert, tls::Alert::decode_error);
  EXPECT_FALSE(
      tls::parse_certificate_request(tls13_request({}, {{47, {0x00, 0x00}}}), true, &r, &e));
}

}  // namespace
}  // namespace hsbench
