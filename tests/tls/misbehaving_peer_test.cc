// A misbehaving peer gets the right alert and a clean failure (RFC 5246
// 7.2, RFC 8446 6.2). In each case the engine side that notices sends the
// alert the RFCs require, the alert is the last record it wrote, its peer
// reads it and fails with the same alert marked received, and nothing
// crashes. The test steps the engine's client and server by hand and edits
// the plaintext flights between them; where a side must compute something
// wrong under encryption, a TamperingBackend or a FlippedSignatureKey does
// it (tests/tls/hostile_peer.h). TLS 1.2 first, then the TLS 1.3
// equivalents, then garbage: random bytes, every prefix of a flight, and
// every single-bit flip of one.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"
#include "drive/configs.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "tls/client.h"
#include "tls/hostile_peer.h"
#include "tls/server.h"

namespace hsbench::tls {
namespace {

using Status = Connection::Status;
using hostile::Flight;
using hostile::FlippedSignatureKey;
using hostile::TamperingBackend;

// --- Backends, PKIs and endpoints. ---

// Backends and PKIs are loaded once for the whole binary.
Backend* loaded_backend(const std::string& name) {
  static std::map<std::string, std::unique_ptr<LoadedBackend>> loaded;
  auto& slot = loaded[name];
  if (!slot) {
    std::string error;
    slot = load_backend(name, &error);
    if (!slot) {
      ADD_FAILURE() << "cannot load backend " << name << ": " << error;
      return nullptr;
    }
  }
  return &slot->backend();
}

const Pki& pki(const std::string& kind) { return test::shared_pki(kind); }

// A scenario's engine client and server, each on its own backend.
struct Endpoints {
  const Scenario* scenario = nullptr;
  std::unique_ptr<Credentials> anchors;      // the client's trust store
  std::unique_ptr<Credentials> credentials;  // the server's chain and key
  Config client_config, server_config;
  std::unique_ptr<Client> client;
  std::unique_ptr<Server> server;
};

// trust_kind: the PKI kind whose root the client trusts; the scenario's own
// when empty.
std::unique_ptr<Endpoints> make_endpoints(std::string_view id, Backend& client_backend,
                                          Backend& server_backend,
                                          const std::string& trust_kind = "") {
  auto e = std::make_unique<Endpoints>();
  e->scenario = find_scenario(id);
  if (e->scenario == nullptr) {
    ADD_FAILURE() << "no scenario " << id;
    return nullptr;
  }
  std::string error;
  e->credentials = prepare_credentials(server_backend, pki(e->scenario->cert), kServerName, &error);
  if (e->credentials != nullptr) {
    e->anchors = prepare_credentials(client_backend,
                                     pki(trust_kind.empty() ? e->scenario->cert : trust_kind),
                                     kServerName, &error);
  }
  if (e->credentials == nullptr || e->anchors == nullptr) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  e->client_config = engine_client_config(*e->scenario, e->anchors->trust.get());
  e->server_config = engine_server_config(*e->scenario, e->credentials.get());
  e->client = std::make_unique<Client>(&client_backend, &e->client_config);
  e->server = std::make_unique<Server>(&server_backend, &e->server_config);
  return e;
}

// --- Stepping the engine by hand. ---

const char* status_name(Status s) {
  switch (s) {
    case Status::progressed:
      return "progressed";
    case Status::step:
      return "step";
    case Status::want_read:
      return "want_read";
    case Status::done:
      return "done";
    case Status::closed:
      return "closed";
    case Status::failed:
      return "failed";
  }
  return "unknown";
}

std::string describe(const Error& e) {
  return std::string(name(e.alert)) + (e.received ? " (received): " : " (sent): ") + e.reason;
}

// Runs a connection until it waits for its peer, finishes or fails: the
// handshake, then the default exchange of the driver (drive::EngineEndpoint)
// on the connection's application data calls: the client writes a record
// as soon as its handshake is complete, the server answers the one it
// reads, and a side is done once it has read its peer's record.
Status run(Connection& c) {
  const Bytes payload(c.config().application_data_length, static_cast<uint8_t>('h'));
  for (int i = 0; i < 100; i++) {
    Status s;
    if (!c.established()) {
      s = c.advance();
      if (s == Status::step && c.established() && c.side() == Side::client) {
        s = c.write_application_data(payload);
      }
    } else if (!c.received_application_data().empty()) {
      return Status::done;
    } else {
      s = c.read_application_data();
      if (s == Status::step && c.last_step().message == Message::application_data &&
          c.side() == Side::server) {
        s = c.write_application_data(payload);
      }
    }
    if (s != Status::step && s != Status::progressed) return s;
  }
  ADD_FAILURE() << name(c.side()) << " never stops";
  return Status::failed;
}

Bytes take_output(Connection& c) {
  Bytes out;
  out.swap(c.output());
  return out;
}

// Edits a flight before its receiver sees it: the sender, and which of the
// sender's flights it is (0 for the first).
using Tamper = std::function<void(Side sender, int flight, Bytes& bytes)>;

Tamper edit_flight(Side sender, int flight, std::function<void(Flight&)> edit) {
  return [=](Side s, int n, Bytes& bytes) {
    if (s != sender || n != flight) return;
    Flight f(bytes);
    edit(f);
    bytes = f.bytes();
  };
}

Tamper edit_bytes(Side sender, int flight, std::function<void(Bytes&)> edit) {
  return [=](Side s, int n, Bytes& bytes) {
    if (s == sender && n == flight) edit(bytes);
  };
}

struct Exchange {
  bool completed = false;
  Side failed_side = Side::client;
  Error error;  // the failing side's
  Bytes alert;  // what the failing side wrote as it failed
  Status peer_status = Status::want_read;
  Error peer_error;
};

// Runs the handshake and one application data record each way, passing
// every flight through tamper. When a side fails, its output goes to the
// peer, which runs once more to read it.
Exchange exchange(Connection& client, Connection& server, const Tamper& tamper = {}) {
  Connection* sides[2] = {&client, &server};
  int flights[2] = {0, 0};
  bool done[2] = {false, false};
  Exchange x;
  int current = 0;
  for (int i = 0; i < 100; i++) {
    Connection& c = *sides[current];
    Connection& other = *sides[1 - current];
    Status s = run(c);
    if (s == Status::failed) {
      x.failed_side = c.side();
      x.error = c.error();
      x.alert = take_output(c);
      if (!done[1 - current]) {
        other.receive(x.alert);
        x.peer_status = run(other);
        x.peer_error = other.error();
      }
      return x;
    }
    Bytes out = take_output(c);
    if (!out.empty()) {
      if (tamper) tamper(c.side(), flights[current], out);
      flights[current]++;
    }
    other.receive(out);
    if (s == Status::done) done[current] = true;
    if (done[0] && done[1]) {
      x.completed = true;
      return x;
    }
    current = 1 - current;
  }
  ADD_FAILURE() << "the exchange never ends";
  return x;
}

// The clean failure every case asserts: `side` noticed and sent `alert`
// (not received), the alert is the last record it wrote, and its peer read
// that alert and failed, marking it received.
void expect_alert(const Exchange& x, Side side, Alert alert) {
  ASSERT_FALSE(x.completed) << "the handshake completed";
  ASSERT_EQ(name(x.failed_side), name(side)) << describe(x.error);
  EXPECT_EQ(name(x.error.alert), name(alert)) << describe(x.error);
  EXPECT_FALSE(x.error.received) << describe(x.error);

  auto last = hostile::last_record(x.alert);
  ASSERT_TRUE(last.has_value()) << name(side) << " wrote no whole record as it failed";
  if (last->type == static_cast<uint8_t>(ContentType::alert) && last->payload.size() == 2) {
    EXPECT_EQ(last->payload[0], static_cast<uint8_t>(AlertLevel::fatal));
    EXPECT_EQ(name(static_cast<Alert>(last->payload[1])), name(alert));
  } else {
    // Protected: TLS 1.2 keeps the alert type outside, TLS 1.3 hides it.
    EXPECT_TRUE(last->type == static_cast<uint8_t>(ContentType::alert) ||
                last->type == static_cast<uint8_t>(ContentType::application_data))
        << "last record type " << int(last->type);
  }

  EXPECT_STREQ(status_name(x.peer_status), "failed")
      << name(peer(side)) << " did not fail on the alert";
  EXPECT_TRUE(x.peer_error.received)
      << name(peer(side)) << " did not read the alert: " << describe(x.peer_error);
  EXPECT_EQ(name(x.peer_error.alert), name(alert))
      << name(peer(side)) << ": " << describe(x.peer_error);
}

// Every case runs on the OpenSSL backend and on the null backend, whose
// stand-ins still fail a wrong Finished, signature or record.
class MisbehavingPeerTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "openssl" && !HSBENCH_HAVE_OPENSSL) GTEST_SKIP() << "built without OpenSSL";
    backend_ = loaded_backend(GetParam());
    ASSERT_NE(backend_, nullptr);
  }
  Backend& backend() { return *backend_; }
  bool is_null() const { return GetParam() == "null"; }

  // A scenario on this backend, both sides.
  std::unique_ptr<Endpoints> endpoints(std::string_view id) {
    return make_endpoints(id, *backend_, *backend_);
  }

 private:
  Backend* backend_ = nullptr;
};

// An edit of one flight and the alert it must draw.
struct Case {
  const char* what;
  Tamper tamper;
  Side notices;
  Alert alert;
};

void run_cases(std::string_view scenario, Backend& b, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(scenario) + ": " + c.what);
    auto e = make_endpoints(scenario, b, b);
    ASSERT_NE(e, nullptr);
    expect_alert(exchange(*e->client, *e->server, c.tamper), c.notices, c.alert);
  }
}

// =====================================================================
// TLS 1.2
// =====================================================================

// A Finished that does not verify is a decrypt_error (RFC 5246 7.2.2,
// 7.4.9).
TEST_P(MisbehavingPeerTest, Tls12ClientFinishedIsWrong) {
  for (const char* id : {"tls12-rsa-rsa2048", "tls12-ecdhe-x25519-ecdsa-p256"}) {
    SCOPED_TRACE(id);
    TamperingBackend client_backend(&backend());
    client_backend.corrupt_prf("client finished");
    auto e = make_endpoints(id, client_backend, backend());
    ASSERT_NE(e, nullptr);
    expect_alert(exchange(*e->client, *e->server), Side::server, Alert::decrypt_error);
  }
}

TEST_P(MisbehavingPeerTest, Tls12ServerFinishedIsWrong) {
  for (const char* id : {"tls12-rsa-rsa2048", "tls12-ecdhe-x25519-ecdsa-p256"}) {
    SCOPED_TRACE(id);
    TamperingBackend server_backend(&backend());
    server_backend.corrupt_prf("server finished");
    auto e = make_endpoints(id, backend(), server_backend);
    ASSERT_NE(e, nullptr);
    expect_alert(exchange(*e->client, *e->server), Side::client, Alert::decrypt_error);
  }
}

// A ServerKeyExchange signature that does not verify is a decrypt_error
// (RFC 5246 7.2.2; RFC 8422 5.4).
TEST_P(MisbehavingPeerTest, Tls12ServerKeyExchangeSignatureIsWrong) {
  for (const char* id : {"tls12-ecdhe-x25519-rsa2048", "tls12-ecdhe-p256-ecdsa-p256",
                         "tls12-ecdhe-x25519-ed25519"}) {
    SCOPED_TRACE(id);
    auto e = endpoints(id);
    ASSERT_NE(e, nullptr);
    e->credentials->key = std::make_unique<FlippedSignatureKey>(std::move(e->credentials->key));
    expect_alert(exchange(*e->client, *e->server), Side::client, Alert::decrypt_error);
  }
}

// The server must pick one of the client's suites (RFC 5246 7.4.1.3); a
// client gets illegal_parameter otherwise (RFC 8446 4.1.3, which a TLS 1.2
// client offering only 1.2 follows too, as BoringSSL does).
TEST_P(MisbehavingPeerTest, Tls12ServerChoosesSuiteNotOffered) {
  const uint16_t suites[] = {
      static_cast<uint16_t>(CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384),
      static_cast<uint16_t>(CipherSuite::TLS_AES_128_GCM_SHA256),  // a TLS 1.3 suite
      0xc0ff,                                                      // no suite at all
  };
  std::vector<Case> cases;
  for (uint16_t suite : suites) {
    cases.push_back({"suite not offered",
                     edit_flight(Side::server, 0,
                                 [=](Flight& f) {
                                   Bytes& hello = f.body(HandshakeType::server_hello);
                                   hostile::put_u16(
                                       hello, hostile::server_hello_cipher_suite_at(hello), suite);
                                 }),
                     Side::client, Alert::illegal_parameter});
  }
  run_cases("tls12-ecdhe-x25519-rsa2048", backend(), cases);
}

// The client offered x25519 only; a ServerKeyExchange on P-384 is
// illegal_parameter (RFC 8422 5.4, BoringSSL's SSL_R_WRONG_CURVE).
TEST_P(MisbehavingPeerTest, Tls12ServerChoosesGroupNotOffered) {
  run_cases("tls12-ecdhe-x25519-rsa2048", backend(),
            {{"ServerKeyExchange on P-384",
              edit_flight(Side::server, 0,
                          [](Flight& f) {
                            Bytes& ske = f.body(HandshakeType::server_key_exchange);
                            hostile::put_u16(ske, 1, static_cast<uint16_t>(Group::secp384r1));
                          }),
              Side::client, Alert::illegal_parameter}});
}

// An extension in ServerHello that the client did not offer is
// unsupported_extension (RFC 5246 7.4.1.4).
TEST_P(MisbehavingPeerTest, Tls12ServerHelloHasUnofferedExtension) {
  auto add = [](uint16_t type, Bytes data) {
    return edit_flight(Side::server, 0, [=](Flight& f) {
      Bytes& hello = f.body(HandshakeType::server_hello);
      hostile::append_extension(hello, hostile::server_hello_extensions_at(hello), type, data);
    });
  };
  Bytes key_share = {0x00, 0x1d, 0x00, 0x20};  // x25519, 32 bytes
  key_share.resize(key_share.size() + 32, 0x42);
  run_cases("tls12-ecdhe-x25519-rsa2048", backend(),
            {{"unknown extension", add(0x1234, {}), Side::client, Alert::unsupported_extension},
             {"TLS 1.3 key_share", add(static_cast<uint16_t>(ExtensionType::key_share), key_share),
              Side::client, Alert::unsupported_extension}});
}

// A message cut short, inside correct record and handshake framing, is a
// decode_error (RFC 8446 6.2: "a message could not be parsed").
TEST_P(MisbehavingPeerTest, Tls12TruncatedMessage) {
  auto cut = [](Side sender, int flight, HandshakeType type) {
    return edit_flight(sender, flight, [=](Flight& f) { f.body(type).pop_back(); });
  };
  run_cases("tls12-ecdhe-x25519-rsa2048", backend(),
            {{"ClientHello", cut(Side::client, 0, HandshakeType::client_hello), Side::server,
              Alert::decode_error},
             {"ServerHello", cut(Side::server, 0, HandshakeType::server_hello), Side::client,
              Alert::decode_error},
             {"Certificate", cut(Side::server, 0, HandshakeType::certificate), Side::client,
              Alert::decode_error},
             {"ServerKeyExchange", cut(Side::server, 0, HandshakeType::server_key_exchange),
              Side::client, Alert::decode_error},
             {"ClientKeyExchange", cut(Side::client, 1, HandshakeType::client_key_exchange),
              Side::server, Alert::decode_error},
             {"ServerHelloDone with a body",
              edit_flight(Side::server, 0,
                          [](Flight& f) { f.body(HandshakeType::server_hello_done).push_back(0); }),
              Side::client, Alert::decode_error}});
}

// Length fields that claim more (or less) than is there.
TEST_P(MisbehavingPeerTest, Tls12LyingLengthField) {
  using hostile::get_u16;
  using hostile::put_u16;
  auto in_message = [](Side sender, int flight, HandshakeType type,
                       std::function<void(Bytes&)> edit) {
    return edit_flight(sender, flight, [=](Flight& f) { edit(f.body(type)); });
  };
  // Raw edits of the re-framed flight, for lies in the framing itself.
  auto framed = [](HandshakeType type, std::function<void(Bytes&, size_t)> edit) {
    return edit_bytes(Side::server, 0, [=](Bytes& bytes) {
      Flight f(bytes);
      size_t at = f.offset_of(type);
      bytes = f.bytes();
      edit(bytes, at);
    });
  };
  run_cases("tls12-ecdhe-x25519-rsa2048", backend(),
            {
                {"ClientHello cipher_suites length + 1",
                 in_message(Side::client, 0, HandshakeType::client_hello,
                            [](Bytes& b) {
                              size_t at = hostile::client_hello_cipher_suites_at(b);
                              put_u16(b, at, get_u16(b, at) + 1);
                            }),
                 Side::server, Alert::decode_error},
                {"ServerHello session_id length 33",
                 in_message(Side::server, 0, HandshakeType::server_hello,
                            [](Bytes& b) { b.at(34) = 33; }),
                 Side::client, Alert::decode_error},
                {"ServerHello extensions length + 1",
                 in_message(Side::server, 0, HandshakeType::server_hello,
                            [](Bytes& b) {
                              size_t at = hostile::server_hello_extensions_at(b);
                              put_u16(b, at, get_u16(b, at) + 1);
                            }),
                 Side::client, Alert::decode_error},
                {"Certificate list length + 1",
                 in_message(Side::server, 0, HandshakeType::certificate,
                            [](Bytes& b) { hostile::put_u24(b, 0, uint32_t(b.size() - 3 + 1)); }),
                 Side::client, Alert::decode_error},
                {"leaf certificate length + 1",
                 in_message(Side::server, 0, HandshakeType::certificate,
                            [](Bytes& b) {
                              uint32_t len =
                                  (uint32_t(b.at(3)) << 16) | (uint32_t(b.at(4)) << 8) | b.at(5);
                              hostile::put_u24(b, 3, len + 1);
                            }),
                 Side::client, Alert::decode_error},
                {"ServerKeyExchange signature length + 1",
                 in_message(Side::server, 0, HandshakeType::server_key_exchange,
                            [](Bytes& b) {
                              // curve_type, group, public key, scheme, then the length.
                              size_t at = 1 + 2 + 1 + b.at(3) + 2;
                              put_u16(b, at, get_u16(b, at) + 1);
                            }),
                 Side::client, Alert::decode_error},
                {"ServerKeyExchange signature length 0xffff",
                 in_message(Side::server, 0, HandshakeType::server_key_exchange,
                            [](Bytes& b) { put_u16(b, 1 + 2 + 1 + b.at(3) + 2, 0xffff); }),
                 Side::client, Alert::decode_error},
                {"ClientKeyExchange public key length + 1",
                 in_message(Side::client, 1, HandshakeType::client_key_exchange,
                            [](Bytes& b) { b.at(0)++; }),
                 Side::server, Alert::decode_error},
                {"ServerHello handshake length - 1",
                 framed(HandshakeType::server_hello,
                        [](Bytes& b, size_t at) {
                          uint32_t len = (uint32_t(b.at(at + 1)) << 16) |
                                         (uint32_t(b.at(at + 2)) << 8) | b.at(at + 3);
                          hostile::put_u24(b, at + 1, len - 1);
                        }),
                 Side::client, Alert::decode_error},
                // Over the engine's 128 KiB bound for one message: BoringSSL
                // answers SSL_R_EXCESSIVE_MESSAGE_SIZE with illegal_parameter.
                {"ServerHello handshake length 128 KiB + 1",
                 framed(HandshakeType::server_hello,
                        [](Bytes& b, size_t at) {
                          hostile::put_u24(b, at + 1, uint32_t(kMaxHandshakeMessageLength + 1));
                        }),
                 Side::client, Alert::illegal_parameter},
                // A record over 2^14 + 256 bytes is record_overflow (RFC 5246 6.2.3,
                // RFC 8446 5.2), before any of it arrives.
                {"record length 2^14 + 257",
                 edit_bytes(Side::server, 0,
                            [](Bytes& b) { put_u16(b, 3, uint16_t(kMaxCiphertextLength + 1)); }),
                 Side::client, Alert::record_overflow},
            });
}

// A message out of order is unexpected_message (RFC 5246 7.2.2, 7.3): the
// client waits for Certificate, then for ServerKeyExchange.
TEST_P(MisbehavingPeerTest, Tls12ServerSkipsAMessage) {
  auto drop = [](HandshakeType type) {
    return edit_flight(Side::server, 0, [=](Flight& f) { f.remove(type); });
  };
  run_cases("tls12-ecdhe-x25519-rsa2048", backend(),
            {{"no Certificate", drop(HandshakeType::certificate), Side::client,
              Alert::unexpected_message},
             {"no ServerKeyExchange", drop(HandshakeType::server_key_exchange), Side::client,
              Alert::unexpected_message}});
}

// A ChangeCipherSpec in the middle of a handshake message: the client
// sends a ClientKeyExchange whose header promises more than its record
// holds, then its ChangeCipherSpec (RFC 5246 7.1).
TEST_P(MisbehavingPeerTest, Tls12ChangeCipherSpecInsideAMessage) {
  run_cases("tls12-ecdhe-x25519-rsa2048", backend(),
            {{"ClientKeyExchange header + 1",
              edit_bytes(Side::client, 1,
                         [](Bytes& b) {
                           // The first record is the ClientKeyExchange: raise its
                           // handshake length, not the record's.
                           b.at(kRecordHeaderLength + 3)++;
                         }),
              Side::server, Alert::unexpected_message}});
}

// A client trusting another PKI's root rejects the chain with
// bad_certificate (RFC 5246 7.2.2). unknown_ca would be more precise (RFC
// 8446 6.2), but TrustStore::verify does not say why a chain fails.
TEST(MisbehavingPeerOpenSslTest, UntrustedChain) {
  if (!HSBENCH_HAVE_OPENSSL) GTEST_SKIP() << "built without OpenSSL";
  Backend* b = loaded_backend("openssl");
  ASSERT_NE(b, nullptr);
  for (const char* id : {"tls12-ecdhe-x25519-rsa2048", "tls12-rsa-rsa2048", "tls13-x25519-rsa2048",
                         "tls13-x25519-ecdsa-p256"}) {
    SCOPED_TRACE(id);
    const std::string other = find_scenario(id)->cert == "ecdsa-p256" ? "rsa2048" : "ecdsa-p256";
    auto e = make_endpoints(id, *b, *b, other);
    ASSERT_NE(e, nullptr);
    expect_alert(exchange(*e->client, *e->server), Side::client, Alert::bad_certificate);
  }
}

// =====================================================================
// TLS 1.3
// =====================================================================

// A CertificateVerify that does not verify is a decrypt_error (RFC 8446
// 4.4.3).
TEST_P(MisbehavingPeerTest, Tls13CertificateVerifySignatureIsWrong) {
  for (const char* id :
       {"tls13-x25519-rsa2048", "tls13-x25519-ecdsa-p256", "tls13-x25519-ed25519"}) {
    SCOPED_TRACE(id);
    auto e = endpoints(id);
    ASSERT_NE(e, nullptr);
    e->credentials->key = std::make_unique<FlippedSignatureKey>(std::move(e->credentials->key));
    expect_alert(exchange(*e->client, *e->server), Side::client, Alert::decrypt_error);
  }
}

// A Finished that does not verify is a decrypt_error (RFC 8446 4.4.4). The
// server's first HMAC makes its Finished; the client's first checks the
// server's and its second makes its own.
TEST_P(MisbehavingPeerTest, Tls13ServerFinishedIsWrong) {
  TamperingBackend server_backend(&backend());
  server_backend.corrupt_hmac(1);
  auto e = make_endpoints("tls13-x25519-ecdsa-p256", backend(), server_backend);
  ASSERT_NE(e, nullptr);
  expect_alert(exchange(*e->client, *e->server), Side::client, Alert::decrypt_error);
}

TEST_P(MisbehavingPeerTest, Tls13ClientFinishedIsWrong) {
  TamperingBackend client_backend(&backend());
  client_backend.corrupt_hmac(2);
  auto e = make_endpoints("tls13-x25519-ecdsa-p256", client_backend, backend());
  ASSERT_NE(e, nullptr);
  expect_alert(exchange(*e->client, *e->server), Side::server, Alert::decrypt_error);
}

// The server's key_share must be for the group of the client's share
// (RFC 8446 4.2.8): the client sent x25519 only.
TEST_P(MisbehavingPeerTest, Tls13ServerKeyShareGroupNotOffered) {
  run_cases("tls13-x25519-ecdsa-p256", backend(),
            {{"key_share on P-256",
              edit_flight(Side::server, 0,
                          [](Flight& f) {
                            Bytes& hello = f.body(HandshakeType::server_hello);
                            auto at = hostile::find_extension(
                                hello, hostile::server_hello_extensions_at(hello),
                                ExtensionType::key_share);
                            ASSERT_TRUE(at.has_value());
                            hostile::put_u16(hello, *at, static_cast<uint16_t>(Group::secp256r1));
                          }),
              Side::client, Alert::illegal_parameter}});
}

// A cipher suite the client did not offer is illegal_parameter (RFC 8446
// 4.1.3); the client offered TLS_AES_128_GCM_SHA256 only.
TEST_P(MisbehavingPeerTest, Tls13ServerChoosesSuiteNotOffered) {
  const uint16_t suites[] = {
      static_cast<uint16_t>(CipherSuite::TLS_AES_256_GCM_SHA384),
      static_cast<uint16_t>(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),  // TLS 1.2
  };
  std::vector<Case> cases;
  for (uint16_t suite : suites) {
    cases.push_back({"suite not offered",
                     edit_flight(Side::server, 0,
                                 [=](Flight& f) {
                                   Bytes& hello = f.body(HandshakeType::server_hello);
                                   hostile::put_u16(
                                       hello, hostile::server_hello_cipher_suite_at(hello), suite);
                                 }),
                     Side::client, Alert::illegal_parameter});
  }
  run_cases("tls13-x25519-ecdsa-p256", backend(), cases);
}

// An extension in ServerHello that the client did not offer is
// unsupported_extension (RFC 8446 4.2).
TEST_P(MisbehavingPeerTest, Tls13ServerHelloHasUnofferedExtension) {
  run_cases("tls13-x25519-ecdsa-p256", backend(),
            {{"unknown extension",
              edit_flight(Side::server, 0,
                          [](Flight& f) {
                            Bytes& hello = f.body(HandshakeType::server_hello);
                            hostile::append_extension(
                                hello, hostile::server_hello_extensions_at(hello), 0x1234, {});
                          }),
              Side::client, Alert::unsupported_extension}});
}

// In tls13-p256-ecdsa-p256-hrr the client offers x25519 (with a share) and
// P-256; the server accepts P-256 only and asks for it. A retry must name a
// group offered in supported_groups and not the one already shared (RFC
// 8446 4.1.4).
TEST_P(MisbehavingPeerTest, Tls13HelloRetryRequestAsksForABadGroup) {
  auto ask_for = [](Group g) {
    return edit_flight(Side::server, 0, [=](Flight& f) {
      Bytes& hrr = f.body(HandshakeType::server_hello);
      auto at = hostile::find_extension(hrr, hostile::server_hello_extensions_at(hrr),
                                        ExtensionType::key_share);
      ASSERT_TRUE(at.has_value());
      hostile::put_u16(hrr, *at, static_cast<uint16_t>(g));
    });
  };
  run_cases(
      "tls13-p256-ecdsa-p256-hrr", backend(),
      {{"P-384, not offered", ask_for(Group::secp384r1), Side::client, Alert::illegal_parameter},
       {"x25519, already shared", ask_for(Group::x25519), Side::client, Alert::illegal_parameter}});
}

// A second HelloRetryRequest is unexpected_message (RFC 8446 4.1.4): the
// server's answer to the second ClientHello is replaced by its first
// flight again.
TEST_P(MisbehavingPeerTest, Tls13SecondHelloRetryRequest) {
  auto first = std::make_shared<Bytes>();
  Tamper tamper = [first](Side sender, int flight, Bytes& bytes) {
    if (sender != Side::server) return;
    if (flight == 0) *first = bytes;
    if (flight == 1) bytes = *first;
  };
  run_cases("tls13-p256-ecdsa-p256-hrr", backend(),
            {{"HelloRetryRequest twice", tamper, Side::client, Alert::unexpected_message}});
}

TEST_P(MisbehavingPeerTest, Tls13TruncatedMessageAndLyingLength) {
  run_cases("tls13-x25519-ecdsa-p256", backend(),
            {
                {"ClientHello cut short",
                 edit_flight(Side::client, 0,
                             [](Flight& f) { f.body(HandshakeType::client_hello).pop_back(); }),
                 Side::server, Alert::decode_error},
                {"ServerHello cut short",
                 edit_flight(Side::server, 0,
                             [](Flight& f) { f.body(HandshakeType::server_hello).pop_back(); }),
                 Side::client, Alert::decode_error},
                // KeyShareEntry: group, then the key's u16 length.
                {"ClientHello key_share entry length + 1",
                 edit_flight(Side::client, 0,
                             [](Flight& f) {
                               Bytes& hello = f.body(HandshakeType::client_hello);
                               auto at = hostile::find_extension(
                                   hello, hostile::client_hello_extensions_at(hello),
                                   ExtensionType::key_share);
                               ASSERT_TRUE(at.has_value());
                               size_t len_at = *at + 2 + 2;
                               hostile::put_u16(hello, len_at, hostile::get_u16(hello, len_at) + 1);
                             }),
                 Side::server, Alert::decode_error},
                {"ServerHello key_share length + 1",
                 edit_flight(Side::server, 0,
                             [](Flight& f) {
                               Bytes& hello = f.body(HandshakeType::server_hello);
                               auto at = hostile::find_extension(
                                   hello, hostile::server_hello_extensions_at(hello),
                                   ExtensionType::key_share);
                               ASSERT_TRUE(at.has_value());
                               size_t len_at = *at + 2;
                               hostile::put_u16(hello, len_at, hostile::get_u16(hello, len_at) + 1);
                             }),
                 Side::client, Alert::decode_error},
            });
}

// =====================================================================
// Garbage
// =====================================================================

// A client that sends the same ClientHello every time, so that one captured
// server flight fits every fresh client.
Determinism fixed_determinism() {
  Determinism d;
  d.random = [](std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); i++) out[i] = static_cast<uint8_t>(0x5a ^ i);
  };
  d.ephemeral_private_key = [](Group g) { return Bytes(g == Group::secp384r1 ? 48 : 32, 0x11); };
  return d;
}

constexpr const char* kGarbageScenarios[] = {"tls12-ecdhe-x25519-rsa2048",
                                             "tls13-x25519-ecdsa-p256"};

// Every proper prefix of a ClientHello leaves a fresh server waiting, with
// nothing to say; the rest completes it. Then the same, a byte at a time
// into one server, and the server's flight a byte at a time into a client.
TEST_P(MisbehavingPeerTest, EveryPrefixOfAFlightWaits) {
  for (const char* id : kGarbageScenarios) {
    SCOPED_TRACE(id);
    auto e = endpoints(id);
    ASSERT_NE(e, nullptr);
    ASSERT_STREQ(status_name(run(*e->client)), "want_read");
    const Bytes hello = take_output(*e->client);
    ByteView all(hello);
    for (size_t n = 0; n < hello.size(); n++) {
      e->server->reset();
      e->server->receive(all.first(n));
      ASSERT_STREQ(status_name(run(*e->server)), "want_read") << "prefix " << n;
      ASSERT_TRUE(e->server->output().empty()) << "prefix " << n;
      e->server->receive(all.subspan(n));
      ASSERT_STREQ(status_name(run(*e->server)), "want_read") << "prefix " << n;
      ASSERT_FALSE(e->server->output().empty()) << "prefix " << n;
    }

    e->server->reset();
    for (size_t i = 0; i < hello.size(); i++) {
      e->server->receive(all.subspan(i, 1));
      ASSERT_STREQ(status_name(run(*e->server)), "want_read") << "byte " << i;
      ASSERT_EQ(e->server->output().empty(), i + 1 < hello.size()) << "byte " << i;
    }
    const Bytes flight = take_output(*e->server);
    for (size_t i = 0; i < flight.size(); i++) {
      e->client->receive(ByteView(flight).subspan(i, 1));
      ASSERT_STREQ(status_name(run(*e->client)), "want_read") << "byte " << i;
      ASSERT_EQ(e->client->output().empty(), i + 1 < flight.size()) << "byte " << i;
    }
    // And the handshake still completes.
    Exchange x = exchange(*e->client, *e->server);
    EXPECT_TRUE(x.completed) << name(x.failed_side) << ": " << describe(x.error);
  }
}

// What a side may do with bytes that are not TLS: wait for more or fail,
// saying why in an alert (unless what it read was itself an alert).
void expect_clean(Connection& c, Status s, const std::string& what) {
  ASSERT_TRUE(s == Status::want_read || s == Status::failed) << what << ": " << status_name(s);
  if (s != Status::failed) return;
  EXPECT_TRUE(c.error().received || !c.output().empty()) << what << ": no alert sent";
  EXPECT_NE(c.error().reason, nullptr);
  EXPECT_STREQ(status_name(c.advance()), "failed") << what << ": failure is not final";
}

// Random bytes, and random handshake messages in well-formed records, to a
// fresh server and to a client that has sent its ClientHello.
TEST_P(MisbehavingPeerTest, RandomBytesFailCleanly) {
  std::mt19937 rng(20240611);
  auto random_bytes = [&](size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
  };
  // A record of handshake type holding one message of a random type.
  auto random_message = [&]() {
    static constexpr uint8_t kTypes[] = {1, 2, 4, 8, 11, 12, 13, 14, 15, 16, 20, 24, 254, 99};
    Bytes body = random_bytes(rng() % 300);
    Bytes b;
    Writer w(&b);
    w.u8(static_cast<uint8_t>(ContentType::handshake));
    w.u16(0x0303);
    w.u16(static_cast<uint16_t>(body.size() + kHandshakeHeaderLength));
    w.u8(kTypes[rng() % std::size(kTypes)]);
    w.u24(static_cast<uint32_t>(body.size()));
    w.bytes(body);
    return b;
  };
  const int rounds = is_null() ? 300 : 100;
  for (const char* id : kGarbageScenarios) {
    SCOPED_TRACE(id);
    auto e = endpoints(id);
    ASSERT_NE(e, nullptr);
    for (int i = 0; i < rounds; i++) {
      Bytes garbage = (i % 2 == 0) ? random_bytes(1 + rng() % 600) : random_message();
      std::string what = "round " + std::to_string(i);

      e->server->reset();
      e->server->receive(garbage);
      ASSERT_NO_FATAL_FAILURE(expect_clean(*e->server, run(*e->server), "server, " + what));

      e->client->reset();
      ASSERT_STREQ(status_name(run(*e->client)), "want_read");
      e->client->output().clear();
      e->client->receive(garbage);
      ASSERT_NO_FATAL_FAILURE(expect_clean(*e->client, run(*e->client), "client, " + what));
    }
  }
}

// Every single-bit flip of the server's first flight: the client fails
// cleanly or goes on, never crashes. The null backend takes the whole
// flight; OpenSSL, whose chain checks cost more, the ServerHello record.
TEST_P(MisbehavingPeerTest, EveryBitFlipOfTheServerFlight) {
  const Determinism determinism = fixed_determinism();
  for (const char* id : kGarbageScenarios) {
    SCOPED_TRACE(id);
    auto e = endpoints(id);
    ASSERT_NE(e, nullptr);
    e->client->crypto().set_determinism(&determinism);
    ASSERT_STREQ(status_name(run(*e->client)), "want_read");
    e->server->receive(take_output(*e->client));
    ASSERT_STREQ(status_name(run(*e->server)), "want_read");
    const Bytes flight = take_output(*e->server);

    // Unflipped, the flight completes the handshake with a fresh client.
    e->client->reset();
    ASSERT_STREQ(status_name(run(*e->client)), "want_read");
    e->client->output().clear();
    e->client->receive(flight);
    Exchange x = exchange(*e->client, *e->server);
    ASSERT_TRUE(x.completed) << name(x.failed_side) << ": " << describe(x.error);

    const size_t first_record = kRecordHeaderLength + hostile::get_u16(flight, 3);
    const size_t bytes = is_null() ? flight.size() : first_record;
    int failed = 0;
    for (size_t bit = 0; bit < bytes * 8; bit++) {
      e->client->reset();
      ASSERT_STREQ(status_name(run(*e->client)), "want_read");
      e->client->output().clear();
      Bytes flipped = flight;
      flipped[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      e->client->receive(flipped);
      Status s = run(*e->client);
      ASSERT_NO_FATAL_FAILURE(expect_clean(*e->client, s, "bit " + std::to_string(bit)));
      failed += s == Status::failed;
    }
    // On a real backend nearly every flip is caught: by a parser, a
    // signature, the chain, or a record's tag. The null backend accepts any
    // chain that parses, so flips inside a certificate go unnoticed there.
    if (!is_null()) {
      EXPECT_GT(failed, static_cast<int>(bytes * 8 * 9 / 10));
    }
    EXPECT_GT(failed, 0);
  }
}

// =====================================================================
// Hybrid post-quantum key exchange (X25519Kyber768Draft00), on BoringSSL
// =====================================================================

// BoringSSL, where it has Kyber768; nullptr otherwise.
Backend* hybrid_backend() {
  if (!HSBENCH_HAVE_BORINGSSL) return nullptr;
  Backend* b = loaded_backend("boringssl");
  if (b == nullptr) return nullptr;
  const auto& groups = b->algorithms().groups;
  return std::find(groups.begin(), groups.end(), Group::x25519_kyber768_draft00) != groups.end()
             ? b
             : nullptr;
}

// Drops the last byte of the key in a KeyShareEntry whose key length is at
// key_length_at, fixing the lengths of what holds it: the extension (its
// length at extension_at - 2), the extensions block at extensions_at, and
// (a ClientHello's) the client_shares list at shares_at.
void shorten_share(Bytes& hello, size_t extensions_at, size_t extension_at, size_t key_length_at,
                   std::optional<size_t> shares_at) {
  const uint16_t key_length = hostile::get_u16(hello, key_length_at);
  hello.erase(hello.begin() + static_cast<std::ptrdiff_t>(key_length_at + 2 + key_length - 1));
  hostile::put_u16(hello, key_length_at, key_length - 1);
  if (shares_at) hostile::put_u16(hello, *shares_at, hostile::get_u16(hello, *shares_at) - 1);
  hostile::put_u16(hello, extension_at - 2, hostile::get_u16(hello, extension_at - 2) - 1);
  hostile::put_u16(hello, extensions_at, hostile::get_u16(hello, extensions_at) - 1);
}

// A hybrid share one byte short, either way, is illegal_parameter (RFC 8446
// 4.2.8: the share must be valid for its group; BoringSSL's libssl says the
// same of a Kyber768 share of the wrong length).
TEST(HybridPeerTest, KeyShareOfTheWrongLength) {
  Backend* b = hybrid_backend();
  if (b == nullptr) GTEST_SKIP() << "no backend with X25519Kyber768Draft00";
  run_cases(
      "tls13-x25519kyber768-ecdsa-p256", *b,
      {{"client share 1,215 bytes",
        edit_flight(Side::client, 0,
                    [](Flight& f) {
                      Bytes& hello = f.body(HandshakeType::client_hello);
                      const size_t exts = hostile::client_hello_extensions_at(hello);
                      auto at = hostile::find_extension(hello, exts, ExtensionType::key_share);
                      ASSERT_TRUE(at.has_value());
                      // client_shares length, then group and key length
                      ASSERT_EQ(hostile::get_u16(hello, *at + 4), 1216);
                      shorten_share(hello, exts, *at, *at + 4, *at);
                    }),
        Side::server, Alert::illegal_parameter},
       {"server share 1,119 bytes",
        edit_flight(Side::server, 0,
                    [](Flight& f) {
                      Bytes& hello = f.body(HandshakeType::server_hello);
                      const size_t exts = hostile::server_hello_extensions_at(hello);
                      auto at = hostile::find_extension(hello, exts, ExtensionType::key_share);
                      ASSERT_TRUE(at.has_value());
                      ASSERT_EQ(hostile::get_u16(hello, *at + 2), 1120);
                      shorten_share(hello, exts, *at, *at + 2, std::nullopt);
                    }),
        Side::client, Alert::illegal_parameter}});
}

// A ciphertext that does not decapsulate to the secret the server keeps:
// Kyber's decapsulation never fails, it yields another secret, so the two
// sides derive different handshake keys and the client cannot open the
// server's first encrypted record (RFC 8446 5.2: bad_record_mac).
TEST(HybridPeerTest, CiphertextDecapsulatesToAnotherSecret) {
  Backend* b = hybrid_backend();
  if (b == nullptr) GTEST_SKIP() << "no backend with X25519Kyber768Draft00";
  for (const char* id :
       {"tls13-x25519kyber768-ecdsa-p256", "tls13-x25519kyber768-ecdsa-p256-hrr"}) {
    SCOPED_TRACE(id);
    TamperingBackend server_backend(b);
    server_backend.corrupt_ciphertext();
    auto e = make_endpoints(id, *b, server_backend);
    ASSERT_NE(e, nullptr);
    expect_alert(exchange(*e->client, *e->server), Side::client, Alert::bad_record_mac);
  }
}

// Untampered, the same endpoints complete: the failures above are the
// edits' doing.
TEST(HybridPeerTest, UntamperedHandshakeCompletes) {
  Backend* b = hybrid_backend();
  if (b == nullptr) GTEST_SKIP() << "no backend with X25519Kyber768Draft00";
  for (const char* id :
       {"tls13-x25519kyber768-ecdsa-p256", "tls13-x25519kyber768-ecdsa-p256-hrr"}) {
    SCOPED_TRACE(id);
    TamperingBackend server_backend(b);
    auto e = make_endpoints(id, *b, server_backend);
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(exchange(*e->client, *e->server).completed);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, MisbehavingPeerTest, ::testing::Values("openssl", "null"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace hsbench::tls
