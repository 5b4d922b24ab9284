// The wolfSSL backend: every primitive through wolfCrypt (crypto.cc,
// keys.cc, x509.cc) and wolfSSL's own TLS stack for native mode
// (native.cc). This file holds the algorithm table and the entry point.
//
// What Debian's build (libwolfssl 5.5.4) lacks is left out of the table,
// never emulated: its RSA stops at RSA_MAX_SIZE bits (4096), so larger keys
// do not load.
// First: wolfSSL's build options must precede its other headers.
// clang-format off
#include "wolf_util.h"
// clang-format on

#include <wolfssl/ssl.h>
#include <wolfssl/version.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

// The name is the build's: the plugin hsbench-backend-NAME.so of
// backends/CMakeLists.txt, or another built from these sources
// (backends/extra.cmake).
#if !defined(HSBENCH_BACKEND_NAME)
#error "HSBENCH_BACKEND_NAME must name the backend"
#endif

namespace hsbench::wolf {
namespace {

class WolfBackend final : public Backend {
 public:
  static std::unique_ptr<Backend> Create() {
    // The plugin's structures are laid out by these headers' options; a
    // library of another release may lay them out otherwise.
    if (wolfSSL_lib_version_hex() != LIBWOLFSSL_VERSION_HEX) return nullptr;
    if (wolfSSL_Init() != WOLFSSL_SUCCESS) return nullptr;
    return std::unique_ptr<Backend>(new WolfBackend());
  }

  std::string_view name() const override { return HSBENCH_BACKEND_NAME; }
  std::string_view version() const override { return version_; }
  // After OpenSSL (10) and BoringSSL (20), the libraries the benchmark
  // started with.
  int list_rank() const override { return 30; }
  const Algorithms& algorithms() const override { return algorithms_; }

  bool random(std::span<uint8_t> out) override {
    WC_RNG* rng = ThreadRng();
    if (rng == nullptr) return false;
    while (!out.empty()) {
      size_t chunk = std::min<size_t>(out.size(), RNG_MAX_BLOCK_LEN);
      if (wc_RNG_GenerateBlock(rng, out.data(), W32(chunk)) != 0) return false;
      out = out.subspan(chunk);
    }
    return true;
  }

  std::unique_ptr<HashContext> new_hash(Hash hash) override {
    return Supports(hash) ? NewHash(hash) : nullptr;
  }
  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    return Supports(hash) && wolf::Hmac(hash, key, data, out);
  }
  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out_prk) override {
    return Supports(hash) && HkdfExtract(hash, salt, ikm, out_prk);
  }
  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    return Supports(hash) && HkdfExpand(hash, prk, info, out);
  }
  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    return Supports(hash) && Tls12Prf(hash, secret, label, seed, out);
  }

  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    return Supports(aead) ? NewAead(aead, key) : nullptr;
  }

  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    return Supports(group) ? NewKeyShare(group, {}) : nullptr;
  }
  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    if (!Supports(group) || private_key.size() != shared_secret_length(group)) return nullptr;
    return NewKeyShare(group, private_key);
  }

  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override {
    return LoadPrivateKey(pem_or_der, out_error);
  }
  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    return ParseChain(der_certs);
  }
  std::unique_ptr<PublicKey> parse_certificate_key(ByteView der_cert) override {
    return CertificateKey(der_cert);
  }
  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    return NewTrustStore(der_anchors, out_error);
  }

  bool native_tls() const override { return true; }
  std::unique_ptr<NativeContext> new_native_context(const NativeConfig& config,
                                                    Failure* out_failure) override {
    return MakeNativeContext(config, out_failure);
  }

 private:
  WolfBackend() : version_(std::string("wolfSSL ") + wolfSSL_lib_version()) {
    // Exactly what this build of the library was configured with.
    algorithms_.hashes.push_back(Hash::sha256);
#if defined(WOLFSSL_SHA384)
    algorithms_.hashes.push_back(Hash::sha384);
#endif
#if defined(HAVE_AESGCM)
    algorithms_.aeads.push_back(Aead::aes128gcm);
    algorithms_.aeads.push_back(Aead::aes256gcm);
#endif
#if defined(HAVE_CHACHA) && defined(HAVE_POLY1305)
    algorithms_.aeads.push_back(Aead::chacha20poly1305);
#endif
#if defined(HAVE_CURVE25519)
    algorithms_.groups.push_back(Group::x25519);
#endif
#if defined(HAVE_ECC)
    algorithms_.groups.push_back(Group::secp256r1);
    algorithms_.groups.push_back(Group::secp384r1);
#endif
    // Debian 12's wolfSSL is built without liboqs, and its own ML-KEM came
    // in 5.7.
    for (Group group : kHybridGroups) {
      algorithms_.unsupported_groups.push_back(
          {group, version_ + " has no Kyber768 or ML-KEM-768 (built without liboqs)"});
    }
    for (SignatureScheme scheme : kAllSignatureSchemes) {
      std::optional<Hash> hash = scheme_hash(scheme);
      if (hash && !Supports(*hash)) continue;
      KeyType key = scheme_key_type(scheme);
#if !defined(HAVE_ED25519)
      if (key == KeyType::ed25519) continue;
#endif
#if !defined(HAVE_ECC)
      if (is_ecdsa(key)) continue;
#endif
#if !defined(WC_RSA_PSS)
      if (scheme == SignatureScheme::rsa_pss_rsae_sha256 ||
          scheme == SignatureScheme::rsa_pss_rsae_sha384) {
        continue;
      }
#endif
      (void)key;
      algorithms_.signature_schemes.push_back(scheme);
    }
#if defined(HAVE_HKDF)
    algorithms_.hkdf = true;
#endif
    algorithms_.tls12_prf = true;
    algorithms_.rsa_pkcs1_encryption = true;
    algorithms_.x509 = true;
  }

  bool Supports(Hash hash) const {
    return IsKnown(hash) && std::find(algorithms_.hashes.begin(), algorithms_.hashes.end(), hash) !=
                                algorithms_.hashes.end();
  }
  bool Supports(Aead aead) const {
    return IsKnown(aead) && std::find(algorithms_.aeads.begin(), algorithms_.aeads.end(), aead) !=
                                algorithms_.aeads.end();
  }
  bool Supports(Group group) const {
    return IsKnown(group) && std::find(algorithms_.groups.begin(), algorithms_.groups.end(),
                                       group) != algorithms_.groups.end();
  }

  std::string version_;
  Algorithms algorithms_;
};

}  // namespace
}  // namespace hsbench::wolf

extern "C" HSBENCH_EXPORT hsbench::Backend* hsbench_backend_create(uint32_t abi_version) {
  if (abi_version != hsbench::kBackendAbiVersion) return nullptr;
  return hsbench::wolf::WolfBackend::Create().release();
}
