// Where the libraries on the OpenSSL API differ, behind one interface: each
// declaration here has one definition per library, compat_openssl.cc for
// OpenSSL 3 and compat_boringssl.cc for BoringSSL, and a plugin compiles
// exactly one of them. Every other file of the plugins is the same source for
// every library; a further library on the same API needs only a compat file
// of its own.
//
// Each primitive below is the call that library's own libssl makes, prepared
// the way that libssl prepares it, so a handshake pays only for the
// per-operation work the library itself would do. Arguments reach it checked
// (known algorithm, sizes as the interface in hsbench/backend.h requires); on
// failure it returns false or nullptr and may leave entries on the library's
// error queue, which the caller clears or reports.
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "hsbench/algorithms.h"
#include "hsbench/backend.h"
#include "util.h"

namespace hsbench::libcrypto {
namespace compat {
// Each library's own types, defined in its compat file.
struct AeadKey;
struct KeyShareKey;
struct KyberKey;
}  // namespace compat

template <>
struct Deleter<compat::AeadKey> {
  void operator()(compat::AeadKey* key) const;
};
template <>
struct Deleter<compat::KeyShareKey> {
  void operator()(compat::KeyShareKey* key) const;
};
template <>
struct Deleter<compat::KyberKey> {
  void operator()(compat::KyberKey* key) const;
};

}  // namespace hsbench::libcrypto

namespace hsbench::libcrypto::compat {

// "OpenSSL" or "BoringSSL", for messages.
extern const char kLibraryName[];
// Backend::list_rank(): where this library's backend stands in every list.
extern const int kListRank;

// Starts the library. false when the library loaded at run time cannot serve
// a plugin built against these headers. *out_version: Backend::version().
bool InitLibrary(std::string* out_version);

// ---------------------------------------------------------------------------
// Handles: the library objects every operation needs, prepared once when the
// backend is created and shared (read-only, so from any thread) by the
// backend and by the keys and contexts that outlive it.

struct Handles;
std::shared_ptr<const Handles> CreateHandles();

// nullptr when the library does not provide the hash.
const EVP_MD* Md(const Handles& handles, Hash hash);
bool HasAead(const Handles& handles, Aead aead);
// Whether HMAC (and so HKDF and the PRF) works with a hash Md() provides.
bool HasHmac(const Handles& handles, Hash hash);
bool HasHkdf(const Handles& handles);
bool HasTls12Prf(const Handles& handles);

// ---------------------------------------------------------------------------
// HMAC (RFC 2104), HKDF (RFC 5869) and the TLS 1.2 PRF (RFC 5246 section 5).

bool Hmac(const Handles& handles, Hash hash, ByteView key, ByteView data, std::span<uint8_t> out);
bool HkdfExtract(const Handles& handles, Hash hash, ByteView salt, ByteView ikm,
                 std::span<uint8_t> out_prk);
bool HkdfExpand(const Handles& handles, Hash hash, ByteView prk, ByteView info,
                std::span<uint8_t> out);
// The PRF's seed is label || seed.
bool Tls12Prf(const Handles& handles, Hash hash, ByteView secret, ByteView label, ByteView seed,
              std::span<uint8_t> out);

// ---------------------------------------------------------------------------
// AEADs (RFC 5116) with the key scheduled once; each record sets only the
// nonce. nonce is kAeadNonceLength bytes, the tag kAeadTagLength.

// nullptr when the library lacks aead or key is not its key length.
UniquePtr<AeadKey> NewAeadKey(const Handles& handles, Aead aead, ByteView key);
// out: plaintext.size() + kAeadTagLength bytes, the tag last.
bool AeadSeal(AeadKey& key, ByteView nonce, ByteView additional_data, ByteView plaintext,
              std::span<uint8_t> out);
// out: ciphertext.size() - kAeadTagLength bytes.
bool AeadOpen(AeadKey& key, ByteView nonce, ByteView additional_data, ByteView ciphertext,
              std::span<uint8_t> out);

// ---------------------------------------------------------------------------
// Key shares: an ephemeral (EC)DH key pair (RFC 8446 section 4.2.8).

// A key pair for group: fresh when private_key is empty, otherwise from that
// private key (shared_secret_length(group) bytes; a NIST scalar big-endian
// and in [1, order)). out_public_key gets the public key as sent in TLS
// (RFC 8446 4.2.8.2: the uncompressed point for the NIST curves) and is
// exactly public_key_length(group) long.
UniquePtr<KeyShareKey> NewKeyShareKey(const std::shared_ptr<const Handles>& handles, Group group,
                                      ByteView private_key, std::span<uint8_t> out_public_key);
// The shared secret with a peer's public key (public_key_length(group) bytes,
// for a NIST curve starting with 0x04) into out (shared_secret_length(group)
// bytes). The peer's point is checked to lie on the curve; for X25519 an
// all-zero result (a small-order point) fails.
bool KeyShareDerive(KeyShareKey& key, Group group, ByteView peer_public_key,
                    std::span<uint8_t> out);

// ---------------------------------------------------------------------------
// Kyber768, round 3 (the KEM of X25519Kyber768Draft00), where the library
// has it. Sizes are those of hsbench/algorithms.h's hybrid shares less the
// X25519 part.

inline constexpr size_t kKyberPublicKeyLength = 1184;
inline constexpr size_t kKyberCiphertextLength = 1088;
inline constexpr size_t kKyberSecretLength = 32;
inline constexpr size_t kKyberKeygenEntropyLength = 64;  // d, then z
inline constexpr size_t kKyberEncapEntropyLength = 32;   // m

// Whether the library has Kyber768; when not, *out_reason says why, one line.
bool HasKyber768(std::string* out_reason);
// A decapsulation key: fresh when entropy is empty, otherwise from
// kKyberKeygenEntropyLength bytes. out_public_key: kKyberPublicKeyLength.
UniquePtr<KyberKey> KyberGenerateKey(ByteView entropy, std::span<uint8_t> out_public_key);
// Encapsulates to public_key (kKyberPublicKeyLength bytes), with fresh
// randomness or kKyberEncapEntropyLength bytes of entropy. False when the
// public key does not parse (a coefficient out of range).
bool KyberEncap(ByteView public_key, ByteView entropy, std::span<uint8_t> out_ciphertext,
                std::span<uint8_t> out_secret);
// Never fails: a ciphertext not made for this key yields another secret
// (the Fujisaki-Okamoto transform's implicit rejection).
void KyberDecap(const KyberKey& key, ByteView ciphertext, std::span<uint8_t> out_secret);

// ---------------------------------------------------------------------------
// Long-term keys

// The NID of an EC key's curve (NID_undef when there is none).
int EcKeyCurveNid(const EVP_PKEY* key);
// RSASSA-PSS with a salt as long as the hash (RFC 8446 4.2.3), as the
// library spells it for EVP_PKEY_CTX_set_rsa_pss_saltlen.
extern const int kPssSaltLengthIsDigest;
// Sets up what RSAES-PKCS1-v1_5 decryption needs beyond the padding mode, on
// a context already initialized for decryption with that padding.
bool PrepareRsaPkcs1Decrypt(EVP_PKEY_CTX* ctx);

// The public key of a DER certificate taken straight from its
// SubjectPublicKeyInfo, where that is much cheaper than the library's
// certificate parser (OpenSSL 3.0 decodes every certificate's key through
// its provider decoders); nullptr to use the parser.
UniquePtr<EVP_PKEY> CertificateKey(ByteView der);

// ---------------------------------------------------------------------------
// The library's own libssl (libssl_native.cc)

// The IANA id of the group a connection's handshake used; 0 for none.
uint16_t NegotiatedGroup(const SSL* ssl);

// false with one line in *out_error when config asks for what this libssl
// does not do at all.
bool NativeConfigSupported(const NativeConfig& config, std::string* out_error);
// The context options config needs beyond those every library shares.
void SetNativeOptions(SSL_CTX* ctx, const NativeConfig& config);
// The TLS 1.2 cipher list (OpenSSL names, ':'-separated); 1 on success.
int SetTls12CipherList(SSL_CTX* ctx, const char* list);
// Whether SetTls13CipherSuites can set anything. When not, the library's own
// TLS 1.3 suites stay, and libssl_native.cc checks the negotiated one.
extern const bool kTls13CipherSuitesConfigurable;
// The TLS 1.3 cipher suites (IANA names, ':'-separated, in preference
// order); 1 on success.
int SetTls13CipherSuites(SSL_CTX* ctx, const char* list);
// The groups, by NID, in preference order; 1 on success.
int SetGroups(SSL_CTX* ctx, std::span<const int> nids);
// The signature schemes to sign and verify with, in preference order; names
// holds the same schemes by their RFC 8446 names, ':'-separated. 1 on
// success.
int SetSignatureSchemes(SSL_CTX* ctx, std::span<const SignatureScheme> schemes,
                        const std::string& names);

}  // namespace hsbench::libcrypto::compat
