// Long-term keys through wolfCrypt. A private key keeps its DER and is
// decoded for each operation, as wolfSSL's own TLS code decodes its
// certificate's key for each handshake: a decoded RsaKey or ecc_key holds
// per-operation state, so it cannot serve several threads at once. A public
// key is decoded once and used under a lock for the same reason.
// First: wolfSSL's build options must precede its other headers.
// clang-format off
#include "wolf_util.h"
// clang-format on

#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/rsa.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <utility>

namespace hsbench::wolf {
namespace {

constexpr size_t kMaxDigest = 48;  // SHA-384
// Room for a DigestInfo (RFC 8017 section 9.2) around the longest digest.
constexpr size_t kMaxDigestInfo = kMaxDigest + 32;
// The largest RSA modulus wolfCrypt takes in this build.
constexpr size_t kMaxRsaBytes = RSA_MAX_SIZE / 8;

int AsnHashOid(Hash hash) { return hash == Hash::sha384 ? SHA384h : SHA256h; }
wc_HashType PssHash(Hash hash) {
  return hash == Hash::sha384 ? WC_HASH_TYPE_SHA384 : WC_HASH_TYPE_SHA256;
}
int PssMgf(Hash hash) { return hash == Hash::sha384 ? WC_MGF1SHA384 : WC_MGF1SHA256; }

std::optional<KeyInfo> EccInfo(const ecc_key& key) {
  if (key.dp == nullptr) return std::nullopt;
  if (key.dp->id == ECC_SECP256R1) return KeyInfo{KeyType::ecdsa_p256, 256};
  if (key.dp->id == ECC_SECP384R1) return KeyInfo{KeyType::ecdsa_p384, 384};
  return std::nullopt;
}

// Owning wrappers that free what wolfCrypt initialized.
struct Rsa {
  RsaKey key;
  bool ok;
  Rsa() { ok = wc_InitRsaKey(&key, nullptr) == 0; }
  ~Rsa() {
    if (ok) wc_FreeRsaKey(&key);
  }
  Rsa(const Rsa&) = delete;
  Rsa& operator=(const Rsa&) = delete;
};
struct Ecc {
  ecc_key key;
  bool ok;
  Ecc() { ok = wc_ecc_init(&key) == 0; }
  ~Ecc() {
    if (ok) wc_ecc_free(&key);
  }
  Ecc(const Ecc&) = delete;
  Ecc& operator=(const Ecc&) = delete;
};
struct Ed {
  ed25519_key key;
  bool ok;
  Ed() { ok = wc_ed25519_init(&key) == 0; }
  ~Ed() {
    if (ok) wc_ed25519_free(&key);
  }
  Ed(const Ed&) = delete;
  Ed& operator=(const Ed&) = delete;
};

class WolfPublicKey final : public PublicKey {
 public:
  static std::unique_ptr<PublicKey> Create(ByteView spki) {
    if (spki.empty() || !FitsWord32(spki.size())) return nullptr;
    auto key = std::unique_ptr<WolfPublicKey>(new WolfPublicKey());
    word32 idx = 0;
    if (key->rsa_.ok &&
        wc_RsaPublicKeyDecode(spki.data(), &idx, &key->rsa_.key, W32(spki.size())) == 0) {
      int size = wc_RsaEncryptSize(&key->rsa_.key);
      if (size <= 0) return nullptr;
      key->info_ = KeyInfo{KeyType::rsa, static_cast<unsigned>(size) * 8};
      return key;
    }
    idx = 0;
    if (key->ecc_.ok &&
        wc_EccPublicKeyDecode(spki.data(), &idx, &key->ecc_.key, W32(spki.size())) == 0) {
      std::optional<KeyInfo> info = EccInfo(key->ecc_.key);
      if (!info) return nullptr;
      key->info_ = *info;
      return key;
    }
    idx = 0;
    if (key->ed_.ok &&
        wc_Ed25519PublicKeyDecode(spki.data(), &idx, &key->ed_.key, W32(spki.size())) == 0) {
      key->info_ = KeyInfo{KeyType::ed25519, 255};  // the field is GF(2^255 - 19)
      return key;
    }
    return nullptr;
  }

  KeyInfo info() const override { return info_; }

  bool verify(SignatureScheme scheme, ByteView message, ByteView signature) const override {
    if (!IsKnown(scheme) || !scheme_usable_with(scheme, info_.type) ||
        !FitsWord32(message.size()) || !FitsWord32(signature.size()) || signature.empty()) {
      return false;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::optional<Hash> hash = scheme_hash(scheme);
    if (!hash) {
      int result = 0;
      return wc_ed25519_verify_msg(signature.data(), W32(signature.size()), NonNull(message),
                                   W32(message.size()), &result, &ed_.key) == 0 &&
             result == 1;
    }
    byte digest[kMaxDigest];
    if (!Digest(*hash, message, digest)) return false;
    const word32 digest_len = W32(digest_length(*hash));
    if (is_ecdsa(info_.type)) {
      int result = 0;
      FreeEccCacheAtThreadExit();
      return wc_ecc_verify_hash(signature.data(), W32(signature.size()), digest, digest_len,
                                &result, &ecc_.key) == 0 &&
             result == 1;
    }
    if (signature.size() != info_.bits / 8) return false;
    byte decoded[kMaxRsaBytes];
    switch (scheme) {
      case SignatureScheme::rsa_pkcs1_sha256:
      case SignatureScheme::rsa_pkcs1_sha384: {
        byte expected[kMaxDigestInfo];
        word32 expected_len = wc_EncodeSignature(expected, digest, digest_len, AsnHashOid(*hash));
        int n = wc_RsaSSL_Verify(signature.data(), W32(signature.size()), decoded, sizeof(decoded),
                                 &rsa_.key);
        return expected_len > 0 && n == static_cast<int>(expected_len) &&
               std::equal(expected, expected + expected_len, decoded);
      }
      case SignatureScheme::rsa_pss_rsae_sha256:
      case SignatureScheme::rsa_pss_rsae_sha384: {
        // wolfCrypt works on the signature in place.
        byte copy[kMaxRsaBytes];
        std::copy(signature.begin(), signature.end(), copy);
        // The default salt length is the digest's (RFC 8446 4.2.3).
        return wc_RsaPSS_VerifyCheck(copy, W32(signature.size()), decoded, sizeof(decoded), digest,
                                     digest_len, PssHash(*hash), PssMgf(*hash), &rsa_.key) > 0;
      }
      default:
        return false;
    }
  }

  bool rsa_encrypt_pkcs1(ByteView plaintext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    if (info_.type != KeyType::rsa || out.size() < info_.bits / 8 ||
        !FitsWord32(plaintext.size())) {
      return false;
    }
    WC_RNG* rng = ThreadRng();
    if (rng == nullptr) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    int n = wc_RsaPublicEncrypt(NonNull(plaintext), W32(plaintext.size()), out.data(),
                                W32(out.size()), &rsa_.key, rng);
    if (n <= 0) return false;
    *out_len = static_cast<size_t>(n);
    return true;
  }

 private:
  WolfPublicKey() = default;
  mutable std::mutex mutex_;
  // One of the three holds the key; info_ says which.
  mutable Rsa rsa_;
  mutable Ecc ecc_;
  mutable Ed ed_;
  KeyInfo info_;
};

class WolfPrivateKey final : public PrivateKey {
 public:
  WolfPrivateKey(Bytes der, KeyInfo info, Bytes ed25519_public)
      : der_(std::move(der)), info_(info), ed25519_public_(std::move(ed25519_public)) {}
  ~WolfPrivateKey() override { Cleanse(der_.data(), W32(der_.size())); }

  KeyInfo info() const override { return info_; }

  bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
            size_t* out_len) const override {
    if (!IsKnown(scheme) || !scheme_usable_with(scheme, info_.type) ||
        !FitsWord32(message.size()) || out.size() < kMaxSignatureLength) {
      return false;
    }
    WC_RNG* rng = ThreadRng();
    if (rng == nullptr) return false;
    std::optional<Hash> hash = scheme_hash(scheme);
    word32 idx = 0;
    if (!hash) {
      Ed ed;
      word32 len = W32(out.size());
      if (!ed.ok || wc_Ed25519PrivateKeyDecode(der_.data(), &idx, &ed.key, W32(der_.size())) != 0 ||
          wc_ed25519_import_public(ed25519_public_.data(), W32(ed25519_public_.size()), &ed.key) !=
              0 ||
          wc_ed25519_sign_msg(NonNull(message), W32(message.size()), out.data(), &len, &ed.key) !=
              0) {
        return false;
      }
      *out_len = len;
      return true;
    }
    byte digest[kMaxDigest];
    if (!Digest(*hash, message, digest)) return false;
    const word32 digest_len = W32(digest_length(*hash));
    if (is_ecdsa(info_.type)) {
      Ecc ecc;
      FreeEccCacheAtThreadExit();
      word32 len = W32(out.size());
      if (!ecc.ok || wc_EccPrivateKeyDecode(der_.data(), &idx, &ecc.key, W32(der_.size())) != 0 ||
          wc_ecc_sign_hash(digest, digest_len, out.data(), &len, rng, &ecc.key) != 0) {
        return false;
      }
      *out_len = len;
      return true;
    }
    Rsa rsa;
    if (!rsa.ok || wc_RsaPrivateKeyDecode(der_.data(), &idx, &rsa.key, W32(der_.size())) != 0 ||
        wc_RsaSetRNG(&rsa.key, rng) != 0) {
      return false;
    }
    int n = -1;
    switch (scheme) {
      case SignatureScheme::rsa_pkcs1_sha256:
      case SignatureScheme::rsa_pkcs1_sha384: {
        // wc_RsaSSL_Sign pads what it is given: the DigestInfo, not the
        // bare digest (RFC 8017 section 9.2).
        byte encoded[kMaxDigestInfo];
        word32 encoded_len = wc_EncodeSignature(encoded, digest, digest_len, AsnHashOid(*hash));
        if (encoded_len == 0) return false;
        n = wc_RsaSSL_Sign(encoded, encoded_len, out.data(), W32(out.size()), &rsa.key, rng);
        break;
      }
      case SignatureScheme::rsa_pss_rsae_sha256:
      case SignatureScheme::rsa_pss_rsae_sha384:
        n = wc_RsaPSS_Sign_ex(digest, digest_len, out.data(), W32(out.size()), PssHash(*hash),
                              PssMgf(*hash), static_cast<int>(digest_len), &rsa.key, rng);
        break;
      default:
        return false;
    }
    if (n <= 0) return false;
    *out_len = static_cast<size_t>(n);
    return true;
  }

  bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    if (info_.type != KeyType::rsa || ciphertext.size() != info_.bits / 8) return false;
    WC_RNG* rng = ThreadRng();
    if (rng == nullptr) return false;
    Rsa rsa;
    word32 idx = 0;
    // The RNG blinds the private operation.
    if (!rsa.ok || wc_RsaPrivateKeyDecode(der_.data(), &idx, &rsa.key, W32(der_.size())) != 0 ||
        wc_RsaSetRNG(&rsa.key, rng) != 0) {
      return false;
    }
    byte buf[kMaxRsaBytes];
    int n =
        wc_RsaPrivateDecrypt(ciphertext.data(), W32(ciphertext.size()), buf, sizeof(buf), &rsa.key);
    bool ok = n >= 0 && static_cast<size_t>(n) <= out.size();
    if (ok) {
      std::copy_n(buf, n, out.begin());
      *out_len = static_cast<size_t>(n);
    }
    Cleanse(buf, sizeof(buf));
    return ok;
  }

 private:
  Bytes der_;
  KeyInfo info_;
  Bytes ed25519_public_;  // Ed25519 only: derived once at load
};

bool IsEncryptedPem(std::string_view text) {
  return text.find("ENCRYPTED") != std::string_view::npos;
}

}  // namespace

std::unique_ptr<PublicKey> PublicKeyFromSpki(ByteView spki) { return WolfPublicKey::Create(spki); }

std::unique_ptr<PrivateKey> LoadPrivateKey(ByteView pem_or_der, std::string* out_error) {
  std::string ignored;
  if (out_error == nullptr) out_error = &ignored;
  if (pem_or_der.empty() || pem_or_der.size() > INT_MAX) {
    *out_error = "empty or oversized private key";
    return nullptr;
  }
  Bytes der;
  std::string_view text(reinterpret_cast<const char*>(pem_or_der.data()), pem_or_der.size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    if (IsEncryptedPem(text)) {
      *out_error = "encrypted private key: no passphrase is taken";
      return nullptr;
    }
    der.resize(pem_or_der.size());
    int n = wc_KeyPemToDer(pem_or_der.data(), static_cast<int>(pem_or_der.size()), der.data(),
                           static_cast<int>(der.size()), nullptr);
    if (n <= 0) {
      *out_error = ErrorLine("cannot read the PEM private key", n);
      return nullptr;
    }
    der.resize(static_cast<size_t>(n));
  } else {
    der.assign(pem_or_der.begin(), pem_or_der.end());
  }
  const word32 size = W32(der.size());
  word32 idx = 0;
  {
    Rsa rsa;
    if (rsa.ok && wc_RsaPrivateKeyDecode(der.data(), &idx, &rsa.key, size) == 0) {
      int bytes = wc_RsaEncryptSize(&rsa.key);
      if (bytes <= 0) {
        *out_error = "cannot size the RSA key";
        return nullptr;
      }
      return std::make_unique<WolfPrivateKey>(
          std::move(der), KeyInfo{KeyType::rsa, static_cast<unsigned>(bytes) * 8}, Bytes());
    }
  }
  idx = 0;
  {
    Ecc ecc;
    if (ecc.ok && wc_EccPrivateKeyDecode(der.data(), &idx, &ecc.key, size) == 0) {
      std::optional<KeyInfo> info = EccInfo(ecc.key);
      if (!info) {
        *out_error = "EC key on a curve other than P-256 or P-384";
        return nullptr;
      }
      return std::make_unique<WolfPrivateKey>(std::move(der), *info, Bytes());
    }
  }
  idx = 0;
  {
    Ed ed;
    if (ed.ok && wc_Ed25519PrivateKeyDecode(der.data(), &idx, &ed.key, size) == 0) {
      // A PKCS#8 Ed25519 key usually carries no public key; signing needs it.
      Bytes pub(ED25519_PUB_KEY_SIZE);
      if (wc_ed25519_make_public(&ed.key, pub.data(), W32(pub.size())) != 0) {
        *out_error = "cannot derive the Ed25519 public key";
        return nullptr;
      }
      return std::make_unique<WolfPrivateKey>(std::move(der), KeyInfo{KeyType::ed25519, 255},
                                              std::move(pub));
    }
  }
  *out_error =
      "cannot parse private key (PEM or DER, PKCS#8 or traditional, unencrypted; "
      "RSA up to " +
      std::to_string(RSA_MAX_SIZE) + " bits, P-256, P-384 or Ed25519)";
  return nullptr;
}

}  // namespace hsbench::wolf
