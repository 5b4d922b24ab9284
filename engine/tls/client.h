// The engine's TLS client. One function per state (BoringSSL's
// handshake_client.cc), each handling at most one message and saying what
// it waits for. TLS 1.2 states live in tls12_client.cc; TLS 1.3 branches off
// after ServerHello into its own states.
#pragma once

#include <memory>

#include "tls/connection.h"

namespace hsbench::tls {

class Client final : public Connection {
 public:
  Client(Backend* backend, const Config* config) : Connection(Side::client, backend, config) {}
  void reset() override;

  enum class State {
    send_client_hello,
    read_server_hello,
    // TLS 1.2 (RFC 5246 7.3)
    read_certificate,
    read_server_key_exchange,
    read_server_hello_done,
    send_client_key_exchange,
    send_change_cipher_spec,
    send_finished,
    read_change_cipher_spec,
    read_finished,
    // Both
    send_application_data,
    read_application_data,
    done,
  };
  static const char* state_name(State s);
  State state() const { return state_; }

 protected:
  Next run_state() override;

 private:
  Next do_send_client_hello();
  Next do_read_server_hello();
  Next do_read_certificate();
  Next do_read_server_key_exchange();
  Next do_read_server_hello_done();
  Next do_send_client_key_exchange();
  Next do_send_change_cipher_spec();
  Next do_send_finished();
  Next do_read_change_cipher_spec();
  Next do_read_finished();
  Next do_send_application_data();
  Next do_read_application_data();

  bool offers(CipherSuite s) const;
  bool offers(Group g) const;
  bool offers(SignatureScheme s) const;

  State state_ = State::send_client_hello;
  bool extended_master_secret_ = false;
  std::unique_ptr<CertificateChain> chain_;
  std::unique_ptr<PublicKey> server_key_;
  std::unique_ptr<KeyShare> key_share_;
  Bytes server_public_key_;  // the server's ECDHE share
  RecordKeys pending_write_, pending_read_;  // until each ChangeCipherSpec
  Group group_ = Group::x25519;
  uint8_t master_secret_[kMasterSecretLength] = {};
};

}  // namespace hsbench::tls
