// The engine's TLS server: one function per state, as in client.h. The
// ClientHello (where the versions part) and application data states live in
// server.cc; TLS 1.2 in tls12_server.cc, TLS 1.3 in tls13_server.cc.
#pragma once

#include <memory>

#include "tls/connection.h"
#include "tls/messages.h"
#include "tls/tls13_keys.h"

namespace hsbench::tls {

class Server final : public Connection {
 public:
  Server(Backend* backend, const Config* config) : Connection(Side::server, backend, config) {}
  void reset() override;

  enum class State {
    read_client_hello,
    // TLS 1.2 (RFC 5246 7.3)
    send_server_hello,
    send_certificate,
    send_server_key_exchange,
    send_certificate_request,
    send_server_hello_done,
    read_client_certificate,
    read_client_key_exchange,
    read_client_certificate_verify,
    read_change_cipher_spec,
    read_finished,
    tls12_send_new_session_ticket,
    send_change_cipher_spec,
    send_finished,
    // TLS 1.3 (RFC 8446 2)
    tls13_send_hello_retry_request,
    tls13_send_server_hello,
    tls13_send_change_cipher_spec,
    tls13_send_encrypted_extensions,
    tls13_send_certificate_request,
    tls13_send_certificate,
    tls13_send_certificate_verify,
    tls13_send_finished,
    tls13_read_client_certificate,
    tls13_read_client_certificate_verify,
    tls13_read_finished,
    tls13_send_new_session_ticket,
    done,  // the handshake is complete
  };
  static const char* state_name(State s);
  State state() const { return state_; }

  // Mutual TLS: whether the client is authenticated by a certificate, in
  // this handshake or in the one whose ticket it resumed; and the DER leaf
  // it presented in this handshake (empty when resumed or when none).
  bool client_authenticated() const { return client_authenticated_; }
  ByteView client_certificate() const { return client_leaf_; }

 protected:
  Next run_state() override;

 private:
  // server.cc
  Next do_read_client_hello();
  // tls12_server.cc
  Next tls12_choose_parameters(const ClientHello& hello);
  Next do_send_server_hello();
  Next do_send_certificate();
  Next do_send_server_key_exchange();
  Next do_send_certificate_request();
  Next do_send_server_hello_done();
  Next do_read_client_certificate();
  Next do_read_client_key_exchange();
  Next do_read_client_certificate_verify();
  Next do_read_change_cipher_spec();
  Next do_read_finished();
  Next do_tls12_send_new_session_ticket();
  Next do_send_change_cipher_spec();
  Next do_send_finished();
  // tls13_server.cc
  Next tls13_choose_parameters(const ClientHello& hello, ByteView message);
  Next do_tls13_send_hello_retry_request();
  Next do_tls13_send_server_hello();
  Next do_tls13_send_change_cipher_spec();
  Next do_tls13_send_encrypted_extensions();
  Next do_tls13_send_certificate_request();
  Next do_tls13_send_certificate();
  Next do_tls13_send_certificate_verify();
  Next do_tls13_send_finished();
  Next do_tls13_read_client_certificate();
  Next do_tls13_read_client_certificate_verify();
  Next do_tls13_read_finished();
  Next do_tls13_send_new_session_ticket();
  // Accepts the client's PSK (*out_accepted) if its ticket opens, is fresh
  // and fits the suite, and its binder verifies; an error if the binder
  // of such a ticket does not verify.
  Next tls13_accept_psk(const ClientHello& hello, ByteView message, bool* out_accepted);

  // Mutual TLS (server.cc). The schemes the server accepts for the
  // client's CertificateVerify in this version, as CertificateRequest
  // lists them.
  std::vector<SignatureScheme> client_signature_schemes() const;
  // Reads the client's Certificate and verifies its chain against
  // Config::client_trust; a client that sent none fails the handshake.
  Next read_client_certificate(bool tls13);
  // Checks the client's CertificateVerify over signed_content.
  Next read_client_certificate_verify(ByteView signed_content);
  // Whether a ticket may be resumed here: one without client
  // authentication may not when the server requires it.
  bool ticket_authenticates(const TicketContents& ticket) const {
    return !config().require_client_certificate || ticket.client_authenticated;
  }

  bool supports_tls13() const { return config().max_version >= TlsVersion::tls13; }
  // The server's signature schemes, in its order of preference.
  std::vector<SignatureScheme> own_signature_schemes() const;
  // The ticket sealer, prepared on first use and kept across handshakes.
  bool ticket_sealer_ready();
  // Seconds since the Unix epoch, by Config::ticket_clock.
  uint64_t ticket_now() const;

  State state_ = State::read_client_hello;
  TicketSealer ticket_sealer_;
  bool issue_ticket_ = false;
  TicketContents resumed_session_;
  Group group_ = Group::x25519;
  SignatureScheme signature_scheme_ = SignatureScheme::rsa_pkcs1_sha256;
  std::unique_ptr<KeyShare> key_share_;
  Bytes signed_scratch_;

  // Mutual TLS
  bool certificate_requested_ = false;
  bool client_authenticated_ = false;
  std::unique_ptr<CertificateChain> client_chain_;
  std::unique_ptr<PublicKey> client_key_;  // set once the client's chain verified
  Bytes client_leaf_;

  // TLS 1.2
  bool secure_renegotiation_ = false;
  bool send_ec_point_formats_ = false;

  // TLS 1.3
  bool retried_ = false;       // a HelloRetryRequest was sent
  bool client_psk_modes_ = false;  // the client can use tickets
  bool sent_compat_ccs_ = false;
  uint8_t session_id_[32] = {};  // the client's, echoed (or, in TLS 1.2, to resume)
  size_t session_id_length_ = 0;
  Bytes peer_key_share_;
  RecordKeys pending_handshake_write_;  // installed after the compatibility CCS
};

}  // namespace hsbench::tls
