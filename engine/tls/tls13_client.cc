// TLS 1.3 client states (RFC 8446 section 2, 4): from ServerHello on.
#include <algorithm>
#include <cstring>

#include "tls/client.h"
#include "tls/handshake_util.h"

namespace hsbench::tls {

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
  auto group = static_cast<Group>(hello.key_share_group);
  // A retry must ask for a group that was offered but not sent (4.1.4).
  if (!hello.has_key_share || !offers(group) || group == group_) {
    return fail(Alert::illegal_parameter, "HelloRetryRequest asks for a bad group");
  }
  // The transcript restarts with a hash of the first ClientHello (4.4.1).
  uint8_t first_hash[kMaxHashLength];
  size_t len = digest_length(suite->hash);
  if (!transcript_.set_hash(crypto_, suite->hash)) {
    return fail(Alert::internal_error, "hash unsupported by the backend");
  }
  transcript_.digest(crypto_, std::span(first_hash, len));
  transcript_.reset();
  (void)transcript_.set_hash(crypto_, suite->hash);
  const uint8_t header[4] = {static_cast<uint8_t>(HandshakeType::message_hash), 0, 0,
                             static_cast<uint8_t>(len)};
  transcript_.add(crypto_, header);
  transcript_.add(crypto_, ByteView(first_hash, len));
  transcript_.add(crypto_, message);

  suite_ = suite;
  version_ = TlsVersion::tls13;
  group_ = group;
  cookie_.assign(hello.cookie.begin(), hello.cookie.end());
  key_share_.reset();
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
  if (hello.has_pre_shared_key) return fail(Alert::illegal_parameter, "no PSK was offered");
  if (!hello.has_key_share) return fail(Alert::missing_extension, "no key_share");
  if (hello.key_share_group != static_cast<uint16_t>(group_) || key_share_ == nullptr) {
    return fail(Alert::illegal_parameter, "server's key share is for another group");
  }
  if (hello.key_share.size() != public_key_length(group_)) {
    return fail(Alert::illegal_parameter, "bad key share length");
  }
  suite_ = suite;
  version_ = TlsVersion::tls13;
  std::memcpy(server_random_, hello.random.data(), kRandomLength);

  uint8_t shared[48];
  size_t shared_len = shared_secret_length(group_);
  if (!crypto_.derive(*key_share_, hello.key_share, std::span(shared, shared_len))) {
    return fail(Alert::illegal_parameter, "bad key share");
  }
  key_share_.reset();  // forward secrecy: the ephemeral key is gone

  if (!transcript_.has_hash() && !transcript_.set_hash(crypto_, suite_->hash)) {
    return fail(Alert::internal_error, "hash unsupported by the backend");
  }
  transcript_.add(crypto_, message);

  schedule_.init(&crypto_, suite_->hash);
  const size_t hlen = schedule_.hash_length();
  uint8_t th[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  uint8_t key[32], iv[kAeadNonceLength];
  std::span<uint8_t> key_span(key, key_length(suite_->aead));
  RecordKeys read_keys;
  if (!schedule_.early({}) || !schedule_.handshake(ByteView(shared, shared_len)) ||
      !schedule_.derive("c hs traffic", ByteView(th, hlen),
                        std::span(client_handshake_secret_.data(), hlen)) ||
      !schedule_.derive("s hs traffic", ByteView(th, hlen),
                        std::span(server_handshake_secret_.data(), hlen)) ||
      !schedule_.traffic_keys(suite_->aead, ByteView(server_handshake_secret_.data(), hlen),
                              key_span, iv) ||
      !make_record_keys(suite_->aead, key_span, iv, true, &read_keys)) {
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
        if (!data.empty()) return fail(Alert::decode_error, "malformed server_name");
        bit = 1;
        break;
      case ExtensionType::supported_groups:  // the server's preferences, for later
        bit = 2;
        break;
      default:
        return fail(Alert::unsupported_extension, "EncryptedExtensions has an unrequested extension");
    }
    if (seen & bit) return fail(Alert::illegal_parameter, "duplicate extension");
    seen |= bit;
  }
  transcript_.add(crypto_, message);
  step(Message::encrypted_extensions, Action::read);
  state_ = State::tls13_read_certificate;
  return Next::ok;
}

Connection::Next Client::do_tls13_read_certificate() {
  HandshakeType type;
  if (Next n = peek_handshake(&type); n != Next::ok) return n;
  if (type == HandshakeType::certificate_request) {
    return fail(Alert::handshake_failure, "client certificates are not supported");
  }
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::certificate, &body, &message); n != Next::ok) {
    return n;
  }
  ByteView certs[kMaxChainLength];
  size_t count = 0;
  Error err;
  if (!parse_certificate(body, true, certs, &count, &err)) return fail(err.alert, err.reason);
  chain_ = crypto_.parse_chain(std::span<const ByteView>(certs, count));
  if (chain_ == nullptr) return fail(Alert::bad_certificate, "certificate does not parse");
  if (config().trust == nullptr) return fail(Alert::internal_error, "no trust anchors");
  if (!crypto_.verify_chain(*config().trust, *chain_, config().server_name)) {
    return fail(Alert::bad_certificate, "certificate chain does not verify");
  }
  server_key_ = chain_->leaf_public_key();
  if (server_key_ == nullptr) {
    return fail(Alert::unsupported_certificate, "certificate key unsupported");
  }
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
  bool pkcs1 = scheme == SignatureScheme::rsa_pkcs1_sha256 ||
               scheme == SignatureScheme::rsa_pkcs1_sha384;
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
  transcript_.add(crypto_, message);
  step(Message::certificate_verify, Action::read);
  state_ = State::tls13_read_finished;
  return Next::ok;
}

Connection::Next Client::do_tls13_read_finished() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::finished, &body, &message); n != Next::ok) {
    return n;
  }
  const size_t hlen = schedule_.hash_length();
  uint8_t th[kMaxHashLength], expected[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  if (!schedule_.finished(ByteView(server_handshake_secret_.data(), hlen), ByteView(th, hlen),
                          std::span(expected, hlen))) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  if (!equal_ct(body, ByteView(expected, hlen))) {
    return fail(Alert::decrypt_error, "server Finished is wrong");
  }
  transcript_.add(crypto_, message);

  // Application secrets hash the transcript through the server's Finished.
  transcript_.digest(crypto_, std::span(th, hlen));
  uint8_t key[32], iv[kAeadNonceLength];
  std::span<uint8_t> key_span(key, key_length(suite_->aead));
  RecordKeys read_keys;
  if (!schedule_.master() ||
      !schedule_.derive("c ap traffic", ByteView(th, hlen),
                        std::span(client_application_secret_.data(), hlen)) ||
      !schedule_.derive("s ap traffic", ByteView(th, hlen),
                        std::span(server_application_secret_.data(), hlen)) ||
      !schedule_.traffic_keys(suite_->aead, ByteView(server_application_secret_.data(), hlen),
                              key_span, iv) ||
      !make_record_keys(suite_->aead, key_span, iv, true, &read_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_read_keys(std::move(read_keys));
  step(Message::finished, Action::read);
  state_ = session_id_length_ > 0 ? State::tls13_send_change_cipher_spec
                                  : State::tls13_send_finished;
  return Next::ok;
}

Connection::Next Client::do_tls13_send_change_cipher_spec() {
  // Middlebox compatibility (RFC 8446 D.4): unprotected, ignored by the peer.
  if (send_change_cipher_spec() != Next::ok) return Next::error;
  step(Message::change_cipher_spec, Action::write);
  state_ = State::tls13_send_finished;
  return Next::ok;
}

Connection::Next Client::do_tls13_send_finished() {
  const size_t hlen = schedule_.hash_length();
  uint8_t key[32], iv[kAeadNonceLength];
  std::span<uint8_t> key_span(key, key_length(suite_->aead));
  RecordKeys handshake_keys, application_keys;
  if (!schedule_.traffic_keys(suite_->aead, ByteView(client_handshake_secret_.data(), hlen),
                              key_span, iv) ||
      !make_record_keys(suite_->aead, key_span, iv, true, &handshake_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_write_keys(std::move(handshake_keys));

  uint8_t th[kMaxHashLength], verify_data[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  if (!schedule_.finished(ByteView(client_handshake_secret_.data(), hlen), ByteView(th, hlen),
                          std::span(verify_data, hlen))) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  Writer w = begin_message(HandshakeType::finished);
  w.bytes(ByteView(verify_data, hlen));
  if (send_message() != Next::ok) return Next::error;

  if (!schedule_.traffic_keys(suite_->aead, ByteView(client_application_secret_.data(), hlen),
                              key_span, iv) ||
      !make_record_keys(suite_->aead, key_span, iv, true, &application_keys)) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  records_.set_write_keys(std::move(application_keys));
  step(Message::finished, Action::write);
  state_ = State::send_application_data;
  return Next::ok;
}

Connection::Next Client::tls13_read_new_session_ticket() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::new_session_ticket, &body, &message);
      n != Next::ok) {
    return n;
  }
  // NewSessionTicket (RFC 8446 4.6.1): lifetime, age_add, nonce, ticket,
  // extensions. Checked for shape; resumption keeps it elsewhere.
  Reader r(body);
  uint32_t lifetime, age_add;
  ByteView nonce, ticket, extensions;
  if (!r.u24(&lifetime) || !r.skip(0) || !r.bytes(1, &nonce)) {
    return fail(Alert::decode_error, "malformed NewSessionTicket");
  }
  Reader full(body);
  uint16_t hi, lo;
  if (!full.u16(&hi) || !full.u16(&lo) || !full.u16(&hi) || !full.u16(&lo) ||
      !full.u8_prefixed(&nonce) || !full.u16_prefixed(&ticket) || ticket.empty() ||
      !full.u16_prefixed(&extensions) || !full.empty()) {
    return fail(Alert::decode_error, "malformed NewSessionTicket");
  }
  (void)age_add;
  step(Message::new_session_ticket, Action::read);
  return Next::ok;
}

}  // namespace hsbench::tls
