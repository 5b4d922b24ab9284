// Hashes, HMAC, HKDF, the TLS 1.2 PRF, AEADs and key shares through
// wolfCrypt, each the call wolfSSL's own TLS code makes for the same job.
// First: wolfSSL's build options must precede its other headers.
// clang-format off
#include "wolf_util.h"
// clang-format on

#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/curve25519.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/kdf.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/sha512.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <iterator>
#include <utility>

namespace hsbench::wolf {

void FreeEccCacheAtThreadExit() {
  struct Cache {
    ~Cache() { wc_ecc_fp_free(); }
  };
  static thread_local Cache cache;
  (void)cache;
}

WC_RNG* ThreadRng() {
  struct Rng {
    WC_RNG rng;
    bool ok;
    Rng() { ok = wc_InitRng(&rng) == 0; }
    ~Rng() {
      if (ok) wc_FreeRng(&rng);
    }
  };
  thread_local Rng rng;
  return rng.ok ? &rng.rng : nullptr;
}

std::string ErrorLine(std::string_view what, int code) {
  std::string line(what);
  line += ": ";
  const char* text = wc_GetErrorString(code);
  line += text != nullptr ? text : "error";
  line += " (" + std::to_string(code) + ")";
  return line;
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

int HashType(Hash hash) {
  return hash == Hash::sha384 ? static_cast<int>(WC_SHA384) : static_cast<int>(WC_SHA256);
}

bool Digest(Hash hash, ByteView message, byte* out) {
  if (!FitsWord32(message.size())) return false;
  return (hash == Hash::sha384 ? wc_Sha384Hash(NonNull(message), W32(message.size()), out)
                               : wc_Sha256Hash(NonNull(message), W32(message.size()), out)) == 0;
}

namespace {

// --- Hashes: copyable running states (wc_Sha256Copy), as wolfSSL keeps its
// transcript hash. ---

struct Sha256Ops {
  using State = wc_Sha256;
  static constexpr Hash kHash = Hash::sha256;
  static int Init(State* s) { return wc_InitSha256_ex(s, nullptr, INVALID_DEVID); }
  static int Update(State* s, const byte* data, word32 n) { return wc_Sha256Update(s, data, n); }
  static int GetHash(State* s, byte* out) { return wc_Sha256GetHash(s, out); }
  static int Copy(State* from, State* to) { return wc_Sha256Copy(from, to); }
  static void Free(State* s) { wc_Sha256Free(s); }
};

struct Sha384Ops {
  using State = wc_Sha384;
  static constexpr Hash kHash = Hash::sha384;
  static int Init(State* s) { return wc_InitSha384_ex(s, nullptr, INVALID_DEVID); }
  static int Update(State* s, const byte* data, word32 n) { return wc_Sha384Update(s, data, n); }
  static int GetHash(State* s, byte* out) { return wc_Sha384GetHash(s, out); }
  static int Copy(State* from, State* to) { return wc_Sha384Copy(from, to); }
  static void Free(State* s) { wc_Sha384Free(s); }
};

template <typename Ops>
class WolfHash final : public HashContext {
 public:
  static std::unique_ptr<HashContext> Create() {
    auto ctx = std::unique_ptr<WolfHash>(new WolfHash());
    if (Ops::Init(&ctx->state_) != 0) return nullptr;
    ctx->initialized_ = true;
    return ctx;
  }
  ~WolfHash() override {
    if (initialized_) Ops::Free(&state_);
  }

  Hash hash() const override { return Ops::kHash; }

  void update(ByteView data) override {
    while (!data.empty()) {
      size_t chunk = std::min<size_t>(data.size(), UINT32_MAX);
      Ops::Update(&state_, data.data(), W32(chunk));
      data = data.subspan(chunk);
    }
  }

  // GetHash finishes a copy of the state, not the state itself.
  void current_digest(std::span<uint8_t> out) const override {
    if (out.size() < digest_length(Ops::kHash)) return;
    Ops::GetHash(&state_, out.data());
  }

  std::unique_ptr<HashContext> clone() const override {
    auto copy = std::unique_ptr<WolfHash>(new WolfHash());
    if (Ops::Copy(&state_, &copy->state_) != 0) return nullptr;
    copy->initialized_ = true;
    return copy;
  }

 private:
  WolfHash() = default;
  // wolfCrypt's getters take a non-const state even where they only read it.
  mutable typename Ops::State state_{};
  bool initialized_ = false;
};

// --- AEADs: the key scheduled once (wc_AesGcmSetKey), as wolfSSL does per
// direction; ChaCha20-Poly1305 keys itself per record in wolfSSL too. ---

bool AeadSizesOk(ByteView nonce, size_t in_len, size_t out_len, size_t aad_len, bool sealing) {
  if (nonce.size() != kAeadNonceLength || !FitsWord32(in_len) || !FitsWord32(aad_len)) {
    return false;
  }
  if (sealing) return out_len == in_len + kAeadTagLength;
  return in_len >= kAeadTagLength && out_len == in_len - kAeadTagLength;
}

struct AesDeleter {
  void operator()(Aes* aes) const {
    wc_AesFree(aes);
    delete aes;
  }
};

class AesGcmContext final : public AeadContext {
 public:
  static std::unique_ptr<AeadContext> Create(Aead aead, ByteView key) {
    std::unique_ptr<Aes, AesDeleter> aes(new Aes());
    if (wc_AesInit(aes.get(), nullptr, INVALID_DEVID) != 0) {
      delete aes.release();
      return nullptr;
    }
    if (wc_AesGcmSetKey(aes.get(), key.data(), W32(key.size())) != 0) return nullptr;
    return std::unique_ptr<AeadContext>(new AesGcmContext(aead, std::move(aes)));
  }

  Aead aead() const override { return aead_; }

  bool seal(ByteView nonce, ByteView additional_data, ByteView plaintext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, plaintext.size(), out.size(), additional_data.size(), true)) {
      return false;
    }
    const size_t n = plaintext.size();
    return wc_AesGcmEncrypt(aes_.get(), out.data(), NonNull(plaintext), W32(n), nonce.data(),
                            W32(nonce.size()), out.data() + n, kAeadTagLength,
                            NonNull(additional_data), W32(additional_data.size())) == 0;
  }

  bool open(ByteView nonce, ByteView additional_data, ByteView ciphertext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, ciphertext.size(), out.size(), additional_data.size(), false)) {
      return false;
    }
    const size_t n = ciphertext.size() - kAeadTagLength;
    // The tag is read before out (which may alias ciphertext) is written.
    byte tag[kAeadTagLength];
    std::memcpy(tag, ciphertext.data() + n, kAeadTagLength);
    byte scratch[1];
    return wc_AesGcmDecrypt(aes_.get(), n == 0 ? scratch : out.data(), NonNull(ciphertext), W32(n),
                            nonce.data(), W32(nonce.size()), tag, kAeadTagLength,
                            NonNull(additional_data), W32(additional_data.size())) == 0;
  }

 private:
  AesGcmContext(Aead aead, std::unique_ptr<Aes, AesDeleter> aes)
      : aead_(aead), aes_(std::move(aes)) {}
  Aead aead_;
  std::unique_ptr<Aes, AesDeleter> aes_;
};

class ChaChaPolyContext final : public AeadContext {
 public:
  explicit ChaChaPolyContext(ByteView key) { std::copy(key.begin(), key.end(), key_.begin()); }
  ~ChaChaPolyContext() override { Cleanse(key_.data(), key_.size()); }

  Aead aead() const override { return Aead::chacha20poly1305; }

  bool seal(ByteView nonce, ByteView additional_data, ByteView plaintext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, plaintext.size(), out.size(), additional_data.size(), true)) {
      return false;
    }
    const size_t n = plaintext.size();
    return wc_ChaCha20Poly1305_Encrypt(key_.data(), nonce.data(), NonNull(additional_data),
                                       W32(additional_data.size()), NonNull(plaintext), W32(n),
                                       out.data(), out.data() + n) == 0;
  }

  bool open(ByteView nonce, ByteView additional_data, ByteView ciphertext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, ciphertext.size(), out.size(), additional_data.size(), false)) {
      return false;
    }
    const size_t n = ciphertext.size() - kAeadTagLength;
    byte tag[kAeadTagLength];
    std::memcpy(tag, ciphertext.data() + n, kAeadTagLength);
    byte scratch[1];
    return wc_ChaCha20Poly1305_Decrypt(key_.data(), nonce.data(), NonNull(additional_data),
                                       W32(additional_data.size()), NonNull(ciphertext), W32(n),
                                       tag, n == 0 ? scratch : out.data()) == 0;
  }

 private:
  std::array<byte, CHACHA20_POLY1305_AEAD_KEYSIZE> key_{};
};

// --- Key shares ---

bool AllZero(std::span<const uint8_t> bytes) {
  uint8_t acc = 0;
  for (uint8_t b : bytes) acc |= b;
  return acc == 0;
}

class X25519Share final : public KeyShare {
 public:
  static std::unique_ptr<KeyShare> Create(ByteView private_key) {
    auto share = std::unique_ptr<X25519Share>(new X25519Share());
    if (wc_curve25519_init(&share->key_) != 0) return nullptr;
    share->initialized_ = true;
    word32 len = sizeof(share->public_key_);
    if (private_key.empty()) {
      WC_RNG* rng = ThreadRng();
      if (rng == nullptr || wc_curve25519_make_key(rng, CURVE25519_KEYSIZE, &share->key_) != 0 ||
          wc_curve25519_export_public_ex(&share->key_, share->public_key_, &len,
                                         EC25519_LITTLE_ENDIAN) != 0) {
        return nullptr;
      }
      return share;
    }
    // RFC 7748 section 5 clamps the scalar as part of X25519 itself;
    // wolfCrypt wants it clamped already.
    byte scalar[CURVE25519_KEYSIZE];
    std::copy(private_key.begin(), private_key.end(), scalar);
    scalar[0] &= 248;
    scalar[31] &= 127;
    scalar[31] |= 64;
    bool ok = wc_curve25519_make_pub(CURVE25519_KEYSIZE, share->public_key_, CURVE25519_KEYSIZE,
                                     scalar) == 0 &&
              wc_curve25519_import_private_raw_ex(scalar, CURVE25519_KEYSIZE, share->public_key_,
                                                  CURVE25519_KEYSIZE, &share->key_,
                                                  EC25519_LITTLE_ENDIAN) == 0;
    Cleanse(scalar, sizeof(scalar));
    if (!ok) return nullptr;
    return share;
  }
  ~X25519Share() override {
    if (initialized_) wc_curve25519_free(&key_);
  }

  Group group() const override { return Group::x25519; }
  ByteView public_key() const override { return ByteView(public_key_, CURVE25519_KEYSIZE); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    if (peer_public_key.size() != CURVE25519_KEYSIZE || out.size() != CURVE25519_KEYSIZE) {
      return false;
    }
    // RFC 7748 section 5: the top bit of the u-coordinate is ignored.
    byte peer_bytes[CURVE25519_KEYSIZE];
    std::copy(peer_public_key.begin(), peer_public_key.end(), peer_bytes);
    peer_bytes[31] &= 0x7f;
    curve25519_key peer;
    if (wc_curve25519_init(&peer) != 0) return false;
    word32 len = CURVE25519_KEYSIZE;
    bool ok = wc_curve25519_import_public_ex(peer_bytes, CURVE25519_KEYSIZE, &peer,
                                             EC25519_LITTLE_ENDIAN) == 0 &&
              wc_curve25519_shared_secret_ex(&key_, &peer, out.data(), &len,
                                             EC25519_LITTLE_ENDIAN) == 0 &&
              len == CURVE25519_KEYSIZE;
    wc_curve25519_free(&peer);
    // A small-order peer point gives zero (RFC 8446 7.4.2: abort).
    return ok && !AllZero(out);
  }

 private:
  X25519Share() = default;
  curve25519_key key_{};
  bool initialized_ = false;
  byte public_key_[CURVE25519_KEYSIZE] = {};
};

class EcdhShare final : public KeyShare {
 public:
  static std::unique_ptr<KeyShare> Create(Group group, ByteView private_key) {
    auto share = std::unique_ptr<EcdhShare>(new EcdhShare(group));
    if (wc_ecc_init(&share->key_) != 0) return nullptr;
    share->initialized_ = true;
    const int curve = share->curve_id();
    const int size = static_cast<int>(shared_secret_length(group));
    if (private_key.empty()) {
      WC_RNG* rng = ThreadRng();
      FreeEccCacheAtThreadExit();
      if (rng == nullptr || wc_ecc_make_key_ex(rng, size, &share->key_, curve) != 0) {
        return nullptr;
      }
    } else if (wc_ecc_import_private_key_ex(private_key.data(), W32(private_key.size()), nullptr, 0,
                                            &share->key_, curve) != 0 ||
               // Also refuses a scalar outside [1, n - 1].
               wc_ecc_make_pub(&share->key_, nullptr) != 0) {
      return nullptr;
    }
    word32 len = sizeof(share->public_key_);
    if (wc_ecc_export_x963(&share->key_, share->public_key_, &len) != 0 ||
        len != public_key_length(group)) {
      return nullptr;
    }
    return share;
  }
  ~EcdhShare() override {
    if (initialized_) wc_ecc_free(&key_);
  }

  Group group() const override { return group_; }
  ByteView public_key() const override { return ByteView(public_key_, public_key_length(group_)); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    if (peer_public_key.size() != public_key_length(group_) ||
        out.size() != shared_secret_length(group_)) {
      return false;
    }
    // RFC 8446 4.2.8.2: only the uncompressed form is allowed.
    if (peer_public_key[0] != 0x04) return false;
    WC_RNG* rng = ThreadRng();
    if (rng == nullptr) return false;
    ecc_key peer;
    FreeEccCacheAtThreadExit();
    if (wc_ecc_init(&peer) != 0) return false;
    word32 len = W32(out.size());
    // The timing-resistant scalar multiplication blinds with the RNG.
    bool ok = wc_ecc_import_x963_ex(peer_public_key.data(), W32(peer_public_key.size()), &peer,
                                    curve_id()) == 0 &&
              wc_ecc_point_is_on_curve(&peer.pubkey, peer.idx) == 0 &&
              wc_ecc_set_rng(&key_, rng) == 0 &&
              wc_ecc_shared_secret(&key_, &peer, out.data(), &len) == 0 && len == out.size();
    wc_ecc_free(&peer);
    return ok;
  }

 private:
  explicit EcdhShare(Group group) : group_(group) {}
  int curve_id() const { return group_ == Group::secp384r1 ? ECC_SECP384R1 : ECC_SECP256R1; }

  Group group_;
  ecc_key key_{};
  bool initialized_ = false;
  byte public_key_[97] = {};  // the longest: a P-384 point, uncompressed
};

}  // namespace

std::unique_ptr<HashContext> NewHash(Hash hash) {
  switch (hash) {
    case Hash::sha256:
      return WolfHash<Sha256Ops>::Create();
    case Hash::sha384:
      return WolfHash<Sha384Ops>::Create();
  }
  return nullptr;
}

bool Hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) {
  if (out.size() != digest_length(hash) || !FitsWord32(key.size()) || !FitsWord32(data.size())) {
    return false;
  }
  ::Hmac hmac;
  if (wc_HmacInit(&hmac, nullptr, INVALID_DEVID) != 0) return false;
  bool ok = wc_HmacSetKey(&hmac, HashType(hash), NonNull(key), W32(key.size())) == 0 &&
            wc_HmacUpdate(&hmac, NonNull(data), W32(data.size())) == 0 &&
            wc_HmacFinal(&hmac, out.data()) == 0;
  wc_HmacFree(&hmac);
  return ok;
}

bool HkdfExtract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out_prk) {
  if (out_prk.size() != digest_length(hash) || !FitsWord32(salt.size()) ||
      !FitsWord32(ikm.size())) {
    return false;
  }
  return wc_HKDF_Extract(HashType(hash), NonNull(salt), W32(salt.size()), NonNull(ikm),
                         W32(ikm.size()), out_prk.data()) == 0;
}

bool HkdfExpand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) {
  // RFC 5869 section 2.3: at most 255 blocks.
  if (out.empty() || out.size() > 255 * digest_length(hash) || !FitsWord32(prk.size()) ||
      !FitsWord32(info.size())) {
    return false;
  }
  return wc_HKDF_Expand(HashType(hash), NonNull(prk), W32(prk.size()), NonNull(info),
                        W32(info.size()), out.data(), W32(out.size())) == 0;
}

bool Tls12Prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
              std::span<uint8_t> out) {
  if (out.empty() || !FitsWord32(out.size()) || !FitsWord32(secret.size()) ||
      !FitsWord32(label.size()) || !FitsWord32(seed.size())) {
    return false;
  }
  // useAtLeastSha256: the TLS 1.2 PRF with the given hash, not TLS 1.0's
  // MD5/SHA-1 split.
  const int mac = hash == Hash::sha384 ? sha384_mac : sha256_mac;
  const byte* label_bytes =
      label.empty() ? NonNull({}) : reinterpret_cast<const byte*>(label.data());
  return wc_PRF_TLS(out.data(), W32(out.size()), NonNull(secret), W32(secret.size()), label_bytes,
                    W32(label.size()), NonNull(seed), W32(seed.size()), 1, mac, nullptr,
                    INVALID_DEVID) == 0;
}

std::unique_ptr<AeadContext> NewAead(Aead aead, ByteView key) {
  if (key.size() != key_length(aead)) return nullptr;
  switch (aead) {
    case Aead::aes128gcm:
    case Aead::aes256gcm:
      return AesGcmContext::Create(aead, key);
    case Aead::chacha20poly1305:
      return std::make_unique<ChaChaPolyContext>(key);
  }
  return nullptr;
}

std::unique_ptr<KeyShare> NewKeyShare(Group group, ByteView private_key) {
  if (!private_key.empty() && private_key.size() != shared_secret_length(group)) return nullptr;
  switch (group) {
    case Group::x25519:
      return X25519Share::Create(private_key);
    case Group::secp256r1:
    case Group::secp384r1:
      return EcdhShare::Create(group, private_key);
    case Group::x25519_kyber768_draft00:
    case Group::x25519_mlkem768:
      return nullptr;
  }
  return nullptr;
}

}  // namespace hsbench::wolf
