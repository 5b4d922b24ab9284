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

// TLS Supported Groups registry (RFC 8422, RFC 8446 section 4.2.7), with
// two hybrid post-quantum groups: X25519 and a KEM side by side, the
// Diffie-Hellman secret first. X25519Kyber768Draft00 is Kyber768 (round 3)
// as in draft-tls-westerbaan-xyber768d00; X25519MLKEM768 is ML-KEM-768
// (FIPS 203) as in draft-kwiatkowski-tls-ecdhe-mlkem, which puts the ML-KEM
// part first.
enum class Group : uint16_t {
  secp256r1 = 23,
  secp384r1 = 24,
  x25519 = 29,
  x25519_mlkem768 = 0x11ec,
  x25519_kyber768_draft00 = 0x6399,
};

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
// The Diffie-Hellman groups, which every backend with real crypto has.
inline constexpr Group kAllGroups[] = {Group::x25519, Group::secp256r1,
                                       Group::secp384r1};
// The hybrid KEM groups (TLS 1.3 only), which a backend has only where its
// library has the KEM.
inline constexpr Group kHybridGroups[] = {Group::x25519_kyber768_draft00,
                                          Group::x25519_mlkem768};
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
    case Group::x25519_kyber768_draft00: return "x25519kyber768draft00";
    case Group::x25519_mlkem768: return "x25519mlkem768";
  }
  return "unknown";
}

// Whether a group is a key encapsulation mechanism (the server encapsulates
// to the client's share) rather than Diffie-Hellman (each side combines its
// private key with the other's public key).
constexpr bool is_kem(Group g) {
  return g == Group::x25519_kyber768_draft00 || g == Group::x25519_mlkem768;
}

// Who sent a key share. A Diffie-Hellman group's shares are alike; a KEM
// group's are not: the client's is an encapsulation key, the server's a
// ciphertext.
enum class ShareFrom : uint8_t { client, server };

// Length of the shared secret a group's derive produces (RFC 8446 7.4). A
// hybrid's is both secrets concatenated: 32 bytes of X25519, then 32 of
// Kyber768 (draft-tls-westerbaan-xyber768d00 section 3).
constexpr size_t shared_secret_length(Group g) {
  switch (g) {
    case Group::x25519: return 32;
    case Group::secp256r1: return 32;
    case Group::secp384r1: return 48;
    case Group::x25519_kyber768_draft00: return 64;
    case Group::x25519_mlkem768: return 64;
  }
  return 0;
}

// Length of a key share as TLS carries it: raw for x25519, an uncompressed
// point (0x04 || x || y) for the NIST curves. A hybrid's client share is
// the X25519 public key then the KEM's encapsulation key (32 + 1,184
// bytes), its server share the X25519 public key then the KEM ciphertext
// (32 + 1,088 bytes); X25519MLKEM768 has the same sizes in the other order.
constexpr size_t public_key_length(Group g, ShareFrom from) {
  switch (g) {
    case Group::x25519: return 32;
    case Group::secp256r1: return 65;
    case Group::secp384r1: return 97;
    case Group::x25519_kyber768_draft00:
    case Group::x25519_mlkem768: return from == ShareFrom::client ? 32 + 1184 : 32 + 1088;
  }
  return 0;
}

// The client's share; for a Diffie-Hellman group, either side's.
constexpr size_t public_key_length(Group g) { return public_key_length(g, ShareFrom::client); }

// Length of the private key Backend::key_share_from_private takes: the
// scalar for a Diffie-Hellman group (as long as its secret); for a hybrid,
// the X25519 private key then the 64 bytes of entropy the KEM's key
// generation draws (Kyber768 round 3: the seed d, then the rejection value z).
constexpr size_t private_key_length(Group g) {
  return is_kem(g) ? 32 + 64 : shared_secret_length(g);
}

// Length of the entropy a deterministic encapsulation takes
// (Backend::encapsulate): the server's X25519 private key, then the 32
// bytes Kyber768's encapsulation derives from its random draw (round 3: m,
// the SHA3-256 of the 32 random bytes).
constexpr size_t encapsulation_entropy_length(Group g) { return is_kem(g) ? 32 + 32 : 0; }

// The longest of each, for buffers on the stack.
inline constexpr size_t kMaxSharedSecretLength = 64;
inline constexpr size_t kMaxKeyShareLength = 32 + 1184;

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
