// One hsbench::Backend written against the OpenSSL API and compiled once per
// library: against OpenSSL 3 (the "openssl" plugin) and against BoringSSL
// (the "boringssl" plugin). Each algorithm family has its own file (hash_kdf,
// aead, key_share, keys, x509, and libssl_native for the library's own TLS
// stack); what differs between the libraries is in compat.h. This file holds
// the algorithm table and the entry point.
//
// Everything that can be prepared once is prepared when the backend is
// created (compat::Handles) or when a key or context is made, so a handshake
// pays only for the per-operation work its library's own libssl would do.

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "aead.h"
#include "compat.h"
#include "hash_kdf.h"
#include "hsbench/algorithms.h"
#include "hsbench/backend.h"
#include "key_share.h"
#include "keys.h"
#include "libssl_native.h"
#include "util.h"
#include "x509.h"

#if !defined(HSBENCH_BACKEND_NAME)
#error "HSBENCH_BACKEND_NAME must name the backend (its plugin is hsbench-backend-NAME.so)"
#endif

namespace hsbench::libcrypto {
namespace {

class LibcryptoBackend final : public Backend {
 public:
  static std::unique_ptr<Backend> Create() {
    std::string version;
    if (!compat::InitLibrary(&version)) return FailNull<Backend>();
    std::shared_ptr<const compat::Handles> handles = compat::CreateHandles();
    if (!handles) return FailNull<Backend>();
    return std::unique_ptr<Backend>(new LibcryptoBackend(std::move(handles), std::move(version)));
  }

  std::string_view name() const override { return HSBENCH_BACKEND_NAME; }
  // OpenSSL, the system's library and the reference, lists before BoringSSL.
  int list_rank() const override { return compat::kListRank; }
  std::string_view version() const override { return version_; }
  const Algorithms& algorithms() const override { return algorithms_; }

  bool random(std::span<uint8_t> out) override {
    // The library takes an int length.
    while (!out.empty()) {
      size_t chunk = std::min<size_t>(out.size(), INT_MAX);
      if (RAND_bytes(out.data(), static_cast<int>(chunk)) != 1) return Fail();
      out = out.subspan(chunk);
    }
    return true;
  }

  std::unique_ptr<HashContext> new_hash(Hash hash) override {
    if (!Supports(hash)) return nullptr;
    return NewHash(*handles_, hash);
  }

  // Qualified: compat.h declares primitives of the same names, which
  // argument-dependent lookup on compat::Handles would also find.
  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    return Supports(hash) && libcrypto::Hmac(*handles_, hash, key, data, out);
  }

  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out_prk) override {
    return Supports(hash) && algorithms_.hkdf &&
           libcrypto::HkdfExtract(*handles_, hash, salt, ikm, out_prk);
  }

  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    return Supports(hash) && algorithms_.hkdf &&
           libcrypto::HkdfExpand(*handles_, hash, prk, info, out);
  }

  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    return Supports(hash) && algorithms_.tls12_prf &&
           libcrypto::Tls12Prf(*handles_, hash, secret, label, seed, out);
  }

  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    if (!Supports(aead)) return nullptr;
    return NewAead(*handles_, aead, key);
  }

  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    if (!Supports(group)) return nullptr;
    return NewKeyShare(handles_, group, {});
  }

  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    if (!Supports(group) || private_key.size() != private_key_length(group)) return nullptr;
    return NewKeyShare(handles_, group, private_key);
  }

  bool encapsulate(Group group, ByteView client_share, ByteView entropy,
                   std::span<uint8_t> out_share, std::span<uint8_t> out_secret) override {
    return Supports(group) && is_kem(group) &&
           HybridEncapsulate(handles_, group, client_share, entropy, out_share, out_secret);
  }

  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override {
    return LoadPrivateKey(handles_, pem_or_der, out_error);
  }

  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    return ParseChain(handles_, der_certs);
  }

  std::unique_ptr<PublicKey> parse_certificate_key(ByteView der_cert) override {
    if (auto key = compat::CertificateKey(der_cert)) return NewPublicKey(handles_, std::move(key));
    return Backend::parse_certificate_key(der_cert);
  }

  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    return NewTrustStore(der_anchors, out_error);
  }

  // The library's own libssl (libssl_native.cc).
  bool native_tls() const override { return true; }
  std::unique_ptr<NativeContext> new_native_context(const NativeConfig& config,
                                                    Failure* out_failure) override {
    return MakeNativeContext(config, out_failure);
  }

 private:
  LibcryptoBackend(std::shared_ptr<const compat::Handles> handles, std::string version)
      : handles_(std::move(handles)), version_(std::move(version)) {
    // The table lists exactly what the library provided at creation. A hash
    // without HMAC is no use for HKDF or the PRF either.
    for (Hash hash : kAllHashes) {
      if (compat::Md(*handles_, hash) != nullptr && compat::HasHmac(*handles_, hash)) {
        algorithms_.hashes.push_back(hash);
      }
    }
    for (Aead aead : kAllAeads) {
      if (compat::HasAead(*handles_, aead)) algorithms_.aeads.push_back(aead);
    }
    algorithms_.groups.assign(std::begin(kAllGroups), std::end(kAllGroups));
    std::string no_kyber;
    if (compat::HasKyber768(&no_kyber)) {
      algorithms_.groups.push_back(Group::x25519_kyber768_draft00);
    } else {
      algorithms_.unsupported_groups.push_back({Group::x25519_kyber768_draft00, no_kyber});
    }
    algorithms_.unsupported_groups.push_back(
        {Group::x25519_mlkem768,
         version_ + " has no ML-KEM-768 (FIPS 203), which is in no library Debian 12 ships"});
    for (SignatureScheme scheme : kAllSignatureSchemes) {
      std::optional<Hash> hash = scheme_hash(scheme);
      if (!hash || compat::Md(*handles_, *hash) != nullptr) {
        algorithms_.signature_schemes.push_back(scheme);
      }
    }
    algorithms_.hkdf = compat::HasHkdf(*handles_);
    algorithms_.tls12_prf = compat::HasTls12Prf(*handles_);
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
    return std::find(algorithms_.groups.begin(), algorithms_.groups.end(), group) !=
           algorithms_.groups.end();
  }

  std::shared_ptr<const compat::Handles> handles_;
  std::string version_;
  Algorithms algorithms_;
};

}  // namespace
}  // namespace hsbench::libcrypto

extern "C" HSBENCH_EXPORT hsbench::Backend* hsbench_backend_create(uint32_t abi_version) {
  if (abi_version != hsbench::kBackendAbiVersion) return nullptr;
  return hsbench::libcrypto::LibcryptoBackend::Create().release();
}
