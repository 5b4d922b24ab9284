// TLS 1.3 server states (RFC 8446 section 2, 4): from the ClientHello's
// negotiation on.
#include <algorithm>
#include <cstring>

#include "tls/handshake_util.h"
#include "tls/server.h"

namespace hsbench::tls {

Connection::Next Server::tls13_choose_parameters(const ClientHello& hello, ByteView message) {
  version_ = TlsVersion::tls13;
  // The first of the server's suites that the client offers.
  const CipherSuiteInfo* suite = nullptr;
  for (CipherSuite s : config().cipher_suites) {
    const CipherSuiteInfo* info = cipher_suite_info(s);
    if (info != nullptr && info->version == TlsVersion::tls13 &&
        list_contains_u16(hello.cipher_suites, static_cast<uint16_t>(s))) {
      suite = info;
      break;
    }
  }
  if (suite == nullptr) return fail(Alert::handshake_failure, "no cipher suite in common");
  if (retried_ && suite != suite_) {
    return fail(Alert::illegal_parameter, "second ClientHello changed the cipher suite");
  }

  // PKCS#1 v1.5 signs no TLS 1.3 handshake message (RFC 8446 4.2.3).
  const KeyType key_type = config().credentials->leaf.type;
  bool have_scheme = false;
  for (SignatureScheme s : own_signature_schemes()) {
    if (scheme_fits_key(s, key_type, TlsVersion::tls13) &&
        s != SignatureScheme::rsa_pkcs1_sha256 && s != SignatureScheme::rsa_pkcs1_sha384 &&
        list_contains_u16(hello.signature_algorithms, static_cast<uint16_t>(s))) {
      signature_scheme_ = s;
      have_scheme = true;
      break;
    }
  }
  if (!have_scheme) return fail(Alert::handshake_failure, "no signature scheme in common");
  // Resumption first: with psk_ke no group is needed at all.
  suite_ = suite;
  client_psk_modes_ = hello.has_psk_key_exchange_modes;
  bool psk_accepted = false;
  if (!retried_) {
    if (Next n = tls13_accept_psk(hello, message, &psk_accepted); n != Next::ok) return n;
  }
  if (psk_accepted) {
    resumed_ = true;
    if (!config().psk_with_dhe) {
      if (!retried_) {
        session_id_length_ = std::min(hello.session_id.size(), sizeof session_id_);
        std::memcpy(session_id_, hello.session_id.data(), session_id_length_);
        if (!transcript_.set_hash(crypto_, suite_->hash)) {
          return fail(Alert::internal_error, "hash unsupported by the backend");
        }
      }
      transcript_.add(crypto_, message);
      step(Message::client_hello, Action::read);
      state_ = State::tls13_send_server_hello;
      return Next::ok;
    }
  }
  if (!hello.has_supported_groups || !hello.has_key_share) {
    return fail(Alert::missing_extension, "no supported_groups or key_share");
  }

  // The server's most preferred group that the client sent a share for; if
  // none, one it supports, asked for with a HelloRetryRequest (4.1.4).
  bool have_share = false, need_retry = false;
  for (Group g : config().groups) {
    Reader shares(hello.key_shares);
    while (!shares.empty()) {
      uint16_t group;
      ByteView key;
      if (!shares.u16(&group) || !shares.u16_prefixed(&key)) {
        return fail(Alert::decode_error, "malformed key_share");
      }
      if (group == static_cast<uint16_t>(g)) {
        if (key.size() != public_key_length(g, ShareFrom::client)) {
          return fail(Alert::illegal_parameter, "bad key share length");
        }
        peer_key_share_.assign(key.begin(), key.end());
        have_share = true;
        break;
      }
    }
    if (have_share) {
      group_ = g;
      break;
    }
  }
  if (!have_share && resumed_) {
    resumed_ = false;  // a retry would need a new binder: do a full handshake
  }
  if (!have_share) {
    auto g = std::find_if(config().groups.begin(), config().groups.end(), [&](Group x) {
      return list_contains_u16(hello.supported_groups, static_cast<uint16_t>(x));
    });
    if (g == config().groups.end()) return fail(Alert::handshake_failure, "no group in common");
    if (retried_) return fail(Alert::illegal_parameter, "second ClientHello lacks the share");
    group_ = *g;
    need_retry = true;
  }

  if (!retried_) {
    if (hello.session_id.size() > sizeof session_id_) {
      return fail(Alert::illegal_parameter, "session id too long");
    }
    session_id_length_ = hello.session_id.size();
    std::memcpy(session_id_, hello.session_id.data(), session_id_length_);
    if (!transcript_.set_hash(crypto_, suite_->hash)) {
      return fail(Alert::internal_error, "hash unsupported by the backend");
    }
  }
  transcript_.add(crypto_, message);
  if (need_retry && !transcript_.restart_with_message_hash(crypto_, suite_->hash)) {
    return fail(Alert::internal_error, "hash unsupported by the backend");
  }
  step(Message::client_hello, Action::read);
  state_ = need_retry ? State::tls13_send_hello_retry_request : State::tls13_send_server_hello;
  return Next::ok;
}

Connection::Next Server::tls13_accept_psk(const ClientHello& hello, ByteView message,
                                          bool* out_accepted) {
  *out_accepted = false;
  const uint8_t mode = config().psk_with_dhe ? 1 : 0;  // psk_dhe_ke or psk_ke
  if (!config().session_tickets || !hello.has_pre_shared_key ||
      !hello.has_psk_key_exchange_modes || !list_contains_u8(hello.psk_key_exchange_modes, mode) ||
      !ticket_sealer_ready()) {
    return Next::ok;
  }
  // OfferedPsks (RFC 8446 4.2.11): only the first identity is tried.
  Reader r(hello.pre_shared_key), identities, binders;
  ByteView ticket, binder;
  uint16_t age_hi, age_lo;
  if (!r.u16_prefixed(&identities) || !identities.u16_prefixed(&ticket) ||
      !identities.u16(&age_hi) || !identities.u16(&age_lo) || !r.u16_prefixed(&binders) ||
      !binders.u8_prefixed(&binder)) {
    return fail(Alert::decode_error, "malformed pre_shared_key");
  }
  // A ticket that is not ours, has expired, or is for another hash is
  // simply not used: a full handshake (4.2.11, 4.6.1).
  TicketContents contents;
  if (!ticket_sealer_.open(crypto_, ticket, &contents) || contents.version != TlsVersion::tls13 ||
      !ticket_fresh(contents.issued, ticket_now()) ||
      cipher_suite_info(contents.suite)->hash != suite_->hash || !ticket_authenticates(contents) ||
      contents.secret_length != digest_length(suite_->hash)) {
    return Next::ok;
  }
  // The binder covers the ClientHello up to the binders list (4.2.11.2).
  const Hash hash = suite_->hash;
  const size_t hlen = digest_length(hash);
  auto partial = crypto_.new_hash(hash);
  if (partial == nullptr) return fail(Alert::internal_error, "hash unsupported by the backend");
  const size_t covered = kHandshakeHeaderLength + hello.binders_offset;
  crypto_.hash_update(*partial, message.first(covered));
  uint8_t th[kMaxHashLength], expected[kMaxHashLength];
  crypto_.hash_digest(*partial, covered, std::span(th, hlen));
  Tls13KeySchedule binder_schedule;
  binder_schedule.init(&crypto_, hash);
  Secret binder_key;
  ByteView psk(contents.secret.data(), contents.secret_length);
  if (!binder_schedule.early(psk) ||
      !binder_schedule.derive("res binder", empty_hash(hash), std::span(binder_key.data(), hlen)) ||
      !binder_schedule.finished(ByteView(binder_key.data(), hlen), ByteView(th, hlen),
                                std::span(expected, hlen))) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  // Our own ticket with a binder that does not verify: the client does not
  // hold the PSK, or the hello was changed (4.2.11, 6.2).
  if (binder.size() != hlen || !equal_ct(binder, ByteView(expected, hlen))) {
    return fail(Alert::decrypt_error, "PSK binder does not verify");
  }
  resumed_session_ = contents;
  client_authenticated_ = contents.client_authenticated;
  *out_accepted = true;
  return Next::ok;
}

Connection::Next Server::do_tls13_send_hello_retry_request() {
  Writer w = begin_message(HandshakeType::server_hello);
  w.u16(0x0303);
  w.bytes(kHelloRetryRequestRandom);
  auto sid = w.open_u8();
  w.bytes(ByteView(session_id_, session_id_length_));
  (void)w.close(sid);
  w.u16(static_cast<uint16_t>(suite_->id));
  w.u8(0);
  auto exts = w.open_u16();
  w.u16(static_cast<uint16_t>(ExtensionType::supported_versions));
  w.u16(2);
  w.u16(static_cast<uint16_t>(TlsVersion::tls13));
  w.u16(static_cast<uint16_t>(ExtensionType::key_share));
  w.u16(2);
  w.u16(static_cast<uint16_t>(group_));
  (void)w.close(exts);
  if (send_message() != Next::ok) return Next::error;
  retried_ = true;
  step(Message::hello_retry_request, Action::write);
  // The compatibility CCS follows the first server flight, here the retry
  // request (RFC 8446 D.4).
  state_ = session_id_length_ > 0 && !sent_compat_ccs_ ? State::tls13_send_change_cipher_spec
                                                       : State::read_client_hello;
  return Next::ok;
}

Connection::Next Server::do_tls13_send_server_hello() {
  if (!crypto_.random(server_random_)) return fail(Alert::internal_error, "no randomness");
  const bool dhe = !resumed_ || config().psk_with_dhe;
  uint8_t shared[kMaxSharedSecretLength] = {};
  size_t shared_len = digest_length(suite_->hash);  // psk_ke: zeros (RFC 8446 7.1)
  // A KEM group's share is the encapsulation to the client's; a
  // Diffie-Hellman group's, a key pair of the server's own.
  uint8_t kem_share[kMaxKeyShareLength];
  ByteView share;
  if (dhe && is_kem(group_)) {
    shared_len = shared_secret_length(group_);
    const std::span<uint8_t> out_share(kem_share, public_key_length(group_, ShareFrom::server));
    if (!crypto_.encapsulate(group_, peer_key_share_, out_share, std::span(shared, shared_len))) {
      return fail(Alert::illegal_parameter, "bad key share");
    }
    share = out_share;
  } else if (dhe) {
    key_share_ = crypto_.keygen(group_);
    if (key_share_ == nullptr) return fail(Alert::internal_error, "key generation failed");
    shared_len = shared_secret_length(group_);
    if (!crypto_.derive(*key_share_, peer_key_share_, std::span(shared, shared_len))) {
      return fail(Alert::illegal_parameter, "bad key share");
    }
    share = key_share_->public_key();
  }

  Writer w = begin_message(HandshakeType::server_hello);
  w.u16(0x0303);
  w.bytes(server_random_);
  auto sid = w.open_u8();
  w.bytes(ByteView(session_id_, session_id_length_));
  (void)w.close(sid);
  w.u16(static_cast<uint16_t>(suite_->id));
  w.u8(0);
  auto exts = w.open_u16();
  static constexpr ExtensionType kOrder[] = {ExtensionType::supported_versions,
                                             ExtensionType::key_share,
                                             ExtensionType::pre_shared_key};
  auto write_extension = [&](uint16_t type) {
    if (type == static_cast<uint16_t>(ExtensionType::supported_versions)) {
      w.u16(type);
      w.u16(2);
      w.u16(static_cast<uint16_t>(TlsVersion::tls13));
    } else if (type == static_cast<uint16_t>(ExtensionType::key_share) && dhe) {
      w.u16(type);
      auto share_ext = w.open_u16();
      w.u16(static_cast<uint16_t>(group_));
      auto key = w.open_u16();
      w.bytes(share);
      (void)w.close(key);
      (void)w.close(share_ext);
    } else if (type == static_cast<uint16_t>(ExtensionType::pre_shared_key) && resumed_) {
      w.u16(type);
      w.u16(2);
      w.u16(0);  // selected_identity: the first
    }
  };
  const ServerHelloProfile* profile = config().server_hello_profile;
  if (profile != nullptr) {
    for (uint16_t type : profile->extension_order) write_extension(type);
  }
  for (ExtensionType type : kOrder) {
    const uint16_t t = static_cast<uint16_t>(type);
    if (profile == nullptr || std::find(profile->extension_order.begin(),
                                        profile->extension_order.end(),
                                        t) == profile->extension_order.end()) {
      write_extension(t);
    }
  }
  (void)w.close(exts);
  if (send_message() != Next::ok) return Next::error;
  key_share_.reset();  // forward secrecy: the ephemeral key is gone

  ByteView psk = resumed_ ? ByteView(resumed_session_.secret.data(), resumed_session_.secret_length)
                         : ByteView();
  RecordKeys read_keys;
  if (!tls13_derive_handshake_secrets(psk, ByteView(shared, shared_len)) ||
      !tls13_record_keys(server_handshake_secret_, &pending_handshake_write_) ||
      !tls13_record_keys(client_handshake_secret_, &read_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_read_keys(std::move(read_keys));
  step(Message::server_hello, Action::write);
  state_ = session_id_length_ > 0 && !sent_compat_ccs_ ? State::tls13_send_change_cipher_spec
                                                       : State::tls13_send_encrypted_extensions;
  return Next::ok;
}

Connection::Next Server::do_tls13_send_change_cipher_spec() {
  // Middlebox compatibility (RFC 8446 D.4): once, unprotected.
  if (send_change_cipher_spec() != Next::ok) return Next::error;
  sent_compat_ccs_ = true;
  step(Message::change_cipher_spec, Action::write);
  state_ = retried_ && !pending_handshake_write_.aead ? State::read_client_hello
                                                      : State::tls13_send_encrypted_extensions;
  return Next::ok;
}

Connection::Next Server::do_tls13_send_encrypted_extensions() {
  records_.set_write_keys(std::move(pending_handshake_write_));
  Writer w = begin_message(HandshakeType::encrypted_extensions);
  auto exts = w.open_u16();  // none of the engine's own
  if (const ServerHelloProfile* profile = config().server_hello_profile; profile != nullptr) {
    for (const auto& [type, data] : profile->encrypted_extensions) {
      w.u16(type);
      auto ext = w.open_u16();
      w.bytes(data);
      if (!w.close(ext)) return fail(Alert::internal_error, "extension too long");
    }
  }
  if (!w.close(exts)) return fail(Alert::internal_error, "EncryptedExtensions too long");
  if (send_message() != Next::ok) return Next::error;
  step(Message::encrypted_extensions, Action::write);
  // A resumed handshake is authenticated by the PSK: no certificate, and
  // no CertificateRequest (RFC 8446 4.3.2).
  if (resumed_) {
    state_ = State::tls13_send_finished;
  } else {
    state_ = config().require_client_certificate ? State::tls13_send_certificate_request
                                                 : State::tls13_send_certificate;
  }
  return Next::ok;
}

Connection::Next Server::do_tls13_send_certificate_request() {
  // CertificateRequest (RFC 8446 4.3.2): an empty context, and the schemes
  // the server verifies; no certificate_authorities, so any chain may come.
  Writer w = begin_message(HandshakeType::certificate_request);
  w.u8(0);
  auto exts = w.open_u16();
  w.u16(static_cast<uint16_t>(ExtensionType::signature_algorithms));
  auto ext = w.open_u16();
  write_u16_list_u16(w, client_signature_schemes());
  (void)w.close(ext);
  (void)w.close(exts);
  if (send_message() != Next::ok) return Next::error;
  certificate_requested_ = true;
  step(Message::certificate_request, Action::write);
  state_ = State::tls13_send_certificate;
  return Next::ok;
}

Connection::Next Server::do_tls13_send_certificate() {
  Writer w = begin_message(HandshakeType::certificate);
  w.u8(0);  // certificate_request_context: empty for the server's
  auto list = w.open_u24();
  for (ByteView cert : config().credentials->chain_der) {
    auto entry = w.open_u24();
    w.bytes(cert);
    if (!w.close(entry)) return fail(Alert::internal_error, "certificate too long");
    w.u16(0);  // no per-certificate extensions
  }
  if (!w.close(list)) return fail(Alert::internal_error, "chain too long");
  if (send_message() != Next::ok) return Next::error;
  step(Message::certificate, Action::write);
  state_ = State::tls13_send_certificate_verify;
  return Next::ok;
}

Connection::Next Server::do_tls13_send_certificate_verify() {
  uint8_t th[kMaxHashLength];
  size_t hlen = transcript_.digest_length();
  transcript_.digest(crypto_, std::span(th, hlen));
  certificate_verify_content(Side::server, ByteView(th, hlen), &signed_scratch_);
  uint8_t signature[kMaxSignatureLength];
  size_t signature_len = 0;
  if (!crypto_.sign(*config().credentials->key, signature_scheme_, signed_scratch_, signature,
                    &signature_len)) {
    return fail(Alert::internal_error, "signing failed");
  }
  Writer w = begin_message(HandshakeType::certificate_verify);
  w.u16(static_cast<uint16_t>(signature_scheme_));
  auto sig = w.open_u16();
  w.bytes(ByteView(signature, signature_len));
  (void)w.close(sig);
  if (send_message() != Next::ok) return Next::error;
  step(Message::certificate_verify, Action::write);
  state_ = State::tls13_send_finished;
  return Next::ok;
}

Connection::Next Server::do_tls13_send_finished() {
  if (tls13_send_finished() != Next::ok) return Next::error;
  RecordKeys write_keys;
  if (!tls13_derive_application_secrets() ||
      !tls13_record_keys(server_application_secret_, &write_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_write_keys(std::move(write_keys));
  step(Message::finished, Action::write);
  state_ =
      certificate_requested_ ? State::tls13_read_client_certificate : State::tls13_read_finished;
  return Next::ok;
}

Connection::Next Server::do_tls13_read_client_certificate() {
  if (Next n = read_client_certificate(true); n != Next::ok) return n;
  state_ = State::tls13_read_client_certificate_verify;
  return Next::ok;
}

Connection::Next Server::do_tls13_read_client_certificate_verify() {
  // Over the transcript through the client's Certificate (RFC 8446 4.4.3).
  uint8_t th[kMaxHashLength];
  const size_t hlen = transcript_.digest_length();
  transcript_.digest(crypto_, std::span(th, hlen));
  certificate_verify_content(Side::client, ByteView(th, hlen), &signed_scratch_);
  if (Next n = read_client_certificate_verify(signed_scratch_); n != Next::ok) return n;
  state_ = State::tls13_read_finished;
  return Next::ok;
}

Connection::Next Server::do_tls13_read_finished() {
  if (Next n = tls13_read_finished(); n != Next::ok) return n;
  RecordKeys read_keys;
  if (!tls13_record_keys(client_application_secret_, &read_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_read_keys(std::move(read_keys));
  step(Message::finished, Action::read);
  // Tickets only for clients that can use them (RFC 8446 4.2.9).
  if (config().session_tickets && client_psk_modes_) {
    if (!tls13_derive_resumption_secret()) {
      return fail(Alert::internal_error, "key derivation failed");
    }
    state_ = State::tls13_send_new_session_ticket;
  } else {
    state_ = State::done;
    complete_handshake();
  }
  return Next::ok;
}

Connection::Next Server::do_tls13_send_new_session_ticket() {
  const size_t hlen = schedule_.hash_length();
  // One ticket per connection, nonce 0 (RFC 8446 4.6.1).
  static constexpr uint8_t kNonce[1] = {0};
  TicketContents contents;
  contents.version = TlsVersion::tls13;
  contents.suite = suite_->id;
  contents.client_authenticated = client_authenticated_;
  contents.secret_length = hlen;
  contents.issued = ticket_now();
  uint8_t age_add[4];
  Bytes& ticket = signed_scratch_;
  if (!hkdf_expand_label(crypto_, suite_->hash, ByteView(resumption_master_secret_.data(), hlen),
                         "resumption", kNonce, std::span(contents.secret.data(), hlen)) ||
      !crypto_.random(age_add) || !ticket_sealer_ready() ||
      !ticket_sealer_.seal(crypto_, contents, &ticket)) {
    return fail(Alert::internal_error, "cannot make a ticket");
  }
  Writer w = begin_message(HandshakeType::new_session_ticket);
  w.u16(0);
  w.u16(kTicketLifetimeSeconds);
  w.bytes(age_add);
  auto nonce = w.open_u8();
  w.bytes(kNonce);
  (void)w.close(nonce);
  auto t = w.open_u16();
  w.bytes(ticket);
  (void)w.close(t);
  w.u16(0);  // no extensions
  // Post-handshake: not part of the transcript.
  if (send_message(false) != Next::ok) return Next::error;
  step(Message::new_session_ticket, Action::write);
  state_ = State::done;
  complete_handshake();
  return Next::ok;
}

}  // namespace hsbench::tls
