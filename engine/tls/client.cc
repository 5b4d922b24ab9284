// The client states both TLS versions share: ClientHello, ServerHello (where
// the versions part), and application data.
#include "tls/client.h"

#include <algorithm>
#include <cstring>

#include "tls/handshake_util.h"

namespace hsbench::tls {

void Client::reset() {
  Connection::reset();
  state_ = State::send_client_hello;
  session_id_length_ = 0;
  chain_.reset();
  server_key_.reset();
  key_share_.reset();
  server_public_key_.clear();
  retried_ = false;
  cookie_.clear();
  expect_ticket_ = false;
  offered_psk_ = false;
  handshake_write_keys_ = false;
  certificate_requested_ = has_client_scheme_ = false;
  new_session_.reset();
  negotiated_ = {};
}

const ClientSession* Client::resumable(TlsVersion v) const {
  if (!config().session_tickets || resume_ == nullptr || resume_->version != v ||
      !offers(resume_->suite)) {
    return nullptr;
  }
  return resume_.get();
}

const char* Client::state_name(State s) {
  switch (s) {
    case State::send_client_hello:
      return "send_client_hello";
    case State::read_server_hello:
      return "read_server_hello";
    case State::read_certificate:
      return "read_certificate";
    case State::read_server_key_exchange:
      return "read_server_key_exchange";
    case State::read_server_hello_done:
      return "read_server_hello_done";
    case State::send_client_certificate:
      return "send_client_certificate";
    case State::send_client_key_exchange:
      return "send_client_key_exchange";
    case State::send_client_certificate_verify:
      return "send_client_certificate_verify";
    case State::send_change_cipher_spec:
      return "send_change_cipher_spec";
    case State::send_finished:
      return "send_finished";
    case State::tls12_read_new_session_ticket:
      return "tls12_read_new_session_ticket";
    case State::read_change_cipher_spec:
      return "read_change_cipher_spec";
    case State::read_finished:
      return "read_finished";
    case State::tls13_read_encrypted_extensions:
      return "tls13_read_encrypted_extensions";
    case State::tls13_read_certificate:
      return "tls13_read_certificate";
    case State::tls13_read_certificate_verify:
      return "tls13_read_certificate_verify";
    case State::tls13_read_finished:
      return "tls13_read_finished";
    case State::tls13_send_change_cipher_spec:
      return "tls13_send_change_cipher_spec";
    case State::tls13_send_client_certificate:
      return "tls13_send_client_certificate";
    case State::tls13_send_client_certificate_verify:
      return "tls13_send_client_certificate_verify";
    case State::tls13_send_finished:
      return "tls13_send_finished";
    case State::done:
      return "done";
  }
  return "unknown";
}

Connection::Next Client::run_state() {
  switch (state_) {
    case State::send_client_hello:
      return do_send_client_hello();
    case State::read_server_hello:
      return do_read_server_hello();
    case State::read_certificate:
      return do_read_certificate();
    case State::read_server_key_exchange:
      return do_read_server_key_exchange();
    case State::read_server_hello_done:
      return do_read_server_hello_done();
    case State::send_client_certificate:
      return do_send_client_certificate();
    case State::send_client_key_exchange:
      return do_send_client_key_exchange();
    case State::send_client_certificate_verify:
      return do_send_client_certificate_verify();
    case State::send_change_cipher_spec:
      return do_send_change_cipher_spec();
    case State::send_finished:
      return do_send_finished();
    case State::tls12_read_new_session_ticket:
      return do_tls12_read_new_session_ticket();
    case State::read_change_cipher_spec:
      return do_read_change_cipher_spec();
    case State::read_finished:
      return do_read_finished();
    case State::tls13_read_encrypted_extensions:
      return do_tls13_read_encrypted_extensions();
    case State::tls13_read_certificate:
      return do_tls13_read_certificate();
    case State::tls13_read_certificate_verify:
      return do_tls13_read_certificate_verify();
    case State::tls13_read_finished:
      return do_tls13_read_finished();
    case State::tls13_send_change_cipher_spec:
      return do_tls13_send_change_cipher_spec();
    case State::tls13_send_client_certificate:
      return do_tls13_send_client_certificate();
    case State::tls13_send_client_certificate_verify:
      return do_tls13_send_client_certificate_verify();
    case State::tls13_send_finished:
      return do_tls13_send_finished();
    case State::done:
      return Next::done;
  }
  return fail(Alert::internal_error, "bad state");
}

bool Client::offers(CipherSuite s) const {
  const auto& v = config().cipher_suites;
  const CipherSuiteInfo* info = cipher_suite_info(s);
  return info != nullptr && info->version >= config().min_version &&
         info->version <= config().max_version && std::find(v.begin(), v.end(), s) != v.end();
}

bool Client::offers(Group g) const {
  const auto& v = config().groups;
  return std::find(v.begin(), v.end(), g) != v.end();
}

bool Client::offers(SignatureScheme s) const {
  const auto& v = config().signature_schemes;
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<uint16_t> Client::default_extension_order() const {
  std::vector<uint16_t> order;
  auto add = [&](ExtensionType t) { order.push_back(static_cast<uint16_t>(t)); };
  if (!config().server_name.empty()) add(ExtensionType::server_name);
  if (offers_tls12()) {
    add(ExtensionType::ec_point_formats);
    add(ExtensionType::extended_master_secret);
    add(ExtensionType::renegotiation_info);
    if (config().session_tickets) add(ExtensionType::session_ticket);
  }
  add(ExtensionType::supported_groups);
  add(ExtensionType::signature_algorithms);
  if (offers_tls13()) {
    add(ExtensionType::supported_versions);
    // Even with no share to send (psk_ke): supported_groups and key_share
    // go together (RFC 8446 9.2), and an empty key_share lets a server
    // that cannot use the PSK ask for a share (4.1.4).
    add(ExtensionType::key_share);
    if (config().session_tickets) add(ExtensionType::psk_key_exchange_modes);
    if (!cookie_.empty()) add(ExtensionType::cookie);
  }
  return order;  // pre_shared_key, when offered, always comes last
}

bool Client::write_extension(Writer& w, uint16_t type, bool send_key_share) {
  const ClientHelloProfile* profile = config().client_hello_profile;
  if (profile != nullptr) {
    for (const auto& [raw_type, raw_data] : profile->raw_extensions) {
      if (raw_type != type) continue;
      w.u16(type);
      auto ext = w.open_u16();
      w.bytes(raw_data);
      return w.close(ext);
    }
  }
  auto u16_list = [&](auto&& items) {
    auto list = w.open_u16();
    for (auto v : items) w.u16(static_cast<uint16_t>(v));
    return w.close(list);
  };
  w.u16(type);
  auto ext = w.open_u16();
  bool ok = true;
  switch (static_cast<ExtensionType>(type)) {
    case ExtensionType::server_name: {
      auto list = w.open_u16();
      w.u8(0);  // host_name
      auto host = w.open_u16();
      w.bytes(ByteView(reinterpret_cast<const uint8_t*>(config().server_name.data()),
                       config().server_name.size()));
      ok = w.close(host) && w.close(list);
      break;
    }
    case ExtensionType::ec_point_formats:
      w.u8(1);
      w.u8(0);  // uncompressed
      break;
    case ExtensionType::extended_master_secret:
      break;
    case ExtensionType::renegotiation_info:
      w.u8(0);  // empty renegotiated_connection (RFC 5746 3.4)
      break;
    case ExtensionType::session_ticket: {
      // Empty asks for a ticket; a ticket asks to resume (RFC 5077 3.2).
      const ClientSession* session = resumable(TlsVersion::tls12);
      if (session != nullptr) w.bytes(session->ticket);
      break;
    }
    case ExtensionType::supported_groups:
      ok = profile != nullptr && !profile->advertised_groups.empty()
               ? u16_list(profile->advertised_groups)
               : u16_list(config().groups);
      break;
    case ExtensionType::signature_algorithms:
      ok = profile != nullptr && !profile->advertised_signature_algorithms.empty()
               ? u16_list(profile->advertised_signature_algorithms)
               : u16_list(config().signature_schemes);
      break;
    case ExtensionType::supported_versions: {
      auto versions = w.open_u8();
      w.u16(static_cast<uint16_t>(TlsVersion::tls13));
      if (offers_tls12()) w.u16(static_cast<uint16_t>(TlsVersion::tls12));
      ok = w.close(versions);
      break;
    }
    case ExtensionType::key_share: {
      auto shares = w.open_u16();
      if (send_key_share) {
        w.u16(static_cast<uint16_t>(group_));
        auto key = w.open_u16();
        w.bytes(key_share_->public_key());
        ok = w.close(key);
      }
      ok = ok && w.close(shares);
      break;
    }
    case ExtensionType::psk_key_exchange_modes:
      // Without this extension a server sends no tickets (RFC 8446 4.2.9).
      w.u8(1);
      w.u8(config().psk_with_dhe ? 1 : 0);  // psk_dhe_ke (1) or psk_ke (0)
      break;
    case ExtensionType::cookie: {
      auto cookie = w.open_u16();
      w.bytes(cookie_);
      ok = w.close(cookie);
      break;
    }
    default:
      return false;  // an extension the engine cannot write and no raw bytes for
  }
  return ok && w.close(ext);
}

Connection::Next Client::do_send_client_hello() {
  // A second ClientHello (after HelloRetryRequest) keeps the random and the
  // session id (RFC 8446 4.1.2).
  if (!retried_) {
    if (!crypto_.random(client_random_)) return fail(Alert::internal_error, "no randomness");
    // The first ClientHello's record says TLS 1.0, for old middleboxes
    // (RFC 8446 5.1).
    records_.set_write_record_version(0x0301);
    // TLS 1.3 clients send a session id so that middleboxes see a resumption
    // (RFC 8446 D.4); a TLS 1.2 client resuming with a ticket sends one to
    // recognise the server's acceptance by its echo (RFC 5077 3.4).
    const bool compat = config().client_hello_profile == nullptr ||
                        config().client_hello_profile->middlebox_compatibility;
    session_id_length_ = (offers_tls13() && compat) || resumable(TlsVersion::tls12) != nullptr
                             ? sizeof session_id_
                             : 0;
    if (session_id_length_ > 0 && !crypto_.random(std::span(session_id_, session_id_length_))) {
      return fail(Alert::internal_error, "no randomness");
    }
  }
  // A TLS 1.3 PSK is offered in the first ClientHello only; after a retry
  // the handshake is a full one.
  offered_psk_ = offers_tls13() && !retried_ && resumable(TlsVersion::tls13) != nullptr;
  // Resuming with psk_ke needs no key share: no (EC)DHE at all.
  const bool send_key_share = offers_tls13() && !(offered_psk_ && !config().psk_with_dhe);
  if (send_key_share && key_share_ == nullptr) {
    if (config().groups.empty()) return fail(Alert::internal_error, "no group to offer");
    if (!retried_) group_ = config().groups.front();
    key_share_ = crypto_.keygen(group_);
    if (key_share_ == nullptr) return fail(Alert::internal_error, "key generation failed");
  }

  Writer w = begin_message(HandshakeType::client_hello);
  w.u16(0x0303);
  w.bytes(client_random_);
  auto sid = w.open_u8();
  w.bytes(ByteView(session_id_, session_id_length_));
  (void)w.close(sid);
  auto suites = w.open_u16();
  for (CipherSuite s : config().cipher_suites) {
    if (offers(s)) w.u16(static_cast<uint16_t>(s));
  }
  if (!w.close(suites)) return fail(Alert::internal_error, "too many suites");
  w.u8(1);  // compression_methods: null only
  w.u8(0);

  auto exts = w.open_u16();
  const ClientHelloProfile* profile = config().client_hello_profile;
  for (uint16_t type : profile != nullptr ? profile->extension_order
                                          : default_extension_order()) {
    if (!write_extension(w, type, send_key_share)) {
      return fail(Alert::internal_error, "ClientHello extension too long");
    }
  }
  if (offered_psk_) {
    if (!write_psk_and_finish(w, exts)) return fail(Alert::internal_error, "PSK binder failed");
  } else if (!w.close(exts)) {
    return fail(Alert::internal_error, "ClientHello too long");
  }

  if (send_message() != Next::ok) return Next::error;
  records_.set_write_record_version(kRecordVersion);
  step(Message::client_hello, Action::write);
  state_ = State::read_server_hello;
  return Next::ok;
}

Connection::Next Client::do_read_server_hello() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::server_hello, &body, &message); n != Next::ok) {
    return n;
  }
  ServerHello hello;
  Error err;
  if (!parse_server_hello(body, &hello, &err)) return fail(err.alert, err.reason);
  if (hello.legacy_version != 0x0303)
    return fail(Alert::protocol_version, "bad ServerHello version");
  if (hello.supported_version != 0) {
    if (hello.supported_version != static_cast<uint16_t>(TlsVersion::tls13) || !offers_tls13()) {
      return fail(Alert::illegal_parameter, "server chose a version not offered");
    }
    return hello.is_hello_retry_request ? tls13_process_hello_retry_request(hello, message)
                                        : tls13_process_server_hello(hello, message);
  }
  if (!offers_tls12() || hello.is_hello_retry_request || retried_) {
    return fail(Alert::protocol_version, "server chose TLS 1.2, which was not offered");
  }
  // A TLS 1.3 server that falls back to 1.2 marks its random, so that an
  // attacker cannot force the downgrade (RFC 8446 4.1.3).
  static constexpr uint8_t kDowngrade12[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};
  if (offers_tls13() && std::equal(hello.random.end() - 8, hello.random.end(), kDowngrade12)) {
    return fail(Alert::illegal_parameter, "TLS 1.3 downgrade detected");
  }
  return tls12_process_server_hello(hello, message);
}

Connection::Next Client::process_certificate(ByteView body, bool tls13) {
  ByteView certs[kMaxChainLength];
  size_t count = 0;
  Error err;
  if (!parse_certificate(body, tls13, certs, &count, &err)) return fail(err.alert, err.reason);
  if (config().verify_chain) {
    chain_ = crypto_.parse_chain(std::span<const ByteView>(certs, count));
    if (chain_ == nullptr) return fail(Alert::bad_certificate, "certificate does not parse");
    if (config().trust == nullptr) return fail(Alert::internal_error, "no trust anchors");
    if (!crypto_.verify_chain(*config().trust, *chain_, config().server_name)) {
      return fail(Alert::bad_certificate, "certificate chain does not verify");
    }
    server_key_ = chain_->leaf_public_key();
  } else {
    // Unchecked, the chain is only its leaf's key: nothing else is parsed.
    server_key_ = crypto_.parse_certificate_key(certs[0]);
  }
  if (server_key_ == nullptr) {
    return fail(Alert::unsupported_certificate, "certificate key unsupported");
  }
  negotiated_.server_key = server_key_->info();
  negotiated_.chain_certificates = count;
  negotiated_.chain_bytes = 0;
  for (size_t i = 0; i < count; i++) negotiated_.chain_bytes += certs[i].size();
  return Next::ok;
}

Connection::Next Client::read_certificate_request(bool tls13) {
  if (certificate_requested_) return fail(Alert::unexpected_message, "second CertificateRequest");
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::certificate_request, &body, &message); n != Next::ok) {
    return n;
  }
  CertificateRequest request;
  Error err;
  if (!parse_certificate_request(body, tls13, &request, &err)) return fail(err.alert, err.reason);
  // In the handshake itself the context is empty (RFC 8446 4.3.2).
  if (tls13 && !request.context.empty()) {
    return fail(Alert::illegal_parameter, "CertificateRequest has a context");
  }
  certificate_requested_ = true;
  negotiated_.certificate_requested = true;

  // The first of the client's schemes its key can make that the server
  // accepts and the backend has; none, and the client sends no chain.
  has_client_scheme_ = false;
  const Credentials* creds = config().client_credentials;
  const KeyType key_type = creds != nullptr ? creds->leaf.type : KeyType::rsa;
  const uint8_t certificate_type = key_type == KeyType::rsa ? kRsaSign : kEcdsaSign;
  if (creds != nullptr &&
      (tls13 || list_contains_u8(request.certificate_types, certificate_type))) {
    const auto& supported = crypto_.backend().algorithms().signature_schemes;
    for (SignatureScheme s : config().signature_schemes) {
      if ((tls13 && is_pkcs1(s)) || !scheme_fits_key(s, key_type, version_) ||
          !list_contains_u16(request.signature_algorithms, static_cast<uint16_t>(s)) ||
          std::find(supported.begin(), supported.end(), s) == supported.end()) {
        continue;
      }
      client_scheme_ = s;
      has_client_scheme_ = true;
      break;
    }
  }
  transcript_.add(crypto_, message);
  step(Message::certificate_request, Action::read);
  return Next::ok;
}

Connection::Next Client::send_client_certificate(bool tls13) {
  Writer w = begin_message(HandshakeType::certificate);
  if (tls13) w.u8(0);  // certificate_request_context: the request's, empty
  auto list = w.open_u24();
  if (has_client_scheme_) {
    for (ByteView cert : config().client_credentials->chain_der) {
      auto entry = w.open_u24();
      w.bytes(cert);
      if (!w.close(entry)) return fail(Alert::internal_error, "certificate too long");
      if (tls13) w.u16(0);  // no per-certificate extensions
    }
  }
  if (!w.close(list)) return fail(Alert::internal_error, "chain too long");
  negotiated_.sent_certificate = has_client_scheme_;
  return send_message();
}

Connection::Next Client::send_client_certificate_verify(ByteView signed_content) {
  uint8_t signature[kMaxSignatureLength];
  size_t signature_len = 0;
  if (!crypto_.sign(*config().client_credentials->key, client_scheme_, signed_content, signature,
                    &signature_len)) {
    return fail(Alert::internal_error, "signing failed");
  }
  Writer w = begin_message(HandshakeType::certificate_verify);
  w.u16(static_cast<uint16_t>(client_scheme_));
  auto sig = w.open_u16();
  w.bytes(ByteView(signature, signature_len));
  (void)w.close(sig);
  return send_message();
}

bool Client::tls13_install_handshake_write_keys() {
  if (handshake_write_keys_) return true;
  RecordKeys keys;
  if (!tls13_record_keys(client_handshake_secret_, &keys)) return false;
  records_.set_write_keys(std::move(keys));
  handshake_write_keys_ = true;
  return true;
}

Connection::Next Client::read_post_handshake() {
  // Only TLS 1.3 has post-handshake messages; the client reads tickets.
  if (version_ != TlsVersion::tls13) {
    return fail(Alert::unexpected_message, "handshake message instead of application data");
  }
  return tls13_read_new_session_ticket();
}

}  // namespace hsbench::tls
