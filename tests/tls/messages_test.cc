// The handshake message parsers (engine/tls/messages.h): well-formed
// messages, from RFC 8448 section 3 and built here field by field, parse to
// the right fields; every truncation fails with the alert the parser uses
// for it and reads nothing past the end (each truncated copy is a heap
// vector of its exact size, so AddressSanitizer catches an overread);
// trailing bytes, duplicate extensions and the empty lists and lengths the
// RFCs forbid are rejected.
#include "tls/messages.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backend/backend_test_util.h"
#include "tls/bytes.h"
#include "tls/handshake_util.h"
#include "tls/rfc8448_vectors.h"

namespace hsbench::tls {
namespace {

using test::from_hex;
using test::rfc8448_vectors;
using test::to_hex;

// --- Building messages. ---

struct Extension {
  uint16_t type;
  Bytes data;
};

Extension ext(ExtensionType type, std::string_view hex) {
  return {static_cast<uint16_t>(type), from_hex(hex)};
}

void write_extensions(Writer& w, const std::vector<Extension>& exts) {
  auto block = w.open_u16();
  for (const Extension& e : exts) {
    w.u16(e.type);
    auto data = w.open_u16();
    w.bytes(e.data);
    EXPECT_TRUE(w.close(data));
  }
  EXPECT_TRUE(w.close(block));
}

Bytes random32(uint8_t seed) {
  Bytes r(32);
  for (size_t i = 0; i < r.size(); i++) r[i] = static_cast<uint8_t>(seed + i);
  return r;
}

// What both hellos start with: legacy_version, random, legacy_session_id
// (RFC 8446 4.1.2, 4.1.3).
void write_hello_start(Writer& w, uint16_t legacy_version, const Bytes& random,
                       const Bytes& session_id) {
  w.u16(legacy_version);
  w.bytes(random);
  auto sid = w.open_u8();
  w.bytes(session_id);
  EXPECT_TRUE(w.close(sid));
}

// A ClientHello body (RFC 8446 4.1.2); no extensions block at all when
// exts is nullopt.
struct ClientHelloParts {
  uint16_t legacy_version = 0x0303;
  Bytes random = random32(0x10);
  Bytes session_id = from_hex("0102030405060708");
  Bytes cipher_suites = from_hex("1301 c02f 00ff");
  Bytes compression = from_hex("00");
  std::optional<std::vector<Extension>> exts;
};

Bytes build(const ClientHelloParts& p) {
  Bytes out;
  Writer w(&out);
  write_hello_start(w, p.legacy_version, p.random, p.session_id);
  auto suites = w.open_u16();
  w.bytes(p.cipher_suites);
  EXPECT_TRUE(w.close(suites));
  auto comp = w.open_u8();
  w.bytes(p.compression);
  EXPECT_TRUE(w.close(comp));
  if (p.exts) write_extensions(w, *p.exts);
  return out;
}

// A ServerHello body (RFC 8446 4.1.3).
struct ServerHelloParts {
  uint16_t legacy_version = 0x0303;
  Bytes random = random32(0x40);
  Bytes session_id = from_hex("0102030405060708");
  uint16_t cipher_suite = 0xc02f;
  uint8_t compression = 0;
  std::optional<std::vector<Extension>> exts;
};

Bytes build(const ServerHelloParts& p) {
  Bytes out;
  Writer w(&out);
  write_hello_start(w, p.legacy_version, p.random, p.session_id);
  w.u16(p.cipher_suite);
  w.u8(p.compression);
  if (p.exts) write_extensions(w, *p.exts);
  return out;
}

// Every extension a ClientHello parser knows, well formed, with
// pre_shared_key last (RFC 8446 4.2.11).
std::vector<Extension> every_client_extension() {
  return {
      ext(ExtensionType::server_name, "0009 00 0006 736572766572"),
      ext(ExtensionType::supported_groups, "0004 001d 0017"),
      ext(ExtensionType::ec_point_formats, "01 00"),
      ext(ExtensionType::signature_algorithms, "0006 0403 0804 0401"),
      ext(ExtensionType::extended_master_secret, ""),
      ext(ExtensionType::renegotiation_info, "00"),
      ext(ExtensionType::session_ticket, "aabbcc"),
      ext(ExtensionType::supported_versions, "04 0304 0303"),
      ext(ExtensionType::key_share, "0006 001d 0002 abcd"),
      ext(ExtensionType::psk_key_exchange_modes, "01 01"),
      ext(ExtensionType::cookie, "0003 c0c1c2"),
      {0x1234, from_hex("ffff")},  // unknown: ignored
      ext(ExtensionType::pre_shared_key, "0008 0002 4142 00000001 0005 04 b0b1b2b3"),
  };
}

// --- Checking failures. ---

// A copy of the first n bytes in a heap block of exactly n bytes.
Bytes prefix(const Bytes& b, size_t n) {
  return Bytes(b.begin(), b.begin() + static_cast<ptrdiff_t>(n));
}

// Parses one body; true if it parsed, else the alert in *out_alert.
using Parse = std::function<bool(ByteView, Error*)>;

void expect_rejected(const Parse& parse, const Bytes& body, Alert alert, const std::string& what) {
  Error e;
  e.reason = "";
  bool ok = parse(body, &e);
  EXPECT_FALSE(ok) << what << ": accepted " << to_hex(body);
  if (!ok) {
    EXPECT_EQ(name(e.alert), name(alert)) << what << " (" << e.reason << ")";
    EXPECT_STRNE(e.reason, "") << what;
  }
}

// Every proper prefix of body fails with `alert`, except the lengths in
// `valid` (where a message legitimately ends early, e.g. a hello with no
// extensions block).
void expect_every_truncation_rejected(const Parse& parse, const Bytes& body, Alert alert,
                                      std::vector<size_t> valid = {}) {
  Error e;
  ASSERT_TRUE(parse(body, &e)) << "the whole message does not parse: " << e.reason;
  for (size_t n = 0; n < body.size(); n++) {
    Bytes cut = prefix(body, n);
    if (std::find(valid.begin(), valid.end(), n) != valid.end()) {
      EXPECT_TRUE(parse(cut, &e)) << "cut to " << n << ": " << e.reason;
      continue;
    }
    expect_rejected(parse, cut, alert,
                    "cut to " + std::to_string(n) + " of " + std::to_string(body.size()));
  }
}

Parse client_hello_parser() {
  return [](ByteView body, Error* e) {
    ClientHello ch;
    return parse_client_hello(body, &ch, e);
  };
}

Parse server_hello_parser() {
  return [](ByteView body, Error* e) {
    ServerHello sh;
    return parse_server_hello(body, &sh, e);
  };
}

Parse certificate_parser(bool tls13, size_t max_certs = kMaxChainLength) {
  return [tls13, max_certs](ByteView body, Error* e) {
    std::vector<ByteView> certs(max_certs);
    size_t n = 0;
    return parse_certificate(body, tls13, certs, &n, e);
  };
}

Parse server_key_exchange_parser() {
  return [](ByteView body, Error* e) {
    ServerKeyExchange ske;
    return parse_server_key_exchange(body, &ske, e);
  };
}

Parse certificate_verify_parser() {
  return [](ByteView body, Error* e) {
    CertificateVerify cv;
    return parse_certificate_verify(body, &cv, e);
  };
}

// --- RFC 8448 section 3. ---

// The body of a handshake message (after its 4-byte header), checking the
// header's type and length.
Bytes body_of(const Bytes& message, HandshakeType type) {
  Reader r(message);
  uint8_t t = 0;
  ByteView body;
  EXPECT_TRUE(r.u8(&t) && r.u24_prefixed(&body) && r.empty()) << to_hex(message);
  EXPECT_EQ(t, static_cast<uint8_t>(type));
  return Bytes(body.begin(), body.end());
}

// The messages of a handshake flight, by type.
std::map<uint8_t, Bytes> split_flight(const Bytes& flight) {
  std::map<uint8_t, Bytes> out;
  Reader r(flight);
  while (!r.empty()) {
    uint8_t t = 0;
    ByteView body;
    if (!r.u8(&t) || !r.u24_prefixed(&body)) {
      ADD_FAILURE() << "flight ends inside a message";
      break;
    }
    out[t] = Bytes(body.begin(), body.end());
  }
  return out;
}

class Rfc8448Messages : public ::testing::Test {
 protected:
  void SetUp() override {
    v_ = rfc8448_vectors();
    for (const char* n : {"client_hello", "server_hello", "server_flight_payload",
                          "client_ephemeral_public", "server_ephemeral_public"}) {
      ASSERT_FALSE(v_[n].empty()) << "no " << n << " in the RFC 8448 vectors";
    }
  }
  std::map<std::string, Bytes> v_;
};

TEST_F(Rfc8448Messages, ClientHello) {
  const Bytes message = v_["client_hello"];
  const Bytes body = body_of(message, HandshakeType::client_hello);
  ClientHello ch;
  Error e;
  ASSERT_TRUE(parse_client_hello(body, &ch, &e)) << e.reason;
  EXPECT_EQ(ch.legacy_version, 0x0303);
  EXPECT_EQ(to_hex(ch.random), "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7");
  EXPECT_TRUE(ch.session_id.empty());
  EXPECT_EQ(to_hex(ch.cipher_suites), "130113031302");
  EXPECT_EQ(to_hex(ch.compression_methods), "00");
  ASSERT_TRUE(ch.has_server_name);
  EXPECT_EQ(std::string(ch.server_name.begin(), ch.server_name.end()), "server");
  ASSERT_TRUE(ch.has_supported_groups);
  EXPECT_EQ(to_hex(ch.supported_groups), "001d00170018001901000101010201030104");
  EXPECT_TRUE(ch.secure_renegotiation);  // renegotiation_info, empty
  EXPECT_TRUE(ch.has_session_ticket);
  EXPECT_TRUE(ch.session_ticket.empty());
  ASSERT_TRUE(ch.has_key_share);
  EXPECT_EQ(to_hex(ch.key_shares), "001d0020" + to_hex(v_["client_ephemeral_public"]));
  ASSERT_TRUE(ch.has_supported_versions);
  EXPECT_EQ(to_hex(ch.supported_versions), "0304");
  ASSERT_TRUE(ch.has_signature_algorithms);
  EXPECT_EQ(ch.signature_algorithms.size(), 30u);
  EXPECT_TRUE(list_contains_u16(ch.signature_algorithms, 0x0804));
  ASSERT_TRUE(ch.has_psk_key_exchange_modes);
  EXPECT_EQ(to_hex(ch.psk_key_exchange_modes), "01");
  EXPECT_FALSE(ch.has_ec_point_formats);
  EXPECT_FALSE(ch.extended_master_secret);
  EXPECT_FALSE(ch.has_cookie);
  EXPECT_FALSE(ch.has_pre_shared_key);
  // Views point into the body.
  EXPECT_GE(ch.random.data(), body.data());
  EXPECT_LE(ch.random.data() + 32, body.data() + body.size());
}

TEST_F(Rfc8448Messages, ServerHello) {
  const Bytes body = body_of(v_["server_hello"], HandshakeType::server_hello);
  ServerHello sh;
  Error e;
  ASSERT_TRUE(parse_server_hello(body, &sh, &e)) << e.reason;
  EXPECT_EQ(sh.legacy_version, 0x0303);
  EXPECT_EQ(to_hex(sh.random), "a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928");
  EXPECT_TRUE(sh.session_id.empty());
  EXPECT_EQ(sh.cipher_suite, 0x1301);
  EXPECT_FALSE(sh.is_hello_retry_request);
  EXPECT_EQ(sh.supported_version, 0x0304);
  ASSERT_TRUE(sh.has_key_share);
  EXPECT_EQ(sh.key_share_group, 0x001d);
  EXPECT_EQ(to_hex(sh.key_share), to_hex(v_["server_ephemeral_public"]));
  EXPECT_FALSE(sh.extended_master_secret);
  EXPECT_FALSE(sh.has_cookie);
  EXPECT_FALSE(sh.has_pre_shared_key);
}

// The server's encrypted flight, decrypted in the RFC: EncryptedExtensions,
// Certificate, CertificateVerify, Finished.
TEST_F(Rfc8448Messages, CertificateAndCertificateVerify) {
  auto flight = split_flight(v_["server_flight_payload"]);
  const Bytes& cert_body = flight[static_cast<uint8_t>(HandshakeType::certificate)];
  const Bytes& cv_body = flight[static_cast<uint8_t>(HandshakeType::certificate_verify)];
  ASSERT_FALSE(cert_body.empty());
  ASSERT_FALSE(cv_body.empty());

  ByteView certs[kMaxChainLength];
  size_t n = 0;
  Error e;
  ASSERT_TRUE(parse_certificate(cert_body, true, certs, &n, &e)) << e.reason;
  ASSERT_EQ(n, 1u);
  // One DER SEQUENCE: context (1) + list length (3) + entry length (3)
  // precede it, and its extensions (2) follow.
  EXPECT_EQ(certs[0].size(), cert_body.size() - 1 - 3 - 3 - 2);
  EXPECT_EQ(to_hex(certs[0].first(2)), "3082");
  EXPECT_EQ(certs[0].data(), cert_body.data() + 7);

  CertificateVerify cv;
  ASSERT_TRUE(parse_certificate_verify(cv_body, &cv, &e)) << e.reason;
  EXPECT_EQ(cv.signature_scheme, 0x0804);  // rsa_pss_rsae_sha256
  EXPECT_EQ(cv.signature.size(), 128u);    // the RFC's key is RSA-1024
  EXPECT_EQ(cv.signature.data(), cv_body.data() + 4);

  expect_every_truncation_rejected(certificate_parser(true), cert_body, Alert::decode_error);
  expect_every_truncation_rejected(certificate_verify_parser(), cv_body, Alert::decode_error);
}

TEST_F(Rfc8448Messages, HelloTruncations) {
  const Bytes ch = body_of(v_["client_hello"], HandshakeType::client_hello);
  // Cut right after the compression methods: a hello with no extensions.
  const size_t no_extensions = 2 + 32 + 1 + 0 + 2 + 6 + 1 + 1;
  expect_every_truncation_rejected(client_hello_parser(), ch, Alert::decode_error, {no_extensions});
  const Bytes sh = body_of(v_["server_hello"], HandshakeType::server_hello);
  expect_every_truncation_rejected(server_hello_parser(), sh, Alert::decode_error,
                                   {2 + 32 + 1 + 0 + 2 + 1});
}

// --- ClientHello, built here. ---

TEST(ClientHelloParse, EveryExtension) {
  ClientHelloParts p;
  p.exts = every_client_extension();
  const Bytes body = build(p);
  ClientHello ch;
  Error e;
  ASSERT_TRUE(parse_client_hello(body, &ch, &e)) << e.reason;
  EXPECT_EQ(ch.legacy_version, 0x0303);
  EXPECT_EQ(to_hex(ch.random), to_hex(random32(0x10)));
  EXPECT_EQ(to_hex(ch.session_id), "0102030405060708");
  EXPECT_EQ(to_hex(ch.cipher_suites), "1301c02f00ff");
  EXPECT_TRUE(ch.secure_renegotiation);
  EXPECT_EQ(std::string(ch.server_name.begin(), ch.server_name.end()), "server");
  EXPECT_EQ(to_hex(ch.supported_groups), "001d0017");
  ASSERT_TRUE(ch.has_ec_point_formats);
  EXPECT_EQ(to_hex(ch.ec_point_formats), "00");
  EXPECT_EQ(to_hex(ch.signature_algorithms), "040308040401");
  EXPECT_TRUE(ch.extended_master_secret);
  ASSERT_TRUE(ch.has_session_ticket);
  EXPECT_EQ(to_hex(ch.session_ticket), "aabbcc");
  EXPECT_EQ(to_hex(ch.supported_versions), "03040303");
  EXPECT_EQ(to_hex(ch.key_shares), "001d0002abcd");
  EXPECT_EQ(to_hex(ch.psk_key_exchange_modes), "01");
  ASSERT_TRUE(ch.has_cookie);
  EXPECT_EQ(to_hex(ch.cookie), "c0c1c2");
  ASSERT_TRUE(ch.has_pre_shared_key);
  EXPECT_EQ(to_hex(ch.pre_shared_key),
            "00080002414200000001"
            "000504b0b1b2b3");
  // The binders (RFC 8446 4.2.11.2) are the body's last bytes: the
  // transcript for them is the body up to binders_offset.
  ASSERT_LT(ch.binders_offset, body.size());
  EXPECT_EQ(to_hex(ByteView(body).subspan(ch.binders_offset)), "000504b0b1b2b3");
}

// The SCSV alone (RFC 5746 3.3) also means secure renegotiation.
TEST(ClientHelloParse, NoExtensionsAndTheScsv) {
  ClientHelloParts p;
  const Bytes body = build(p);
  ClientHello ch;
  Error e;
  ASSERT_TRUE(parse_client_hello(body, &ch, &e)) << e.reason;
  EXPECT_TRUE(ch.secure_renegotiation);
  EXPECT_FALSE(ch.has_supported_versions);
  EXPECT_FALSE(ch.has_server_name);

  p.cipher_suites = from_hex("c02f");
  const Bytes without = build(p);
  ASSERT_TRUE(parse_client_hello(without, &ch, &e)) << e.reason;
  EXPECT_FALSE(ch.secure_renegotiation);
}

// A parse starts from a clean struct: nothing of an earlier parse stays.
TEST(ClientHelloParse, ResetsItsOutput) {
  ClientHelloParts full;
  full.exts = every_client_extension();
  const Bytes a = build(full);
  const Bytes b = build(ClientHelloParts{});
  ClientHello ch;
  Error e;
  ASSERT_TRUE(parse_client_hello(a, &ch, &e));
  ASSERT_TRUE(parse_client_hello(b, &ch, &e));
  EXPECT_FALSE(ch.has_pre_shared_key);
  EXPECT_FALSE(ch.extended_master_secret);
  EXPECT_EQ(ch.binders_offset, 0u);
}

TEST(ClientHelloParse, EveryTruncation) {
  ClientHelloParts p;
  p.exts = every_client_extension();
  const Bytes body = build(p);
  const size_t no_extensions = 2 + 32 + 1 + 8 + 2 + 6 + 1 + 1;
  expect_every_truncation_rejected(client_hello_parser(), body, Alert::decode_error,
                                   {no_extensions});
}

// Each extension's data cut short, the lengths around it kept consistent:
// decode_error, whichever field the cut lands in. (session_ticket takes any
// bytes, and extended_master_secret has none to cut.)
TEST(ClientHelloParse, EveryTruncationInsideEachExtension) {
  const std::vector<Extension> all = every_client_extension();
  for (size_t i = 0; i < all.size(); i++) {
    const uint16_t type = all[i].type;
    if (type == static_cast<uint16_t>(ExtensionType::session_ticket) || type == 0x1234) continue;
    for (size_t n = 0; n < all[i].data.size(); n++) {
      ClientHelloParts p;
      p.exts = all;
      (*p.exts)[i].data.resize(n);
      expect_rejected(client_hello_parser(), build(p), Alert::decode_error,
                      "extension " + std::to_string(type) + " cut to " + std::to_string(n));
    }
  }
}

TEST(ClientHelloParse, TrailingBytesRejected) {
  ClientHelloParts p;
  Bytes body = build(p);
  body.push_back(0);  // one byte where an extensions block would start
  expect_rejected(client_hello_parser(), body, Alert::decode_error, "byte after compression");

  p.exts = every_client_extension();
  body = build(p);
  body.push_back(0);
  expect_rejected(client_hello_parser(), body, Alert::decode_error, "byte after extensions");

  // A byte left over inside one extension's data.
  p.exts = {ext(ExtensionType::supported_groups, "0002 001d 00")};
  expect_rejected(client_hello_parser(), build(p), Alert::decode_error, "byte inside extension");
  p.exts = {ext(ExtensionType::extended_master_secret, "00")};
  expect_rejected(client_hello_parser(), build(p), Alert::decode_error,
                  "extended_master_secret with data");
  p.exts = {ext(ExtensionType::server_name, "000a 00 0006 736572766572 00")};
  expect_rejected(client_hello_parser(), build(p), Alert::decode_error, "byte after the host_name");
}

TEST(ClientHelloParse, BadFixedFieldsRejected) {
  struct Case {
    const char* what;
    void (*edit)(ClientHelloParts&);
  };
  const Case cases[] = {
      {"33-byte session id", [](ClientHelloParts& p) { p.session_id = Bytes(33, 1); }},
      {"no cipher suites", [](ClientHelloParts& p) { p.cipher_suites.clear(); }},
      {"odd cipher suites length",
       [](ClientHelloParts& p) { p.cipher_suites = from_hex("1301c0"); }},
      {"no compression methods", [](ClientHelloParts& p) { p.compression.clear(); }},
  };
  for (const Case& c : cases) {
    ClientHelloParts p;
    c.edit(p);
    expect_rejected(client_hello_parser(), build(p), Alert::decode_error, c.what);
  }
  // 32 bytes of session id is the most there may be.
  ClientHelloParts p;
  p.session_id = Bytes(32, 1);
  Error e;
  ClientHello ch;
  const Bytes body = build(p);  // the parsed views point into it
  EXPECT_TRUE(parse_client_hello(body, &ch, &e)) << e.reason;
  EXPECT_EQ(ch.session_id.size(), 32u);
}

// Lists the RFCs give a minimum length of one entry, given none or half of
// one (RFC 8446 4.2.3, 4.2.7, 4.2.1, 4.2.9, 4.2.2, 4.2.11; RFC 8422 5.1.2;
// RFC 6066 3).
TEST(ClientHelloParse, EmptyAndMalformedListsRejected) {
  const std::pair<const char*, Extension> cases[] = {
      {"empty supported_groups", ext(ExtensionType::supported_groups, "0000")},
      {"odd supported_groups", ext(ExtensionType::supported_groups, "0003 001d00")},
      {"empty signature_algorithms", ext(ExtensionType::signature_algorithms, "0000")},
      {"odd signature_algorithms", ext(ExtensionType::signature_algorithms, "0001 04")},
      {"empty supported_versions", ext(ExtensionType::supported_versions, "00")},
      {"odd supported_versions", ext(ExtensionType::supported_versions, "03 030403")},
      {"empty psk_key_exchange_modes", ext(ExtensionType::psk_key_exchange_modes, "00")},
      {"empty ec_point_formats", ext(ExtensionType::ec_point_formats, "00")},
      {"empty cookie", ext(ExtensionType::cookie, "0000")},
      {"empty server_name list", ext(ExtensionType::server_name, "0000")},
      {"empty host_name", ext(ExtensionType::server_name, "0003 00 0000")},
      {"server_name of type 1", ext(ExtensionType::server_name, "0005 01 0002 6869")},
      {"two host_names", ext(ExtensionType::server_name, "000a 00 0002 6869 00 0002 686f")},
      {"no psk identities", ext(ExtensionType::pre_shared_key, "0000 0005 04 b0b1b2b3")},
      {"no psk binders", ext(ExtensionType::pre_shared_key, "0008 0002 4142 00000001 0000")},
      {"empty key_share data", ext(ExtensionType::key_share, "")},
  };
  for (const auto& [what, e] : cases) {
    ClientHelloParts p;
    p.exts = {e};
    expect_rejected(client_hello_parser(), build(p), Alert::decode_error, what);
  }
}

// An empty client_shares list is allowed: a client may ask for a
// HelloRetryRequest (RFC 8446 4.2.8).
TEST(ClientHelloParse, EmptyKeyShareListAllowed) {
  ClientHelloParts p;
  p.exts = {ext(ExtensionType::key_share, "0000")};
  ClientHello ch;
  Error e;
  const Bytes body = build(p);  // the parsed views point into it
  ASSERT_TRUE(parse_client_hello(body, &ch, &e)) << e.reason;
  EXPECT_TRUE(ch.has_key_share);
  EXPECT_TRUE(ch.key_shares.empty());
}

TEST(ClientHelloParse, NonEmptyRenegotiationInfoIsHandshakeFailure) {
  // RFC 5746 3.6.
  ClientHelloParts p;
  p.exts = {ext(ExtensionType::renegotiation_info, "03 aabbcc")};
  expect_rejected(client_hello_parser(), build(p), Alert::handshake_failure,
                  "renegotiation_info with data");
}

// RFC 8446 4.2: at most one extension of a type in a block.
TEST(ClientHelloParse, DuplicateExtensionsRejected) {
  const std::vector<Extension> all = every_client_extension();
  // Each extension twice in a row. Aside: pre_shared_key (a second one is
  // already not last); types from 256 up, which the parser does not track
  // (messages.cc: the unknown 0x1234 here, and renegotiation_info, see
  // DuplicateRenegotiationInfoRejected).
  for (size_t i = 0; i + 1 < all.size(); i++) {
    if (all[i].type >= 256) continue;
    ClientHelloParts p;
    p.exts = {all[i], all[i]};
    expect_rejected(client_hello_parser(), build(p), Alert::illegal_parameter,
                    "extension " + std::to_string(all[i].type) + " twice");
  }
  // Apart, with others between.
  ClientHelloParts p;
  p.exts = {all[1], all[0], all[3], all[1]};
  expect_rejected(client_hello_parser(), build(p), Alert::illegal_parameter,
                  "supported_groups twice, apart");
  // An unknown type below 256 twice.
  p.exts = {{0x1c, from_hex("4001")}, {0x1c, from_hex("4001")}};
  expect_rejected(client_hello_parser(), build(p), Alert::illegal_parameter,
                  "record_size_limit twice");
}

TEST(ClientHelloParse, DuplicateRenegotiationInfoRejected) {
  ClientHelloParts p;
  p.exts = {ext(ExtensionType::renegotiation_info, "00"),
            ext(ExtensionType::renegotiation_info, "00")};
  expect_rejected(client_hello_parser(), build(p), Alert::illegal_parameter,
                  "renegotiation_info twice");
}

TEST(ClientHelloParse, PreSharedKeyMustBeLast) {
  // RFC 8446 4.2.11.
  std::vector<Extension> exts = every_client_extension();
  std::swap(exts[exts.size() - 1], exts[exts.size() - 2]);
  ClientHelloParts p;
  p.exts = exts;
  expect_rejected(client_hello_parser(), build(p), Alert::illegal_parameter,
                  "pre_shared_key before another extension");
}

// --- ServerHello, built here. ---

TEST(ServerHelloParse, Tls12WithExtensions) {
  ServerHelloParts p;
  p.exts = {ext(ExtensionType::extended_master_secret, ""),
            ext(ExtensionType::renegotiation_info, "00"), ext(ExtensionType::session_ticket, ""),
            ext(ExtensionType::ec_point_formats, "02 0100")};
  ServerHello sh;
  Error e;
  const Bytes body = build(p);  // the parsed views point into it
  ASSERT_TRUE(parse_server_hello(body, &sh, &e)) << e.reason;
  EXPECT_EQ(sh.cipher_suite, 0xc02f);
  EXPECT_EQ(to_hex(sh.random), to_hex(random32(0x40)));
  EXPECT_EQ(to_hex(sh.session_id), "0102030405060708");
  EXPECT_TRUE(sh.extended_master_secret);
  EXPECT_TRUE(sh.secure_renegotiation);
  EXPECT_TRUE(sh.session_ticket);
  EXPECT_TRUE(sh.has_ec_point_formats);
  EXPECT_EQ(sh.supported_version, 0);
  EXPECT_FALSE(sh.has_key_share);
  EXPECT_FALSE(sh.is_hello_retry_request);
}

TEST(ServerHelloParse, Tls12WithoutExtensions) {
  ServerHello sh;
  Error e;
  const Bytes body = build(ServerHelloParts{});  // the parsed views point into it
  ASSERT_TRUE(parse_server_hello(body, &sh, &e)) << e.reason;
  EXPECT_FALSE(sh.extended_master_secret);
  EXPECT_FALSE(sh.secure_renegotiation);
}

TEST(ServerHelloParse, Tls13Resumption) {
  ServerHelloParts p;
  p.cipher_suite = 0x1301;
  p.exts = {ext(ExtensionType::supported_versions, "0304"),
            ext(ExtensionType::key_share, "0017 0003 04aabb"),
            ext(ExtensionType::pre_shared_key, "0002")};
  ServerHello sh;
  Error e;
  const Bytes body = build(p);  // the parsed views point into it
  ASSERT_TRUE(parse_server_hello(body, &sh, &e)) << e.reason;
  EXPECT_EQ(sh.supported_version, 0x0304);
  EXPECT_EQ(sh.key_share_group, 0x0017);
  EXPECT_EQ(to_hex(sh.key_share), "04aabb");
  ASSERT_TRUE(sh.has_pre_shared_key);
  EXPECT_EQ(sh.selected_identity, 2);
}

// A HelloRetryRequest (RFC 8446 4.1.3, 4.1.4): the special random, a
// key_share of only the selected group, a cookie.
TEST(ServerHelloParse, HelloRetryRequest) {
  ServerHelloParts p;
  p.random.assign(kHelloRetryRequestRandom, kHelloRetryRequestRandom + 32);
  p.cipher_suite = 0x1301;
  p.exts = {ext(ExtensionType::supported_versions, "0304"), ext(ExtensionType::key_share, "0017"),
            ext(ExtensionType::cookie, "0002 c0c1")};
  const Bytes body = build(p);
  ServerHello sh;
  Error e;
  ASSERT_TRUE(parse_server_hello(body, &sh, &e)) << e.reason;
  EXPECT_TRUE(sh.is_hello_retry_request);
  ASSERT_TRUE(sh.has_key_share);
  EXPECT_EQ(sh.key_share_group, 0x0017);
  EXPECT_TRUE(sh.key_share.empty());
  ASSERT_TRUE(sh.has_cookie);
  EXPECT_EQ(to_hex(sh.cookie), "c0c1");
  expect_every_truncation_rejected(server_hello_parser(), body, Alert::decode_error,
                                   {2 + 32 + 1 + 8 + 2 + 1});

  // A whole key share in a HelloRetryRequest is malformed.
  p.exts = {ext(ExtensionType::key_share, "0017 0003 04aabb")};
  expect_rejected(server_hello_parser(), build(p), Alert::decode_error,
                  "HelloRetryRequest with a key");
}

TEST(ServerHelloParse, EveryTruncationInsideEachExtension) {
  const std::vector<Extension> all = {ext(ExtensionType::renegotiation_info, "00"),
                                      ext(ExtensionType::ec_point_formats, "01 00"),
                                      ext(ExtensionType::supported_versions, "0304"),
                                      ext(ExtensionType::key_share, "001d 0002 abcd"),
                                      ext(ExtensionType::cookie, "0002 c0c1"),
                                      ext(ExtensionType::pre_shared_key, "0000")};
  for (size_t i = 0; i < all.size(); i++) {
    for (size_t n = 0; n < all[i].data.size(); n++) {
      ServerHelloParts p;
      p.exts = all;
      (*p.exts)[i].data.resize(n);
      expect_rejected(server_hello_parser(), build(p), Alert::decode_error,
                      "extension " + std::to_string(all[i].type) + " cut to " + std::to_string(n));
    }
  }
}

TEST(ServerHelloParse, Rejections) {
  struct Case {
    const char* what;
    ServerHelloParts parts;
    Alert alert;
  };
  auto with = [](std::vector<Extension> exts) {
    ServerHelloParts p;
    p.exts = std::move(exts);
    return p;
  };
  ServerHelloParts long_sid;
  long_sid.session_id = Bytes(33, 1);
  ServerHelloParts compressed;
  compressed.compression = 1;
  const Case cases[] = {
      {"33-byte session id", long_sid, Alert::decode_error},
      {"compression", compressed, Alert::illegal_parameter},
      {"unrequested extension", with({{0x1c, from_hex("4001")}}), Alert::unsupported_extension},
      {"status_request, not offered", with({ext(ExtensionType::status_request, "")}),
       Alert::unsupported_extension},
      {"duplicate extended_master_secret",
       with({ext(ExtensionType::extended_master_secret, ""),
             ext(ExtensionType::extended_master_secret, "")}),
       Alert::illegal_parameter},
      {"duplicate supported_versions",
       with({ext(ExtensionType::supported_versions, "0304"),
             ext(ExtensionType::supported_versions, "0304")}),
       Alert::illegal_parameter},
      {"duplicate key_share",
       with({ext(ExtensionType::key_share, "001d 0001 aa"),
             ext(ExtensionType::key_share, "001d 0001 aa")}),
       Alert::illegal_parameter},
      {"renegotiation_info with data", with({ext(ExtensionType::renegotiation_info, "01 aa")}),
       Alert::handshake_failure},
      {"no uncompressed point format", with({ext(ExtensionType::ec_point_formats, "01 01")}),
       Alert::illegal_parameter},
      {"empty ec_point_formats", with({ext(ExtensionType::ec_point_formats, "00")}),
       Alert::decode_error},
      {"empty key share", with({ext(ExtensionType::key_share, "001d 0000")}), Alert::decode_error},
      {"empty cookie", with({ext(ExtensionType::cookie, "0000")}), Alert::decode_error},
      {"supported_versions of 3 bytes", with({ext(ExtensionType::supported_versions, "030400")}),
       Alert::decode_error},
      {"extended_master_secret with data", with({ext(ExtensionType::extended_master_secret, "00")}),
       Alert::decode_error},
      {"session_ticket with data", with({ext(ExtensionType::session_ticket, "00")}),
       Alert::decode_error},
      {"pre_shared_key of 3 bytes", with({ext(ExtensionType::pre_shared_key, "000000")}),
       Alert::decode_error},
  };
  for (const Case& c : cases) {
    expect_rejected(server_hello_parser(), build(c.parts), c.alert, c.what);
  }

  Bytes trailing = build(ServerHelloParts{});
  trailing.push_back(0);
  expect_rejected(server_hello_parser(), trailing, Alert::decode_error, "byte after compression");
  trailing = build(with({ext(ExtensionType::extended_master_secret, "")}));
  trailing.push_back(0);
  expect_rejected(server_hello_parser(), trailing, Alert::decode_error, "byte after extensions");
}

// A TLS 1.2 server that used the client's server_name acknowledges it with
// an empty server_name extension in its ServerHello (RFC 6066 3: it "SHALL
// include" one), and the engine's client offers server_name in TLS 1.2.
TEST(ServerHelloParse, Tls12ServerNameAcknowledgementAccepted) {
  ServerHelloParts p;
  p.exts = {ext(ExtensionType::server_name, ""), ext(ExtensionType::renegotiation_info, "00")};
  ServerHello sh;
  Error e;
  const Bytes body = build(p);  // the parsed views point into it
  EXPECT_TRUE(parse_server_hello(body, &sh, &e)) << name(e.alert) << ": " << e.reason;
  EXPECT_TRUE(sh.server_name_acknowledged);
}

// TLS 1.3 acknowledges the SNI in EncryptedExtensions; in its ServerHello
// the extension is in the wrong message (RFC 8446 4.2).
TEST(ServerHelloParse, Tls13ServerNameInServerHelloRejected) {
  ServerHelloParts p;
  p.exts = {ext(ExtensionType::supported_versions, "0304"), ext(ExtensionType::server_name, "")};
  expect_rejected(server_hello_parser(), build(p), Alert::illegal_parameter,
                  "server_name in a TLS 1.3 ServerHello");
}

// --- Certificate. ---

Bytes certificate_body(bool tls13, const std::vector<Bytes>& certs, ByteView context = {}) {
  Bytes out;
  Writer w(&out);
  if (tls13) {
    auto c = w.open_u8();
    w.bytes(context);
    EXPECT_TRUE(w.close(c));
  }
  auto list = w.open_u24();
  for (const Bytes& cert : certs) {
    auto entry = w.open_u24();
    w.bytes(cert);
    EXPECT_TRUE(w.close(entry));
    if (tls13) {
      auto exts = w.open_u16();  // per-entry extensions, here one unknown
      if (&cert == &certs.front()) {
        w.u16(0x0005);
        w.u16(0);
      }
      EXPECT_TRUE(w.close(exts));
    }
  }
  EXPECT_TRUE(w.close(list));
  return out;
}

TEST(CertificateParse, ChainsOfBothVersions) {
  const std::vector<Bytes> chain = {from_hex("3003020101"), from_hex("300402020102"),
                                    from_hex("30")};
  for (bool tls13 : {false, true}) {
    SCOPED_TRACE(tls13 ? "TLS 1.3" : "TLS 1.2");
    const Bytes body = certificate_body(tls13, chain);
    ByteView certs[kMaxChainLength];
    size_t n = 0;
    Error e;
    ASSERT_TRUE(parse_certificate(body, tls13, certs, &n, &e)) << e.reason;
    ASSERT_EQ(n, chain.size());
    for (size_t i = 0; i < n; i++) EXPECT_EQ(to_hex(certs[i]), to_hex(chain[i])) << i;
    expect_every_truncation_rejected(certificate_parser(tls13), body, Alert::decode_error);

    Bytes trailing = body;
    trailing.push_back(0);
    expect_rejected(certificate_parser(tls13), trailing, Alert::decode_error, "trailing byte");
  }
}

TEST(CertificateParse, Rejections) {
  for (bool tls13 : {false, true}) {
    SCOPED_TRACE(tls13 ? "TLS 1.3" : "TLS 1.2");
    expect_rejected(certificate_parser(tls13), certificate_body(tls13, {}), Alert::decode_error,
                    "no certificates");
    expect_rejected(certificate_parser(tls13), certificate_body(tls13, {from_hex("30"), {}}),
                    Alert::decode_error, "an empty certificate");
    // More certificates than the caller has room for.
    const std::vector<Bytes> three(3, from_hex("3000"));
    expect_rejected(certificate_parser(tls13, 2), certificate_body(tls13, three),
                    Alert::bad_certificate, "three certificates for two slots");
    Error e;
    EXPECT_TRUE(certificate_parser(tls13, 3)(certificate_body(tls13, three), &e)) << e.reason;
  }
  // A server's Certificate has an empty request context (RFC 8446 4.4.2).
  expect_rejected(certificate_parser(true),
                  certificate_body(true, {from_hex("30")}, from_hex("01")),
                  Alert::illegal_parameter, "request context");
  // A TLS 1.2 Certificate read as TLS 1.3 lacks the entry extensions.
  expect_rejected(certificate_parser(true), from_hex("00 000004 000001 30"), Alert::decode_error,
                  "entry without extensions");
}

// --- ServerKeyExchange (TLS 1.2, RFC 8422 5.4). ---

Bytes server_key_exchange(uint8_t curve_type, std::string_view point, std::string_view sig) {
  Bytes out;
  Writer w(&out);
  w.u8(curve_type);
  w.u16(0x001d);
  auto p = w.open_u8();
  w.bytes(from_hex(point));
  EXPECT_TRUE(w.close(p));
  w.u16(0x0804);
  auto s = w.open_u16();
  w.bytes(from_hex(sig));
  EXPECT_TRUE(w.close(s));
  return out;
}

TEST(ServerKeyExchangeParse, Fields) {
  const Bytes body = server_key_exchange(3, "a0a1a2a3", "5051525354");
  ServerKeyExchange ske;
  Error e;
  ASSERT_TRUE(parse_server_key_exchange(body, &ske, &e)) << e.reason;
  EXPECT_EQ(ske.group, 0x001d);
  EXPECT_EQ(to_hex(ske.public_key), "a0a1a2a3");
  // The signed params: curve type, group, the point with its length.
  EXPECT_EQ(to_hex(ske.params), "03001d04a0a1a2a3");
  EXPECT_EQ(ske.params.data(), body.data());
  EXPECT_EQ(ske.signature_scheme, 0x0804);
  EXPECT_EQ(to_hex(ske.signature), "5051525354");
  expect_every_truncation_rejected(server_key_exchange_parser(), body, Alert::decode_error);
}

TEST(ServerKeyExchangeParse, Rejections) {
  expect_rejected(server_key_exchange_parser(), server_key_exchange(1, "a0", "50"),
                  Alert::illegal_parameter, "explicit prime curve");
  expect_rejected(server_key_exchange_parser(), server_key_exchange(3, "", "50"),
                  Alert::decode_error, "empty point");
  expect_rejected(server_key_exchange_parser(), server_key_exchange(3, "a0", ""),
                  Alert::decode_error, "empty signature");
  Bytes trailing = server_key_exchange(3, "a0", "50");
  trailing.push_back(0);
  expect_rejected(server_key_exchange_parser(), trailing, Alert::decode_error, "trailing byte");
}

// --- CertificateVerify (RFC 8446 4.4.3). ---

TEST(CertificateVerifyParse, FieldsAndRejections) {
  const Bytes body = from_hex("0403 0003 aabbcc");
  CertificateVerify cv;
  Error e;
  ASSERT_TRUE(parse_certificate_verify(body, &cv, &e)) << e.reason;
  EXPECT_EQ(cv.signature_scheme, 0x0403);
  EXPECT_EQ(to_hex(cv.signature), "aabbcc");
  expect_every_truncation_rejected(certificate_verify_parser(), body, Alert::decode_error);
  expect_rejected(certificate_verify_parser(), from_hex("0403 0003 aabbcc 00"), Alert::decode_error,
                  "trailing byte");
  expect_rejected(certificate_verify_parser(), from_hex("0403 0000"), Alert::decode_error,
                  "empty signature");
}

// --- List helpers. ---

TEST(Lists, Contains) {
  const Bytes u16s = from_hex("001d 0017 0018");
  EXPECT_TRUE(list_contains_u16(u16s, 0x001d));
  EXPECT_TRUE(list_contains_u16(u16s, 0x0018));
  EXPECT_FALSE(list_contains_u16(u16s, 0x1700));  // straddles two entries
  EXPECT_FALSE(list_contains_u16({}, 0));
  // A trailing odd byte is not half an entry to match.
  EXPECT_FALSE(list_contains_u16(from_hex("001d 00"), 0x0000));
  EXPECT_TRUE(list_contains_u8(from_hex("0102"), 2));
  EXPECT_FALSE(list_contains_u8(from_hex("0102"), 3));
  EXPECT_FALSE(list_contains_u8({}, 0));
}

}  // namespace
}  // namespace hsbench::tls
