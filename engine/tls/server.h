// The engine's TLS server: one function per state, as in client.h. TLS 1.2
// states live in tls12_server.cc.
#pragma once

#include <memory>

#include "tls/connection.h"
#include "tls/messages.h"

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
    send_server_hello_done,
    read_client_key_exchange,
    read_change_cipher_spec,
    read_finished,
    send_change_cipher_spec,
    send_finished,
    // Both
    read_application_data,
    send_application_data,
    done,
  };
  static const char* state_name(State s);
  State state() const { return state_; }

 protected:
  Next run_state() override;

 private:
  Next do_read_client_hello();
  Next do_send_server_hello();
  Next do_send_certificate();
  Next do_send_server_key_exchange();
  Next do_send_server_hello_done();
  Next do_read_client_key_exchange();
  Next do_read_change_cipher_spec();
  Next do_read_finished();
  Next do_send_change_cipher_spec();
  Next do_send_finished();
  Next do_read_application_data();
  Next do_send_application_data();

  // Negotiation from a parsed ClientHello.
  Next choose_tls12_parameters(const ClientHello& hello);

  State state_ = State::read_client_hello;
  bool extended_master_secret_ = false;
  bool secure_renegotiation_ = false;
  bool send_ec_point_formats_ = false;
  Group group_ = Group::x25519;
  SignatureScheme signature_scheme_ = SignatureScheme::rsa_pkcs1_sha256;
  std::unique_ptr<KeyShare> key_share_;
  RecordKeys pending_write_, pending_read_;  // until each ChangeCipherSpec
  Bytes signed_scratch_;
  uint8_t master_secret_[kMasterSecretLength] = {};
};

}  // namespace hsbench::tls
