// The server states both TLS versions share: ClientHello, where the versions
// part, and application data.
#include "tls/server.h"

#include <chrono>
#include <cstring>

#include "hsbench/pki.h"
#include "tls/handshake_util.h"

namespace hsbench::tls {

void Server::reset() {
  Connection::reset();
  state_ = State::read_client_hello;
  key_share_.reset();
  secure_renegotiation_ = send_ec_point_formats_ = false;
  retried_ = sent_compat_ccs_ = false;
  issue_ticket_ = client_psk_modes_ = false;
  session_id_length_ = 0;
  peer_key_share_.clear();
  pending_handshake_write_ = {};
  certificate_requested_ = client_authenticated_ = false;
  client_chain_.reset();
  client_key_.reset();
  client_leaf_.clear();
}

const char* Server::state_name(State s) {
  switch (s) {
    case State::read_client_hello: return "read_client_hello";
    case State::send_server_hello: return "send_server_hello";
    case State::send_certificate: return "send_certificate";
    case State::send_server_key_exchange: return "send_server_key_exchange";
    case State::send_certificate_request:
      return "send_certificate_request";
    case State::send_server_hello_done: return "send_server_hello_done";
    case State::read_client_certificate:
      return "read_client_certificate";
    case State::read_client_key_exchange: return "read_client_key_exchange";
    case State::read_client_certificate_verify:
      return "read_client_certificate_verify";
    case State::read_change_cipher_spec: return "read_change_cipher_spec";
    case State::read_finished: return "read_finished";
    case State::tls12_send_new_session_ticket: return "tls12_send_new_session_ticket";
    case State::send_change_cipher_spec: return "send_change_cipher_spec";
    case State::send_finished: return "send_finished";
    case State::tls13_send_hello_retry_request: return "tls13_send_hello_retry_request";
    case State::tls13_send_server_hello: return "tls13_send_server_hello";
    case State::tls13_send_change_cipher_spec: return "tls13_send_change_cipher_spec";
    case State::tls13_send_encrypted_extensions: return "tls13_send_encrypted_extensions";
    case State::tls13_send_certificate_request:
      return "tls13_send_certificate_request";
    case State::tls13_send_certificate: return "tls13_send_certificate";
    case State::tls13_send_certificate_verify: return "tls13_send_certificate_verify";
    case State::tls13_send_finished: return "tls13_send_finished";
    case State::tls13_read_client_certificate:
      return "tls13_read_client_certificate";
    case State::tls13_read_client_certificate_verify:
      return "tls13_read_client_certificate_verify";
    case State::tls13_read_finished: return "tls13_read_finished";
    case State::tls13_send_new_session_ticket: return "tls13_send_new_session_ticket";
    case State::done: return "done";
  }
  return "unknown";
}

Connection::Next Server::run_state() {
  switch (state_) {
    case State::read_client_hello: return do_read_client_hello();
    case State::send_server_hello: return do_send_server_hello();
    case State::send_certificate: return do_send_certificate();
    case State::send_server_key_exchange: return do_send_server_key_exchange();
    case State::send_certificate_request:
      return do_send_certificate_request();
    case State::send_server_hello_done: return do_send_server_hello_done();
    case State::read_client_certificate:
      return do_read_client_certificate();
    case State::read_client_key_exchange: return do_read_client_key_exchange();
    case State::read_client_certificate_verify:
      return do_read_client_certificate_verify();
    case State::read_change_cipher_spec: return do_read_change_cipher_spec();
    case State::read_finished: return do_read_finished();
    case State::tls12_send_new_session_ticket: return do_tls12_send_new_session_ticket();
    case State::send_change_cipher_spec: return do_send_change_cipher_spec();
    case State::send_finished: return do_send_finished();
    case State::tls13_send_hello_retry_request: return do_tls13_send_hello_retry_request();
    case State::tls13_send_server_hello: return do_tls13_send_server_hello();
    case State::tls13_send_change_cipher_spec: return do_tls13_send_change_cipher_spec();
    case State::tls13_send_encrypted_extensions: return do_tls13_send_encrypted_extensions();
    case State::tls13_send_certificate_request:
      return do_tls13_send_certificate_request();
    case State::tls13_send_certificate: return do_tls13_send_certificate();
    case State::tls13_send_certificate_verify: return do_tls13_send_certificate_verify();
    case State::tls13_send_finished: return do_tls13_send_finished();
    case State::tls13_read_client_certificate:
      return do_tls13_read_client_certificate();
    case State::tls13_read_client_certificate_verify:
      return do_tls13_read_client_certificate_verify();
    case State::tls13_read_finished: return do_tls13_read_finished();
    case State::tls13_send_new_session_ticket: return do_tls13_send_new_session_ticket();
    case State::done: return Next::done;
  }
  return fail(Alert::internal_error, "bad state");
}

std::vector<SignatureScheme> Server::own_signature_schemes() const {
  return config().signature_schemes.empty() ? signature_schemes_for(config().credentials->leaf)
                                            : config().signature_schemes;
}

std::vector<SignatureScheme> Server::client_signature_schemes() const {
  std::vector<SignatureScheme> out;
  const auto& supported = crypto_.backend().algorithms().signature_schemes;
  for (SignatureScheme s : config().client_signature_schemes) {
    if ((version_ == TlsVersion::tls13 && is_pkcs1(s)) ||
        std::find(supported.begin(), supported.end(), s) == supported.end()) {
      continue;
    }
    out.push_back(s);
  }
  return out;
}

Connection::Next Server::read_client_certificate(bool tls13) {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::certificate, &body, &message); n != Next::ok) {
    return n;
  }
  ByteView certs[kMaxChainLength];
  size_t count = 0;
  Error err;
  if (!parse_certificate(body, tls13, certs, &count, &err, true)) {
    return fail(err.alert, err.reason);
  }
  // This server requires a certificate (RFC 8446 4.4.2.4, RFC 5246 7.4.6).
  if (count == 0) {
    return fail(tls13 ? Alert::certificate_required : Alert::handshake_failure,
                "the client sent no certificate");
  }
  client_chain_ = crypto_.parse_chain(std::span<const ByteView>(certs, count));
  if (client_chain_ == nullptr) {
    return fail(Alert::bad_certificate, "client certificate does not parse");
  }
  if (config().client_trust == nullptr) {
    return fail(Alert::internal_error, "no trust anchors for clients");
  }
  if (!crypto_.verify_client_chain(*config().client_trust, *client_chain_)) {
    return fail(Alert::bad_certificate, "client certificate chain does not verify");
  }
  client_key_ = client_chain_->leaf_public_key();
  if (client_key_ == nullptr) {
    return fail(Alert::unsupported_certificate, "client certificate key unsupported");
  }
  client_leaf_.assign(certs[0].begin(), certs[0].end());
  transcript_.add(crypto_, message);
  step(Message::certificate, Action::read);
  return Next::ok;
}

Connection::Next Server::read_client_certificate_verify(ByteView signed_content) {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::certificate_verify, &body, &message); n != Next::ok) {
    return n;
  }
  CertificateVerify cv;
  Error err;
  if (!parse_certificate_verify(body, &cv, &err)) return fail(err.alert, err.reason);
  const auto scheme = static_cast<SignatureScheme>(cv.signature_scheme);
  const std::vector<SignatureScheme> accepted = client_signature_schemes();
  if (std::find(accepted.begin(), accepted.end(), scheme) == accepted.end() ||
      !scheme_fits_key(scheme, client_key_->info().type, version_)) {
    return fail(Alert::illegal_parameter, "client chose a signature scheme not offered");
  }
  if (!crypto_.verify(*client_key_, scheme, signed_content, cv.signature)) {
    return fail(Alert::decrypt_error, "client CertificateVerify does not verify");
  }
  client_authenticated_ = true;
  transcript_.add(crypto_, message);
  step(Message::certificate_verify, Action::read);
  return Next::ok;
}

bool Server::ticket_sealer_ready() {
  return ticket_sealer_.ready() || ticket_sealer_.init(crypto_, config().ticket_key);
}

uint64_t Server::ticket_now() const {
  if (config().ticket_clock) return config().ticket_clock();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Connection::Next Server::do_read_client_hello() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::client_hello, &body, &message); n != Next::ok) {
    return n;
  }
  ClientHello hello;
  Error err;
  if (!parse_client_hello(body, &hello, &err)) return fail(err.alert, err.reason);
  if (config().credentials == nullptr) return fail(Alert::internal_error, "no credentials");
  if (!list_contains_u8(hello.compression_methods, 0)) {
    return fail(Alert::illegal_parameter, "no null compression");
  }
  // supported_versions, when present, is the whole truth (RFC 8446 4.2.1).
  bool client_tls13 = hello.has_supported_versions &&
                      list_contains_u16(hello.supported_versions, 0x0304);
  bool client_tls12 = hello.has_supported_versions
                          ? list_contains_u16(hello.supported_versions, 0x0303)
                          : hello.legacy_version >= 0x0303;
  if (retried_ || (client_tls13 && supports_tls13())) {
    if (retried_ && !client_tls13) {
      return fail(Alert::illegal_parameter, "second ClientHello changed the version");
    }
    std::memcpy(client_random_, hello.random.data(), kRandomLength);
    return tls13_choose_parameters(hello, message);
  }
  if (!client_tls12 || config().min_version > TlsVersion::tls12) {
    return fail(Alert::protocol_version, "no protocol version in common");
  }
  std::memcpy(client_random_, hello.random.data(), kRandomLength);
  if (Next n = tls12_choose_parameters(hello); n != Next::ok) return n;
  transcript_.add(crypto_, message);
  step(Message::client_hello, Action::read);
  state_ = State::send_server_hello;
  return Next::ok;
}

}  // namespace hsbench::tls
