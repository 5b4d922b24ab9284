#include "x509.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <string_view>
#include <utility>

#include "keys.h"

namespace hsbench::libcrypto {
namespace {

class LibCertificateChain final : public CertificateChain {
 public:
  LibCertificateChain(std::shared_ptr<const compat::Handles> handles,
                      UniquePtr<STACK_OF(X509)> certs)
      : handles_(std::move(handles)), certs_(std::move(certs)) {}

  size_t size() const override { return static_cast<size_t>(sk_X509_num(certs_.get())); }

  std::unique_ptr<PublicKey> leaf_public_key() const override {
    UniquePtr<EVP_PKEY> key(X509_get_pubkey(leaf()));
    if (!key) return FailNull<PublicKey>();
    return NewPublicKey(handles_, std::move(key));
  }

  X509* leaf() const { return sk_X509_value(certs_.get(), 0); }
  // The whole chain, leaf included, as libssl hands it to X509_STORE_CTX_init.
  STACK_OF(X509) * certs() const { return certs_.get(); }

 private:
  std::shared_ptr<const compat::Handles> handles_;
  UniquePtr<STACK_OF(X509)> certs_;
};

class LibTrustStore final : public TrustStore {
 public:
  explicit LibTrustStore(UniquePtr<X509_STORE> store) : store_(std::move(store)) {}

  bool verify(const CertificateChain& chain, std::string_view hostname,
              std::string* out_error) const override {
    // A TLS client checking a server, as libssl sets it up.
    return Verify(chain, "ssl_server", hostname, out_error);
  }

  bool verify_client(const CertificateChain& chain, std::string* out_error) const override {
    // A TLS server checking a client (libssl's default for a server).
    return Verify(chain, "ssl_client", {}, out_error);
  }

 private:
  bool Verify(const CertificateChain& chain, const char* purpose, std::string_view hostname,
              std::string* out_error) const {
    // Objects made by one backend only come back to it.
    const auto& certs = static_cast<const LibCertificateChain&>(chain);
    UniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
    if (!ctx || !X509_STORE_CTX_init(ctx.get(), store_.get(), certs.leaf(), certs.certs()) ||
        !X509_STORE_CTX_set_default(ctx.get(), purpose)) {
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

  UniquePtr<X509_STORE> store_;
};

}  // namespace

std::unique_ptr<CertificateChain> ParseChain(std::shared_ptr<const compat::Handles> handles,
                                             std::span<const ByteView> der_certs) {
  if (der_certs.empty()) return nullptr;
  UniquePtr<STACK_OF(X509)> certs(sk_X509_new_null());
  if (!certs) return FailNull<CertificateChain>();
  for (ByteView der : der_certs) {
    UniquePtr<X509> cert = ParseCertificate(der);
    if (!cert || !sk_X509_push(certs.get(), cert.get())) return FailNull<CertificateChain>();
    (void)cert.release();  // owned by the stack now
  }
  return std::make_unique<LibCertificateChain>(std::move(handles), std::move(certs));
}

std::unique_ptr<TrustStore> NewTrustStore(std::span<const ByteView> der_anchors,
                                          std::string* out_error) {
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
    if (!AddTrustAnchor(store.get(), cert.get())) {
      SetError(out_error, "cannot add trust anchor " + std::to_string(i));
      return nullptr;
    }
  }
  return std::make_unique<LibTrustStore>(std::move(store));
}

}  // namespace hsbench::libcrypto
