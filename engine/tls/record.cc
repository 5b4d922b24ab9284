#include "tls/record.h"

#include <algorithm>
#include <cstring>

#include "tls/bytes.h"

namespace hsbench::tls {
namespace {

constexpr size_t kTls12ExplicitNonceLength = 8;
constexpr size_t kTls12SaltLength = 4;

bool valid_content_type(uint8_t t) { return t >= 20 && t <= 23; }

void put_u64(uint8_t* out, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8) out[i] = static_cast<uint8_t>(v);
}

// TLS 1.2 additional data: seq_num || type || version || length
// (RFC 5246 section 6.2.3.3).
std::array<uint8_t, 13> tls12_additional_data(uint64_t seq, ContentType type, size_t length) {
  std::array<uint8_t, 13> ad{};
  put_u64(ad.data(), seq);
  ad[8] = static_cast<uint8_t>(type);
  ad[9] = kRecordVersion >> 8;
  ad[10] = kRecordVersion & 0xff;
  ad[11] = static_cast<uint8_t>(length >> 8);
  ad[12] = static_cast<uint8_t>(length);
  return ad;
}

}  // namespace

void RecordLayer::set_write_keys(RecordKeys keys) {
  write_.keys = std::move(keys);
  write_.sequence = 0;
}

void RecordLayer::set_read_keys(RecordKeys keys) {
  read_.keys = std::move(keys);
  read_.sequence = 0;
}

void RecordLayer::nonce(const Direction& d, std::span<uint8_t, kAeadNonceLength> out) const {
  if (d.keys.tls13) {
    std::memcpy(out.data(), d.keys.iv.data(), kAeadNonceLength);
    uint8_t seq[8];
    put_u64(seq, d.sequence);
    for (size_t i = 0; i < 8; i++) out[kAeadNonceLength - 8 + i] ^= seq[i];
  } else {
    std::memcpy(out.data(), d.keys.iv.data(), kTls12SaltLength);
    put_u64(out.data() + kTls12SaltLength, d.sequence);
  }
}

bool RecordLayer::write(ContentType type, ByteView payload, Bytes* out) {
  // An empty handshake or alert payload would still be one record.
  do {
    size_t n = std::min(payload.size(), kMaxPlaintextLength);
    ByteView fragment = payload.first(n);
    payload = payload.subspan(n);

    Writer w(out);
    if (!write_protected()) {
      w.u8(static_cast<uint8_t>(type));
      w.u16(write_version_);
      w.u16(static_cast<uint16_t>(n));
      w.bytes(fragment);
      continue;
    }

    Direction& d = write_;
    std::array<uint8_t, kAeadNonceLength> iv;
    nonce(d, iv);
    if (d.keys.tls13) {
      // TLSInnerPlaintext: content || type (RFC 8446 5.2), no padding.
      size_t inner = n + 1, total = inner + kAeadTagLength;
      size_t header_at = out->size();
      w.u8(static_cast<uint8_t>(ContentType::application_data));
      w.u16(kRecordVersion);
      w.u16(static_cast<uint16_t>(total));
      std::span<uint8_t> body = w.reserve(total);
      std::memcpy(body.data(), fragment.data(), n);
      body[n] = static_cast<uint8_t>(type);
      ByteView header(out->data() + header_at, kRecordHeaderLength);
      if (!crypto_->seal(*d.keys.aead, iv, header, body.first(inner), body)) return false;
    } else {
      size_t total = kTls12ExplicitNonceLength + n + kAeadTagLength;
      w.u8(static_cast<uint8_t>(type));
      w.u16(kRecordVersion);
      w.u16(static_cast<uint16_t>(total));
      std::span<uint8_t> body = w.reserve(total);
      std::memcpy(body.data(), iv.data() + kTls12SaltLength, kTls12ExplicitNonceLength);
      std::span<uint8_t> sealed = body.subspan(kTls12ExplicitNonceLength);
      std::memcpy(sealed.data(), fragment.data(), n);
      auto ad = tls12_additional_data(d.sequence, type, n);
      if (!crypto_->seal(*d.keys.aead, iv, ad, sealed.first(n), sealed)) return false;
    }
    d.sequence++;
  } while (!payload.empty());
  return true;
}

RecordLayer::ReadStatus RecordLayer::read(std::span<uint8_t> in, size_t* pos,
                                          ContentType* out_type, ByteView* out_payload,
                                          Error* out_error) {
  auto fail = [&](Alert alert, const char* reason) {
    *out_error = {alert, reason};
    return ReadStatus::error;
  };
  Reader r(ByteView(in).subspan(*pos));
  uint8_t type;
  uint16_t version, length;
  if (!r.u8(&type) || !r.u16(&version) || !r.u16(&length)) return ReadStatus::need_more;
  if (!valid_content_type(type)) return fail(Alert::unexpected_message, "unknown record type");
  // The major version is 3 in every TLS record; the minor may be 1 in a
  // first ClientHello (RFC 8446 5.1).
  if ((version >> 8) != 3) return fail(Alert::protocol_version, "bad record version");
  if (length > kMaxCiphertextLength) return fail(Alert::record_overflow, "record too long");
  if (r.remaining() < length) return ReadStatus::need_more;

  std::span<uint8_t> body = in.subspan(*pos + kRecordHeaderLength, length);
  ByteView header = ByteView(in).subspan(*pos, kRecordHeaderLength);
  *pos += kRecordHeaderLength + length;
  auto content = static_cast<ContentType>(type);

  Direction& d = read_;
  // Unprotected: before keys; TLS 1.3's compatibility ChangeCipherSpec
  // (RFC 8446 D.4), which is never encrypted; and an alert from a TLS 1.3
  // peer that has not yet encrypted anything (a client failing before its
  // Finished has no keys of its own to send it under).
  if (!read_protected() ||
      (d.keys.tls13 && (content == ContentType::change_cipher_spec ||
                        (content == ContentType::alert && !peer_encrypted_)))) {
    if (length > kMaxPlaintextLength) return fail(Alert::record_overflow, "record too long");
    if (length == 0 && content != ContentType::application_data) {
      return fail(Alert::unexpected_message, "empty record");
    }
    *out_type = content;
    *out_payload = body;
    return ReadStatus::record;
  }

  std::array<uint8_t, kAeadNonceLength> iv;
  if (d.keys.tls13) {
    if (content != ContentType::application_data) {
      return fail(Alert::unexpected_message, "unprotected record after keys were set");
    }
    if (length < kAeadTagLength + 1) return fail(Alert::bad_record_mac, "record too short");
    nonce(d, iv);
    std::span<uint8_t> plain = body.first(length - kAeadTagLength);
    if (!crypto_->open(*d.keys.aead, iv, header, body, plain)) {
      return fail(Alert::bad_record_mac, "record does not decrypt");
    }
    // Strip the zero padding; the last non-zero byte is the real type.
    size_t n = plain.size();
    while (n > 0 && plain[n - 1] == 0) n--;
    if (n == 0) return fail(Alert::unexpected_message, "record has no content type");
    uint8_t inner = plain[n - 1];
    if (!valid_content_type(inner)) return fail(Alert::unexpected_message, "bad inner content type");
    if (n - 1 > kMaxPlaintextLength) return fail(Alert::record_overflow, "record too long");
    *out_type = static_cast<ContentType>(inner);
    *out_payload = plain.first(n - 1);
  } else {
    if (length < kTls12ExplicitNonceLength + kAeadTagLength) {
      return fail(Alert::bad_record_mac, "record too short");
    }
    std::memcpy(iv.data(), d.keys.iv.data(), kTls12SaltLength);
    std::memcpy(iv.data() + kTls12SaltLength, body.data(), kTls12ExplicitNonceLength);
    std::span<uint8_t> sealed = body.subspan(kTls12ExplicitNonceLength);
    size_t n = sealed.size() - kAeadTagLength;
    if (n > kMaxPlaintextLength) return fail(Alert::record_overflow, "record too long");
    auto ad = tls12_additional_data(d.sequence, content, n);
    if (!crypto_->open(*d.keys.aead, iv, ad, sealed, sealed.first(n))) {
      return fail(Alert::bad_record_mac, "record does not decrypt");
    }
    *out_type = content;
    *out_payload = sealed.first(n);
  }
  d.sequence++;
  peer_encrypted_ = true;
  return ReadStatus::record;
}

}  // namespace hsbench::tls
