// The engine's TLS 1.3 client against RFC 8448 section 3 ("Simple 1-RTT
// Handshake"), byte for byte: with the trace's random and ephemeral key
// injected, its ClientHello, its secrets, its reading of the trace's server
// flight, its Finished and its application data must be the trace's.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "drive/pair.h"
#include "hsbench/loader.h"
#include "tls/client.h"
#include "tls/crypto.h"
#include "tls/rfc8448_vectors.h"

namespace hsbench {
namespace {

// The RFC's certificate expired in 2026 and is self-signed: the test trusts
// it as given, and checks everything else.
class TrustEverything final : public TrustStore {
 public:
  bool verify(const CertificateChain&, std::string_view, std::string*) const override {
    return true;
  }
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

  // In the trace a NewSessionTicket (not among the vectors) takes the
  // server's first application-traffic record; one sealed here with the
  // trace's server application key stands in for it, so that the trace's
  // application data record arrives with sequence number 1, as it did.
  const Bytes ticket_message = {0x04, 0x00, 0x00, 0x0f,  // NewSessionTicket, 15 bytes
                                0x00, 0x00, 0x1c, 0x20,  // lifetime
                                0x01, 0x02, 0x03, 0x04,  // age_add
                                0x00,                    // empty nonce
                                0x00, 0x02, 0xaa, 0xbb,  // ticket
                                0x00, 0x00};             // no extensions
  Bytes inner = ticket_message;
  inner.push_back(0x16);  // handshake
  const uint8_t header[5] = {0x17, 0x03, 0x03, 0x00,
                             static_cast<uint8_t>(inner.size() + kAeadTagLength)};
  auto aead = backend_->backend().new_aead(Aead::aes128gcm, v("server_application_key"));
  ASSERT_NE(aead, nullptr);
  Bytes ticket_record(header, header + 5);
  ticket_record.resize(5 + inner.size() + kAeadTagLength);
  ASSERT_TRUE(aead->seal(v("server_application_iv"), ByteView(header, 5), inner,
                         std::span(ticket_record).subspan(5)));
  receive(ticket_record);

  // The server's application data decrypts to the trace's payload.
  receive(v("server_application_data_record"));
  ASSERT_EQ(run_until_blocked(), tls::Connection::Status::done) << client.error().reason;
  EXPECT_EQ(
      Bytes(client.received_application_data().begin(), client.received_application_data().end()),
      payload);
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

std::vector<std::string> backends() {
  std::vector<std::string> out;
  if (HSBENCH_HAVE_OPENSSL) out.push_back("openssl");
  if (HSBENCH_HAVE_BORINGSSL) out.push_back("boringssl");
  return out;
}

INSTANTIATE_TEST_SUITE_P(Backends, Rfc8448Test, ::testing::ValuesIn(backends()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace hsbench
