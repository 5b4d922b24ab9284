// Key schedule steps and Finished messages that the client and the server
// share, for TLS 1.2 (RFC 5246 6.3, 7.4.9) and TLS 1.3 (RFC 8446 4.4.4, 7).
#include <cstring>

#include "tls/connection.h"
#include "tls/handshake_util.h"
#include "tls/tls12_keys.h"

namespace hsbench::tls {

bool Connection::tls12_derive_record_keys() {
  Tls12KeyBlock keys;
  if (!tls12_key_block(crypto_, *suite_, master_secret_, client_random_, server_random_, &keys)) {
    return false;
  }
  ByteView client_key(keys.client_key, keys.key_length);
  ByteView server_key(keys.server_key, keys.key_length);
  bool client = side_ == Side::client;
  return make_record_keys(suite_->aead, client ? client_key : server_key,
                          client ? ByteView(keys.client_iv) : ByteView(keys.server_iv), false,
                          &pending_write_) &&
         make_record_keys(suite_->aead, client ? server_key : client_key,
                          client ? ByteView(keys.server_iv) : ByteView(keys.client_iv), false,
                          &pending_read_);
}

Connection::Next Connection::tls12_send_change_cipher_spec() {
  if (send_change_cipher_spec() != Next::ok) return Next::error;
  records_.set_write_keys(std::move(pending_write_));
  return Next::ok;
}

Connection::Next Connection::tls12_read_change_cipher_spec() {
  if (Next n = read_change_cipher_spec(); n != Next::ok) return n;
  records_.set_read_keys(std::move(pending_read_));
  return Next::ok;
}

Connection::Next Connection::tls12_send_finished() {
  uint8_t hash[kMaxHashLength];
  uint8_t verify_data[kTls12VerifyDataLength];
  size_t hash_len = transcript_.digest_length();
  transcript_.digest(crypto_, std::span(hash, hash_len));
  if (!tls12_verify_data(crypto_, suite_->hash, master_secret_, side_, ByteView(hash, hash_len),
                         verify_data)) {
    return fail(Alert::internal_error, "PRF failed");
  }
  Writer w = begin_message(HandshakeType::finished);
  w.bytes(verify_data);
  return send_message();
}

Connection::Next Connection::tls12_read_finished() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::finished, &body, &message); n != Next::ok) {
    return n;
  }
  uint8_t hash[kMaxHashLength];
  uint8_t expected[kTls12VerifyDataLength];
  size_t hash_len = transcript_.digest_length();
  transcript_.digest(crypto_, std::span(hash, hash_len));
  if (!tls12_verify_data(crypto_, suite_->hash, master_secret_, peer(side_),
                         ByteView(hash, hash_len), expected)) {
    return fail(Alert::internal_error, "PRF failed");
  }
  if (body.size() != kTls12VerifyDataLength) return fail(Alert::decode_error, "bad Finished");
  if (!equal_ct(body, expected)) return fail(Alert::decrypt_error, "peer's Finished is wrong");
  transcript_.add(crypto_, message);
  return Next::ok;
}

bool Connection::tls13_record_keys(const Secret& traffic_secret, RecordKeys* out) {
  uint8_t key[32], iv[kAeadNonceLength];
  std::span<uint8_t> key_span(key, key_length(suite_->aead));
  return schedule_.traffic_keys(suite_->aead,
                                ByteView(traffic_secret.data(), schedule_.hash_length()),
                                key_span, iv) &&
         make_record_keys(suite_->aead, key_span, iv, true, out);
}

bool Connection::tls13_derive_handshake_secrets(ByteView psk, ByteView shared_secret) {
  schedule_.init(&crypto_, suite_->hash);
  const size_t hlen = schedule_.hash_length();
  uint8_t th[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  if (!schedule_.early(psk) || !schedule_.handshake(shared_secret) ||
      !schedule_.derive("c hs traffic", ByteView(th, hlen),
                        std::span(client_handshake_secret_.data(), hlen)) ||
      !schedule_.derive("s hs traffic", ByteView(th, hlen),
                        std::span(server_handshake_secret_.data(), hlen))) {
    return false;
  }
  log_secret("CLIENT_HANDSHAKE_TRAFFIC_SECRET", ByteView(client_handshake_secret_.data(), hlen));
  log_secret("SERVER_HANDSHAKE_TRAFFIC_SECRET", ByteView(server_handshake_secret_.data(), hlen));
  return true;
}

bool Connection::tls13_derive_application_secrets() {
  const size_t hlen = schedule_.hash_length();
  uint8_t th[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  if (!schedule_.master() ||
      !schedule_.derive("c ap traffic", ByteView(th, hlen),
                        std::span(client_application_secret_.data(), hlen)) ||
      !schedule_.derive("s ap traffic", ByteView(th, hlen),
                        std::span(server_application_secret_.data(), hlen))) {
    return false;
  }
  log_secret("CLIENT_TRAFFIC_SECRET_0", ByteView(client_application_secret_.data(), hlen));
  log_secret("SERVER_TRAFFIC_SECRET_0", ByteView(server_application_secret_.data(), hlen));
  return true;
}

bool Connection::tls13_derive_resumption_secret() {
  const size_t hlen = schedule_.hash_length();
  uint8_t th[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  return schedule_.derive("res master", ByteView(th, hlen),
                          std::span(resumption_master_secret_.data(), hlen));
}

Connection::Next Connection::tls13_send_finished() {
  const Secret& base =
      side_ == Side::client ? client_handshake_secret_ : server_handshake_secret_;
  const size_t hlen = schedule_.hash_length();
  uint8_t th[kMaxHashLength], verify_data[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  if (!schedule_.finished(ByteView(base.data(), hlen), ByteView(th, hlen),
                          std::span(verify_data, hlen))) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  Writer w = begin_message(HandshakeType::finished);
  w.bytes(ByteView(verify_data, hlen));
  return send_message();
}

Connection::Next Connection::tls13_read_finished() {
  ByteView body, message;
  if (Next n = read_handshake(HandshakeType::finished, &body, &message); n != Next::ok) {
    return n;
  }
  const Secret& base =
      side_ == Side::client ? server_handshake_secret_ : client_handshake_secret_;
  const size_t hlen = schedule_.hash_length();
  uint8_t th[kMaxHashLength], expected[kMaxHashLength];
  transcript_.digest(crypto_, std::span(th, hlen));
  if (!schedule_.finished(ByteView(base.data(), hlen), ByteView(th, hlen),
                          std::span(expected, hlen))) {
    return fail(Alert::internal_error, "key derivation failed");
  }
  if (!equal_ct(body, ByteView(expected, hlen))) {
    return fail(Alert::decrypt_error, "peer's Finished is wrong");
  }
  transcript_.add(crypto_, message);
  return Next::ok;
}

}  // namespace hsbench::tls
