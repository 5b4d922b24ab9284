// Small rules shared by the client and server state machines.
#pragma once

#include <cstring>

#include "hsbench/algorithms.h"
#include "tls/bytes.h"

namespace hsbench::tls {

// Whether a TLS 1.2 key exchange can use a certificate key of this type
// (RFC 5246 7.4.2, RFC 8422 5.3: ECDHE_ECDSA covers ECDSA and EdDSA keys).
constexpr bool kx_accepts_key(KeyExchange kx, KeyType key) {
  switch (kx) {
    case KeyExchange::rsa:
    case KeyExchange::ecdhe_rsa: return key == KeyType::rsa;
    case KeyExchange::ecdhe_ecdsa: return key != KeyType::rsa;
    case KeyExchange::tls13: return true;
  }
  return false;
}

// Whether a signature scheme can be made with a key of this type. In TLS 1.2
// an ECDSA scheme names only the hash, so either curve may use it (RFC 8422
// 5.1.3); TLS 1.3 binds the curve too (RFC 8446 4.2.3).
constexpr bool scheme_fits_key(SignatureScheme s, KeyType key, TlsVersion version) {
  KeyType want = scheme_key_type(s);
  if (want == key) return true;
  bool ecdsa = want == KeyType::ecdsa_p256 || want == KeyType::ecdsa_p384;
  bool key_ecdsa = key == KeyType::ecdsa_p256 || key == KeyType::ecdsa_p384;
  return version == TlsVersion::tls12 && ecdsa && key_ecdsa;
}

// Constant-time equality, for Finished and padding checks.
inline bool equal_ct(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= a[i] ^ b[i];
  return diff == 0;
}

inline void write_u16_list_u16(Writer& w, auto&& items) {
  auto p = w.open_u16();
  for (auto v : items) w.u16(static_cast<uint16_t>(v));
  (void)w.close(p);
}

}  // namespace hsbench::tls
