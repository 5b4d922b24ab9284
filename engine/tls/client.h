// The engine's TLS client. One function per state (BoringSSL's
// handshake_client.cc), each handling at most one message and saying what
// it waits for. The hello states both versions share live in client.cc;
// after ServerHello, TLS 1.2 continues in tls12_client.cc and TLS 1.3 in
// tls13_client.cc.
#pragma once

#include <memory>

#include "tls/connection.h"
#include "tls/messages.h"
#include "tls/tls13_keys.h"

namespace hsbench::tls {

class Client final : public Connection {
 public:
  Client(Backend* backend, const Config* config) : Connection(Side::client, backend, config) {}
  void reset() override;

  // The session the next handshakes try to resume (kept across reset()).
  void set_resumption(std::shared_ptr<const ClientSession> session) {
    resume_ = std::move(session);
  }
  // The session from the newest ticket the server sent, if any.
  std::shared_ptr<const ClientSession> new_session() const { return new_session_; }

  // What the server chose and showed in this handshake, as far as it got:
  // for reports of real servers, which decide what is negotiated.
  struct Negotiated {
    Group group{};  // valid when has_group: (EC)DHE was done
    bool has_group = false;
    SignatureScheme signature_scheme{};  // the server's signature, when has_signature
    bool has_signature = false;
    KeyInfo server_key;  // the leaf's key, when chain_certificates > 0
    size_t chain_certificates = 0;
    size_t chain_bytes = 0;  // the DER certificates, summed
    // Mutual TLS: the server sent a CertificateRequest, and the client
    // answered with its chain (false: an empty Certificate).
    bool certificate_requested = false;
    bool sent_certificate = false;
  };
  const Negotiated& negotiated() const { return negotiated_; }

  enum class State {
    send_client_hello,
    read_server_hello,
    // TLS 1.2 (RFC 5246 7.3)
    read_certificate,
    read_server_key_exchange,
    read_server_hello_done,
    send_client_certificate,
    send_client_key_exchange,
    send_client_certificate_verify,
    send_change_cipher_spec,
    send_finished,
    tls12_read_new_session_ticket,
    read_change_cipher_spec,
    read_finished,
    // TLS 1.3 (RFC 8446 2)
    tls13_read_encrypted_extensions,
    tls13_read_certificate,
    tls13_read_certificate_verify,
    tls13_read_finished,
    tls13_send_change_cipher_spec,
    tls13_send_client_certificate,
    tls13_send_client_certificate_verify,
    tls13_send_finished,
    done,  // the handshake is complete
  };
  static const char* state_name(State s);
  State state() const { return state_; }

 protected:
  Next run_state() override;

 private:
  // client.cc
  Next do_send_client_hello();
  Next do_read_server_hello();
  // tls12_client.cc
  Next tls12_process_server_hello(const ServerHello& hello, ByteView message);
  Next do_read_certificate();
  Next do_read_server_key_exchange();
  Next do_read_server_hello_done();
  Next do_send_client_certificate();
  Next do_send_client_key_exchange();
  Next do_send_client_certificate_verify();
  Next do_send_change_cipher_spec();
  Next do_send_finished();
  Next do_tls12_read_new_session_ticket();
  Next do_read_change_cipher_spec();
  Next do_read_finished();
  // tls13_client.cc
  Next tls13_process_server_hello(const ServerHello& hello, ByteView message);
  Next tls13_process_hello_retry_request(const ServerHello& hello, ByteView message);
  Next do_tls13_read_encrypted_extensions();
  Next do_tls13_read_certificate();
  Next do_tls13_read_certificate_verify();
  Next do_tls13_read_finished();
  Next do_tls13_send_change_cipher_spec();
  Next do_tls13_send_client_certificate();
  Next do_tls13_send_client_certificate_verify();
  Next do_tls13_send_finished();
  Next tls13_read_new_session_ticket();
  Next read_post_handshake() override;

  // Parses and verifies the server's Certificate message body, keeping the
  // chain and the leaf's key.
  Next process_certificate(ByteView body, bool tls13);

  // Mutual TLS (client.cc). Reads the server's CertificateRequest and
  // chooses the scheme to sign with, if the client has a certificate that
  // fits the request.
  Next read_certificate_request(bool tls13);
  // The client's Certificate: its chain, or none when it has none that
  // fits (RFC 8446 4.4.2.4, RFC 5246 7.4.6).
  Next send_client_certificate(bool tls13);
  // The client's CertificateVerify over signed (RFC 8446 4.4.3; RFC 5246
  // 7.4.8: the messages themselves).
  Next send_client_certificate_verify(ByteView signed_content);
  // TLS 1.3: the client's handshake traffic key, installed once, before the
  // first message of its second flight.
  bool tls13_install_handshake_write_keys();
  // The state after the client's TLS 1.3 compatibility ChangeCipherSpec.
  State tls13_after_change_cipher_spec() const {
    return certificate_requested_ ? State::tls13_send_client_certificate
                                  : State::tls13_send_finished;
  }

  bool offers(CipherSuite s) const;
  bool offers(Group g) const;
  bool offers(SignatureScheme s) const;
  bool offers_tls13() const { return config().max_version >= TlsVersion::tls13; }
  bool offers_tls12() const { return config().min_version <= TlsVersion::tls12; }
  // The session this handshake offers to resume, if any, for a version.
  const ClientSession* resumable(TlsVersion v) const;
  // Writes the pre_shared_key extension (last) with a binder over the
  // message so far (RFC 8446 4.2.11.2), and finishes the message.
  bool write_psk_and_finish(Writer& w, Writer::Prefix extensions);
  // ClientHello extensions other than pre_shared_key, in wire order.
  std::vector<uint16_t> default_extension_order() const;
  bool write_extension(Writer& w, uint16_t type, bool send_key_share);

  State state_ = State::send_client_hello;
  std::shared_ptr<const ClientSession> resume_;
  std::shared_ptr<const ClientSession> new_session_;
  uint8_t session_id_[32] = {};
  size_t session_id_length_ = 0;
  std::unique_ptr<CertificateChain> chain_;
  std::unique_ptr<PublicKey> server_key_;
  std::unique_ptr<KeyShare> key_share_;
  Group group_ = Group::x25519;

  // TLS 1.2
  Bytes server_public_key_;     // the server's ECDHE share
  bool expect_ticket_ = false;  // the server will send a NewSessionTicket

  // TLS 1.3
  bool retried_ = false;  // a HelloRetryRequest came
  Bytes cookie_;
  bool offered_psk_ = false;
  bool handshake_write_keys_ = false;

  // Mutual TLS
  bool certificate_requested_ = false;
  bool has_client_scheme_ = false;  // it answers with its chain, signing with:
  SignatureScheme client_scheme_ = SignatureScheme::rsa_pss_rsae_sha256;
  Bytes signed_scratch_;

  Negotiated negotiated_;
};

}  // namespace hsbench::tls
