// Small rules shared by the client and server state machines.
#pragma once

#include <cstring>
#include <string_view>

#include "hsbench/algorithms.h"
#include "hsbench/trace.h"
#include "tls/bytes.h"

namespace hsbench::tls {

// The longest certificate chain a client accepts.
inline constexpr size_t kMaxChainLength = 10;

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

// Whether a signature scheme can be made with a key of this type in this
// version: TLS 1.3 binds an ECDSA scheme's curve, TLS 1.2 only its hash.
constexpr bool scheme_fits_key(SignatureScheme s, KeyType key, TlsVersion version) {
  return version == TlsVersion::tls13 ? scheme_key_type(s) == key : scheme_usable_with(s, key);
}

// PKCS#1 v1.5 signs no TLS 1.3 handshake message (RFC 8446 4.2.3, 4.4.3).
constexpr bool is_pkcs1(SignatureScheme s) {
  return s == SignatureScheme::rsa_pkcs1_sha256 || s == SignatureScheme::rsa_pkcs1_sha384;
}

// Constant-time equality, for Finished and padding checks.
inline bool equal_ct(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= a[i] ^ b[i];
  return diff == 0;
}

// The content a TLS 1.3 CertificateVerify signs (RFC 8446 4.4.3): 64
// spaces, a context string, a zero byte, the transcript hash.
inline void certificate_verify_content(Side signer, ByteView transcript_hash, Bytes* out) {
  constexpr std::string_view kServer = "TLS 1.3, server CertificateVerify";
  constexpr std::string_view kClient = "TLS 1.3, client CertificateVerify";
  std::string_view context = signer == Side::server ? kServer : kClient;
  out->assign(64, 0x20);
  out->insert(out->end(), context.begin(), context.end());
  out->push_back(0);
  out->insert(out->end(), transcript_hash.begin(), transcript_hash.end());
}

inline void write_u16_list_u16(Writer& w, auto&& items) {
  auto p = w.open_u16();
  for (auto v : items) w.u16(static_cast<uint16_t>(v));
  (void)w.close(p);
}

}  // namespace hsbench::tls
