// compat.h for BoringSSL: its own interfaces where it has them (EVP_AEAD,
// HMAC, HKDF, X25519, the TLS 1.2 PRF its libssl uses), the way its libssl
// calls them.

#include <openssl/aead.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/hkdf.h>
#include <openssl/hmac.h>
#include <openssl/nid.h>
#include <openssl/ssl.h>
#if __has_include(<openssl/kyber.h>)
#include <openssl/bytestring.h>
#include <openssl/kyber.h>
#define HSBENCH_HAVE_KYBER 1
#endif

#include <array>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "compat.h"

#if !defined(OPENSSL_IS_BORINGSSL)
#error "compat_boringssl.cc is for BoringSSL; the openssl plugin compiles compat_openssl.cc"
#endif
#if !defined(HSBENCH_BACKEND_KIND)
#error "HSBENCH_BACKEND_KIND must name the plugin's kind"
#endif
// Catches a build that compiled one library's headers for the other's plugin
// (an include-order mistake would otherwise link and then misbehave).
static_assert(std::string_view(HSBENCH_BACKEND_KIND) == "boringssl",
              "compat_boringssl.cc belongs to a boringssl plugin");

// The PRF BoringSSL's own libssl uses. libcrypto exports it, but no installed
// header declares it (it lives in crypto/fipsmodule/tls/internal.h).
extern "C" int CRYPTO_tls1_prf(const EVP_MD* digest, uint8_t* out, size_t out_len,
                               const uint8_t* secret, size_t secret_len, const char* label,
                               size_t label_len, const uint8_t* seed1, size_t seed1_len,
                               const uint8_t* seed2, size_t seed2_len);

#if defined(HSBENCH_HAVE_KYBER)
// Kyber's deterministic forms, which libcrypto exports for its known-answer
// tests; no installed header declares them (crypto/kyber/internal.h).
extern "C" void KYBER_generate_key_external_entropy(uint8_t out_encoded_public_key[1184],
                                                    KYBER_private_key* out_private_key,
                                                    const uint8_t entropy[64]);
extern "C" void KYBER_encap_external_entropy(uint8_t out_ciphertext[1088],
                                             uint8_t* out_shared_secret,
                                             size_t out_shared_secret_len,
                                             const KYBER_public_key* public_key,
                                             const uint8_t entropy[32]);
#endif

namespace hsbench::libcrypto {

template <>
struct Deleter<EVP_AEAD_CTX> : FreeWith<EVP_AEAD_CTX_free> {};

namespace compat {

const char kLibraryName[] = "BoringSSL";
const int kListRank = 20;

bool InitLibrary(std::string* out_version) {
  CRYPTO_library_init();
  // OpenSSL_version says only "BoringSSL"; the API version is what tells
  // one BoringSSL snapshot from another.
  *out_version = std::string(OpenSSL_version(OPENSSL_VERSION)) + " (API version " +
                 std::to_string(BORINGSSL_API_VERSION) + ")";
  return true;
}

// ---------------------------------------------------------------------------
// Handles

struct Handles {
  // BoringSSL builds a fresh EC_GROUP (with its Montgomery constants) on
  // every EC_GROUP_new_by_curve_name call; one per curve is made here. They
  // are immutable, so every thread may use them.
  std::array<UniquePtr<EC_GROUP>, 2> nist_groups;

  const EC_GROUP* nist_group(Group group) const { return nist_groups[NistIndex(group)].get(); }
};

std::shared_ptr<const Handles> CreateHandles() {
  auto handles = std::make_shared<Handles>();
  for (Group group : {Group::secp256r1, Group::secp384r1}) {
    handles->nist_groups[NistIndex(group)].reset(EC_GROUP_new_by_curve_name(GroupNid(group)));
    if (!handles->nist_groups[NistIndex(group)]) return nullptr;
  }
  return handles;
}

const EVP_MD* Md(const Handles&, Hash hash) {
  return hash == Hash::sha256 ? EVP_sha256() : EVP_sha384();
}

namespace {

const EVP_AEAD* EvpAead(Aead aead) {
  switch (aead) {
    case Aead::aes128gcm:
      return EVP_aead_aes_128_gcm();
    case Aead::aes256gcm:
      return EVP_aead_aes_256_gcm();
    case Aead::chacha20poly1305:
      return EVP_aead_chacha20_poly1305();
  }
  return nullptr;
}

}  // namespace

bool HasAead(const Handles&, Aead aead) { return EvpAead(aead) != nullptr; }
bool HasHmac(const Handles&, Hash) { return true; }
bool HasHkdf(const Handles&) { return true; }
bool HasTls12Prf(const Handles&) { return true; }

// ---------------------------------------------------------------------------
// HMAC, HKDF, the TLS 1.2 PRF

bool Hmac(const Handles& handles, Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) {
  unsigned len = 0;
  return HMAC(Md(handles, hash), NonNull(key), key.size(), NonNull(data), data.size(), out.data(),
              &len) != nullptr &&
         len == out.size();
}

bool HkdfExtract(const Handles& handles, Hash hash, ByteView salt, ByteView ikm,
                 std::span<uint8_t> out_prk) {
  size_t len = 0;
  return HKDF_extract(out_prk.data(), &len, Md(handles, hash), NonNull(ikm), ikm.size(),
                      NonNull(salt), salt.size()) &&
         len == out_prk.size();
}

bool HkdfExpand(const Handles& handles, Hash hash, ByteView prk, ByteView info,
                std::span<uint8_t> out) {
  return HKDF_expand(out.data(), out.size(), Md(handles, hash), prk.data(), prk.size(),
                     NonNull(info), info.size()) == 1;
}

bool Tls12Prf(const Handles& handles, Hash hash, ByteView secret, ByteView label, ByteView seed,
              std::span<uint8_t> out) {
  return CRYPTO_tls1_prf(Md(handles, hash), out.data(), out.size(), NonNull(secret), secret.size(),
                         reinterpret_cast<const char*>(label.data()), label.size(), NonNull(seed),
                         seed.size(), nullptr, 0) == 1;
}

// ---------------------------------------------------------------------------
// AEADs

struct AeadKey {
  UniquePtr<EVP_AEAD_CTX> ctx;
};

UniquePtr<AeadKey> NewAeadKey(const Handles&, Aead aead, ByteView key) {
  const EVP_AEAD* evp_aead = EvpAead(aead);
  if (evp_aead == nullptr || key.size() != EVP_AEAD_key_length(evp_aead)) return nullptr;
  UniquePtr<EVP_AEAD_CTX> ctx(EVP_AEAD_CTX_new(evp_aead, key.data(), key.size(), kAeadTagLength));
  if (!ctx) return nullptr;
  return UniquePtr<AeadKey>(new AeadKey{std::move(ctx)});
}

bool AeadSeal(AeadKey& key, ByteView nonce, ByteView additional_data, ByteView plaintext,
              std::span<uint8_t> out) {
  size_t out_len = 0;
  return EVP_AEAD_CTX_seal(key.ctx.get(), out.data(), &out_len, out.size(), nonce.data(),
                           nonce.size(), plaintext.data(), plaintext.size(), additional_data.data(),
                           additional_data.size()) &&
         out_len == out.size();
}

bool AeadOpen(AeadKey& key, ByteView nonce, ByteView additional_data, ByteView ciphertext,
              std::span<uint8_t> out) {
  size_t out_len = 0;
  return EVP_AEAD_CTX_open(key.ctx.get(), out.data(), &out_len, out.size(), nonce.data(),
                           nonce.size(), ciphertext.data(), ciphertext.size(),
                           additional_data.data(), additional_data.size()) &&
         out_len == out.size();
}

// ---------------------------------------------------------------------------
// Key shares: X25519 on raw bytes and ECDH on EC_POINTs, as BoringSSL's
// libssl does it.

struct KeyShareKey {
  ~KeyShareKey() { OPENSSL_cleanse(x25519_private_key, sizeof(x25519_private_key)); }

  uint8_t x25519_private_key[32];
  // A NIST curve's scalar, and what keeps its EC_GROUP alive.
  UniquePtr<BIGNUM> scalar;
  std::shared_ptr<const Handles> handles;
};

UniquePtr<KeyShareKey> NewKeyShareKey(const std::shared_ptr<const Handles>& handles, Group group,
                                      ByteView private_key, std::span<uint8_t> out_public_key) {
  UniquePtr<KeyShareKey> key(new KeyShareKey);
  if (group == Group::x25519) {
    if (out_public_key.size() != 32) return nullptr;
    if (private_key.empty()) {
      X25519_keypair(out_public_key.data(), key->x25519_private_key);
    } else {
      if (private_key.size() != sizeof(key->x25519_private_key)) return nullptr;
      std::memcpy(key->x25519_private_key, private_key.data(), private_key.size());
      X25519_public_from_private(out_public_key.data(), key->x25519_private_key);
    }
    return key;
  }
  const EC_GROUP* ec_group = handles->nist_group(group);
  const BIGNUM* order = EC_GROUP_get0_order(ec_group);
  UniquePtr<BIGNUM> scalar(BN_new());
  if (!scalar) return nullptr;
  if (private_key.empty()) {
    if (!BN_rand_range_ex(scalar.get(), 1, order)) return nullptr;
  } else if (!BN_bin2bn(private_key.data(), private_key.size(), scalar.get()) ||
             BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), order) >= 0) {
    return nullptr;
  }
  UniquePtr<EC_POINT> point(EC_POINT_new(ec_group));
  if (!point || !EC_POINT_mul(ec_group, point.get(), scalar.get(), nullptr, nullptr, nullptr) ||
      EC_POINT_point2oct(ec_group, point.get(), POINT_CONVERSION_UNCOMPRESSED,
                         out_public_key.data(), out_public_key.size(),
                         nullptr) != out_public_key.size()) {
    return nullptr;
  }
  key->scalar = std::move(scalar);
  key->handles = handles;
  return key;
}

bool KeyShareDerive(KeyShareKey& key, Group group, ByteView peer_public_key,
                    std::span<uint8_t> out) {
  if (group == Group::x25519) {
    // X25519 returns 0 for an all-zero result (a small-order peer point).
    return X25519(out.data(), key.x25519_private_key, peer_public_key.data()) == 1;
  }
  const EC_GROUP* ec_group = key.handles->nist_group(group);
  UniquePtr<EC_POINT> peer(EC_POINT_new(ec_group));
  UniquePtr<EC_POINT> result(EC_POINT_new(ec_group));
  UniquePtr<BIGNUM> x(BN_new());
  // EC_POINT_oct2point rejects points off the curve; P-256 and P-384 have
  // cofactor 1, so that is the whole public key check.
  return peer && result && x &&
         EC_POINT_oct2point(ec_group, peer.get(), peer_public_key.data(), peer_public_key.size(),
                            nullptr) &&
         EC_POINT_mul(ec_group, result.get(), nullptr, peer.get(), key.scalar.get(), nullptr) &&
         EC_POINT_get_affine_coordinates_GFp(ec_group, result.get(), x.get(), nullptr, nullptr) &&
         BN_bn2bin_padded(out.data(), out.size(), x.get());
}

// ---------------------------------------------------------------------------
// Kyber768 (openssl/kyber.h, from BoringSSL API version 19 on), called as
// BoringSSL's libssl calls it for X25519Kyber768Draft00.

#if defined(HSBENCH_HAVE_KYBER)
static_assert(KYBER_PUBLIC_KEY_BYTES == kKyberPublicKeyLength);
static_assert(KYBER_CIPHERTEXT_BYTES == kKyberCiphertextLength);

struct KyberKey {
  ~KyberKey() { OPENSSL_cleanse(&key, sizeof(key)); }
  KYBER_private_key key;
};

bool HasKyber768(std::string*) { return true; }

UniquePtr<KyberKey> KyberGenerateKey(ByteView entropy, std::span<uint8_t> out_public_key) {
  if (out_public_key.size() != kKyberPublicKeyLength ||
      (!entropy.empty() && entropy.size() != kKyberKeygenEntropyLength)) {
    return nullptr;
  }
  UniquePtr<KyberKey> key(new KyberKey);
  if (entropy.empty()) {
    KYBER_generate_key(out_public_key.data(), &key->key);
  } else {
    KYBER_generate_key_external_entropy(out_public_key.data(), &key->key, entropy.data());
  }
  return key;
}

bool KyberEncap(ByteView public_key, ByteView entropy, std::span<uint8_t> out_ciphertext,
                std::span<uint8_t> out_secret) {
  if (public_key.size() != kKyberPublicKeyLength ||
      out_ciphertext.size() != kKyberCiphertextLength || out_secret.size() != kKyberSecretLength ||
      (!entropy.empty() && entropy.size() != kKyberEncapEntropyLength)) {
    return false;
  }
  KYBER_public_key parsed;
  CBS cbs;
  CBS_init(&cbs, public_key.data(), public_key.size());
  // Rejects a key with a coefficient of q or more, as libssl does.
  if (!KYBER_parse_public_key(&parsed, &cbs) || CBS_len(&cbs) != 0) return false;
  if (entropy.empty()) {
    KYBER_encap(out_ciphertext.data(), out_secret.data(), out_secret.size(), &parsed);
  } else {
    KYBER_encap_external_entropy(out_ciphertext.data(), out_secret.data(), out_secret.size(),
                                 &parsed, entropy.data());
  }
  return true;
}

void KyberDecap(const KyberKey& key, ByteView ciphertext, std::span<uint8_t> out_secret) {
  KYBER_decap(out_secret.data(), out_secret.size(), ciphertext.data(), &key.key);
}
#else
struct KyberKey {};

bool HasKyber768(std::string* out_reason) {
  *out_reason = "BoringSSL API version " + std::to_string(BORINGSSL_API_VERSION) +
                " has no Kyber768 (no openssl/kyber.h)";
  return false;
}

UniquePtr<KyberKey> KyberGenerateKey(ByteView, std::span<uint8_t>) { return nullptr; }

bool KyberEncap(ByteView, ByteView, std::span<uint8_t>, std::span<uint8_t>) { return false; }

void KyberDecap(const KyberKey&, ByteView, std::span<uint8_t> out_secret) {
  std::memset(out_secret.data(), 0, out_secret.size());
}
#endif

// ---------------------------------------------------------------------------
// Long-term keys

int EcKeyCurveNid(const EVP_PKEY* key) {
  const EC_KEY* ec_key = EVP_PKEY_get0_EC_KEY(key);
  return ec_key != nullptr ? EC_GROUP_get_curve_name(EC_KEY_get0_group(ec_key)) : NID_undef;
}

// BoringSSL documents -1 for it; its newer headers name it
// RSA_PSS_SALTLEN_DIGEST, the older ones do not.
const int kPssSaltLengthIsDigest = -1;

// BoringSSL's PKCS#1 v1.5 decryption reports bad padding as an error.
bool PrepareRsaPkcs1Decrypt(EVP_PKEY_CTX*) { return true; }

// ---------------------------------------------------------------------------
// libssl

// BoringSSL's curve ids are the IANA code points.
uint16_t NegotiatedGroup(const SSL* ssl) { return SSL_get_curve_id(ssl); }

bool NativeConfigSupported(const NativeConfig& config, std::string* out_error) {
  if (config.psk_ke) {
    *out_error = "BoringSSL implements TLS 1.3 resumption with (EC)DHE only: psk_ke unsupported";
    return false;
  }
  return true;
}

void SetNativeOptions(SSL_CTX*, const NativeConfig&) {}

// Strict: fails on any name it does not know, not only when none match.
int SetTls12CipherList(SSL_CTX* ctx, const char* list) {
  return SSL_CTX_set_strict_cipher_list(ctx, list);
}

// Not configurable: the client always offers AES-128-GCM, AES-256-GCM and
// ChaCha20-Poly1305 (see libssl_native.cc).
const bool kTls13CipherSuitesConfigurable = false;

int SetTls13CipherSuites(SSL_CTX*, const char*) { return 0; }

int SetGroups(SSL_CTX* ctx, std::span<const int> nids) {
  return SSL_CTX_set1_curves(ctx, nids.data(), nids.size());
}

// BoringSSL's SSL_SIGN_* values are the IANA code points.
int SetSignatureSchemes(SSL_CTX* ctx, std::span<const SignatureScheme> schemes,
                        const std::string&) {
  std::vector<uint16_t> prefs;
  for (SignatureScheme scheme : schemes) prefs.push_back(static_cast<uint16_t>(scheme));
  return SSL_CTX_set_signing_algorithm_prefs(ctx, prefs.data(), prefs.size()) == 1 &&
                 SSL_CTX_set_verify_algorithm_prefs(ctx, prefs.data(), prefs.size()) == 1
             ? 1
             : 0;
}

// BoringSSL's certificate parser is cheap: nothing to gain.
UniquePtr<EVP_PKEY> CertificateKey(ByteView der) {
  (void)der;
  return nullptr;
}

}  // namespace compat

void Deleter<compat::AeadKey>::operator()(compat::AeadKey* key) const { delete key; }
void Deleter<compat::KeyShareKey>::operator()(compat::KeyShareKey* key) const { delete key; }
void Deleter<compat::KyberKey>::operator()(compat::KyberKey* key) const { delete key; }

}  // namespace hsbench::libcrypto
