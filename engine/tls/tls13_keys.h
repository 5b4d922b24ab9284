// The TLS 1.3 key schedule (RFC 8446 section 7): HKDF-Expand-Label,
// Derive-Secret, and the secrets a handshake walks through.
#pragma once

#include <array>
#include <string_view>

#include "hsbench/algorithms.h"
#include "tls/crypto.h"

namespace hsbench::tls {

inline constexpr size_t kMaxHashLength = 48;
using Secret = std::array<uint8_t, kMaxHashLength>;

// HKDF-Expand-Label(secret, label, context, out.size()) (RFC 8446 7.1).
bool hkdf_expand_label(Crypto& crypto, Hash hash, ByteView secret, std::string_view label,
                       ByteView context, std::span<uint8_t> out);

// The hash of the empty string, for Derive-Secret(., "derived", "").
ByteView empty_hash(Hash hash);

// Walks early secret -> handshake secret -> master secret.
class Tls13KeySchedule {
 public:
  void init(Crypto* crypto, Hash hash) {
    crypto_ = crypto;
    hash_ = hash;
  }
  Hash hash() const { return hash_; }
  size_t hash_length() const { return digest_length(hash_); }

  // Early Secret = HKDF-Extract(0, psk or zeros).
  bool early(ByteView psk);
  // Handshake Secret = HKDF-Extract(Derive-Secret(early, "derived", ""), ecdhe).
  bool handshake(ByteView shared_secret);
  // Master Secret = HKDF-Extract(Derive-Secret(hs, "derived", ""), zeros).
  bool master();

  // Derive-Secret(current, label, transcript_hash).
  bool derive(std::string_view label, ByteView transcript_hash, std::span<uint8_t> out);
  ByteView current() const { return ByteView(current_.data(), hash_length()); }

  // Traffic keys from a traffic secret (RFC 8446 7.3).
  bool traffic_keys(Aead aead, ByteView traffic_secret, std::span<uint8_t> out_key,
                    std::span<uint8_t, kAeadNonceLength> out_iv);
  // Finished.verify_data = HMAC(finished_key(base), transcript_hash) (4.4.4).
  bool finished(ByteView base_key, ByteView transcript_hash, std::span<uint8_t> out);

 private:
  bool advance(ByteView ikm);

  Crypto* crypto_ = nullptr;
  Hash hash_ = Hash::sha256;
  Secret current_{};
};

}  // namespace hsbench::tls
