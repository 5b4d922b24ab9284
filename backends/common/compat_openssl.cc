// compat.h for OpenSSL 3. OpenSSL 3 looks algorithms up by name in its
// provider store on every implicit use (EVP_sha256(), "HKDF", ...); the
// handles fetch each once, and the hot paths pass the fetched object where
// the API accepts one.

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>

#include <array>
#include <cstring>
#include <string_view>
#include <utility>

#include "compat.h"

#if defined(OPENSSL_IS_BORINGSSL)
#error "compat_openssl.cc is for OpenSSL 3; BoringSSL's plugin compiles compat_boringssl.cc"
#endif
#if !defined(HSBENCH_BACKEND_KIND)
#error "HSBENCH_BACKEND_KIND must name the plugin's kind"
#endif
// Catches a build that compiled one library's headers for the other's plugin
// (an include-order mistake would otherwise link and then misbehave).
static_assert(std::string_view(HSBENCH_BACKEND_KIND) == "openssl",
              "compat_openssl.cc belongs to an openssl plugin");

namespace hsbench::libcrypto {

template <>
struct Deleter<EVP_CIPHER> : FreeWith<EVP_CIPHER_free> {};
template <>
struct Deleter<EVP_KDF> : FreeWith<EVP_KDF_free> {};
template <>
struct Deleter<EVP_KDF_CTX> : FreeWith<EVP_KDF_CTX_free> {};
template <>
struct Deleter<EVP_MAC> : FreeWith<EVP_MAC_free> {};
template <>
struct Deleter<EVP_MAC_CTX> : FreeWith<EVP_MAC_CTX_free> {};
template <>
struct Deleter<EVP_MD> : FreeWith<EVP_MD_free> {};
template <>
struct Deleter<OSSL_PARAM> : FreeWith<OSSL_PARAM_free> {};
template <>
struct Deleter<OSSL_PARAM_BLD> : FreeWith<OSSL_PARAM_BLD_free> {};

namespace compat {

const char kLibraryName[] = "OpenSSL";
const int kListRank = 10;

bool InitLibrary(std::string* out_version) {
  // A plugin built against OpenSSL 3 headers needs a 3.x library.
  if (OPENSSL_version_major() != 3 || !OPENSSL_init_crypto(0, nullptr)) return false;
  *out_version = OpenSSL_version(OPENSSL_VERSION);
  return true;
}

// ---------------------------------------------------------------------------
// Handles

namespace {

size_t HashIndex(Hash hash) { return hash == Hash::sha256 ? 0 : 1; }
size_t AeadIndex(Aead aead) {
  return aead == Aead::aes128gcm ? 0 : aead == Aead::aes256gcm ? 1 : 2;
}

const char* CipherName(Aead aead) {
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

const char* CurveName(Group group) {
  return group == Group::secp256r1 ? SN_X9_62_prime256v1 : SN_secp384r1;
}

}  // namespace

struct Handles {
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
};

std::shared_ptr<const Handles> CreateHandles() {
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
      const EVP_MD* md = handles->mds[HashIndex(hash)].get();
      if (md == nullptr) continue;
      UniquePtr<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(hmac.get()));
      OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                                 OSSL_MAC_PARAM_DIGEST, const_cast<char*>(EVP_MD_get0_name(md)), 0),
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

const EVP_MD* Md(const Handles& handles, Hash hash) { return handles.mds[HashIndex(hash)].get(); }
bool HasAead(const Handles& handles, Aead aead) {
  return handles.ciphers[AeadIndex(aead)] != nullptr;
}
// HMAC needs its prepared context.
bool HasHmac(const Handles& handles, Hash hash) {
  return handles.hmac_templates[HashIndex(hash)] != nullptr;
}
bool HasHkdf(const Handles& handles) { return handles.hkdf != nullptr; }
bool HasTls12Prf(const Handles& handles) { return handles.tls1_prf != nullptr; }

// ---------------------------------------------------------------------------
// HMAC, HKDF, the TLS 1.2 PRF

namespace {

OSSL_PARAM DigestParam(const Handles& handles, Hash hash) {
  return OSSL_PARAM_construct_utf8_string(
      OSSL_KDF_PARAM_DIGEST, const_cast<char*>(EVP_MD_get0_name(Md(handles, hash))), 0);
}

OSSL_PARAM OctetParam(const char* key, ByteView value) {
  return OSSL_PARAM_construct_octet_string(key, const_cast<uint8_t*>(NonNull(value)), value.size());
}

// A KDF context per call: neither HKDF nor TLS1-PRF can be duplicated in
// OpenSSL 3.0, and contexts cannot be shared between threads.
bool Derive(EVP_KDF* kdf, const OSSL_PARAM* params, std::span<uint8_t> out) {
  UniquePtr<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(kdf));
  return ctx && EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) > 0;
}

}  // namespace

bool Hmac(const Handles& handles, Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) {
  // HMAC() would fetch "HMAC" and the digest by name on every call.
  const EVP_MAC_CTX* tmpl = handles.hmac_templates[HashIndex(hash)].get();
  UniquePtr<EVP_MAC_CTX> ctx(tmpl ? EVP_MAC_CTX_dup(tmpl) : nullptr);
  size_t len = 0;
  return ctx && EVP_MAC_init(ctx.get(), NonNull(key), key.size(), nullptr) &&
         EVP_MAC_update(ctx.get(), NonNull(data), data.size()) &&
         EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) && len == out.size();
}

bool HkdfExtract(const Handles& handles, Hash hash, ByteView salt, ByteView ikm,
                 std::span<uint8_t> out_prk) {
  int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
  OSSL_PARAM params[] = {DigestParam(handles, hash),
                         OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
                         OctetParam(OSSL_KDF_PARAM_KEY, ikm), OctetParam(OSSL_KDF_PARAM_SALT, salt),
                         OSSL_PARAM_construct_end()};
  return Derive(handles.hkdf.get(), params, out_prk);
}

bool HkdfExpand(const Handles& handles, Hash hash, ByteView prk, ByteView info,
                std::span<uint8_t> out) {
  int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
  OSSL_PARAM params[] = {DigestParam(handles, hash),
                         OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
                         OctetParam(OSSL_KDF_PARAM_KEY, prk), OctetParam(OSSL_KDF_PARAM_INFO, info),
                         OSSL_PARAM_construct_end()};
  return Derive(handles.hkdf.get(), params, out);
}

bool Tls12Prf(const Handles& handles, Hash hash, ByteView secret, ByteView label, ByteView seed,
              std::span<uint8_t> out) {
  // The KDF concatenates repeated seeds.
  OSSL_PARAM params[] = {DigestParam(handles, hash), OctetParam(OSSL_KDF_PARAM_SECRET, secret),
                         OctetParam(OSSL_KDF_PARAM_SEED, label),
                         OctetParam(OSSL_KDF_PARAM_SEED, seed), OSSL_PARAM_construct_end()};
  return Derive(handles.tls1_prf.get(), params, out);
}

// ---------------------------------------------------------------------------
// AEADs: an EVP_CIPHER_CTX keyed once; records then only set the IV, as
// libssl does (EVP_CipherInit_ex with no cipher and no key).

struct AeadKey {
  UniquePtr<EVP_CIPHER_CTX> ctx;
};

namespace {

// Additional data goes in with a null output; an empty input is skipped
// (EVP_CipherUpdate would see a null pointer).
bool Update(EVP_CIPHER_CTX* ctx, uint8_t* out, ByteView in, int* out_len = nullptr) {
  int len = 0;
  if (!in.empty() && !EVP_CipherUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size()))) {
    return false;
  }
  if (out_len != nullptr) *out_len = len;
  return true;
}

}  // namespace

UniquePtr<AeadKey> NewAeadKey(const Handles& handles, Aead aead, ByteView key) {
  const EVP_CIPHER* cipher = handles.ciphers[AeadIndex(aead)].get();
  if (cipher == nullptr || key.size() != static_cast<size_t>(EVP_CIPHER_get_key_length(cipher))) {
    return nullptr;
  }
  UniquePtr<EVP_CIPHER_CTX> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || !EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, 1) ||
      EVP_CIPHER_CTX_get_iv_length(ctx.get()) != static_cast<int>(kAeadNonceLength)) {
    return nullptr;
  }
  return UniquePtr<AeadKey>(new AeadKey{std::move(ctx)});
}

bool AeadSeal(AeadKey& key, ByteView nonce, ByteView additional_data, ByteView plaintext,
              std::span<uint8_t> out) {
  if (!FitsInt(plaintext.size()) || !FitsInt(additional_data.size())) return false;
  EVP_CIPHER_CTX* ctx = key.ctx.get();
  int len = 0;
  int final_len = 0;
  return EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 1) &&
         Update(ctx, nullptr, additional_data) && Update(ctx, out.data(), plaintext, &len) &&
         EVP_CipherFinal_ex(ctx, out.data() + len, &final_len) &&
         static_cast<size_t>(len) + static_cast<size_t>(final_len) == plaintext.size() &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kAeadTagLength,
                             out.data() + plaintext.size()) > 0;
}

bool AeadOpen(AeadKey& key, ByteView nonce, ByteView additional_data, ByteView ciphertext,
              std::span<uint8_t> out) {
  if (!FitsInt(ciphertext.size()) || !FitsInt(additional_data.size())) return false;
  ByteView body = ciphertext.first(ciphertext.size() - kAeadTagLength);
  // Copied out first: the tag lies past the end of out even in place, but
  // the library reads it only at EVP_CipherFinal_ex.
  uint8_t tag[kAeadTagLength];
  std::memcpy(tag, ciphertext.data() + body.size(), kAeadTagLength);
  EVP_CIPHER_CTX* ctx = key.ctx.get();
  int len = 0;
  int final_len = 0;
  return EVP_CipherInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data(), 0) &&
         Update(ctx, nullptr, additional_data) && Update(ctx, out.data(), body, &len) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kAeadTagLength, tag) > 0 &&
         EVP_CipherFinal_ex(ctx, out.data() + len, &final_len) &&
         static_cast<size_t>(len) + static_cast<size_t>(final_len) == body.size();
}

// ---------------------------------------------------------------------------
// Key shares: OpenSSL 3's libssl drives X25519 and ECDH alike through
// EVP_PKEY.

struct KeyShareKey {
  UniquePtr<EVP_PKEY> key;
};

namespace {

UniquePtr<EVP_PKEY> GeneratePkey(const Handles& handles, Group group) {
  UniquePtr<EVP_PKEY_CTX> ctx(
      group == Group::x25519
          ? EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr)
          : EVP_PKEY_CTX_new_from_pkey(
                nullptr, const_cast<EVP_PKEY*>(handles.nist_params[NistIndex(group)].get()),
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
  UniquePtr<EC_GROUP> ec_group(EC_GROUP_new_by_curve_name(GroupNid(group)));
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
      !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, CurveName(group),
                                       0) ||
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

}  // namespace

UniquePtr<KeyShareKey> NewKeyShareKey(const std::shared_ptr<const Handles>& handles, Group group,
                                      ByteView private_key, std::span<uint8_t> out_public_key) {
  UniquePtr<EVP_PKEY> key;
  if (private_key.empty()) {
    key = GeneratePkey(*handles, group);
  } else if (group == Group::x25519) {
    key.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, private_key.data(),
                                           private_key.size()));
  } else {
    key = NistPkeyFromPrivate(group, private_key);
  }
  if (!key) return nullptr;
  size_t len = out_public_key.size();
  bool ok =
      group == Group::x25519
          ? EVP_PKEY_get_raw_public_key(key.get(), out_public_key.data(), &len) > 0
          : EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                            out_public_key.data(), out_public_key.size(), &len) > 0;
  if (!ok || len != out_public_key.size()) return nullptr;
  return UniquePtr<KeyShareKey>(new KeyShareKey{std::move(key)});
}

bool KeyShareDerive(KeyShareKey& key, Group group, ByteView peer_public_key,
                    std::span<uint8_t> out) {
  UniquePtr<EVP_PKEY> peer;
  if (group == Group::x25519) {
    peer.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer_public_key.data(),
                                           peer_public_key.size()));
  } else {
    // As libssl: the peer key takes our parameters, then the point, which
    // EC_POINT_oct2point checks is on the curve.
    peer.reset(EVP_PKEY_new());
    if (peer && (EVP_PKEY_copy_parameters(peer.get(), key.key.get()) <= 0 ||
                 EVP_PKEY_set1_encoded_public_key(peer.get(), peer_public_key.data(),
                                                  peer_public_key.size()) <= 0)) {
      peer.reset();
    }
  }
  if (!peer) return false;
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.key.get(), nullptr));
  size_t len = out.size();
  // No further peer validation: on-curve is the whole check for cofactor-1
  // curves (EVP_PKEY_public_check would add a full scalar multiplication
  // by the order), and X25519 refuses an all-zero result itself.
  return ctx && EVP_PKEY_derive_init(ctx.get()) > 0 &&
         EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.get(), /*validate_peer=*/0) > 0 &&
         EVP_PKEY_derive(ctx.get(), out.data(), &len) > 0 && len == out.size();
}

// ---------------------------------------------------------------------------
// Kyber768: OpenSSL 3.0 has neither Kyber nor ML-KEM (ML-KEM-768 arrived in
// OpenSSL 3.5), so the hybrid groups are unsupported here.

struct KyberKey {};

bool HasKyber768(std::string* out_reason) {
  *out_reason = std::string(OpenSSL_version(OPENSSL_VERSION)) + " has no Kyber768";
  return false;
}

UniquePtr<KyberKey> KyberGenerateKey(ByteView, std::span<uint8_t>) { return nullptr; }

bool KyberEncap(ByteView, ByteView, std::span<uint8_t>, std::span<uint8_t>) { return false; }

void KyberDecap(const KyberKey&, ByteView, std::span<uint8_t> out_secret) {
  std::memset(out_secret.data(), 0, out_secret.size());
}

// ---------------------------------------------------------------------------
// Long-term keys

int EcKeyCurveNid(const EVP_PKEY* key) {
  char name[64];
  size_t name_len = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &name_len) <= 0) return NID_undef;
  int nid = OBJ_sn2nid(name);
  return nid != NID_undef ? nid : EC_curve_nist2nid(name);
}

const int kPssSaltLengthIsDigest = RSA_PSS_SALTLEN_DIGEST;

bool PrepareRsaPkcs1Decrypt(EVP_PKEY_CTX* ctx) {
#if defined(OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION)
  // OpenSSL 3.2+ would answer bad padding with a random message; the
  // interface reports it instead and leaves hiding it to the TLS server.
  unsigned int implicit_rejection = 0;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_IMPLICIT_REJECTION, &implicit_rejection),
      OSSL_PARAM_construct_end()};
  return EVP_PKEY_CTX_set_params(ctx, params) > 0;
#else
  (void)ctx;
  return true;
#endif
}

// ---------------------------------------------------------------------------
// libssl

// OpenSSL 3 reports the group as a NID.
uint16_t NegotiatedGroup(const SSL* ssl) {
  const int nid = SSL_get_negotiated_group(const_cast<SSL*>(ssl));
  for (Group group : kAllGroups) {
    if (nid != NID_undef && GroupNid(group) == nid) return static_cast<uint16_t>(group);
  }
  return 0;
}

bool NativeConfigSupported(const NativeConfig&, std::string*) { return true; }

void SetNativeOptions(SSL_CTX* ctx, const NativeConfig& config) {
  // psk_ke: resumption from the PSK alone (RFC 8446 4.2.9).
  if (config.psk_ke) SSL_CTX_set_options(ctx, SSL_OP_ALLOW_NO_DHE_KEX);
}

int SetTls12CipherList(SSL_CTX* ctx, const char* list) {
  return SSL_CTX_set_cipher_list(ctx, list);
}

const bool kTls13CipherSuitesConfigurable = true;

int SetTls13CipherSuites(SSL_CTX* ctx, const char* list) {
  return SSL_CTX_set_ciphersuites(ctx, list);
}

int SetGroups(SSL_CTX* ctx, std::span<const int> nids) {
  return static_cast<int>(SSL_CTX_set1_groups(ctx, nids.data(), static_cast<int>(nids.size())));
}

// OpenSSL knows the schemes by their RFC 8446 names.
int SetSignatureSchemes(SSL_CTX* ctx, std::span<const SignatureScheme>, const std::string& names) {
  return static_cast<int>(SSL_CTX_set1_sigalgs_list(ctx, names.c_str()));
}

namespace {

// One DER element (X.690 8.1): its tag, and its contents in *out_body; the
// rest of *in after it. Definite lengths of up to four bytes only.
bool DerNext(ByteView* in, uint8_t* out_tag, ByteView* out_body) {
  if (in->size() < 2) return false;
  *out_tag = (*in)[0];
  size_t length = (*in)[1];
  size_t header = 2;
  if (length & 0x80) {
    const size_t n = length & 0x7f;
    if (n == 0 || n > 4 || in->size() < 2 + n) return false;
    length = 0;
    for (size_t i = 0; i < n; i++) length = (length << 8) | (*in)[2 + i];
    header += n;
  }
  if (in->size() - header < length) return false;
  *out_body = in->subspan(header, length);
  *in = in->subspan(header + length);
  return true;
}

bool DerEnter(ByteView* in, uint8_t tag, ByteView* out_body) {
  uint8_t t = 0;
  return DerNext(in, &t, out_body) && t == tag;
}

bool Equal(ByteView a, std::span<const uint8_t> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

// The OIDs' contents (X.690 8.19).
constexpr uint8_t kOidEcPublicKey[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
constexpr uint8_t kOidP256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr uint8_t kOidP384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr uint8_t kOidEd25519[] = {0x2b, 0x65, 0x70};

}  // namespace

UniquePtr<EVP_PKEY> CertificateKey(ByteView der) {
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
  // OPTIONAL, serialNumber, signature, issuer, validity, subject,
  // subjectPublicKeyInfo, ... }, ... } (RFC 5280 4.1).
  ByteView cert, tbs, skip;
  uint8_t tag = 0;
  if (!DerEnter(&der, 0x30, &cert) || !DerEnter(&cert, 0x30, &tbs)) return nullptr;
  ByteView peek = tbs;
  if (DerNext(&peek, &tag, &skip) && tag == 0xa0) tbs = peek;
  for (uint8_t expected : {uint8_t{0x02}, uint8_t{0x30}, uint8_t{0x30}, uint8_t{0x30},
                           uint8_t{0x30}}) {
    if (!DerEnter(&tbs, expected, &skip)) return nullptr;
  }
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, params },
  // subjectPublicKey BIT STRING }
  ByteView spki, algorithm, oid, key;
  if (!DerEnter(&tbs, 0x30, &spki) || !DerEnter(&spki, 0x30, &algorithm) ||
      !DerEnter(&algorithm, 0x06, &oid) || !DerEnter(&spki, 0x03, &key) || key.empty() ||
      key[0] != 0) {
    return nullptr;
  }
  key = key.subspan(1);  // no unused bits
  if (Equal(oid, kOidEd25519)) {
    return UniquePtr<EVP_PKEY>(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  }
  ByteView curve;
  if (!Equal(oid, kOidEcPublicKey) || !DerEnter(&algorithm, 0x06, &curve)) return nullptr;
  const char* group = Equal(curve, kOidP256)   ? "P-256"
                      : Equal(curve, kOidP384) ? "P-384"
                                               : nullptr;
  if (group == nullptr) return nullptr;
  // An import through the key manager: no decoder (what makes the parser
  // slow), and the point is still checked to be on the curve.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                        const_cast<uint8_t*>(key.data()), key.size()),
      OSSL_PARAM_construct_end()};
  UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* out = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return UniquePtr<EVP_PKEY>(out);
}

}  // namespace compat

void Deleter<compat::AeadKey>::operator()(compat::AeadKey* key) const { delete key; }
void Deleter<compat::KeyShareKey>::operator()(compat::KeyShareKey* key) const { delete key; }
void Deleter<compat::KyberKey>::operator()(compat::KyberKey* key) const { delete key; }

}  // namespace hsbench::libcrypto
