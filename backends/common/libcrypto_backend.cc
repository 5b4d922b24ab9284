// One hsbench::Backend written against the OpenSSL API and compiled twice:
// against OpenSSL 3 (the "openssl" plugin) and against BoringSSL (the
// "boringssl" plugin). Where the two APIs agree (EVP digests and signatures,
// PEM/DER keys, X.509) there is one code path; OPENSSL_IS_BORINGSSL selects
// the library's own interface only where they really differ: HMAC, HKDF and
// the TLS 1.2 PRF, AEADs, key shares and the version string.
//
// Everything that can be prepared once is prepared when the backend is
// created (Handles, below) or when a key or context is made, so a handshake
// pays only for the per-operation work its library's own libssl would do.

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/aead.h>
#include <openssl/curve25519.h>
#include <openssl/hkdf.h>
#include <openssl/hmac.h>
#else
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#endif

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hsbench/algorithms.h"
#include "hsbench/backend.h"
#include "libssl_native.h"

#if !defined(HSBENCH_BACKEND_NAME)
#error "HSBENCH_BACKEND_NAME must name the backend (\"openssl\" or \"boringssl\")"
#endif

#if defined(OPENSSL_IS_BORINGSSL)
// The PRF BoringSSL's own libssl uses. libcrypto exports it, but no installed
// header declares it (it lives in crypto/fipsmodule/tls/internal.h).
extern "C" int CRYPTO_tls1_prf(const EVP_MD* digest, uint8_t* out, size_t out_len,
                               const uint8_t* secret, size_t secret_len, const char* label,
                               size_t label_len, const uint8_t* seed1, size_t seed1_len,
                               const uint8_t* seed2, size_t seed2_len);
#endif

namespace hsbench {
namespace {

#if defined(OPENSSL_IS_BORINGSSL)
constexpr bool kIsBoringSsl = true;
#else
constexpr bool kIsBoringSsl = false;
#endif
// Catches a build that compiled one library's headers for the other's plugin
// (an include-order mistake would otherwise link and then misbehave).
static_assert(std::string_view(HSBENCH_BACKEND_NAME) == (kIsBoringSsl ? "boringssl" : "openssl"),
              "HSBENCH_BACKEND_NAME does not match the OpenSSL headers in use");

// Owns library handles, like bssl::UniquePtr but for both libraries.
struct Free {
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EC_GROUP* p) const { EC_GROUP_free(p); }
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
#if defined(OPENSSL_IS_BORINGSSL)
  void operator()(EVP_AEAD_CTX* p) const { EVP_AEAD_CTX_free(p); }
#else
  void operator()(EVP_CIPHER* p) const { EVP_CIPHER_free(p); }
  void operator()(EVP_KDF* p) const { EVP_KDF_free(p); }
  void operator()(EVP_KDF_CTX* p) const { EVP_KDF_CTX_free(p); }
  void operator()(EVP_MAC* p) const { EVP_MAC_free(p); }
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
  void operator()(EVP_MD* p) const { EVP_MD_free(p); }
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
#endif
};
template <typename T>
using UniquePtr = std::unique_ptr<T, Free>;

// Failures leave entries on the library's thread-local error queue; drop them
// so one failed call never shows up as the cause of a later one.
bool Fail() {
  ERR_clear_error();
  return false;
}

template <typename T>
std::unique_ptr<T> FailNull() {
  ERR_clear_error();
  return nullptr;
}

// The first queued error in one line, for out_error, and an empty queue.
std::string TakeError(std::string_view what) {
  std::string message(what);
  if (unsigned long code = ERR_peek_error(); code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    message += ": ";
    message += buf;
  }
  ERR_clear_error();
  return message;
}

void SetError(std::string* out_error, std::string_view what) {
  std::string message = TakeError(what);
  if (out_error != nullptr) *out_error = std::move(message);
}

// Both libraries read a null pointer as "absent" in places where an empty
// buffer is meant (EVP_MAC_init keeps the previous key, OSSL_PARAM getters
// fail), and std::span may hold one when empty.
const uint8_t* NonNull(ByteView in) {
  static const uint8_t kEmpty[1] = {0};
  return in.empty() ? kEmpty : in.data();
}

bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

// RFC 4055 / RFC 8446 4.2.3: RSASSA-PSS with a salt as long as the hash.
// OpenSSL spells it RSA_PSS_SALTLEN_DIGEST; BoringSSL documents -1.
#if defined(RSA_PSS_SALTLEN_DIGEST)
constexpr int kPssSaltLengthIsDigest = RSA_PSS_SALTLEN_DIGEST;
#else
constexpr int kPssSaltLengthIsDigest = -1;
#endif

size_t NistIndex(Group group) { return group == Group::secp256r1 ? 0 : 1; }
int NistCurveNid(Group group) {
  return group == Group::secp256r1 ? NID_X9_62_prime256v1 : NID_secp384r1;
}

bool IsKnown(Hash hash) {
  return std::find(std::begin(kAllHashes), std::end(kAllHashes), hash) != std::end(kAllHashes);
}
bool IsKnown(Aead aead) {
  return std::find(std::begin(kAllAeads), std::end(kAllAeads), aead) != std::end(kAllAeads);
}
bool IsKnown(Group group) {
  return std::find(std::begin(kAllGroups), std::end(kAllGroups), group) != std::end(kAllGroups);
}
bool IsKnown(SignatureScheme scheme) {
  return std::find(std::begin(kAllSignatureSchemes), std::end(kAllSignatureSchemes), scheme) !=
         std::end(kAllSignatureSchemes);
}

// ---------------------------------------------------------------------------
// Handles: the library objects every operation needs, prepared once when the
// backend is created and shared (read-only, so from any thread) by the
// backend and by the keys and contexts that outlive it.

#if defined(OPENSSL_IS_BORINGSSL)

struct Handles {
  // BoringSSL builds a fresh EC_GROUP (with its Montgomery constants) on
  // every EC_GROUP_new_by_curve_name call; one per curve is made here. They
  // are immutable, so every thread may use them.
  std::array<UniquePtr<EC_GROUP>, 2> nist_groups;

  static std::shared_ptr<const Handles> Create() {
    auto handles = std::make_shared<Handles>();
    for (Group group : {Group::secp256r1, Group::secp384r1}) {
      handles->nist_groups[NistIndex(group)].reset(EC_GROUP_new_by_curve_name(NistCurveNid(group)));
      if (!handles->nist_groups[NistIndex(group)]) return nullptr;
    }
    return handles;
  }

  const EVP_MD* md(Hash hash) const { return hash == Hash::sha256 ? EVP_sha256() : EVP_sha384(); }
  const EVP_AEAD* aead(Aead aead) const {
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
  const EC_GROUP* nist_group(Group group) const { return nist_groups[NistIndex(group)].get(); }
  bool has_hkdf() const { return true; }
  bool has_tls12_prf() const { return true; }
};

#else  // OpenSSL 3

size_t HashIndex(Hash hash) { return hash == Hash::sha256 ? 0 : 1; }

struct Handles {
  // OpenSSL 3 looks algorithms up by name in its provider store on every
  // implicit use (EVP_sha256(), "HKDF", ...); fetching each once and passing
  // the fetched object skips that lookup on the hot paths that accept one.
  std::array<UniquePtr<EVP_MD>, 2> mds;
  std::array<UniquePtr<EVP_CIPHER>, 3> ciphers;  // indexed as kAllAeads
  // An HMAC context per hash with the digest already set: duplicating it and
  // keying the copy is cheaper than a fresh context that re-fetches the digest.
  std::array<UniquePtr<EVP_MAC_CTX>, 2> hmac_templates;
  UniquePtr<EVP_KDF> hkdf;
  UniquePtr<EVP_KDF> tls1_prf;
  // EC domain parameters per curve, so keygen starts from them instead of
  // resolving the curve name each time.
  std::array<UniquePtr<EVP_PKEY>, 2> nist_params;

  static std::shared_ptr<const Handles> Create() {
    auto handles = std::make_shared<Handles>();
    for (Hash hash : kAllHashes) {
      handles->mds[HashIndex(hash)].reset(
          EVP_MD_fetch(nullptr, hash == Hash::sha256 ? "SHA2-256" : "SHA2-384", nullptr));
    }
    for (Aead aead : kAllAeads) {
      handles->ciphers[AeadIndex(aead)].reset(EVP_CIPHER_fetch(nullptr, CipherName(aead), nullptr));
    }
    if (UniquePtr<EVP_MAC> hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr)); hmac) {
      for (Hash hash : kAllHashes) {
        const EVP_MD* md = handles->md(hash);
        if (md == nullptr) continue;
        UniquePtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(hmac.get()));
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                             const_cast<char*>(EVP_MD_get0_name(md)), 0),
            OSSL_PARAM_construct_end()};
        if (ctx && EVP_MAC_CTX_set_params(ctx.get(), params)) {
          handles->hmac_templates[HashIndex(hash)] = std::move(ctx);
        }
      }
    }
    handles->hkdf.reset(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
    handles->tls1_prf.reset(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_TLS1_PRF, nullptr));
    for (Group group : {Group::secp256r1, Group::secp384r1}) {
      UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
      EVP_PKEY* params = nullptr;
      if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) <= 0 ||
          EVP_PKEY_CTX_set_group_name(ctx.get(), CurveName(group)) <= 0 ||
          EVP_PKEY_paramgen(ctx.get(), &params) <= 0) {
        return nullptr;
      }
      handles->nist_params[NistIndex(group)].reset(params);
    }
    ERR_clear_error();  // an algorithm missing from the providers is not an error here
    return handles;
  }

  static size_t AeadIndex(Aead aead) {
    return aead == Aead::aes128gcm ? 0 : aead == Aead::aes256gcm ? 1 : 2;
  }
  static const char* CipherName(Aead aead) {
    switch (aead) {
      case Aead::aes128gcm:
        return "AES-128-GCM";
      case Aead::aes256gcm:
        return "AES-256-GCM";
      case Aead::chacha20poly1305:
        return "ChaCha20-Poly1305";
    }
    return "";
  }
  static const char* CurveName(Group group) {
    return group == Group::secp256r1 ? SN_X9_62_prime256v1 : SN_secp384r1;
  }

  const EVP_MD* md(Hash hash) const { return mds[HashIndex(hash)].get(); }
  const EVP_CIPHER* cipher(Aead aead) const { return ciphers[AeadIndex(aead)].get(); }
  const EVP_MAC_CTX* hmac_template(Hash hash) const {
    return hmac_templates[HashIndex(hash)].get();
  }
  const EVP_PKEY* nist_param(Group group) const { return nist_params[NistIndex(group)].get(); }
  bool has_hkdf() const { return hkdf != nullptr; }
  bool has_tls12_prf() const { return tls1_prf != nullptr; }
};

#endif  // OPENSSL_IS_BORINGSSL

// ---------------------------------------------------------------------------
// Hashes

class LibHashContext final : public HashContext {
 public:
  static std::unique_ptr<HashContext> Create(Hash hash, const EVP_MD* md) {
    auto ctx = std::unique_ptr<LibHashContext>(new LibHashContext(hash));
    if (!ctx->ctx_ || !ctx->scratch_ || !EVP_DigestInit_ex(ctx->ctx_.get(), md, nullptr)) {
      return FailNull<HashContext>();
    }
    return ctx;
  }

  Hash hash() const override { return hash_; }

  void update(ByteView data) override {
    // Cannot fail for a software digest once initialized.
    EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
  }

  void current_digest(std::span<uint8_t> out) const override {
    // Finishing a copy leaves the transcript running. The scratch context is
    // reused so that BoringSSL copies without allocating (OpenSSL 3.0's
    // provider dupctx allocates regardless).
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (!EVP_MD_CTX_copy_ex(scratch_.get(), ctx_.get()) ||
        !EVP_DigestFinal_ex(scratch_.get(), digest, &len)) {
      Fail();
      std::fill(out.begin(), out.end(), uint8_t{0});
      return;
    }
    std::copy_n(digest, std::min<size_t>(len, out.size()), out.begin());
  }

  std::unique_ptr<HashContext> clone() const override {
    auto copy = std::unique_ptr<LibHashContext>(new LibHashContext(hash_));
    if (!copy->ctx_ || !copy->scratch_ || !EVP_MD_CTX_copy_ex(copy->ctx_.get(), ctx_.get())) {
      return FailNull<HashContext>();
    }
    return copy;
  }

 private:
  explicit LibHashContext(Hash hash)
      : hash_(hash), ctx_(EVP_MD_CTX_new()), scratch_(EVP_MD_CTX_new()) {}

  Hash hash_;
  UniquePtr<EVP_MD_CTX> ctx_;
  // Per-thread like the context itself (HashContext belongs to one thread).
  mutable UniquePtr<EVP_MD_CTX> scratch_;
};

// ---------------------------------------------------------------------------
// AEADs (RFC 5116): the key is scheduled once, each record sets only the nonce.

bool AeadSizesOk(ByteView nonce, size_t in_len, size_t out_len, bool sealing) {
  if (nonce.size() != kAeadNonceLength) return false;
  if (sealing) return in_len <= SIZE_MAX - kAeadTagLength && out_len == in_len + kAeadTagLength;
  return in_len >= kAeadTagLength && out_len == in_len - kAeadTagLength;
}

#if defined(OPENSSL_IS_BORINGSSL)

class LibAeadContext final : public AeadContext {
 public:
  static std::unique_ptr<AeadContext> Create(Aead aead, const EVP_AEAD* evp_aead, ByteView key) {
    if (evp_aead == nullptr || key.size() != EVP_AEAD_key_length(evp_aead)) return nullptr;
    UniquePtr<EVP_AEAD_CTX> ctx(EVP_AEAD_CTX_new(evp_aead, key.data(), key.size(), kAeadTagLength));
    if (!ctx) return FailNull<AeadContext>();
    return std::unique_ptr<AeadContext>(new LibAeadContext(aead, std::move(ctx)));
  }

  Aead aead() const override { return aead_; }

  bool seal(ByteView nonce, ByteView additional_data, ByteView plaintext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, plaintext.size(), out.size(), /*sealing=*/true)) return false;
    size_t out_len = 0;
    if (!EVP_AEAD_CTX_seal(ctx_.get(), out.data(), &out_len, out.size(), nonce.data(), nonce.size(),
                           plaintext.data(), plaintext.size(), additional_data.data(),
                           additional_data.size()) ||
        out_len != out.size()) {
      return Fail();
    }
    return true;
  }

  bool open(ByteView nonce, ByteView additional_data, ByteView ciphertext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, ciphertext.size(), out.size(), /*sealing=*/false)) return false;
    size_t out_len = 0;
    if (!EVP_AEAD_CTX_open(ctx_.get(), out.data(), &out_len, out.size(), nonce.data(), nonce.size(),
                           ciphertext.data(), ciphertext.size(), additional_data.data(),
                           additional_data.size()) ||
        out_len != out.size()) {
      return Fail();
    }
    return true;
  }

 private:
  LibAeadContext(Aead aead, UniquePtr<EVP_AEAD_CTX> ctx) : aead_(aead), ctx_(std::move(ctx)) {}

  Aead aead_;
  UniquePtr<EVP_AEAD_CTX> ctx_;
};

#else  // OpenSSL 3

class LibAeadContext final : public AeadContext {
 public:
  static std::unique_ptr<AeadContext> Create(Aead aead, const EVP_CIPHER* cipher, ByteView key) {
    if (cipher == nullptr || key.size() != static_cast<size_t>(EVP_CIPHER_get_key_length(cipher))) {
      return nullptr;
    }
    UniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
    // The key schedule happens here, once; records then only set the IV, as
    // libssl does (EVP_CipherInit_ex with no cipher and no key).
    if (!ctx || !EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, 1) ||
        EVP_CIPHER_CTX_get_iv_length(ctx.get()) != static_cast<int>(kAeadNonceLength)) {
      return FailNull<AeadContext>();
    }
    return std::unique_ptr<AeadContext>(new LibAeadContext(aead, std::move(ctx)));
  }

  Aead aead() const override { return aead_; }

  bool seal(ByteView nonce, ByteView additional_data, ByteView plaintext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, plaintext.size(), out.size(), /*sealing=*/true) ||
        !FitsInt(plaintext.size()) || !FitsInt(additional_data.size())) {
      return false;
    }
    EVP_CIPHER_CTX* ctx = ctx_.get();
    int len = 0;
    int final_len = 0;
    if (!EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 1) ||
        !Update(ctx, nullptr, additional_data) || !Update(ctx, out.data(), plaintext, &len) ||
        !EVP_CipherFinal_ex(ctx, out.data() + len, &final_len) ||
        static_cast<size_t>(len) + static_cast<size_t>(final_len) != plaintext.size() ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagLength,
                            out.data() + plaintext.size()) <= 0) {
      return Fail();
    }
    return true;
  }

  bool open(ByteView nonce, ByteView additional_data, ByteView ciphertext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, ciphertext.size(), out.size(), /*sealing=*/false) ||
        !FitsInt(ciphertext.size()) || !FitsInt(additional_data.size())) {
      return false;
    }
    ByteView body = ciphertext.first(ciphertext.size() - kAeadTagLength);
    // Copied out first: the tag lies past the end of out even in place, but
    // the library reads it only at EVP_CipherFinal_ex.
    uint8_t tag[kAeadTagLength];
    std::memcpy(tag, ciphertext.data() + body.size(), kAeadTagLength);
    EVP_CIPHER_CTX* ctx = ctx_.get();
    int len = 0;
    int final_len = 0;
    if (!EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 0) ||
        !Update(ctx, nullptr, additional_data) || !Update(ctx, out.data(), body, &len) ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagLength, tag) <= 0 ||
        !EVP_CipherFinal_ex(ctx, out.data() + len, &final_len) ||
        static_cast<size_t>(len) + static_cast<size_t>(final_len) != body.size()) {
      // RFC 5116 2.2: no plaintext is released when authentication fails.
      std::fill(out.begin(), out.end(), uint8_t{0});
      return Fail();
    }
    return true;
  }

 private:
  LibAeadContext(Aead aead, UniquePtr<EVP_CIPHER_CTX> ctx) : aead_(aead), ctx_(std::move(ctx)) {}

  // Additional data goes in with a null output; an empty input is skipped
  // (EVP_CipherUpdate would see a null pointer).
  static bool Update(EVP_CIPHER_CTX* ctx, uint8_t* out, ByteView in, int* out_len = nullptr) {
    int len = 0;
    if (!in.empty() && !EVP_CipherUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size()))) {
      return false;
    }
    if (out_len != nullptr) *out_len = len;
    return true;
  }

  Aead aead_;
  UniquePtr<EVP_CIPHER_CTX> ctx_;
};

#endif  // OPENSSL_IS_BORINGSSL

// ---------------------------------------------------------------------------
// Key shares: each library the way its own libssl does it.

#if defined(OPENSSL_IS_BORINGSSL)

class X25519KeyShare final : public KeyShare {
 public:
  // private_key empty: a fresh key pair.
  static std::unique_ptr<KeyShare> Create(ByteView private_key) {
    auto share = std::unique_ptr<X25519KeyShare>(new X25519KeyShare);
    if (private_key.empty()) {
      X25519_keypair(share->public_key_, share->private_key_);
    } else {
      if (private_key.size() != sizeof(share->private_key_)) return nullptr;
      std::memcpy(share->private_key_, private_key.data(), private_key.size());
      X25519_public_from_private(share->public_key_, share->private_key_);
    }
    return share;
  }

  ~X25519KeyShare() override { OPENSSL_cleanse(private_key_, sizeof(private_key_)); }

  Group group() const override { return Group::x25519; }
  ByteView public_key() const override { return public_key_; }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    if (peer_public_key.size() != sizeof(public_key_) || out.size() != 32) return false;
    // X25519 returns 0 for an all-zero result (a small-order peer point).
    return X25519(out.data(), private_key_, peer_public_key.data()) == 1 || Fail();
  }

 private:
  X25519KeyShare() = default;

  uint8_t private_key_[32];
  uint8_t public_key_[32];
};

class NistKeyShare final : public KeyShare {
 public:
  // private_key empty: a fresh key pair.
  static std::unique_ptr<KeyShare> Create(Group group, std::shared_ptr<const Handles> handles,
                                          ByteView private_key) {
    const EC_GROUP* ec_group = handles->nist_group(group);
    const BIGNUM* order = EC_GROUP_get0_order(ec_group);
    UniquePtr<BIGNUM> scalar(BN_new());
    if (!scalar) return FailNull<KeyShare>();
    if (private_key.empty()) {
      if (!BN_rand_range_ex(scalar.get(), 1, order)) return FailNull<KeyShare>();
    } else {
      if (private_key.size() != shared_secret_length(group) ||
          !BN_bin2bn(private_key.data(), private_key.size(), scalar.get()) ||
          BN_is_zero(scalar.get()) || BN_cmp(scalar.get(), order) >= 0) {
        return FailNull<KeyShare>();
      }
    }
    UniquePtr<EC_POINT> point(EC_POINT_new(ec_group));
    auto share = std::unique_ptr<NistKeyShare>(new NistKeyShare(group, std::move(handles)));
    if (!point || !EC_POINT_mul(ec_group, point.get(), scalar.get(), nullptr, nullptr, nullptr) ||
        EC_POINT_point2oct(ec_group, point.get(), POINT_CONVERSION_UNCOMPRESSED, share->public_key_,
                           sizeof(share->public_key_), nullptr) != public_key_length(group)) {
      return FailNull<KeyShare>();
    }
    share->private_key_ = std::move(scalar);
    return share;
  }

  Group group() const override { return group_; }
  ByteView public_key() const override { return ByteView(public_key_, public_key_length(group_)); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    // RFC 8446 4.2.8.2: only the uncompressed form is allowed.
    if (peer_public_key.size() != public_key_length(group_) || peer_public_key[0] != 0x04 ||
        out.size() != shared_secret_length(group_)) {
      return false;
    }
    const EC_GROUP* ec_group = handles_->nist_group(group_);
    UniquePtr<EC_POINT> peer(EC_POINT_new(ec_group));
    UniquePtr<EC_POINT> result(EC_POINT_new(ec_group));
    UniquePtr<BIGNUM> x(BN_new());
    // EC_POINT_oct2point rejects points off the curve; P-256 and P-384 have
    // cofactor 1, so that is the whole public key check.
    if (!peer || !result || !x ||
        !EC_POINT_oct2point(ec_group, peer.get(), peer_public_key.data(), peer_public_key.size(),
                            nullptr) ||
        !EC_POINT_mul(ec_group, result.get(), nullptr, peer.get(), private_key_.get(), nullptr) ||
        !EC_POINT_get_affine_coordinates_GFp(ec_group, result.get(), x.get(), nullptr, nullptr) ||
        !BN_bn2bin_padded(out.data(), out.size(), x.get())) {
      return Fail();
    }
    return true;
  }

 private:
  NistKeyShare(Group group, std::shared_ptr<const Handles> handles)
      : group_(group), handles_(std::move(handles)) {}

  Group group_;
  std::shared_ptr<const Handles> handles_;  // keeps the EC_GROUP alive
  UniquePtr<BIGNUM> private_key_;
  uint8_t public_key_[97];
};

#else  // OpenSSL 3

// One class for every group: OpenSSL 3's libssl drives X25519 and ECDH alike
// through EVP_PKEY.
class PkeyKeyShare final : public KeyShare {
 public:
  static std::unique_ptr<KeyShare> Create(Group group, UniquePtr<EVP_PKEY> key) {
    if (!key) return FailNull<KeyShare>();
    auto share = std::unique_ptr<PkeyKeyShare>(new PkeyKeyShare(group, std::move(key)));
    size_t len = sizeof(share->public_key_);
    bool ok = false;
    if (group == Group::x25519) {
      ok = EVP_PKEY_get_raw_public_key(share->key_.get(), share->public_key_, &len) > 0;
    } else {
      ok =
          EVP_PKEY_get_octet_string_param(share->key_.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                          share->public_key_, sizeof(share->public_key_), &len) > 0;
    }
    if (!ok || len != public_key_length(group)) return FailNull<KeyShare>();
    return share;
  }

  Group group() const override { return group_; }
  ByteView public_key() const override { return ByteView(public_key_, public_key_length(group_)); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    if (peer_public_key.size() != public_key_length(group_) ||
        out.size() != shared_secret_length(group_)) {
      return false;
    }
    UniquePtr<EVP_PKEY> peer;
    if (group_ == Group::x25519) {
      peer.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public_key.data(),
                                             peer_public_key.size()));
    } else {
      // RFC 8446 4.2.8.2: only the uncompressed form is allowed.
      if (peer_public_key[0] != 0x04) return false;
      // As libssl: the peer key takes our parameters, then the point, which
      // EC_POINT_oct2point checks is on the curve.
      peer.reset(EVP_PKEY_new());
      if (peer && (EVP_PKEY_copy_parameters(peer.get(), key_.get()) <= 0 ||
                   EVP_PKEY_set1_encoded_public_key(peer.get(), peer_public_key.data(),
                                                    peer_public_key.size()) <= 0)) {
        peer.reset();
      }
    }
    if (!peer) return Fail();
    UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    size_t len = out.size();
    // No further peer validation: on-curve is the whole check for cofactor-1
    // curves (EVP_PKEY_public_check would add a full scalar multiplication
    // by the order), and X25519 refuses an all-zero result itself.
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 ||
        EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), /*validate_peer=*/0) <= 0 ||
        EVP_PKEY_derive(ctx.get(), out.data(), &len) <= 0 || len != out.size()) {
      return Fail();
    }
    return true;
  }

 private:
  PkeyKeyShare(Group group, UniquePtr<EVP_PKEY> key) : group_(group), key_(std::move(key)) {}

  Group group_;
  UniquePtr<EVP_PKEY> key_;
  uint8_t public_key_[97];
};

UniquePtr<EVP_PKEY> GeneratePkey(const Handles& handles, Group group) {
  UniquePtr<EVP_PKEY_CTX> ctx(
      group == Group::x25519
          ? EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr)
          : EVP_PKEY_CTX_new_from_pkey(nullptr, const_cast<EVP_PKEY*>(handles.nist_param(group)),
                                       nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_keygen(ctx.get(), &key) <= 0) {
    return nullptr;
  }
  return UniquePtr<EVP_PKEY>(key);
}

// A NIST key pair from a given scalar. OpenSSL's import does not derive the
// public point, so it is computed here with the EC_POINT interface.
UniquePtr<EVP_PKEY> NistPkeyFromPrivate(Group group, ByteView private_key) {
  if (private_key.size() != shared_secret_length(group)) return nullptr;
  UniquePtr<EC_GROUP> ec_group(EC_GROUP_new_by_curve_name(NistCurveNid(group)));
  UniquePtr<BIGNUM> scalar(
      BN_bin2bn(private_key.data(), static_cast<int>(private_key.size()), nullptr));
  if (!ec_group || !scalar || BN_is_zero(scalar.get()) ||
      BN_cmp(scalar.get(), EC_GROUP_get0_order(ec_group.get())) >= 0) {
    return nullptr;
  }
  UniquePtr<EC_POINT> point(EC_POINT_new(ec_group.get()));
  uint8_t public_key[97];
  if (!point ||
      !EC_POINT_mul(ec_group.get(), point.get(), scalar.get(), nullptr, nullptr, nullptr) ||
      EC_POINT_point2oct(ec_group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, public_key,
                         sizeof(public_key), nullptr) != public_key_length(group)) {
    return nullptr;
  }
  UniquePtr<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                       Handles::CurveName(group), 0) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) ||
      !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, public_key,
                                        public_key_length(group))) {
    return nullptr;
  }
  UniquePtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder.get()));
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) <= 0) {
    return nullptr;
  }
  return UniquePtr<EVP_PKEY>(key);
}

#endif  // OPENSSL_IS_BORINGSSL

// ---------------------------------------------------------------------------
// Long-term keys (common code: EVP_PKEY and EVP_DigestSign/Verify are the same
// API in both libraries).

// What a key is, or nullopt (with out_error) for one hsbench does not use.
std::optional<KeyInfo> ClassifyKey(const EVP_PKEY* key, std::string* out_error) {
  switch (EVP_PKEY_id(key)) {
    case EVP_PKEY_RSA: {
      unsigned bits = static_cast<unsigned>(EVP_PKEY_bits(key));
      if (bits > kMaxRsaBits) {
        if (out_error != nullptr) {
          *out_error = "RSA key of " + std::to_string(bits) + " bits is over the limit of " +
                       std::to_string(kMaxRsaBits);
        }
        return std::nullopt;
      }
      return KeyInfo{KeyType::rsa, bits};
    }
    case EVP_PKEY_EC: {
      int nid = NID_undef;
#if defined(OPENSSL_IS_BORINGSSL)
      nid = EC_GROUP_get_curve_name(EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(key)));
#else
      char name[64];
      size_t name_len = 0;
      if (EVP_PKEY_get_group_name(key, name, sizeof(name), &name_len) > 0) {
        nid = OBJ_sn2nid(name);
        if (nid == NID_undef) nid = EC_curve_nist2nid(name);
      }
#endif
      if (nid == NID_X9_62_prime256v1) return KeyInfo{KeyType::ecdsa_p256, 256};
      if (nid == NID_secp384r1) return KeyInfo{KeyType::ecdsa_p384, 384};
      if (out_error != nullptr) *out_error = "EC key on a curve other than P-256 or P-384";
      return std::nullopt;
    }
    case EVP_PKEY_ED25519:
      return KeyInfo{KeyType::ed25519, 255};  // the field is GF(2^255 - 19)
    default:
      if (out_error != nullptr)
        *out_error = "unsupported key type (not RSA, P-256, P-384 or Ed25519)";
      return std::nullopt;
  }
}

// Sets up a signing or verifying context for scheme; RSA schemes choose
// their padding explicitly (RFC 8446 4.2.3: PSS salt as long as the hash,
// MGF1 with the same hash).
bool InitDigestSignOrVerify(EVP_MD_CTX* ctx, const Handles& handles, SignatureScheme scheme,
                            EVP_PKEY* key, bool signing) {
  std::optional<Hash> hash = scheme_hash(scheme);
  const EVP_MD* md = hash ? handles.md(*hash) : nullptr;
  if (hash && md == nullptr) return false;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if ((signing ? EVP_DigestSignInit(ctx, &pctx, md, nullptr, key)
               : EVP_DigestVerifyInit(ctx, &pctx, md, nullptr, key)) <= 0) {
    return false;
  }
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
    case SignatureScheme::rsa_pkcs1_sha384:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
    case SignatureScheme::rsa_pss_rsae_sha256:
    case SignatureScheme::rsa_pss_rsae_sha384:
      return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kPssSaltLengthIsDigest) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
    case SignatureScheme::ecdsa_secp256r1_sha256:
    case SignatureScheme::ecdsa_secp384r1_sha384:
    case SignatureScheme::ed25519:
      return true;
  }
  return false;
}

// The largest RSA operation a loaded key can produce.
constexpr size_t kMaxRsaBytes = kMaxRsaBits / 8;

class LibPublicKey final : public PublicKey {
 public:
  LibPublicKey(std::shared_ptr<const Handles> handles, UniquePtr<EVP_PKEY> key, KeyInfo info)
      : handles_(std::move(handles)), key_(std::move(key)), info_(info) {}

  KeyInfo info() const override { return info_; }

  bool verify(SignatureScheme scheme, ByteView message, ByteView signature) const override {
    if (!IsKnown(scheme) || !scheme_usable_with(scheme, info_.type)) return false;
    // Per call, as libssl does: the key is shared between threads, a context is not.
    UniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx || !InitDigestSignOrVerify(ctx.get(), *handles_, scheme, key_.get(), false) ||
        EVP_DigestVerify(ctx.get(), NonNull(signature), signature.size(), NonNull(message),
                         message.size()) != 1) {
      return Fail();
    }
    return true;
  }

  bool rsa_encrypt_pkcs1(ByteView plaintext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    if (info_.type != KeyType::rsa || out.size() < static_cast<size_t>(EVP_PKEY_size(key_.get()))) {
      return false;
    }
    UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr));
    size_t len = out.size();
    if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_encrypt(ctx.get(), out.data(), &len, NonNull(plaintext), plaintext.size()) <= 0) {
      return Fail();
    }
    *out_len = len;
    return true;
  }

 private:
  std::shared_ptr<const Handles> handles_;
  UniquePtr<EVP_PKEY> key_;
  KeyInfo info_;
};

class LibPrivateKey final : public PrivateKey {
 public:
  LibPrivateKey(std::shared_ptr<const Handles> handles, UniquePtr<EVP_PKEY> key, KeyInfo info)
      : handles_(std::move(handles)), key_(std::move(key)), info_(info) {}

  KeyInfo info() const override { return info_; }

  bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
            size_t* out_len) const override {
    if (!IsKnown(scheme) || !scheme_usable_with(scheme, info_.type)) return false;
    // Per call, as libssl does: the key is shared between threads, a context is not.
    UniquePtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    size_t len = out.size();
    if (!ctx || !InitDigestSignOrVerify(ctx.get(), *handles_, scheme, key_.get(), true) ||
        EVP_DigestSign(ctx.get(), out.data(), &len, NonNull(message), message.size()) <= 0) {
      return Fail();
    }
    *out_len = len;
    return true;
  }

  bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    if (info_.type != KeyType::rsa) return false;
    UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr));
    if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
      return Fail();
    }
#if defined(OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION)
    // OpenSSL 3.2+ would answer bad padding with a random message; the
    // interface reports it instead and leaves hiding it to the TLS server.
    unsigned int implicit_rejection = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, &implicit_rejection),
        OSSL_PARAM_construct_end()};
    if (EVP_PKEY_CTX_set_params(ctx.get(), params) <= 0) return Fail();
#endif
    // Both libraries want room for a whole modulus, whatever the message
    // length; a 48-byte premaster buffer is what callers will pass.
    uint8_t buf[kMaxRsaBytes];
    size_t len = sizeof(buf);
    bool ok = EVP_PKEY_decrypt(ctx.get(), buf, &len, NonNull(ciphertext), ciphertext.size()) > 0 &&
              len <= out.size();
    if (ok) {
      std::copy_n(buf, len, out.begin());
      *out_len = len;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return ok || Fail();
  }

 private:
  std::shared_ptr<const Handles> handles_;
  UniquePtr<EVP_PKEY> key_;
  KeyInfo info_;
};

// A PEM passphrase callback that declines, so an encrypted key fails to load
// instead of prompting on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

bool LooksLikePem(ByteView in) {
  std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  return text.find("-----BEGIN") != std::string_view::npos;
}

// ---------------------------------------------------------------------------
// X.509

UniquePtr<X509> ParseCertificate(ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) return nullptr;
  const uint8_t* p = der.data();
  UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) return nullptr;  // trailing bytes
  return cert;
}

class LibCertificateChain final : public CertificateChain {
 public:
  LibCertificateChain(std::shared_ptr<const Handles> handles, UniquePtr<STACK_OF(X509)> certs)
      : handles_(std::move(handles)), certs_(std::move(certs)) {}

  size_t size() const override { return static_cast<size_t>(sk_X509_num(certs_.get())); }

  std::unique_ptr<PublicKey> leaf_public_key() const override {
    UniquePtr<EVP_PKEY> key(X509_get_pubkey(leaf()));
    if (!key) return FailNull<PublicKey>();
    std::optional<KeyInfo> info = ClassifyKey(key.get(), nullptr);
    if (!info) return FailNull<PublicKey>();
    return std::make_unique<LibPublicKey>(handles_, std::move(key), *info);
  }

  X509* leaf() const { return sk_X509_value(certs_.get(), 0); }
  // The whole chain, leaf included, as libssl hands it to X509_STORE_CTX_init.
  STACK_OF(X509) * certs() const { return certs_.get(); }

 private:
  std::shared_ptr<const Handles> handles_;
  UniquePtr<STACK_OF(X509)> certs_;
};

class LibTrustStore final : public TrustStore {
 public:
  explicit LibTrustStore(UniquePtr<X509_STORE> store) : store_(std::move(store)) {}

  bool verify(const CertificateChain& chain, std::string_view hostname,
              std::string* out_error) const override {
    // Objects made by one backend only come back to it.
    const auto& certs = static_cast<const LibCertificateChain&>(chain);
    UniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
    if (!ctx || !X509_STORE_CTX_init(ctx.get(), store_.get(), certs.leaf(), certs.certs()) ||
        // A TLS client checking a server, as libssl sets it up.
        !X509_STORE_CTX_set_default(ctx.get(), "ssl_server")) {
      if (out_error != nullptr) *out_error = TakeError("cannot set up certificate verification");
      return Fail();
    }
    if (!hostname.empty() && !X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()),
                                                          hostname.data(), hostname.size())) {
      if (out_error != nullptr) *out_error = TakeError("invalid hostname");
      return Fail();
    }
    if (X509_verify_cert(ctx.get()) != 1) {
      if (out_error != nullptr) {
        *out_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
      }
      return Fail();
    }
    return true;
  }

 private:
  UniquePtr<X509_STORE> store_;
};

// ---------------------------------------------------------------------------
// The backend

class LibcryptoBackend final : public Backend {
 public:
  static std::unique_ptr<Backend> Create() {
#if defined(OPENSSL_IS_BORINGSSL)
    CRYPTO_library_init();
    // OpenSSL_version says only "BoringSSL"; the API version is what tells
    // one BoringSSL snapshot from another.
    std::string version = std::string(OpenSSL_version(OPENSSL_VERSION)) + " (API version " +
                          std::to_string(BORINGSSL_API_VERSION) + ")";
#else
    // A plugin built against OpenSSL 3 headers needs a 3.x library.
    if (OPENSSL_version_major() != 3 || !OPENSSL_init_crypto(0, nullptr)) {
      return FailNull<Backend>();
    }
    std::string version = OpenSSL_version(OPENSSL_VERSION);
#endif
    std::shared_ptr<const Handles> handles = Handles::Create();
    if (!handles) return FailNull<Backend>();
    return std::unique_ptr<Backend>(new LibcryptoBackend(std::move(handles), std::move(version)));
  }

  std::string_view name() const override { return HSBENCH_BACKEND_NAME; }
  // OpenSSL, the system's library and the reference, lists before BoringSSL.
  int list_rank() const override { return kIsBoringSsl ? 20 : 10; }
  std::string_view version() const override { return version_; }
  const Algorithms& algorithms() const override { return algorithms_; }

  bool random(std::span<uint8_t> out) override {
    // OpenSSL takes an int length.
    while (!out.empty()) {
      size_t chunk = std::min<size_t>(out.size(), INT_MAX);
      if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) return Fail();
      out = out.subspan(chunk);
    }
    return true;
  }

  std::unique_ptr<HashContext> new_hash(Hash hash) override {
    if (!Supports(hash)) return nullptr;
    return LibHashContext::Create(hash, handles_->md(hash));
  }

  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    if (!Supports(hash) || out.size() != digest_length(hash)) return false;
#if defined(OPENSSL_IS_BORINGSSL)
    unsigned len = 0;
    if (!HMAC(handles_->md(hash), NonNull(key), key.size(), NonNull(data), data.size(), out.data(),
              &len) ||
        len != out.size()) {
      return Fail();
    }
    return true;
#else
    // HMAC() would fetch "HMAC" and the digest by name on every call.
    const EVP_MAC_CTX* tmpl = handles_->hmac_template(hash);
    UniquePtr<EVP_MAC_CTX> ctx(tmpl ? EVP_MAC_CTX_dup(tmpl) : nullptr);
    size_t len = 0;
    if (!ctx || !EVP_MAC_init(ctx.get(), NonNull(key), key.size(), nullptr) ||
        !EVP_MAC_update(ctx.get(), NonNull(data), data.size()) ||
        !EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) || len != out.size()) {
      return Fail();
    }
    return true;
#endif
  }

  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out_prk) override {
    if (!Supports(hash) || !handles_->has_hkdf() || out_prk.size() != digest_length(hash)) {
      return false;
    }
#if defined(OPENSSL_IS_BORINGSSL)
    size_t len = 0;
    if (!HKDF_extract(out_prk.data(), &len, handles_->md(hash), NonNull(ikm), ikm.size(),
                      NonNull(salt), salt.size()) ||
        len != out_prk.size()) {
      return Fail();
    }
    return true;
#else
    int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
    OSSL_PARAM params[] = {DigestParam(hash), OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
                           OctetParam(OSSL_KDF_PARAM_KEY, ikm),
                           OctetParam(OSSL_KDF_PARAM_SALT, salt), OSSL_PARAM_construct_end()};
    return Derive(handles_->hkdf.get(), params, out_prk);
#endif
  }

  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    // RFC 5869 2.3: at most 255 blocks.
    if (!Supports(hash) || !handles_->has_hkdf() || out.empty() ||
        out.size() > 255 * digest_length(hash)) {
      return false;
    }
#if defined(OPENSSL_IS_BORINGSSL)
    return HKDF_expand(out.data(), out.size(), handles_->md(hash), prk.data(), prk.size(),
                       NonNull(info), info.size()) ||
           Fail();
#else
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {DigestParam(hash), OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
                           OctetParam(OSSL_KDF_PARAM_KEY, prk),
                           OctetParam(OSSL_KDF_PARAM_INFO, info), OSSL_PARAM_construct_end()};
    return Derive(handles_->hkdf.get(), params, out);
#endif
  }

  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    // OpenSSL's TLS1-PRF refuses an empty label || seed. TLS never asks for
    // one (RFC 5246 labels are never empty), so both plugins refuse it alike.
    if (!Supports(hash) || !handles_->has_tls12_prf() || out.empty() ||
        (label.empty() && seed.empty())) {
      return false;
    }
#if defined(OPENSSL_IS_BORINGSSL)
    return CRYPTO_tls1_prf(handles_->md(hash), out.data(), out.size(), NonNull(secret),
                           secret.size(), label.data(), label.size(), NonNull(seed), seed.size(),
                           nullptr, 0) == 1 ||
           Fail();
#else
    // The PRF's seed is label || seed; the KDF concatenates repeated seeds.
    ByteView label_bytes(reinterpret_cast<const uint8_t*>(label.data()), label.size());
    OSSL_PARAM params[] = {DigestParam(hash), OctetParam(OSSL_KDF_PARAM_SECRET, secret),
                           OctetParam(OSSL_KDF_PARAM_SEED, label_bytes),
                           OctetParam(OSSL_KDF_PARAM_SEED, seed), OSSL_PARAM_construct_end()};
    return Derive(handles_->tls1_prf.get(), params, out);
#endif
  }

  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    if (!Supports(aead) || key.size() != key_length(aead)) return nullptr;
#if defined(OPENSSL_IS_BORINGSSL)
    return LibAeadContext::Create(aead, handles_->aead(aead), key);
#else
    return LibAeadContext::Create(aead, handles_->cipher(aead), key);
#endif
  }

  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    if (!Supports(group)) return nullptr;
#if defined(OPENSSL_IS_BORINGSSL)
    if (group == Group::x25519) return X25519KeyShare::Create({});
    return NistKeyShare::Create(group, handles_, {});
#else
    return PkeyKeyShare::Create(group, GeneratePkey(*handles_, group));
#endif
  }

  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    if (!Supports(group) || private_key.size() != shared_secret_length(group)) return nullptr;
#if defined(OPENSSL_IS_BORINGSSL)
    if (group == Group::x25519) return X25519KeyShare::Create(private_key);
    return NistKeyShare::Create(group, handles_, private_key);
#else
    if (group == Group::x25519) {
      return PkeyKeyShare::Create(
          group, UniquePtr<EVP_PKEY>(EVP_PKEY_new_raw_private_key(
                     EVP_PKEY_X25519, nullptr, private_key.data(), private_key.size())));
    }
    return PkeyKeyShare::Create(group, NistPkeyFromPrivate(group, private_key));
#endif
  }

  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override {
    UniquePtr<EVP_PKEY> key;
    if (pem_or_der.empty() || !FitsInt(pem_or_der.size())) {
      SetError(out_error, "empty or oversized private key");
      return nullptr;
    }
    if (LooksLikePem(pem_or_der)) {
      UniquePtr<BIO> bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
      if (bio) key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
    } else {
      // PKCS#8, or the traditional RSAPrivateKey / ECPrivateKey.
      const uint8_t* p = pem_or_der.data();
      key.reset(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pem_or_der.size())));
      if (key && p != pem_or_der.data() + pem_or_der.size()) {
        SetError(out_error, "trailing data after the DER private key");
        return nullptr;
      }
    }
    if (!key) {
      SetError(out_error,
               "cannot parse private key (PEM or DER, PKCS#8 or traditional, unencrypted)");
      return nullptr;
    }
    // Decoders that tried and failed before one succeeded leave errors behind.
    ERR_clear_error();
    std::optional<KeyInfo> info = ClassifyKey(key.get(), out_error);
    if (!info) return nullptr;
    return std::make_unique<LibPrivateKey>(handles_, std::move(key), *info);
  }

  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    if (der_certs.empty()) return nullptr;
    UniquePtr<STACK_OF(X509)> certs(sk_X509_new_null());
    if (!certs) return FailNull<CertificateChain>();
    for (ByteView der : der_certs) {
      UniquePtr<X509> cert = ParseCertificate(der);
      if (!cert || !sk_X509_push(certs.get(), cert.get())) return FailNull<CertificateChain>();
      (void)cert.release();  // owned by the stack now
    }
    return std::make_unique<LibCertificateChain>(handles_, std::move(certs));
  }

  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    UniquePtr<X509_STORE> store(X509_STORE_new());
    if (!store) {
      SetError(out_error, "cannot create a certificate store");
      return nullptr;
    }
    for (size_t i = 0; i < der_anchors.size(); i++) {
      UniquePtr<X509> cert = ParseCertificate(der_anchors[i]);
      if (!cert) {
        SetError(out_error, "cannot parse trust anchor " + std::to_string(i));
        return nullptr;
      }
      // The store takes its own reference. A repeated anchor is harmless.
      if (!X509_STORE_add_cert(store.get(), cert.get()) &&
          ERR_GET_REASON(ERR_peek_last_error()) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
        SetError(out_error, "cannot add trust anchor " + std::to_string(i));
        return nullptr;
      }
      ERR_clear_error();
    }
    return std::make_unique<LibTrustStore>(std::move(store));
  }

  // The library's own libssl (libssl_native.cc).
  bool native_tls() const override { return true; }
  std::unique_ptr<NativeContext> new_native_context(const NativeConfig& config,
                                                    Failure* out_failure) override {
    return make_native_context(config, out_failure);
  }

 private:
  LibcryptoBackend(std::shared_ptr<const Handles> handles, std::string version)
      : handles_(std::move(handles)), version_(std::move(version)) {
    // The table lists exactly what the library provided at creation.
    for (Hash hash : kAllHashes) {
      if (handles_->md(hash) != nullptr) algorithms_.hashes.push_back(hash);
    }
    for (Aead aead : kAllAeads) {
#if defined(OPENSSL_IS_BORINGSSL)
      bool present = handles_->aead(aead) != nullptr;
#else
      bool present = handles_->cipher(aead) != nullptr;
#endif
      if (present) algorithms_.aeads.push_back(aead);
    }
    algorithms_.groups.assign(std::begin(kAllGroups), std::end(kAllGroups));
    for (SignatureScheme scheme : kAllSignatureSchemes) {
      std::optional<Hash> hash = scheme_hash(scheme);
      if (!hash || handles_->md(*hash) != nullptr) algorithms_.signature_schemes.push_back(scheme);
    }
    algorithms_.hkdf = handles_->has_hkdf();
    algorithms_.tls12_prf = handles_->has_tls12_prf();
    algorithms_.rsa_pkcs1_encryption = true;
    algorithms_.x509 = true;
#if !defined(OPENSSL_IS_BORINGSSL)
    // HMAC needs its prepared context; without it the hash is no use for
    // HMAC, HKDF or the PRF either.
    std::erase_if(algorithms_.hashes,
                  [&](Hash hash) { return handles_->hmac_template(hash) == nullptr; });
#endif
  }

  bool Supports(Hash hash) const {
    return IsKnown(hash) && std::find(algorithms_.hashes.begin(), algorithms_.hashes.end(), hash) !=
                                algorithms_.hashes.end();
  }
  bool Supports(Aead aead) const {
    return IsKnown(aead) && std::find(algorithms_.aeads.begin(), algorithms_.aeads.end(), aead) !=
                                algorithms_.aeads.end();
  }
  bool Supports(Group group) const { return IsKnown(group); }

#if !defined(OPENSSL_IS_BORINGSSL)
  OSSL_PARAM DigestParam(Hash hash) const {
    return OSSL_PARAM_construct_utf8_string(
        OSSL_KDF_PARAM_DIGEST, const_cast<char*>(EVP_MD_get0_name(handles_->md(hash))), 0);
  }
  static OSSL_PARAM OctetParam(const char* key, ByteView value) {
    return OSSL_PARAM_construct_octet_string(key, const_cast<uint8_t*>(NonNull(value)),
                                             value.size());
  }
  // A KDF context per call: neither HKDF nor TLS1-PRF can be duplicated in
  // OpenSSL 3.0, and contexts cannot be shared between threads.
  static bool Derive(EVP_KDF* kdf, const OSSL_PARAM* params, std::span<uint8_t> out) {
    UniquePtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf));
    return (ctx && EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) > 0) || Fail();
  }
#endif

  std::shared_ptr<const Handles> handles_;
  std::string version_;
  Algorithms algorithms_;
};

}  // namespace
}  // namespace hsbench

extern "C" HSBENCH_EXPORT hsbench::Backend* hsbench_backend_create(uint32_t abi_version) {
  if (abi_version != hsbench::kBackendAbiVersion) return nullptr;
  return hsbench::LibcryptoBackend::Create().release();
}
