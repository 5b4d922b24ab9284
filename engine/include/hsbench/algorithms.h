// Algorithm identifiers shared by the engine and every backend. Values are
// the IANA registry code points, so a table row can be written straight onto
// the wire and names come from the RFCs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace hsbench {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// TLS HashAlgorithm registry (RFC 5246, section 7.4.1.4.1).
enum class Hash : uint8_t { sha256 = 4, sha384 = 5 };

// IANA "AEAD Algorithms" registry (RFC 5116, RFC 8439).
enum class Aead : uint16_t { aes128gcm = 1, aes256gcm = 2, chacha20poly1305 = 29 };

// TLS Supported Groups registry (RFC 8422, RFC 8446 section 4.2.7).
enum class Group : uint16_t { secp256r1 = 23, secp384r1 = 24, x25519 = 29 };

// TLS SignatureScheme registry (RFC 8446 section 4.2.3). TLS 1.2 uses the
// same code points as (hash, signature) pairs (RFC 5246 section 7.4.1.4.1).
enum class SignatureScheme : uint16_t {
  rsa_pkcs1_sha256 = 0x0401,
  rsa_pkcs1_sha384 = 0x0501,
  ecdsa_secp256r1_sha256 = 0x0403,
  ecdsa_secp384r1_sha384 = 0x0503,
  rsa_pss_rsae_sha256 = 0x0804,
  rsa_pss_rsae_sha384 = 0x0805,
  ed25519 = 0x0807,
};

// TLS protocol versions as they appear on the wire.
enum class TlsVersion : uint16_t { tls12 = 0x0303, tls13 = 0x0304 };

// TLS Cipher Suites registry. TLS 1.3 suites name only the AEAD and hash
// (RFC 8446 appendix B.4); TLS 1.2 suites also fix the key exchange and the
// certificate's key (RFC 5288, RFC 5289).
enum class CipherSuite : uint16_t {
  TLS_AES_128_GCM_SHA256 = 0x1301,
  TLS_AES_256_GCM_SHA384 = 0x1302,
  TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
  TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009c,
  TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009d,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xc030,
};

// The kind of a long-term key, as certificates carry it.
enum class KeyType : uint8_t { rsa, ecdsa_p256, ecdsa_p384, ed25519 };

struct KeyInfo {
  KeyType type = KeyType::rsa;
  unsigned bits = 0;  // modulus bits for RSA, field bits otherwise
};

// Every algorithm the interface knows, in a stable order, for tables and
// capability listings.
inline constexpr Hash kAllHashes[] = {Hash::sha256, Hash::sha384};
inline constexpr Aead kAllAeads[] = {Aead::aes128gcm, Aead::aes256gcm,
                                     Aead::chacha20poly1305};
inline constexpr Group kAllGroups[] = {Group::x25519, Group::secp256r1,
                                       Group::secp384r1};
inline constexpr SignatureScheme kAllSignatureSchemes[] = {
    SignatureScheme::rsa_pkcs1_sha256,       SignatureScheme::rsa_pkcs1_sha384,
    SignatureScheme::rsa_pss_rsae_sha256,    SignatureScheme::rsa_pss_rsae_sha384,
    SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
    SignatureScheme::ed25519,
};

constexpr std::string_view name(TlsVersion v) {
  switch (v) {
    case TlsVersion::tls12: return "1.2";
    case TlsVersion::tls13: return "1.3";
  }
  return "unknown";
}

// How a TLS 1.2 suite agrees on the premaster secret.
enum class KeyExchange : uint8_t { rsa, ecdhe_rsa, ecdhe_ecdsa, tls13 };

struct CipherSuiteInfo {
  CipherSuite id;
  std::string_view name;  // the IANA name
  TlsVersion version;
  KeyExchange kx;
  Aead aead;
  Hash hash;  // PRF / HKDF hash
};

inline constexpr CipherSuiteInfo kCipherSuites[] = {
    {CipherSuite::TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", TlsVersion::tls13,
     KeyExchange::tls13, Aead::aes128gcm, Hash::sha256},
    {CipherSuite::TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", TlsVersion::tls13,
     KeyExchange::tls13, Aead::aes256gcm, Hash::sha384},
    {CipherSuite::TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", TlsVersion::tls13,
     KeyExchange::tls13, Aead::chacha20poly1305, Hash::sha256},
    {CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256, "TLS_RSA_WITH_AES_128_GCM_SHA256",
     TlsVersion::tls12, KeyExchange::rsa, Aead::aes128gcm, Hash::sha256},
    {CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384, "TLS_RSA_WITH_AES_256_GCM_SHA384",
     TlsVersion::tls12, KeyExchange::rsa, Aead::aes256gcm, Hash::sha384},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", TlsVersion::tls12, KeyExchange::ecdhe_ecdsa,
     Aead::aes128gcm, Hash::sha256},
    {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", TlsVersion::tls12, KeyExchange::ecdhe_ecdsa,
     Aead::aes256gcm, Hash::sha384},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
     TlsVersion::tls12, KeyExchange::ecdhe_rsa, Aead::aes128gcm, Hash::sha256},
    {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
     TlsVersion::tls12, KeyExchange::ecdhe_rsa, Aead::aes256gcm, Hash::sha384},
};

constexpr const CipherSuiteInfo* cipher_suite_info(CipherSuite id) {
  for (const auto& s : kCipherSuites) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

constexpr const CipherSuiteInfo* cipher_suite_info(uint16_t wire_id) {
  return cipher_suite_info(static_cast<CipherSuite>(wire_id));
}

constexpr std::string_view name(Hash h) {
  switch (h) {
    case Hash::sha256: return "sha256";
    case Hash::sha384: return "sha384";
  }
  return "unknown";
}

constexpr size_t digest_length(Hash h) {
  switch (h) {
    case Hash::sha256: return 32;
    case Hash::sha384: return 48;
  }
  return 0;
}

constexpr std::string_view name(Aead a) {
  switch (a) {
    case Aead::aes128gcm: return "aes128gcm";
    case Aead::aes256gcm: return "aes256gcm";
    case Aead::chacha20poly1305: return "chacha20poly1305";
  }
  return "unknown";
}

constexpr size_t key_length(Aead a) {
  switch (a) {
    case Aead::aes128gcm: return 16;
    case Aead::aes256gcm: return 32;
    case Aead::chacha20poly1305: return 32;
  }
  return 0;
}

inline constexpr size_t kAeadNonceLength = 12;
inline constexpr size_t kAeadTagLength = 16;

constexpr std::string_view name(Group g) {
  switch (g) {
    case Group::x25519: return "x25519";
    case Group::secp256r1: return "secp256r1";
    case Group::secp384r1: return "secp384r1";
  }
  return "unknown";
}

// Length of the shared secret a group's derive produces (RFC 8446 7.4).
constexpr size_t shared_secret_length(Group g) {
  switch (g) {
    case Group::x25519: return 32;
    case Group::secp256r1: return 32;
    case Group::secp384r1: return 48;
  }
  return 0;
}

// Length of a public key as TLS carries it: raw for x25519, an uncompressed
// point (0x04 || x || y) for the NIST curves.
constexpr size_t public_key_length(Group g) {
  switch (g) {
    case Group::x25519: return 32;
    case Group::secp256r1: return 65;
    case Group::secp384r1: return 97;
  }
  return 0;
}

constexpr std::string_view name(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::rsa_pkcs1_sha256: return "rsa_pkcs1_sha256";
    case SignatureScheme::rsa_pkcs1_sha384: return "rsa_pkcs1_sha384";
    case SignatureScheme::rsa_pss_rsae_sha256: return "rsa_pss_rsae_sha256";
    case SignatureScheme::rsa_pss_rsae_sha384: return "rsa_pss_rsae_sha384";
    case SignatureScheme::ecdsa_secp256r1_sha256: return "ecdsa_secp256r1_sha256";
    case SignatureScheme::ecdsa_secp384r1_sha384: return "ecdsa_secp384r1_sha384";
    case SignatureScheme::ed25519: return "ed25519";
  }
  return "unknown";
}

// The hash a scheme signs with; Ed25519 hashes internally (PureEdDSA).
constexpr std::optional<Hash> scheme_hash(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::rsa_pkcs1_sha256:
    case SignatureScheme::rsa_pss_rsae_sha256:
    case SignatureScheme::ecdsa_secp256r1_sha256: return Hash::sha256;
    case SignatureScheme::rsa_pkcs1_sha384:
    case SignatureScheme::rsa_pss_rsae_sha384:
    case SignatureScheme::ecdsa_secp384r1_sha384: return Hash::sha384;
    case SignatureScheme::ed25519: return std::nullopt;
  }
  return std::nullopt;
}

// The key type a scheme needs. RSA schemes take any modulus size.
constexpr KeyType scheme_key_type(SignatureScheme s) {
  switch (s) {
    case SignatureScheme::rsa_pkcs1_sha256:
    case SignatureScheme::rsa_pkcs1_sha384:
    case SignatureScheme::rsa_pss_rsae_sha256:
    case SignatureScheme::rsa_pss_rsae_sha384: return KeyType::rsa;
    case SignatureScheme::ecdsa_secp256r1_sha256: return KeyType::ecdsa_p256;
    case SignatureScheme::ecdsa_secp384r1_sha384: return KeyType::ecdsa_p384;
    case SignatureScheme::ed25519: return KeyType::ed25519;
  }
  return KeyType::rsa;
}

constexpr bool is_ecdsa(KeyType t) { return t == KeyType::ecdsa_p256 || t == KeyType::ecdsa_p384; }

// Whether a backend signs or verifies with this scheme and key. An ECDSA
// scheme fixes only the hash here, as in TLS 1.2 (RFC 8422 5.1.3); TLS 1.3
// also binds the curve (RFC 8446 4.2.3), which the engine checks itself.
constexpr bool scheme_usable_with(SignatureScheme s, KeyType key) {
  KeyType want = scheme_key_type(s);
  return want == key || (is_ecdsa(want) && is_ecdsa(key));
}

constexpr std::string_view name(KeyType t) {
  switch (t) {
    case KeyType::rsa: return "rsa";
    case KeyType::ecdsa_p256: return "ecdsa-p256";
    case KeyType::ecdsa_p384: return "ecdsa-p384";
    case KeyType::ed25519: return "ed25519";
  }
  return "unknown";
}

// Upper bound on a signature's length for any supported key: RSA-8192 is
// 1024 bytes. Backends reject larger RSA keys when loading them.
inline constexpr unsigned kMaxRsaBits = 8192;
inline constexpr size_t kMaxSignatureLength = kMaxRsaBits / 8;

}  // namespace hsbench
