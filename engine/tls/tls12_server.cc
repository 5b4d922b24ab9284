// TLS 1.2 server states (RFC 5246 7.3, RFC 8422, RFC 7627, RFC 5746).
#include <algorithm>
#include <cstring>

#include "hsbench/pki.h"
#include "tls/handshake_util.h"
#include "tls/server.h"
#include "tls/tls12_keys.h"

namespace hsbench::tls {

Connection::Next Server::tls12_choose_parameters(const ClientHello& hello) {
  if (config().min_version > TlsVersion::tls12) {
    return fail(Alert::protocol_version, "TLS 1.2 is not enabled");
  }
  version_ = TlsVersion::tls12;
  const KeyType key_type = config().credentials->leaf.type;
  const std::vector<SignatureScheme> own_schemes = own_signature_schemes();

  // The first suite in the server's order that the client offers and the
  // certificate and the client's groups and signature algorithms allow.
  suite_ = nullptr;
  for (CipherSuite s : config().cipher_suites) {
    const CipherSuiteInfo* info = cipher_suite_info(s);
    if (info == nullptr || info->version != TlsVersion::tls12 ||
        !list_contains_u16(hello.cipher_suites, static_cast<uint16_t>(s)) ||
        !kx_accepts_key(info->kx, key_type)) {
      continue;
    }
    if (info->kx != KeyExchange::rsa) {
      auto group = std::find_if(config().groups.begin(), config().groups.end(), [&](Group g) {
        // A KEM group is TLS 1.3's alone.
        return !is_kem(g) && list_contains_u16(hello.supported_groups, static_cast<uint16_t>(g));
      });
      auto scheme = std::find_if(own_schemes.begin(), own_schemes.end(), [&](SignatureScheme sc) {
        return scheme_key_type(sc) == key_type &&
               list_contains_u16(hello.signature_algorithms, static_cast<uint16_t>(sc));
      });
      if (group == config().groups.end() || scheme == own_schemes.end()) continue;
      if (hello.has_ec_point_formats && !list_contains_u8(hello.ec_point_formats, 0)) continue;
      group_ = *group;
      signature_scheme_ = *scheme;
      send_ec_point_formats_ = hello.has_ec_point_formats;
    }
    suite_ = info;
    break;
  }
  if (suite_ == nullptr) return fail(Alert::handshake_failure, "no cipher suite in common");
  extended_master_secret_ = hello.extended_master_secret;
  secure_renegotiation_ = hello.secure_renegotiation;

  // A ticket to resume (RFC 5077 3.1): the session's suite, if still
  // acceptable, and its master secret, while the ticket is within its
  // lifetime. The client's session id, if it sent one, carries the
  // acceptance back; a client that sent none (RFC 5077 3.4 lets it, and
  // wolfSSL's does) learns of it from the abbreviated flight. A ticket that
  // does not open means a full handshake.
  issue_ticket_ = config().session_tickets && hello.has_session_ticket;
  session_id_length_ = 0;
  TicketContents ticket;
  if (issue_ticket_ && !hello.session_ticket.empty() &&
      hello.session_id.size() <= sizeof session_id_ && ticket_sealer_ready() &&
      ticket_sealer_.open(crypto_, hello.session_ticket, &ticket) &&
      ticket_fresh(ticket.issued, ticket_now()) && ticket.version == TlsVersion::tls12 &&
      ticket.secret_length == kMasterSecretLength &&
      ticket.extended_master_secret == extended_master_secret_ && ticket_authenticates(ticket) &&
      list_contains_u16(hello.cipher_suites, static_cast<uint16_t>(ticket.suite)) &&
      std::find(config().cipher_suites.begin(), config().cipher_suites.end(), ticket.suite) !=
          config().cipher_suites.end()) {
    resumed_ = true;
    suite_ = cipher_suite_info(ticket.suite);
    std::memcpy(master_secret_, ticket.secret.data(), kMasterSecretLength);
    session_id_length_ = hello.session_id.size();
    std::memcpy(session_id_, hello.session_id.data(), session_id_length_);
    issue_ticket_ = false;  // the ticket stays valid; no renewal
    client_authenticated_ = ticket.client_authenticated;
  }
  if (!transcript_.set_hash(crypto_, suite_->hash)) {
    return fail(Alert::internal_error, "hash unsupported by the backend");
  }
  return Next::ok;
}

Connection::Next Server::do_send_server_hello() {
  if (!crypto_.random(server_random_)) return fail(Alert::internal_error, "no randomness");
  if (supports_tls13()) {
    // A TLS 1.3 server falling back to 1.2 says so in its random
    // (RFC 8446 4.1.3), so that a client offering 1.3 sees a downgrade.
    static constexpr uint8_t kDowngrade12[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 1};
    std::memcpy(server_random_ + kRandomLength - 8, kDowngrade12, 8);
  }
  Writer w = begin_message(HandshakeType::server_hello);
  w.u16(0x0303);
  w.bytes(server_random_);
  // No session id of its own (this server resumes with tickets only),
  // except the client's, echoed to accept its ticket.
  auto sid = w.open_u8();
  w.bytes(ByteView(session_id_, session_id_length_));
  (void)w.close(sid);
  w.u16(static_cast<uint16_t>(suite_->id));
  w.u8(0);  // null compression
  auto exts = w.open_u16();
  if (secure_renegotiation_) {
    w.u16(static_cast<uint16_t>(ExtensionType::renegotiation_info));
    w.u16(1);
    w.u8(0);
  }
  if (extended_master_secret_) {
    w.u16(static_cast<uint16_t>(ExtensionType::extended_master_secret));
    w.u16(0);
  }
  if (send_ec_point_formats_ && !resumed_) {
    w.u16(static_cast<uint16_t>(ExtensionType::ec_point_formats));
    w.u16(2);
    w.u8(1);
    w.u8(0);
  }
  if (issue_ticket_) {
    w.u16(static_cast<uint16_t>(ExtensionType::session_ticket));
    w.u16(0);
  }
  if (!w.close(exts)) return fail(Alert::internal_error, "ServerHello too long");
  if (send_message() != Next::ok) return Next::error;
  step(Message::server_hello, Action::write);
  if (resumed_) {
    if (!tls12_derive_record_keys()) return fail(Alert::internal_error, "key derivation failed");
    // Abbreviated handshake: the server finishes first (RFC 5246 7.3).
    state_ = State::send_change_cipher_spec;
    return Next::ok;
  }
  state_ = State::send_certificate;
  return Next::ok;
}

Connection::Next Server::do_send_certificate() {
  Writer w = begin_message(HandshakeType::certificate);
  auto list = w.open_u24();
  for (ByteView cert : config().credentials->chain_der) {
    auto entry = w.open_u24();
    w.bytes(cert);
    if (!w.close(entry)) return fail(Alert::internal_error, "certificate too long");
  }
  if (!w.close(list)) return fail(Alert::internal_error, "chain too long");
  if (send_message() != Next::ok) return Next::error;
  step(Message::certificate, Action::write);
  if (suite_->kx != KeyExchange::rsa) {
    state_ = State::send_server_key_exchange;
  } else {
    state_ = config().require_client_certificate ? State::send_certificate_request
                                                 : State::send_server_hello_done;
  }
  return Next::ok;
}

Connection::Next Server::do_send_server_key_exchange() {
  key_share_ = crypto_.keygen(group_);
  if (key_share_ == nullptr) return fail(Alert::internal_error, "key generation failed");
  Writer w = begin_message(HandshakeType::server_key_exchange);
  size_t params_start = w.size();
  w.u8(3);  // named_curve
  w.u16(static_cast<uint16_t>(group_));
  auto key = w.open_u8();
  w.bytes(key_share_->public_key());
  (void)w.close(key);

  // Signed: client_random + server_random + params (RFC 8422 5.4).
  Bytes& signed_data = signed_scratch_;
  signed_data.clear();
  signed_data.insert(signed_data.end(), client_random_, client_random_ + kRandomLength);
  signed_data.insert(signed_data.end(), server_random_, server_random_ + kRandomLength);
  signed_data.insert(signed_data.end(), msg_.begin() + static_cast<std::ptrdiff_t>(params_start),
                     msg_.end());
  uint8_t signature[kMaxSignatureLength];
  size_t signature_len = 0;
  if (!crypto_.sign(*config().credentials->key, signature_scheme_, signed_data, signature,
                    &signature_len)) {
    return fail(Alert::internal_error, "signing failed");
  }
  w.u16(static_cast<uint16_t>(signature_scheme_));
  auto sig = w.open_u16();
  w.bytes(ByteView(signature, signature_len));
  (void)w.close(sig);
  if (send_message() != Next::ok) return Next::error;
  step(Message::server_key_exchange, Action::write);
  state_ = config().require_client_certificate ? State::send_certificate_request
                                               : State::send_server_hello_done;
  return Next::ok;
}

Connection::Next Server::do_send_certificate_request() {
  // CertificateRequest (RFC 5246 7.4.4): the key types and schemes the
  // server verifies, and no certificate_authorities, so any chain may come.
  Writer w = begin_message(HandshakeType::certificate_request);
  auto types = w.open_u8();
  w.u8(kRsaSign);
  w.u8(kEcdsaSign);
  (void)w.close(types);
  write_u16_list_u16(w, client_signature_schemes());
  w.u16(0);
  if (send_message() != Next::ok) return Next::error;
  certificate_requested_ = true;
  step(Message::certificate_request, Action::write);
  state_ = State::send_server_hello_done;
  return Next::ok;
}

Connection::Next Server::do_send_server_hello_done() {
  begin_message(HandshakeType::server_hello_done);
  if (send_message() != Next::ok) return Next::error;
  step(Message::server_hello_done, Action::write);
  state_ =
      certificate_requested_ ? State::read_client_certificate : State::read_client_key_exchange;
  return Next::ok;
}

Connection::Next Server::do_read_client_certificate() {
  if (Next n = read_client_certificate(false); n != Next::ok) return n;
  state_ = State::read_client_key_exchange;
  return Next::ok;
}

Connection::Next Server::do_read_client_certificate_verify() {
  // Over every handshake message before it (RFC 5246 7.4.8).
  if (Next n = read_client_certificate_verify(transcript_.messages()); n != Next::ok) {
    return n;
  }
  state_ = State::read_change_cipher_spec;
  return Next::ok;
}

Connection::Next Server::do_read_client_key_exchange() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::client_key_exchange, &body, &message);
      n != Next::ok) {
    return n;
  }
  Reader r(body);
  uint8_t premaster[kMasterSecretLength];
  size_t premaster_len = 0;
  if (suite_->kx == KeyExchange::rsa) {
    ByteView encrypted;
    if (!r.u16_prefixed(&encrypted) || !r.empty()) {
      return fail(Alert::decode_error, "malformed ClientKeyExchange");
    }
    // A bad decryption must be indistinguishable from a good one: the
    // premaster is then random, and the Finished check fails later
    // (RFC 5246 7.4.7.1, Bleichenbacher).
    uint8_t fallback[kMasterSecretLength];
    if (!crypto_.random(fallback)) return fail(Alert::internal_error, "no randomness");
    uint8_t decrypted[kMaxRsaBits / 8];
    size_t decrypted_len = 0;
    bool ok = crypto_.rsa_decrypt(*config().credentials->key, encrypted, decrypted,
                                  &decrypted_len);
    ok = ok && decrypted_len == kMasterSecretLength && decrypted[0] == 0x03 && decrypted[1] == 0x03;
    // Select without a branch on the outcome.
    const uint8_t mask = static_cast<uint8_t>(-static_cast<int>(ok));
    for (size_t i = 0; i < kMasterSecretLength; i++) {
      premaster[i] = static_cast<uint8_t>((decrypted[i] & mask) | (fallback[i] & ~mask));
    }
    premaster_len = kMasterSecretLength;
  } else {
    ByteView peer;
    if (!r.u8_prefixed(&peer) || !r.empty() || peer.size() != public_key_length(group_)) {
      return fail(Alert::decode_error, "malformed ClientKeyExchange");
    }
    premaster_len = shared_secret_length(group_);
    if (!crypto_.derive(*key_share_, peer, std::span(premaster, premaster_len))) {
      return fail(Alert::illegal_parameter, "bad ECDHE public key");
    }
    key_share_.reset();  // forward secrecy: the ephemeral key is gone
  }
  transcript_.add(crypto_, message);

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
  step(Message::client_key_exchange, Action::read);
  state_ = client_key_ != nullptr ? State::read_client_certificate_verify
                                  : State::read_change_cipher_spec;
  return Next::ok;
}

Connection::Next Server::do_read_change_cipher_spec() {
  if (Next n = tls12_read_change_cipher_spec(); n != Next::ok) return n;
  step(Message::change_cipher_spec, Action::read);
  state_ = State::read_finished;
  return Next::ok;
}

Connection::Next Server::do_read_finished() {
  if (Next n = tls12_read_finished(); n != Next::ok) return n;
  step(Message::finished, Action::read);
  if (resumed_) {
    state_ = State::done;
    complete_handshake();
  } else {
    state_ = issue_ticket_ ? State::tls12_send_new_session_ticket : State::send_change_cipher_spec;
  }
  return Next::ok;
}

Connection::Next Server::do_tls12_send_new_session_ticket() {
  TicketContents contents;
  contents.version = TlsVersion::tls12;
  contents.suite = suite_->id;
  contents.extended_master_secret = extended_master_secret_;
  contents.client_authenticated = client_authenticated_;
  contents.secret_length = kMasterSecretLength;
  contents.issued = ticket_now();
  std::memcpy(contents.secret.data(), master_secret_, kMasterSecretLength);
  Bytes& ticket = signed_scratch_;
  if (!ticket_sealer_ready() || !ticket_sealer_.seal(crypto_, contents, &ticket)) {
    return fail(Alert::internal_error, "cannot seal ticket");
  }
  // NewSessionTicket: ticket_lifetime_hint (seconds), ticket (RFC 5077 3.3).
  Writer w = begin_message(HandshakeType::new_session_ticket);
  w.u16(0);
  w.u16(kTicketLifetimeSeconds);
  auto t = w.open_u16();
  w.bytes(ticket);
  (void)w.close(t);
  if (send_message() != Next::ok) return Next::error;
  step(Message::new_session_ticket, Action::write);
  state_ = State::send_change_cipher_spec;
  return Next::ok;
}

Connection::Next Server::do_send_change_cipher_spec() {
  if (tls12_send_change_cipher_spec() != Next::ok) return Next::error;
  step(Message::change_cipher_spec, Action::write);
  state_ = State::send_finished;
  return Next::ok;
}

Connection::Next Server::do_send_finished() {
  if (tls12_send_finished() != Next::ok) return Next::error;
  step(Message::finished, Action::write);
  if (resumed_) {
    state_ = State::read_change_cipher_spec;
  } else {
    state_ = State::done;
    complete_handshake();
  }
  return Next::ok;
}

}  // namespace hsbench::tls
