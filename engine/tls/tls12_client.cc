// TLS 1.2 client states (RFC 5246 7.3, RFC 8422, RFC 7627).
#include <algorithm>
#include <cstring>

#include "tls/client.h"
#include "tls/handshake_util.h"
#include "tls/messages.h"
#include "tls/tls12_keys.h"

namespace hsbench::tls {

Connection::Next Client::tls12_process_server_hello(const ServerHello& hello,
                                                   ByteView message) {
  // A TLS 1.2 ServerHello carries none of TLS 1.3's extensions.
  if (hello.has_key_share || hello.has_cookie || hello.has_pre_shared_key) {
    return fail(Alert::unsupported_extension, "TLS 1.3 extension in a TLS 1.2 ServerHello");
  }
  suite_ = cipher_suite_info(hello.cipher_suite);
  if (suite_ == nullptr || suite_->version != TlsVersion::tls12 || !offers(suite_->id)) {
    return fail(Alert::illegal_parameter, "server chose a cipher suite not offered");
  }
  version_ = TlsVersion::tls12;
  key_share_.reset();  // a TLS 1.3 share offered in ClientHello goes unused
  std::memcpy(server_random_, hello.random.data(), kRandomLength);
  extended_master_secret_ = hello.extended_master_secret;
  if (hello.session_ticket && !config().session_tickets) {
    return fail(Alert::unsupported_extension, "session_ticket was not offered");
  }
  expect_ticket_ = hello.session_ticket;

  if (!transcript_.set_hash(crypto_, suite_->hash)) {
    return fail(Alert::internal_error, "hash unsupported by the backend");
  }
  transcript_.add(crypto_, message);

  // The server accepts the ticket by echoing our session id (RFC 5077 3.4).
  const ClientSession* session = resumable(TlsVersion::tls12);
  if (session != nullptr && !hello.session_id.empty() &&
      equal_ct(hello.session_id, ByteView(session_id_, session_id_length_))) {
    if (session->suite != suite_->id ||
        session->extended_master_secret != extended_master_secret_) {
      return fail(Alert::illegal_parameter, "resumed session does not match");
    }
    resumed_ = true;
    std::memcpy(master_secret_, session->secret.data(), kMasterSecretLength);
    if (!tls12_derive_record_keys()) return fail(Alert::internal_error, "key derivation failed");
    step(Message::server_hello, Action::read);
    state_ = expect_ticket_ ? State::tls12_read_new_session_ticket
                            : State::read_change_cipher_spec;
    return Next::ok;
  }
  step(Message::server_hello, Action::read);
  state_ = State::read_certificate;
  return Next::ok;
}

Connection::Next Client::do_read_certificate() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::certificate, &body, &message); n != Next::ok) {
    return n;
  }
  if (Next n = process_certificate(body, false); n != Next::ok) return n;
  if (!kx_accepts_key(suite_->kx, server_key_->info().type)) {
    return fail(Alert::unsupported_certificate, "certificate key does not fit the cipher suite");
  }
  transcript_.add(crypto_, message);
  step(Message::certificate, Action::read);
  state_ = suite_->kx == KeyExchange::rsa ? State::read_server_hello_done
                                          : State::read_server_key_exchange;
  return Next::ok;
}

Connection::Next Client::do_read_server_key_exchange() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::server_key_exchange, &body, &message);
      n != Next::ok) {
    return n;
  }
  ServerKeyExchange ske;
  Error err;
  if (!parse_server_key_exchange(body, &ske, &err)) return fail(err.alert, err.reason);
  auto group = static_cast<Group>(ske.group);
  if (!offers(group) || is_kem(group)) {
    return fail(Alert::illegal_parameter, "server chose a group not offered");
  }
  if (ske.public_key.size() != public_key_length(group)) {
    return fail(Alert::illegal_parameter, "bad ECDHE public key length");
  }
  auto scheme = static_cast<SignatureScheme>(ske.signature_scheme);
  if (!offers(scheme) ||
      !scheme_fits_key(scheme, server_key_->info().type, TlsVersion::tls12)) {
    return fail(Alert::illegal_parameter, "server chose a signature scheme not offered");
  }
  // The signature covers client_random + server_random + params (RFC 8422 5.4).
  msg_.clear();
  msg_.insert(msg_.end(), client_random_, client_random_ + kRandomLength);
  msg_.insert(msg_.end(), server_random_, server_random_ + kRandomLength);
  msg_.insert(msg_.end(), ske.params.begin(), ske.params.end());
  if (!crypto_.verify(*server_key_, scheme, msg_, ske.signature)) {
    return fail(Alert::decrypt_error, "ServerKeyExchange signature does not verify");
  }
  group_ = group;
  negotiated_.group = group;
  negotiated_.has_group = true;
  negotiated_.signature_scheme = scheme;
  negotiated_.has_signature = true;
  server_public_key_.assign(ske.public_key.begin(), ske.public_key.end());
  transcript_.add(crypto_, message);
  step(Message::server_key_exchange, Action::read);
  state_ = State::read_server_hello_done;
  return Next::ok;
}

Connection::Next Client::do_read_server_hello_done() {
  HandshakeType type;
  if (Next n = peek_handshake(&type); n != Next::ok) return n;
  // Mutual TLS: the request comes just before ServerHelloDone (RFC 5246 7.3).
  if (type == HandshakeType::certificate_request) return read_certificate_request(false);
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::server_hello_done, &body, &message); n != Next::ok) {
    return n;
  }
  if (!body.empty()) return fail(Alert::decode_error, "malformed ServerHelloDone");
  transcript_.add(crypto_, message);
  step(Message::server_hello_done, Action::read);
  state_ =
      certificate_requested_ ? State::send_client_certificate : State::send_client_key_exchange;
  return Next::ok;
}

Connection::Next Client::do_send_client_certificate() {
  if (send_client_certificate(false) != Next::ok) return Next::error;
  step(Message::certificate, Action::write);
  state_ = State::send_client_key_exchange;
  return Next::ok;
}

Connection::Next Client::do_send_client_certificate_verify() {
  // The signature covers every handshake message before this one (RFC
  // 5246 7.4.8), hashed with the scheme's own hash.
  if (send_client_certificate_verify(transcript_.messages()) != Next::ok) return Next::error;
  step(Message::certificate_verify, Action::write);
  state_ = State::send_change_cipher_spec;
  return Next::ok;
}

Connection::Next Client::do_send_client_key_exchange() {
  uint8_t premaster[kMasterSecretLength];
  size_t premaster_len = 0;
  Writer w = begin_message(HandshakeType::client_key_exchange);
  if (suite_->kx == KeyExchange::rsa) {
    // PreMasterSecret: client_version + 46 random bytes (RFC 5246 7.4.7.1).
    premaster[0] = 0x03;
    premaster[1] = 0x03;
    if (!crypto_.random(std::span(premaster + 2, 46))) {
      return fail(Alert::internal_error, "no randomness");
    }
    premaster_len = kMasterSecretLength;
    uint8_t encrypted[kMaxRsaBits / 8];
    size_t encrypted_len = 0;
    if (!crypto_.rsa_encrypt(*server_key_, ByteView(premaster, premaster_len), encrypted,
                             &encrypted_len)) {
      return fail(Alert::internal_error, "RSA encryption failed");
    }
    auto p = w.open_u16();
    w.bytes(ByteView(encrypted, encrypted_len));
    (void)w.close(p);
  } else {
    key_share_ = crypto_.keygen(group_);
    if (key_share_ == nullptr) return fail(Alert::internal_error, "key generation failed");
    premaster_len = shared_secret_length(group_);
    if (!crypto_.derive(*key_share_, server_public_key_, std::span(premaster, premaster_len))) {
      return fail(Alert::illegal_parameter, "bad ECDHE public key");
    }
    auto p = w.open_u8();
    w.bytes(key_share_->public_key());
    (void)w.close(p);
  }
  if (send_message() != Next::ok) return Next::error;

  // The session hash runs through ClientKeyExchange (RFC 7627 3).
  uint8_t session_hash[48];
  size_t hash_len = transcript_.digest_length();
  if (extended_master_secret_) transcript_.digest(crypto_, std::span(session_hash, hash_len));
  if (!tls12_master_secret(crypto_, suite_->hash, ByteView(premaster, premaster_len),
                           extended_master_secret_, ByteView(session_hash, hash_len),
                           client_random_, server_random_, master_secret_) ||
      !tls12_derive_record_keys()) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  log_secret("CLIENT_RANDOM", master_secret_);
  key_share_.reset();  // forward secrecy: the ephemeral key is gone
  step(Message::client_key_exchange, Action::write);
  state_ =
      has_client_scheme_ ? State::send_client_certificate_verify : State::send_change_cipher_spec;
  return Next::ok;
}

Connection::Next Client::do_send_change_cipher_spec() {
  if (tls12_send_change_cipher_spec() != Next::ok) return Next::error;
  step(Message::change_cipher_spec, Action::write);
  state_ = State::send_finished;
  return Next::ok;
}

Connection::Next Client::do_send_finished() {
  if (tls12_send_finished() != Next::ok) return Next::error;
  step(Message::finished, Action::write);
  if (resumed_) {
    state_ = State::done;
    complete_handshake();
  } else {
    state_ = expect_ticket_ ? State::tls12_read_new_session_ticket
                            : State::read_change_cipher_spec;
  }
  return Next::ok;
}

Connection::Next Client::do_tls12_read_new_session_ticket() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::new_session_ticket, &body, &message);
      n != Next::ok) {
    return n;
  }
  // NewSessionTicket: lifetime hint, ticket (RFC 5077 3.3).
  Reader r(body);
  uint16_t hint_hi, hint_lo;
  ByteView ticket;
  if (!r.u16(&hint_hi) || !r.u16(&hint_lo) || !r.u16_prefixed(&ticket) || !r.empty()) {
    return fail(Alert::decode_error, "malformed NewSessionTicket");
  }
  if (!ticket.empty()) {
    auto session = std::make_shared<ClientSession>();
    session->version = TlsVersion::tls12;
    session->suite = suite_->id;
    session->ticket.assign(ticket.begin(), ticket.end());
    session->secret_length = kMasterSecretLength;
    std::memcpy(session->secret.data(), master_secret_, kMasterSecretLength);
    session->extended_master_secret = extended_master_secret_;
    session->received = StepClock::now();
    new_session_ = std::move(session);
  }
  transcript_.add(crypto_, message);
  step(Message::new_session_ticket, Action::read);
  state_ = State::read_change_cipher_spec;
  return Next::ok;
}

Connection::Next Client::do_read_change_cipher_spec() {
  if (Next n = tls12_read_change_cipher_spec(); n != Next::ok) return n;
  step(Message::change_cipher_spec, Action::read);
  state_ = State::read_finished;
  return Next::ok;
}

Connection::Next Client::do_read_finished() {
  if (Next n = tls12_read_finished(); n != Next::ok) return n;
  step(Message::finished, Action::read);
  // In an abbreviated handshake the server finishes first (RFC 5246 7.3).
  if (resumed_) {
    state_ = State::send_change_cipher_spec;
  } else {
    state_ = State::done;
    complete_handshake();
  }
  return Next::ok;
}

}  // namespace hsbench::tls
