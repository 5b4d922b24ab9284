#include "tls/tls13_keys.h"

#include "tls/bytes.h"

namespace hsbench::tls {
namespace {

constexpr uint8_t kEmptySha256[32] = {
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
constexpr uint8_t kEmptySha384[48] = {
    0x38, 0xb0, 0x60, 0xa7, 0x51, 0xac, 0x96, 0x38, 0x4c, 0xd9, 0x32, 0x7e, 0xb1, 0xb1, 0xe3, 0x6a,
    0x21, 0xfd, 0xb7, 0x11, 0x14, 0xbe, 0x07, 0x43, 0x4c, 0x0c, 0xc7, 0xbf, 0x63, 0xf6, 0xe1, 0xda,
    0x27, 0x4e, 0xde, 0xbf, 0xe7, 0x6f, 0x65, 0xfb, 0xd5, 0x1a, 0xd2, 0xf1, 0x48, 0x98, 0xb9, 0x5b};
constexpr uint8_t kZeros[kMaxHashLength] = {};

}  // namespace

ByteView empty_hash(Hash hash) {
  return hash == Hash::sha256 ? ByteView(kEmptySha256) : ByteView(kEmptySha384);
}

bool hkdf_expand_label(Crypto& crypto, Hash hash, ByteView secret, std::string_view label,
                       ByteView context, std::span<uint8_t> out) {
  // HkdfLabel: u16 length, opaque label<7..255> = "tls13 " + label,
  // opaque context<0..255>. At most 2 + 1 + 255 + 1 + 255 bytes.
  uint8_t buffer[2 + 1 + 255 + 1 + 255];
  constexpr std::string_view kPrefix = "tls13 ";
  if (kPrefix.size() + label.size() > 255 || context.size() > 255 || out.size() > 0xffff) {
    return false;
  }
  size_t n = 0;
  buffer[n++] = static_cast<uint8_t>(out.size() >> 8);
  buffer[n++] = static_cast<uint8_t>(out.size());
  buffer[n++] = static_cast<uint8_t>(kPrefix.size() + label.size());
  for (char c : kPrefix) buffer[n++] = static_cast<uint8_t>(c);
  for (char c : label) buffer[n++] = static_cast<uint8_t>(c);
  buffer[n++] = static_cast<uint8_t>(context.size());
  for (uint8_t c : context) buffer[n++] = c;
  return crypto.hkdf_expand(hash, secret, ByteView(buffer, n), out);
}

bool Tls13KeySchedule::advance(ByteView ikm) {
  Secret derived;
  if (!derive("derived", empty_hash(hash_), std::span(derived.data(), hash_length()))) {
    return false;
  }
  return crypto_->hkdf_extract(hash_, ByteView(derived.data(), hash_length()), ikm,
                               std::span(current_.data(), hash_length()));
}

bool Tls13KeySchedule::early(ByteView psk) {
  ByteView ikm = psk.empty() ? ByteView(kZeros, hash_length()) : psk;
  return crypto_->hkdf_extract(hash_, ByteView(kZeros, hash_length()), ikm,
                               std::span(current_.data(), hash_length()));
}

bool Tls13KeySchedule::handshake(ByteView shared_secret) { return advance(shared_secret); }

bool Tls13KeySchedule::master() { return advance(ByteView(kZeros, hash_length())); }

bool Tls13KeySchedule::derive(std::string_view label, ByteView transcript_hash,
                              std::span<uint8_t> out) {
  return hkdf_expand_label(*crypto_, hash_, current(), label, transcript_hash, out);
}

bool Tls13KeySchedule::traffic_keys(Aead aead, ByteView traffic_secret,
                                    std::span<uint8_t> out_key,
                                    std::span<uint8_t, kAeadNonceLength> out_iv) {
  return out_key.size() == key_length(aead) &&
         hkdf_expand_label(*crypto_, hash_, traffic_secret, "key", {}, out_key) &&
         hkdf_expand_label(*crypto_, hash_, traffic_secret, "iv", {}, out_iv);
}

bool Tls13KeySchedule::finished(ByteView base_key, ByteView transcript_hash,
                                std::span<uint8_t> out) {
  Secret finished_key;
  std::span<uint8_t> key(finished_key.data(), hash_length());
  return out.size() == hash_length() &&
         hkdf_expand_label(*crypto_, hash_, base_key, "finished", {}, key) &&
         crypto_->hmac(hash_, key, transcript_hash, out);
}

}  // namespace hsbench::tls
