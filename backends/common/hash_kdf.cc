#include "hash_kdf.h"

#include <openssl/evp.h>

#include <algorithm>

namespace hsbench::libcrypto {
namespace {

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

}  // namespace

std::unique_ptr<HashContext> NewHash(const compat::Handles& handles, Hash hash) {
  return LibHashContext::Create(hash, compat::Md(handles, hash));
}

bool Hmac(const compat::Handles& handles, Hash hash, ByteView key, ByteView data,
          std::span<uint8_t> out) {
  if (out.size() != digest_length(hash)) return false;
  return compat::Hmac(handles, hash, key, data, out) || Fail();
}

bool HkdfExtract(const compat::Handles& handles, Hash hash, ByteView salt, ByteView ikm,
                 std::span<uint8_t> out_prk) {
  if (out_prk.size() != digest_length(hash)) return false;
  return compat::HkdfExtract(handles, hash, salt, ikm, out_prk) || Fail();
}

bool HkdfExpand(const compat::Handles& handles, Hash hash, ByteView prk, ByteView info,
                std::span<uint8_t> out) {
  // RFC 5869 2.3: at most 255 blocks.
  if (out.empty() || out.size() > 255 * digest_length(hash)) return false;
  return compat::HkdfExpand(handles, hash, prk, info, out) || Fail();
}

bool Tls12Prf(const compat::Handles& handles, Hash hash, ByteView secret, std::string_view label,
              ByteView seed, std::span<uint8_t> out) {
  // OpenSSL's TLS1-PRF refuses an empty label || seed. TLS never asks for
  // one (RFC 5246 labels are never empty), so every library refuses it alike.
  if (out.empty() || (label.empty() && seed.empty())) return false;
  ByteView label_bytes(reinterpret_cast<const uint8_t*>(label.data()), label.size());
  return compat::Tls12Prf(handles, hash, secret, label_bytes, seed, out) || Fail();
}

}  // namespace hsbench::libcrypto
