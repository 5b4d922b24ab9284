// A fourth backend, "extra", built outside backends/ and found only through
// $HSBENCH_BACKEND_PATH: proof that the lists of backends come from the
// plugins found, not from names written into hsbench. It is the null
// backend's stand-in crypto (loaded from its plugin) offering a single
// group, x25519, so that it declares no real crypto, runs the scenarios
// its algorithms cover, and leaves the others unsupported.
#include <dlfcn.h>

#include <algorithm>

#include "hsbench/backend.h"

namespace hsbench {
namespace {

class ExtraBackend final : public Backend {
 public:
  explicit ExtraBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {
    algorithms_ = inner_->algorithms();
    algorithms_.groups = {Group::x25519};
  }

  std::string_view name() const override { return "extra"; }
  std::string_view version() const override { return "extra (the null backend, x25519 only)"; }
  bool real_crypto() const override { return false; }
  const Algorithms& algorithms() const override { return algorithms_; }

  bool random(std::span<uint8_t> out) override { return inner_->random(out); }
  std::unique_ptr<HashContext> new_hash(Hash hash) override { return inner_->new_hash(hash); }
  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    return inner_->hmac(hash, key, data, out);
  }
  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out) override {
    return inner_->hkdf_extract(hash, salt, ikm, out);
  }
  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    return inner_->hkdf_expand(hash, prk, info, out);
  }
  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    return inner_->tls12_prf(hash, secret, label, seed, out);
  }
  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    return inner_->new_aead(aead, key);
  }
  // A group it does not list is unsupported: no key share (backend.h).
  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    return offers(group) ? inner_->generate_key_share(group) : nullptr;
  }
  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    return offers(group) ? inner_->key_share_from_private(group, private_key) : nullptr;
  }
  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override {
    return inner_->load_private_key(pem_or_der, out_error);
  }
  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    return inner_->parse_chain(der_certs);
  }
  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    return inner_->new_trust_store(der_anchors, out_error);
  }

 private:
  bool offers(Group group) const {
    return std::find(algorithms_.groups.begin(), algorithms_.groups.end(), group) !=
           algorithms_.groups.end();
  }

  std::unique_ptr<Backend> inner_;
  Algorithms algorithms_;
};

}  // namespace
}  // namespace hsbench

extern "C" HSBENCH_EXPORT hsbench::Backend* hsbench_backend_create(uint32_t abi_version) {
  if (abi_version != hsbench::kBackendAbiVersion) return nullptr;
  // Stays loaded, as the loader keeps every plugin (loader.h).
  void* handle = dlopen(HSBENCH_TEST_NULL_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return nullptr;
  auto create =
      reinterpret_cast<HsbenchBackendCreateFn>(dlsym(handle, HSBENCH_BACKEND_ENTRY_POINT));
  if (create == nullptr) return nullptr;
  std::unique_ptr<hsbench::Backend> inner(create(abi_version));
  if (inner == nullptr) return nullptr;
  return new hsbench::ExtraBackend(std::move(inner));
}
