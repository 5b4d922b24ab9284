// TLS 1.3 client states (RFC 8446 section 2, 4): from ServerHello on.
#include <algorithm>
#include <cstring>

#include "tls/client.h"
#include "tls/handshake_util.h"

namespace hsbench::tls {

bool Client::write_psk_and_finish(Writer& w, Writer::Prefix extensions) {
  const ClientSession& session = *resume_;
  const Hash hash = cipher_suite_info(session.suite)->hash;
  const size_t hlen = digest_length(hash);
  w.u16(static_cast<uint16_t>(ExtensionType::pre_shared_key));
  auto ext = w.open_u16();
  auto identities = w.open_u16();
  auto identity = w.open_u16();
  w.bytes(session.ticket);
  if (!w.close(identity)) return false;
  // obfuscated_ticket_age: milliseconds since the ticket came, plus
  // ticket_age_add (RFC 8446 4.2.11.1).
  const uint32_t age = crypto_.ticket_age_ms(session.received) + session.age_add;
  w.u16(static_cast<uint16_t>(age >> 16));
  w.u16(static_cast<uint16_t>(age));
  (void)w.close(identities);
  const size_t binders_at = w.size();
  auto binders = w.open_u16();
  auto binder = w.open_u8();
  (void)w.reserve(hlen);
  (void)w.close(binder);
  (void)w.close(binders);
  if (!w.close(ext) || !w.close(extensions) || !w.close(msg_length_)) return false;

  // The binder covers the ClientHello up to the binders (4.2.11.2), keyed
  // by the PSK's binder key.
  auto partial = crypto_.new_hash(hash);
  if (partial == nullptr) return false;
  crypto_.hash_update(*partial, ByteView(msg_).first(binders_at));
  uint8_t th[kMaxHashLength];
  crypto_.hash_digest(*partial, binders_at, std::span(th, hlen));
  Tls13KeySchedule binder_schedule;
  binder_schedule.init(&crypto_, hash);
  Secret binder_key;
  return binder_schedule.early(ByteView(session.secret.data(), session.secret_length)) &&
         binder_schedule.derive("res binder", empty_hash(hash),
                                std::span(binder_key.data(), hlen)) &&
         binder_schedule.finished(ByteView(binder_key.data(), hlen), ByteView(th, hlen),
                                  std::span(msg_).subspan(binders_at + 3, hlen));
}

Connection::Next Client::tls13_process_hello_retry_request(const ServerHello& hello,
                                                          ByteView message) {
  if (retried_) return fail(Alert::unexpected_message, "second HelloRetryRequest");
  const CipherSuiteInfo* suite = cipher_suite_info(hello.cipher_suite);
  if (suite == nullptr || suite->version != TlsVersion::tls13 || !offers(suite->id)) {
    return fail(Alert::illegal_parameter, "server chose a cipher suite not offered");
  }
  if (!equal_ct(hello.session_id, ByteView(session_id_, session_id_length_))) {
    return fail(Alert::illegal_parameter, "session id not echoed");
  }
  // A retry asks for a group that was offered but not sent, or only
  // carries a cookie, and must change something (4.1.4).
  auto group = hello.has_key_share ? static_cast<Group>(hello.key_share_group) : group_;
  const bool sent_share_for_group = key_share_ != nullptr && group == group_;
  if ((hello.has_key_share && (!offers(group) || sent_share_for_group)) ||
      (!hello.has_key_share && !hello.has_cookie)) {
    return fail(Alert::illegal_parameter, "HelloRetryRequest asks for a bad group");
  }
  if (!transcript_.restart_with_message_hash(crypto_, suite->hash)) {
    return fail(Alert::internal_error, "hash unsupported by the backend");
  }
  transcript_.add(crypto_, message);

  suite_ = suite;
  version_ = TlsVersion::tls13;
  // A new share only for a new group; otherwise the same one again (4.1.2).
  if (group != group_) key_share_.reset();
  group_ = group;
  cookie_.assign(hello.cookie.begin(), hello.cookie.end());
  retried_ = true;
  step(Message::hello_retry_request, Action::read);
  state_ = State::send_client_hello;
  return Next::ok;
}

Connection::Next Client::tls13_process_server_hello(const ServerHello& hello, ByteView message) {
  const CipherSuiteInfo* suite = cipher_suite_info(hello.cipher_suite);
  if (suite == nullptr || suite->version != TlsVersion::tls13 || !offers(suite->id) ||
      (retried_ && suite != suite_)) {
    return fail(Alert::illegal_parameter, "server chose a cipher suite not offered");
  }
  if (!equal_ct(hello.session_id, ByteView(session_id_, session_id_length_))) {
    return fail(Alert::illegal_parameter, "session id not echoed");
  }
  if (hello.extended_master_secret || hello.secure_renegotiation || hello.session_ticket ||
      hello.has_ec_point_formats || hello.has_cookie) {
    return fail(Alert::unsupported_extension, "TLS 1.2 extension in a TLS 1.3 ServerHello");
  }
  if (hello.has_pre_shared_key) {
    // The server accepted the (only) PSK offered; its suite must share the
    // ticket's hash (RFC 8446 4.2.11).
    if (!offered_psk_ || hello.selected_identity != 0 ||
        suite->hash != cipher_suite_info(resume_->suite)->hash) {
      return fail(Alert::illegal_parameter, "server chose a PSK not offered");
    }
    resumed_ = true;
  }
  // With psk_ke there is no (EC)DHE and no key share either way.
  const bool dhe = !resumed_ || config().psk_with_dhe;
  uint8_t shared[kMaxSharedSecretLength] = {};
  size_t shared_len = 0;
  if (dhe) {
    if (!hello.has_key_share) return fail(Alert::missing_extension, "no key_share");
    if (hello.key_share_group != static_cast<uint16_t>(group_) || key_share_ == nullptr) {
      return fail(Alert::illegal_parameter, "server's key share is for another group");
    }
    // A KEM's server share is a ciphertext, not as long as the client's.
    if (hello.key_share.size() != public_key_length(group_, ShareFrom::server)) {
      return fail(Alert::illegal_parameter, "bad key share length");
    }
    shared_len = shared_secret_length(group_);
    if (!crypto_.derive(*key_share_, hello.key_share, std::span(shared, shared_len))) {
      return fail(Alert::illegal_parameter, "bad key share");
    }
    key_share_.reset();  // forward secrecy: the ephemeral key is gone
    negotiated_.group = group_;
    negotiated_.has_group = true;
  } else if (hello.has_key_share) {
    return fail(Alert::illegal_parameter, "key share in a psk_ke handshake");
  } else {
    shared_len = digest_length(suite->hash);  // (EC)DHE input of zeros (7.1)
  }
  suite_ = suite;
  version_ = TlsVersion::tls13;
  std::memcpy(server_random_, hello.random.data(), kRandomLength);

  if (!transcript_.has_hash() && !transcript_.set_hash(crypto_, suite_->hash)) {
    return fail(Alert::internal_error, "hash unsupported by the backend");
  }
  transcript_.add(crypto_, message);

  ByteView psk = resumed_ ? ByteView(resume_->secret.data(), resume_->secret_length) : ByteView();
  RecordKeys read_keys;
  if (!tls13_derive_handshake_secrets(psk, ByteView(shared, shared_len)) ||
      !tls13_record_keys(server_handshake_secret_, &read_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_read_keys(std::move(read_keys));
  step(Message::server_hello, Action::read);
  state_ = State::tls13_read_encrypted_extensions;
  return Next::ok;
}

Connection::Next Client::do_tls13_read_encrypted_extensions() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::encrypted_extensions, &body, &message);
      n != Next::ok) {
    return n;
  }
  Reader r(body), exts;
  if (!r.u16_prefixed(&exts) || !r.empty()) {
    return fail(Alert::decode_error, "malformed EncryptedExtensions");
  }
  uint32_t seen = 0;
  while (!exts.empty()) {
    uint16_t type;
    ByteView data;
    if (!exts.u16(&type) || !exts.u16_prefixed(&data)) {
      return fail(Alert::decode_error, "malformed EncryptedExtensions");
    }
    uint32_t bit;
    switch (static_cast<ExtensionType>(type)) {
      case ExtensionType::server_name:  // acknowledges SNI, empty (RFC 6066 3)
        if (!data.empty() || config().server_name.empty()) {
          return fail(Alert::illegal_parameter, "bad server_name acknowledgement");
        }
        bit = 1;
        break;
      case ExtensionType::supported_groups:  // the server's preferences, for later
        bit = 2;
        break;
      default: {
        // Otherwise only what a ClientHello profile offered raw, unread.
        const ClientHelloProfile* profile = config().client_hello_profile;
        size_t index = 0;
        bool offered = false;
        if (profile != nullptr) {
          for (; index < profile->raw_extensions.size() && index < 29; index++) {
            if (profile->raw_extensions[index].first == type) {
              offered = true;
              break;
            }
          }
        }
        if (!offered) {
          return fail(Alert::unsupported_extension,
                      "EncryptedExtensions has an unrequested extension");
        }
        bit = 4u << index;
        break;
      }
    }
    if (seen & bit) return fail(Alert::illegal_parameter, "duplicate extension");
    seen |= bit;
  }
  transcript_.add(crypto_, message);
  step(Message::encrypted_extensions, Action::read);
  // A resumed handshake is authenticated by the PSK: no certificate.
  state_ = resumed_ ? State::tls13_read_finished : State::tls13_read_certificate;
  return Next::ok;
}

Connection::Next Client::do_tls13_read_certificate() {
  HandshakeType type;
  if (Next n = peek_handshake(&type); n != Next::ok) return n;
  // Mutual TLS: the request comes before the server's Certificate (RFC 8446 2).
  if (type == HandshakeType::certificate_request) return read_certificate_request(true);
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::certificate, &body, &message); n != Next::ok) {
    return n;
  }
  if (Next n = process_certificate(body, true); n != Next::ok) return n;
  transcript_.add(crypto_, message);
  step(Message::certificate, Action::read);
  state_ = State::tls13_read_certificate_verify;
  return Next::ok;
}

Connection::Next Client::do_tls13_read_certificate_verify() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::certificate_verify, &body, &message);
      n != Next::ok) {
    return n;
  }
  CertificateVerify cv;
  Error err;
  if (!parse_certificate_verify(body, &cv, &err)) return fail(err.alert, err.reason);
  auto scheme = static_cast<SignatureScheme>(cv.signature_scheme);
  // PKCS#1 v1.5 signs no TLS 1.3 handshake (RFC 8446 4.2.3).
  bool pkcs1 = is_pkcs1(scheme);
  if (!offers(scheme) || pkcs1 ||
      !scheme_fits_key(scheme, server_key_->info().type, TlsVersion::tls13)) {
    return fail(Alert::illegal_parameter, "server chose a signature scheme not offered");
  }
  uint8_t th[kMaxHashLength];
  size_t hlen = transcript_.digest_length();
  transcript_.digest(crypto_, std::span(th, hlen));
  certificate_verify_content(Side::server, ByteView(th, hlen), &msg_);
  if (!crypto_.verify(*server_key_, scheme, msg_, cv.signature)) {
    return fail(Alert::decrypt_error, "CertificateVerify does not verify");
  }
  negotiated_.signature_scheme = scheme;
  negotiated_.has_signature = true;
  transcript_.add(crypto_, message);
  step(Message::certificate_verify, Action::read);
  state_ = State::tls13_read_finished;
  return Next::ok;
}

Connection::Next Client::do_tls13_read_finished() {
  if (Next n = tls13_read_finished(); n != Next::ok) return n;
  RecordKeys read_keys;
  if (!tls13_derive_application_secrets() ||
      !tls13_record_keys(server_application_secret_, &read_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_read_keys(std::move(read_keys));
  step(Message::finished, Action::read);
  state_ = session_id_length_ > 0 ? State::tls13_send_change_cipher_spec
                                  : tls13_after_change_cipher_spec();
  return Next::ok;
}

Connection::Next Client::do_tls13_send_change_cipher_spec() {
  // Middlebox compatibility (RFC 8446 D.4): unprotected, ignored by the peer.
  if (send_change_cipher_spec() != Next::ok) return Next::error;
  step(Message::change_cipher_spec, Action::write);
  state_ = tls13_after_change_cipher_spec();
  return Next::ok;
}

Connection::Next Client::do_tls13_send_client_certificate() {
  if (!tls13_install_handshake_write_keys()) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  if (send_client_certificate(true) != Next::ok) return Next::error;
  step(Message::certificate, Action::write);
  state_ =
      has_client_scheme_ ? State::tls13_send_client_certificate_verify : State::tls13_send_finished;
  return Next::ok;
}

Connection::Next Client::do_tls13_send_client_certificate_verify() {
  uint8_t th[kMaxHashLength];
  const size_t hlen = transcript_.digest_length();
  transcript_.digest(crypto_, std::span(th, hlen));
  certificate_verify_content(Side::client, ByteView(th, hlen), &signed_scratch_);
  if (send_client_certificate_verify(signed_scratch_) != Next::ok) return Next::error;
  step(Message::certificate_verify, Action::write);
  state_ = State::tls13_send_finished;
  return Next::ok;
}

Connection::Next Client::do_tls13_send_finished() {
  RecordKeys application_keys;
  if (!tls13_install_handshake_write_keys()) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  if (tls13_send_finished() != Next::ok) return Next::error;
  // Tickets' PSKs derive from the transcript through this Finished (7.1).
  if ((config().session_tickets && !tls13_derive_resumption_secret()) ||
      !tls13_record_keys(client_application_secret_, &application_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_write_keys(std::move(application_keys));
  step(Message::finished, Action::write);
  state_ = State::done;
  complete_handshake();
  return Next::ok;
}

Connection::Next Client::tls13_read_new_session_ticket() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::new_session_ticket, &body, &message);
      n != Next::ok) {
    return n;
  }
  // NewSessionTicket (RFC 8446 4.6.1).
  Reader r(body);
  uint16_t lifetime_hi, lifetime_lo, age_add_hi, age_add_lo;
  ByteView nonce, ticket, extensions;
  if (!r.u16(&lifetime_hi) || !r.u16(&lifetime_lo) || !r.u16(&age_add_hi) ||
      !r.u16(&age_add_lo) || !r.u8_prefixed(&nonce) || !r.u16_prefixed(&ticket) ||
      ticket.empty() || !r.u16_prefixed(&extensions) || !r.empty()) {
    return fail(Alert::decode_error, "malformed NewSessionTicket");
  }
  if (config().session_tickets) {
    auto session = std::make_shared<ClientSession>();
    session->version = TlsVersion::tls13;
    session->suite = suite_->id;
    session->ticket.assign(ticket.begin(), ticket.end());
    session->secret_length = schedule_.hash_length();
    session->age_add = (uint32_t{age_add_hi} << 16) | age_add_lo;
    session->received = StepClock::now();
    // PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", nonce).
    if (!hkdf_expand_label(crypto_, suite_->hash,
                           ByteView(resumption_master_secret_.data(), session->secret_length),
                           "resumption", nonce,
                           std::span(session->secret.data(), session->secret_length))) {
      return fail(Alert::internal_error, "key derivation failed");
    }
    new_session_ = std::move(session);
  }
  step(Message::new_session_ticket, Action::read);
  return Next::ok;
}

}  // namespace hsbench::tls
