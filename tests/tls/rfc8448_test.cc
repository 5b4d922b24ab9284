// The engine against RFC 8448, byte for byte. Section 3 ("Simple 1-RTT
// Handshake") on both sides: with the trace's random and ephemeral key
// injected, the client's ClientHello, secrets, reading of the trace's
// server flight, Finished, application data and resumption PSK must be the
// trace's; and the server's flight, secrets and application data. Section
// 4 ("Resumed 0-RTT Handshake") on the client's side, up to the server's
// Finished (the engine sends no early data), and section 5
// ("HelloRetryRequest") on the client's side.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "backend/backend_test_util.h"
#include "drive/pair.h"
#include "hsbench/loader.h"
#include "tls/client.h"
#include "tls/crypto.h"
#include "tls/rfc8448_vectors.h"
#include "tls/server.h"

namespace hsbench {
namespace {

// The RFC's certificate expired in 2026 and is self-signed: the test trusts
// it as given, and checks everything else.
class TrustEverything final : public TrustStore {
 public:
  bool verify(const CertificateChain&, std::string_view, std::string*) const override {
    return true;
  }
  bool verify_client(const CertificateChain&, std::string*) const override { return true; }
};

class Rfc8448Test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    v_ = test::rfc8448_vectors();
    ASSERT_FALSE(v_.empty()) << "no RFC 8448 vectors";
    std::string error;
    backend_ = load_backend(GetParam(), &error);
    ASSERT_NE(backend_, nullptr) << error;
  }
  const Bytes& v(const std::string& name) {
    auto it = v_.find(name);
    EXPECT_NE(it, v_.end()) << name;
    return it->second;
  }

  std::map<std::string, Bytes> v_;
  std::unique_ptr<LoadedBackend> backend_;
};

Bytes cat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST_P(Rfc8448Test, SimpleOneRttClient) {
  // The trace's client (NSS) offers more than the engine uses; the profile
  // reproduces its hello.
  tls::ClientHelloProfile profile;
  profile.extension_order = {0x0000, 0xff01, 0x000a, 0x0023, 0x0033,
                             0x002b, 0x000d, 0x002d, 0x001c};
  profile.raw_extensions = {{0x001c, Bytes{0x40, 0x01}}};  // record_size_limit
  profile.advertised_groups = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100,
                               0x0101, 0x0102, 0x0103, 0x0104};
  profile.advertised_signature_algorithms = {0x0403, 0x0503, 0x0603, 0x0203, 0x0804,
                                             0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                                             0x0201, 0x0402, 0x0502, 0x0602, 0x0202};
  profile.middlebox_compatibility = false;

  TrustEverything trust;
  const Bytes payload = v("application_data_payload");
  std::map<std::string, Bytes> secrets;
  tls::Config config;
  config.min_version = config.max_version = TlsVersion::tls13;
  config.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                          CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                          CipherSuite::TLS_AES_256_GCM_SHA384};
  config.groups = {Group::x25519, Group::secp256r1, Group::secp384r1};
  config.signature_schemes = {
      SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
      SignatureScheme::rsa_pss_rsae_sha256,    SignatureScheme::rsa_pss_rsae_sha384,
      SignatureScheme::rsa_pkcs1_sha256,       SignatureScheme::rsa_pkcs1_sha384};
  config.server_name = "server";
  config.trust = &trust;
  config.session_tickets = true;  // the trace's client offers psk_dhe_ke
  config.client_hello_profile = &profile;
  config.application_data = payload;
  config.key_log = [&](std::string_view label, ByteView, ByteView secret) {
    secrets[std::string(label)] = Bytes(secret.begin(), secret.end());
  };

  const Bytes client_random(v("client_hello").begin() + 6, v("client_hello").begin() + 38);
  tls::Determinism determinism;
  determinism.random = [&](std::span<uint8_t> out) {
    ASSERT_EQ(out.size(), client_random.size());
    std::copy(client_random.begin(), client_random.end(), out.begin());
  };
  determinism.ephemeral_private_key = [&](Group g) {
    EXPECT_EQ(g, Group::x25519);
    return v("client_ephemeral_private");
  };

  tls::Client client(&backend_->backend(), &config);
  client.crypto().set_determinism(&determinism);
  // The client does the default exchange after the handshake: its record,
  // then the server's. What it sends collects in sent; what the trace's
  // server sent goes into arrived.
  Bytes arrived, sent;
  drive::MemoryTransport transport(Side::client, &arrived, &sent);
  drive::EngineEndpoint endpoint(&client, &transport);
  endpoint.begin(nullptr);
  auto run_until_blocked = [&] {
    switch (endpoint.resume()) {
      case drive::Endpoint::Progress::waiting:
        return tls::Connection::Status::want_read;
      case drive::Endpoint::Progress::done:
        return tls::Connection::Status::done;
      case drive::Endpoint::Progress::failed:
        break;
    }
    return tls::Connection::Status::failed;
  };
  auto receive = [&](ByteView bytes) { arrived.insert(arrived.end(), bytes.begin(), bytes.end()); };

  // ClientHello, record and all.
  ASSERT_EQ(run_until_blocked(), tls::Connection::Status::want_read);
  EXPECT_EQ(sent, v("client_hello_record"));
  sent.clear();

  // The server's flight: ServerHello, then EncryptedExtensions, Certificate,
  // CertificateVerify and Finished in one protected record.
  receive(v("server_hello_record"));
  receive(v("server_flight_record"));
  ASSERT_EQ(run_until_blocked(), tls::Connection::Status::want_read)
      << client.error().reason << " (" << tls::name(client.error().alert) << ")";
  EXPECT_EQ(secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], v("client_handshake_traffic_secret"));
  EXPECT_EQ(secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], v("server_handshake_traffic_secret"));
  EXPECT_EQ(secrets["CLIENT_TRAFFIC_SECRET_0"], v("client_application_traffic_secret"));
  EXPECT_EQ(secrets["SERVER_TRAFFIC_SECRET_0"], v("server_application_traffic_secret"));
  // The client's Finished, then its first application data record.
  EXPECT_EQ(sent, cat(v("client_finished_record"), v("client_application_data_record")));

  // The trace's NewSessionTicket, in the server's first application-traffic
  // record (the trace shows the message, not the record: it is sealed here
  // with the trace's server application key), so that the trace's
  // application data record arrives with sequence number 1, as it did.
  const Bytes& ticket_message = v("new_session_ticket");
  Bytes inner = ticket_message;
  inner.push_back(0x16);  // handshake
  const size_t record_length = inner.size() + kAeadTagLength;
  Bytes ticket_record(5 + record_length);
  ticket_record[0] = 0x17;
  ticket_record[1] = ticket_record[2] = 0x03;
  ticket_record[3] = static_cast<uint8_t>(record_length >> 8);
  ticket_record[4] = static_cast<uint8_t>(record_length);
  auto aead = backend_->backend().new_aead(Aead::aes128gcm, v("server_application_key"));
  ASSERT_NE(aead, nullptr);
  const Bytes header(ticket_record.begin(), ticket_record.begin() + 5);
  ASSERT_TRUE(
      aead->seal(v("server_application_iv"), header, inner, std::span(ticket_record).subspan(5)));
  receive(ticket_record);

  // The server's application data decrypts to the trace's payload.
  receive(v("server_application_data_record"));
  ASSERT_EQ(run_until_blocked(), tls::Connection::Status::done) << client.error().reason;
  EXPECT_EQ(
      Bytes(client.received_application_data().begin(), client.received_application_data().end()),
      payload);
  EXPECT_EQ(client.cipher_suite(), CipherSuite::TLS_AES_128_GCM_SHA256);

  // The session the ticket gives: the trace's ticket and age_add, and the
  // PSK that section 4's resumed handshake starts its key schedule from
  // (HKDF-Expand-Label(resumption_master_secret, "resumption", nonce 0000)).
  auto session = client.new_session();
  ASSERT_NE(session, nullptr) << "the trace's ticket gave no session";
  EXPECT_EQ(session->ticket, Bytes(ticket_message.begin() + 17, ticket_message.begin() + 17 + 178));
  EXPECT_EQ(session->age_add, 0xfad6aac5u);
  EXPECT_EQ(session->suite, CipherSuite::TLS_AES_128_GCM_SHA256);
  EXPECT_EQ(Bytes(session->secret.begin(), session->secret.begin() + session->secret_length),
            v("resumption_psk"));
}

// The handshake messages in a run of handshake bytes, headers included.
std::vector<Bytes> split_messages(ByteView bytes) {
  std::vector<Bytes> out;
  tls::Reader r(bytes);
  while (!r.empty()) {
    uint8_t type;
    ByteView body;
    if (!r.u8(&type) || !r.u24_prefixed(&body)) {
      ADD_FAILURE() << "handshake bytes end inside a message";
      break;
    }
    Bytes m = {type, static_cast<uint8_t>(body.size() >> 16),
               static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
    m.insert(m.end(), body.begin(), body.end());
    out.push_back(std::move(m));
  }
  return out;
}

// Opens TLS 1.3 records sealed under key and iv, from sequence number 0
// (RFC 8446 5.3), and returns their handshake contents back to back.
Bytes open_handshake_records(Backend& backend, ByteView records, const Bytes& key, const Bytes& iv,
                             size_t* out_count) {
  auto aead = backend.new_aead(Aead::aes128gcm, key);
  EXPECT_NE(aead, nullptr);
  Bytes out;
  *out_count = 0;
  tls::Reader r(records);
  for (uint64_t seq = 0; aead != nullptr && !r.empty(); seq++) {
    uint8_t type;
    uint16_t version;
    ByteView body;
    if (!r.u8(&type) || !r.u16(&version) || !r.u16_prefixed(&body) || type != 0x17 ||
        body.size() < kAeadTagLength + 1) {
      ADD_FAILURE() << "not a protected record at record " << seq;
      break;
    }
    Bytes nonce = iv;
    for (int i = 0; i < 8; i++) nonce[nonce.size() - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
    const uint8_t header[5] = {
        type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
        static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())};
    Bytes inner(body.size() - kAeadTagLength);
    if (!aead->open(nonce, ByteView(header, 5), body, inner)) {
      ADD_FAILURE() << "record " << seq << " does not open under the trace's key";
      break;
    }
    while (!inner.empty() && inner.back() == 0) inner.pop_back();  // padding
    EXPECT_FALSE(inner.empty());
    EXPECT_EQ(inner.back(), 0x16) << "record " << seq << " is not a handshake record";
    inner.pop_back();
    out.insert(out.end(), inner.begin(), inner.end());
    ++*out_count;
  }
  return out;
}

// The engine's TLS 1.3 server against the same trace: with the trace's
// random, ephemeral key, certificate and key pair, it reads the trace's
// ClientHello and writes the trace's ServerHello record, its
// EncryptedExtensions, Certificate, CertificateVerify and Finished under
// the trace's handshake keys, reads the trace's client Finished, and
// answers the trace's application data with the trace's record.
//
// Three things are the trace server's rather than the engine's, and are
// handed to it: the EncryptedExtensions' contents (NSS acknowledges the
// server_name, lists its groups and limits the record size, none of which
// the engine does), the ServerHello's extension order (NSS puts key_share
// first), and the RSA-PSS signature, whose salt is random: the engine is
// given the trace's signature once the test has checked that it verifies
// over exactly what the engine asked to sign. The engine seals each
// message in a record of its own where NSS put the four in one, so the
// protected flight is compared by its contents, opened with the trace's
// keys.
TEST_P(Rfc8448Test, SimpleOneRttServer) {
  Backend& backend = backend_->backend();
  const std::vector<Bytes> flight = split_messages(v("server_flight_payload"));
  ASSERT_EQ(flight.size(), 4u);  // EncryptedExtensions, Certificate, CertificateVerify, Finished
  const Bytes& certificate_message = flight[1];
  const Bytes& certificate_verify = flight[2];
  ASSERT_GE(certificate_message.size(), 11u);
  const size_t cert_len = (size_t{certificate_message[8]} << 16) |
                          (size_t{certificate_message[9]} << 8) | certificate_message[10];
  const ByteView cert_der = ByteView(certificate_message).subspan(11, cert_len);
  const ByteView trace_signature = ByteView(certificate_verify).subspan(8);

  Credentials credentials;
  credentials.chain_der = {cert_der};
  credentials.chain = backend.parse_chain(credentials.chain_der);
  ASSERT_NE(credentials.chain, nullptr);
  std::string error;
  credentials.key = backend.load_private_key(v("server_rsa_private_key_der"), &error);
  ASSERT_NE(credentials.key, nullptr) << error;
  credentials.leaf = credentials.key->info();
  auto public_key = credentials.chain->leaf_public_key();
  ASSERT_NE(public_key, nullptr);

  // The key is the certificate's: what it signs, the certificate verifies.
  {
    const Bytes message = {'r', 'f', 'c', '8', '4', '4', '8'};
    uint8_t sig[kMaxSignatureLength];
    size_t sig_len = 0;
    ASSERT_TRUE(
        credentials.key->sign(SignatureScheme::rsa_pss_rsae_sha256, message, sig, &sig_len));
    EXPECT_TRUE(
        public_key->verify(SignatureScheme::rsa_pss_rsae_sha256, message, ByteView(sig, sig_len)));
  }

  tls::ServerHelloProfile profile;
  profile.extension_order = {0x0033, 0x002b};  // key_share, supported_versions
  profile.encrypted_extensions = {
      // supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048..8192
      {0x000a, Bytes{0x00, 0x12, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19,
                     0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04}},
      {0x001c, Bytes{0x40, 0x01}},  // record_size_limit
      {0x0000, Bytes{}},            // server_name, acknowledged
  };

  const Bytes payload = v("application_data_payload");
  std::map<std::string, Bytes> secrets;
  tls::Config config;
  config.min_version = config.max_version = TlsVersion::tls13;
  config.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  config.groups = {Group::x25519};
  config.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  config.credentials = &credentials;
  config.server_hello_profile = &profile;
  config.session_tickets = true;  // as the trace's server, which sends one
  config.key_log = [&](std::string_view label, ByteView, ByteView secret) {
    secrets[std::string(label)] = Bytes(secret.begin(), secret.end());
  };

  const Bytes server_random(v("server_hello").begin() + 6, v("server_hello").begin() + 38);
  int signatures = 0;
  tls::Determinism determinism;
  determinism.random = [&](std::span<uint8_t> out) {
    // The ServerHello's random first; later draws (the ticket) are the
    // engine's own business.
    for (size_t i = 0; i < out.size(); i++) out[i] = server_random[i % server_random.size()];
  };
  determinism.ephemeral_private_key = [&](Group g) {
    EXPECT_EQ(g, Group::x25519);
    return v("server_ephemeral_private");
  };
  determinism.sign = [&](SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
                         size_t* out_len) {
    signatures++;
    EXPECT_EQ(scheme, SignatureScheme::rsa_pss_rsae_sha256);
    if (!public_key->verify(scheme, message, trace_signature)) {
      ADD_FAILURE() << "the trace's signature does not verify over what the engine signs";
      return false;
    }
    std::copy(trace_signature.begin(), trace_signature.end(), out.begin());
    *out_len = trace_signature.size();
    return true;
  };

  tls::Server server(&backend, &config);
  server.crypto().set_determinism(&determinism);
  auto run = [&] {
    tls::Connection::Status st;
    do {
      st = server.advance();
    } while (st == tls::Connection::Status::step || st == tls::Connection::Status::progressed);
    return st;
  };
  auto take = [&] {
    Bytes out;
    out.swap(server.output());
    return out;
  };

  server.receive(v("client_hello_record"));
  ASSERT_EQ(run(), tls::Connection::Status::want_read)
      << server.error().reason << " (" << tls::name(server.error().alert) << ")";
  EXPECT_EQ(signatures, 1);
  const Bytes written = take();
  const Bytes& server_hello_record = v("server_hello_record");
  ASSERT_GE(written.size(), server_hello_record.size());
  EXPECT_EQ(Bytes(written.begin(), written.begin() + server_hello_record.size()),
            server_hello_record);
  size_t records = 0;
  const Bytes opened =
      open_handshake_records(backend, ByteView(written).subspan(server_hello_record.size()),
                             v("server_handshake_key"), v("server_handshake_iv"), &records);
  EXPECT_EQ(records, 4u);
  EXPECT_EQ(opened, v("server_flight_payload"));
  EXPECT_EQ(secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], v("server_handshake_traffic_secret"));
  EXPECT_EQ(secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], v("client_handshake_traffic_secret"));
  EXPECT_EQ(secrets["SERVER_TRAFFIC_SECRET_0"], v("server_application_traffic_secret"));

  // The trace's client Finished completes the handshake; a ticket follows.
  server.receive(v("client_finished_record"));
  ASSERT_EQ(run(), tls::Connection::Status::done) << server.error().reason;
  EXPECT_EQ(secrets["CLIENT_TRAFFIC_SECRET_0"], v("client_application_traffic_secret"));
  const Bytes ticket_record = take();
  ASSERT_FALSE(ticket_record.empty());
  EXPECT_EQ(ticket_record[0], 0x17);

  // The trace's application data, and the server's answer with the same
  // payload: its second application-traffic record, after the ticket, as
  // in the trace.
  server.receive(v("client_application_data_record"));
  ASSERT_EQ(server.read_application_data(), tls::Connection::Status::step) << server.error().reason;
  EXPECT_EQ(
      Bytes(server.received_application_data().begin(), server.received_application_data().end()),
      payload);
  ASSERT_EQ(server.write_application_data(payload), tls::Connection::Status::step);
  EXPECT_EQ(take(), v("server_application_data_record"));
}

// Section 4 ("Resumed 0-RTT Handshake"), the client's side, as far as the
// engine goes: resuming section 3's session (its ticket, age_add and PSK),
// the client must write the trace's resumed ClientHello, PSK binder and
// all, derive the trace's handshake secrets from the trace's ServerHello,
// verify the trace's server Finished and derive the trace's application
// secrets. The engine sends no early data: the trace's client offers it
// (an empty early_data extension, handed over in the profile, as are NSS's
// padding and the age its client measured), and what follows the server's
// Finished in the trace, the client's 0-RTT record, EndOfEarlyData and
// the Finished over it, is not compared.
TEST_P(Rfc8448Test, ResumedClientHelloAndSecrets) {
  const auto zrtt = test::rfc8448_vectors("rfc8448-resumed-0rtt.txt");
  ASSERT_FALSE(zrtt.empty()) << "no RFC 8448 section 4 vectors";
  auto z = [&](const std::string& name) -> const Bytes& {
    auto it = zrtt.find(name);
    EXPECT_NE(it, zrtt.end()) << name;
    return it->second;
  };

  // Section 3's session, from its NewSessionTicket: lifetime, age_add
  // 0xfad6aac5, nonce 0000, then the ticket.
  const Bytes& nst = v("new_session_ticket");
  ASSERT_GE(nst.size(), 17u + 178u);
  auto session = std::make_shared<tls::ClientSession>();
  session->version = TlsVersion::tls13;
  session->suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  session->ticket.assign(nst.begin() + 17, nst.begin() + 17 + 178);
  session->age_add = 0xfad6aac5;
  const Bytes& psk = v("resumption_psk");
  std::copy(psk.begin(), psk.end(), session->secret.begin());
  session->secret_length = psk.size();

  tls::ClientHelloProfile profile;
  profile.extension_order = {0x0000, 0xff01, 0x000a, 0x0033, 0x002a,
                             0x002b, 0x000d, 0x002d, 0x001c, 0x0015};
  profile.raw_extensions = {{0x001c, Bytes{0x40, 0x01}},  // record_size_limit
                            {0x002a, Bytes{}},            // early_data
                            {0x0015, Bytes(0x57, 0)}};    // padding
  profile.advertised_groups = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100,
                               0x0101, 0x0102, 0x0103, 0x0104};
  profile.advertised_signature_algorithms = {0x0403, 0x0503, 0x0603, 0x0203, 0x0804,
                                             0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                                             0x0201, 0x0402, 0x0502, 0x0602, 0x0202};
  profile.middlebox_compatibility = false;

  TrustEverything trust;
  std::map<std::string, Bytes> secrets;
  tls::Config config;
  config.min_version = config.max_version = TlsVersion::tls13;
  config.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                          CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                          CipherSuite::TLS_AES_256_GCM_SHA384};
  config.groups = {Group::x25519};
  config.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  config.server_name = "server";
  config.trust = &trust;
  config.session_tickets = true;
  config.client_hello_profile = &profile;
  config.key_log = [&](std::string_view label, ByteView, ByteView secret) {
    secrets[std::string(label)] = Bytes(secret.begin(), secret.end());
  };

  const Bytes& hello = z("client_hello_record");
  ASSERT_GE(hello.size(), 43u);
  const Bytes client_random(hello.begin() + 11, hello.begin() + 43);
  tls::Determinism determinism;
  determinism.random = [&](std::span<uint8_t> out) {
    ASSERT_EQ(out.size(), client_random.size());
    std::copy(client_random.begin(), client_random.end(), out.begin());
  };
  determinism.ephemeral_private_key = [&](Group) { return z("client_ephemeral_private"); };
  // The trace's obfuscated_ticket_age, 0xfad6aacb, less its age_add.
  determinism.ticket_age_ms = [] { return uint32_t{0xfad6aacb - 0xfad6aac5}; };

  tls::Client client(&backend_->backend(), &config);
  client.crypto().set_determinism(&determinism);
  client.set_resumption(session);
  auto run = [&] {
    tls::Connection::Status st;
    do {
      st = client.advance();
    } while (st == tls::Connection::Status::step || st == tls::Connection::Status::progressed);
    return st;
  };

  ASSERT_EQ(run(), tls::Connection::Status::want_read) << client.error().reason;
  Bytes sent;
  sent.swap(client.output());
  EXPECT_EQ(sent, hello);
  ASSERT_GE(sent.size(), 32u);
  EXPECT_EQ(Bytes(sent.end() - 32, sent.end()), z("binder"));

  client.receive(z("server_hello_record"));
  client.receive(z("server_flight_record"));
  ASSERT_EQ(run(), tls::Connection::Status::done)
      << client.error().reason << " (" << tls::name(client.error().alert) << ")";
  EXPECT_TRUE(client.resumed());
  EXPECT_EQ(secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], z("client_handshake_traffic_secret"));
  EXPECT_EQ(secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], z("server_handshake_traffic_secret"));
  EXPECT_EQ(secrets["CLIENT_TRAFFIC_SECRET_0"], z("client_application_traffic_secret"));
  EXPECT_EQ(secrets["SERVER_TRAFFIC_SECRET_0"], z("server_application_traffic_secret"));
}

// Section 5 ("HelloRetryRequest"), the client's side: its first
// ClientHello offers an x25519 share only; the trace's server asks for
// secp256r1 and sends a cookie; the second ClientHello must carry the
// trace's P-256 share and echo the cookie, byte for byte, and the client
// must read the trace's server flight, derive the trace's secrets and
// write the trace's Finished. NSS pads its second hello to 512 bytes
// (RFC 7685); the engine pads nothing, so the padding extension is handed
// over in the profile, for the second hello only.
TEST_P(Rfc8448Test, HelloRetryRequestClient) {
  const auto hrr = test::rfc8448_vectors("rfc8448-hello-retry-request.txt");
  ASSERT_FALSE(hrr.empty()) << "no RFC 8448 section 5 vectors";
  auto h = [&](const std::string& name) -> const Bytes& {
    auto it = hrr.find(name);
    EXPECT_NE(it, hrr.end()) << name;
    return it->second;
  };

  tls::ClientHelloProfile profile;
  profile.extension_order = {0x0000, 0xff01, 0x000a, 0x0033, 0x002b, 0x000d, 0x002d, 0x001c};
  profile.raw_extensions = {{0x001c, Bytes{0x40, 0x01}}};  // record_size_limit
  profile.advertised_signature_algorithms = {0x0403, 0x0503, 0x0603, 0x0203, 0x0804,
                                             0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                                             0x0201, 0x0402, 0x0502, 0x0602, 0x0202};
  profile.middlebox_compatibility = false;

  TrustEverything trust;
  std::map<std::string, Bytes> secrets;
  tls::Config config;
  config.min_version = config.max_version = TlsVersion::tls13;
  config.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                          CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                          CipherSuite::TLS_AES_256_GCM_SHA384};
  config.groups = {Group::x25519, Group::secp256r1, Group::secp384r1};
  config.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  config.server_name = "server";
  config.trust = &trust;
  config.client_hello_profile = &profile;
  config.key_log = [&](std::string_view label, ByteView, ByteView secret) {
    secrets[std::string(label)] = Bytes(secret.begin(), secret.end());
  };

  const Bytes& first_hello = h("client_hello_1_record");
  ASSERT_GE(first_hello.size(), 43u);
  const Bytes client_random(first_hello.begin() + 11, first_hello.begin() + 43);
  std::vector<Group> keys_made;
  tls::Determinism determinism;
  determinism.random = [&](std::span<uint8_t> out) {
    ASSERT_EQ(out.size(), client_random.size());
    std::copy(client_random.begin(), client_random.end(), out.begin());
  };
  determinism.ephemeral_private_key = [&](Group g) {
    keys_made.push_back(g);
    return g == Group::secp256r1 ? h("client_ephemeral_p256_private")
                                 : h("client_ephemeral_x25519_private");
  };

  tls::Client client(&backend_->backend(), &config);
  client.crypto().set_determinism(&determinism);
  auto run = [&] {
    tls::Connection::Status st;
    do {
      st = client.advance();
    } while (st == tls::Connection::Status::step || st == tls::Connection::Status::progressed);
    return st;
  };
  auto take = [&] {
    Bytes out;
    out.swap(client.output());
    return out;
  };

  ASSERT_EQ(run(), tls::Connection::Status::want_read) << client.error().reason;
  EXPECT_EQ(take(), first_hello);

  // The second hello: the cookie after signature_algorithms, padding last.
  profile.extension_order = {0x0000, 0xff01, 0x000a, 0x0033, 0x002b,
                             0x000d, 0x002c, 0x002d, 0x001c, 0x0015};
  profile.raw_extensions.push_back({0x0015, Bytes(175, 0)});
  client.receive(h("hello_retry_request_record"));
  ASSERT_EQ(run(), tls::Connection::Status::want_read)
      << client.error().reason << " (" << tls::name(client.error().alert) << ")";
  EXPECT_EQ(take(), h("client_hello_2_record"));
  EXPECT_EQ(keys_made, (std::vector<Group>{Group::x25519, Group::secp256r1}));

  client.receive(h("server_hello_record"));
  client.receive(h("server_flight_record"));
  ASSERT_EQ(run(), tls::Connection::Status::done)
      << client.error().reason << " (" << tls::name(client.error().alert) << ")";
  EXPECT_EQ(secrets["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], h("client_handshake_traffic_secret"));
  EXPECT_EQ(secrets["SERVER_HANDSHAKE_TRAFFIC_SECRET"], h("server_handshake_traffic_secret"));
  EXPECT_EQ(secrets["CLIENT_TRAFFIC_SECRET_0"], h("client_application_traffic_secret"));
  EXPECT_EQ(secrets["SERVER_TRAFFIC_SECRET_0"], h("server_application_traffic_secret"));
  EXPECT_EQ(take(), h("client_finished_record"));
  EXPECT_EQ(client.cipher_suite(), CipherSuite::TLS_AES_128_GCM_SHA256);
}

// A changed byte anywhere in the server's protected flight is caught.
TEST_P(Rfc8448Test, TamperedServerFlightFails) {
  TrustEverything trust;
  tls::Config config;
  config.min_version = config.max_version = TlsVersion::tls13;
  config.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  config.groups = {Group::x25519};
  config.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  config.trust = &trust;
  tls::ClientHelloProfile profile;
  profile.middlebox_compatibility = false;
  profile.extension_order = {0x000a, 0x0033, 0x002b, 0x000d};
  config.client_hello_profile = &profile;
  const Bytes client_random(v("client_hello").begin() + 6, v("client_hello").begin() + 38);
  tls::Determinism determinism;
  determinism.random = [&](std::span<uint8_t> out) {
    std::copy(client_random.begin(), client_random.end(), out.begin());
  };
  determinism.ephemeral_private_key = [&](Group) { return v("client_ephemeral_private"); };

  for (size_t at : {size_t{10}, size_t{300}, v("server_flight_record").size() - 1}) {
    tls::Client client(&backend_->backend(), &config);
    client.crypto().set_determinism(&determinism);
    while (client.advance() != tls::Connection::Status::want_read) {
    }
    Bytes flight = v("server_flight_record");
    flight[at] ^= 0x01;
    client.receive(v("server_hello_record"));
    client.receive(flight);
    tls::Connection::Status st;
    do {
      st = client.advance();
    } while (st == tls::Connection::Status::step || st == tls::Connection::Status::progressed);
    EXPECT_EQ(st, tls::Connection::Status::failed) << "flipped byte " << at;
    EXPECT_EQ(client.error().alert, tls::Alert::bad_record_mac) << "flipped byte " << at;
  }
}

// Every real backend the plugin search finds.
INSTANTIATE_TEST_SUITE_P(Backends, Rfc8448Test, ::testing::ValuesIn(test::built_backends()),
                         [](const auto& param_info) { return test::test_name(param_info.param); });

}  // namespace
}  // namespace hsbench
