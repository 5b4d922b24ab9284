#include "keys.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace hsbench::libcrypto {
namespace {

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
      int nid = compat::EcKeyCurveNid(key);
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
bool InitDigestSignOrVerify(EVP_MD_CTX* ctx, const compat::Handles& handles, SignatureScheme scheme,
                            EVP_PKEY* key, bool signing) {
  std::optional<Hash> hash = scheme_hash(scheme);
  const EVP_MD* md = hash ? compat::Md(handles, *hash) : nullptr;
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
             EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, compat::kPssSaltLengthIsDigest) > 0 &&
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
  LibPublicKey(std::shared_ptr<const compat::Handles> handles, UniquePtr<EVP_PKEY> key,
               KeyInfo info)
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
  std::shared_ptr<const compat::Handles> handles_;
  UniquePtr<EVP_PKEY> key_;
  KeyInfo info_;
};

class LibPrivateKey final : public PrivateKey {
 public:
  LibPrivateKey(std::shared_ptr<const compat::Handles> handles, UniquePtr<EVP_PKEY> key,
                KeyInfo info)
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
        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
        !compat::PrepareRsaPkcs1Decrypt(ctx.get())) {
      return Fail();
    }
    // Every library wants room for a whole modulus, whatever the message
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
  std::shared_ptr<const compat::Handles> handles_;
  UniquePtr<EVP_PKEY> key_;
  KeyInfo info_;
};

}  // namespace

std::unique_ptr<PrivateKey> LoadPrivateKey(std::shared_ptr<const compat::Handles> handles,
                                           ByteView pem_or_der, std::string* out_error) {
  const char* problem = nullptr;
  UniquePtr<EVP_PKEY> key = ParsePrivateKey(pem_or_der, &problem);
  if (!key) {
    SetError(out_error, problem);
    return nullptr;
  }
  // Decoders that tried and failed before one succeeded leave errors behind.
  ERR_clear_error();
  std::optional<KeyInfo> info = ClassifyKey(key.get(), out_error);
  if (!info) return nullptr;
  return std::make_unique<LibPrivateKey>(std::move(handles), std::move(key), *info);
}

std::unique_ptr<PublicKey> NewPublicKey(std::shared_ptr<const compat::Handles> handles,
                                        UniquePtr<EVP_PKEY> key) {
  std::optional<KeyInfo> info = ClassifyKey(key.get(), nullptr);
  if (!info) return FailNull<PublicKey>();
  return std::make_unique<LibPublicKey>(std::move(handles), std::move(key), *info);
}

}  // namespace hsbench::libcrypto
