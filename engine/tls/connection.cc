#include "tls/connection.h"

#include <cstring>

namespace hsbench::tls {

Connection::Connection(Side side, Backend* backend, const Config* config)
    : side_(side), config_(config), crypto_(backend), records_(&crypto_) {
  transcript_.keep_messages(keeps_messages());
}

void Connection::reset() {
  records_ = RecordLayer(&crypto_);
  transcript_.reset();
  transcript_.keep_messages(keeps_messages());
  version_ = TlsVersion::tls12;
  suite_ = nullptr;
  resumed_ = false;
  extended_master_secret_ = false;
  pending_read_ = {};
  pending_write_ = {};
  msg_.clear();
  in_.clear();
  in_pos_ = 0;
  hs_in_.clear();
  hs_pos_ = 0;
  app_in_.clear();
  out_.clear();
  error_ = {};
  failed_ = false;
  established_ = peer_closed_ = sent_close_ = false;
}

Connection::Status Connection::advance() {
  if (failed_) return Status::failed;
  stepped_ = false;
  switch (run_state()) {
    case Next::ok: return stepped_ ? Status::step : Status::progressed;
    case Next::read: return Status::want_read;
    case Next::done: return Status::done;
    case Next::error: return Status::failed;
    case Next::closed: return Status::closed;
  }
  return Status::failed;
}

Connection::Status Connection::write_application_data(ByteView data) {
  if (failed_) return Status::failed;
  if (!established_ || sent_close_) {
    fail(Alert::internal_error, "application data outside an established connection");
    return Status::failed;
  }
  if (data.size() > kMaxPlaintextLength) {
    fail(Alert::internal_error, "application data longer than a record");
    return Status::failed;
  }
  if (!records_.write(ContentType::application_data, data, &out_)) {
    fail(Alert::internal_error, "cannot seal record");
    return Status::failed;
  }
  step(Message::application_data, Action::write);
  return Status::step;
}

Connection::Status Connection::read_application_data() {
  if (failed_) return Status::failed;
  if (peer_closed_) return Status::closed;
  if (!established_) {
    fail(Alert::internal_error, "application data read before the handshake completed");
    return Status::failed;
  }
  stepped_ = false;
  bool handshake = false;
  Next n = read_application_record(&handshake);
  if (n == Next::ok) {
    if (handshake) {
      n = read_post_handshake();
    } else {
      step(Message::application_data, Action::read);
    }
  }
  switch (n) {
    case Next::ok:
      return stepped_ ? Status::step : Status::progressed;
    case Next::read:
      return Status::want_read;
    case Next::closed:
      return Status::closed;
    case Next::done:
    case Next::error:
      break;
  }
  return Status::failed;
}

Connection::Status Connection::send_close_notify() {
  if (failed_) return Status::failed;
  if (!sent_close_) {
    sent_close_ = true;
    const uint8_t payload[2] = {static_cast<uint8_t>(AlertLevel::warning),
                                static_cast<uint8_t>(Alert::close_notify)};
    if (!records_.write(ContentType::alert, payload, &out_)) {
      fail(Alert::internal_error, "cannot seal record");
      return Status::failed;
    }
  }
  return Status::progressed;
}

Connection::Next Connection::read_post_handshake() {
  return fail(Alert::unexpected_message, "unexpected post-handshake message");
}

void Connection::receive(ByteView bytes) {
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  }
  in_.insert(in_.end(), bytes.begin(), bytes.end());
}

Connection::Next Connection::fail(Alert alert, const char* reason) {
  if (!failed_) {
    error_ = {alert, reason, false};
    failed_ = true;
    uint8_t payload[2] = {static_cast<uint8_t>(AlertLevel::fatal), static_cast<uint8_t>(alert)};
    // Best effort: the connection is failing anyway.
    (void)records_.write(ContentType::alert, payload, &out_);
  }
  return Next::error;
}

Connection::Next Connection::handle_alert(ByteView payload) {
  if (payload.size() != 2) return fail(Alert::decode_error, "malformed alert");
  // After the handshake, close_notify is the peer's orderly end (RFC 8446
  // 6.1); before it, the handshake cannot finish, which is a failure.
  if (established_ && payload[1] == static_cast<uint8_t>(Alert::close_notify)) {
    peer_closed_ = true;
    return Next::closed;
  }
  error_ = {static_cast<Alert>(payload[1]),
            payload[1] == static_cast<uint8_t>(Alert::close_notify) ? "peer closed the connection"
                                                                   : "peer sent an alert",
            true};
  failed_ = true;
  return Next::error;
}

Connection::Next Connection::fill_handshake() {
  for (;;) {
    // A complete message already buffered?
    Reader r(ByteView(hs_in_).subspan(hs_pos_));
    uint8_t type;
    uint32_t length;
    if (r.u8(&type) && r.u24(&length)) {
      if (length > kMaxHandshakeMessageLength) {
        return fail(Alert::illegal_parameter, "handshake message too long");
      }
      if (r.remaining() >= length) return Next::ok;
    }
    if (hs_pos_ == hs_in_.size()) {
      hs_in_.clear();
      hs_pos_ = 0;
    }

    ContentType content;
    ByteView payload;
    Error err;
    switch (records_.read(in_, &in_pos_, &content, &payload, &err)) {
      case RecordLayer::ReadStatus::need_more: return Next::read;
      case RecordLayer::ReadStatus::error: return fail(err.alert, err.reason);
      case RecordLayer::ReadStatus::record: break;
    }
    switch (content) {
      case ContentType::handshake:
        if (payload.empty()) return fail(Alert::unexpected_message, "empty handshake record");
        hs_in_.insert(hs_in_.end(), payload.begin(), payload.end());
        break;
      case ContentType::alert: return handle_alert(payload);
      case ContentType::change_cipher_spec:
        // TLS 1.3 peers may send one compatibility CCS anywhere before their
        // Finished (RFC 8446 D.4); it is ignored.
        if (version_ == TlsVersion::tls13 && payload.size() == 1 && payload[0] == 1) break;
        return fail(Alert::unexpected_message, "unexpected ChangeCipherSpec");
      case ContentType::application_data:
        return fail(Alert::unexpected_message, "application data during the handshake");
    }
  }
}

Connection::Next Connection::peek_handshake(HandshakeType* out_type) {
  Next n = fill_handshake();
  if (n != Next::ok) return n;
  *out_type = static_cast<HandshakeType>(hs_in_[hs_pos_]);
  return Next::ok;
}

Connection::Next Connection::read_handshake(HandshakeType type, ByteView* out_body,
                                            ByteView* out_message) {
  Next n = fill_handshake();
  if (n != Next::ok) return n;
  Reader r(ByteView(hs_in_).subspan(hs_pos_));
  uint8_t got;
  ByteView body;
  if (!r.u8(&got) || !r.u24_prefixed(&body)) return fail(Alert::internal_error, "reassembly");
  if (got != static_cast<uint8_t>(type)) {
    return fail(Alert::unexpected_message, "unexpected handshake message");
  }
  size_t total = kHandshakeHeaderLength + body.size();
  *out_message = ByteView(hs_in_).subspan(hs_pos_, total);
  *out_body = body;
  hs_pos_ += total;
  return Next::ok;
}

Connection::Next Connection::read_change_cipher_spec() {
  // A ChangeCipherSpec may not share a record boundary with a buffered,
  // unfinished handshake message (RFC 5246 7.1).
  if (hs_pos_ != hs_in_.size()) return fail(Alert::unexpected_message, "CCS inside a flight");
  ContentType content;
  ByteView payload;
  Error err;
  switch (records_.read(in_, &in_pos_, &content, &payload, &err)) {
    case RecordLayer::ReadStatus::need_more: return Next::read;
    case RecordLayer::ReadStatus::error: return fail(err.alert, err.reason);
    case RecordLayer::ReadStatus::record: break;
  }
  if (content == ContentType::alert) return handle_alert(payload);
  if (content != ContentType::change_cipher_spec) {
    return fail(Alert::unexpected_message, "expected ChangeCipherSpec");
  }
  if (payload.size() != 1 || payload[0] != 1) {
    return fail(Alert::decode_error, "malformed ChangeCipherSpec");
  }
  return Next::ok;
}

Connection::Next Connection::read_application_record(bool* out_handshake) {
  *out_handshake = false;
  for (;;) {
    if (hs_pos_ != hs_in_.size()) {
      // A post-handshake message spanning records: complete it first.
      *out_handshake = true;
      return Next::ok;
    }
    ContentType content;
    ByteView payload;
    Error err;
    switch (records_.read(in_, &in_pos_, &content, &payload, &err)) {
      case RecordLayer::ReadStatus::need_more: return Next::read;
      case RecordLayer::ReadStatus::error: return fail(err.alert, err.reason);
      case RecordLayer::ReadStatus::record: break;
    }
    switch (content) {
      case ContentType::application_data:
        app_in_.assign(payload.begin(), payload.end());
        return Next::ok;
      case ContentType::alert: return handle_alert(payload);
      case ContentType::handshake:
        if (version_ != TlsVersion::tls13 || payload.empty()) {
          return fail(Alert::unexpected_message, "handshake message instead of application data");
        }
        hs_in_.insert(hs_in_.end(), payload.begin(), payload.end());
        *out_handshake = true;
        return Next::ok;
      case ContentType::change_cipher_spec:
        return fail(Alert::unexpected_message, "unexpected ChangeCipherSpec");
    }
  }
}

Writer Connection::begin_message(HandshakeType type) {
  msg_.clear();
  Writer w(&msg_);
  w.u8(static_cast<uint8_t>(type));
  msg_length_ = w.open_u24();
  return w;
}

Connection::Next Connection::send_message(bool add_to_transcript) {
  Writer w(&msg_);
  if (!w.close(msg_length_)) return fail(Alert::internal_error, "message too long");
  if (add_to_transcript) transcript_.add(crypto_, msg_);
  if (!records_.write(ContentType::handshake, msg_, &out_)) {
    return fail(Alert::internal_error, "cannot seal record");
  }
  return Next::ok;
}

Connection::Next Connection::send_change_cipher_spec() {
  static constexpr uint8_t kCcs[1] = {1};
  if (!records_.write(ContentType::change_cipher_spec, kCcs, &out_)) {
    return fail(Alert::internal_error, "cannot write record");
  }
  return Next::ok;
}

void Connection::log_secret(std::string_view label, ByteView secret) const {
  if (config_->key_log) config_->key_log(label, client_random_, secret);
}

bool Connection::make_record_keys(Aead aead, ByteView key, ByteView iv, bool tls13,
                                  RecordKeys* out) {
  out->aead = crypto_.new_aead(aead, key);
  if (out->aead == nullptr || iv.size() > out->iv.size()) return false;
  out->iv.fill(0);
  std::memcpy(out->iv.data(), iv.data(), iv.size());
  out->tls13 = tls13;
  return true;
}

}  // namespace hsbench::tls
