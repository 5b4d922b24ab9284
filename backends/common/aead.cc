#include "aead.h"

#include <algorithm>
#include <cstdint>

namespace hsbench::libcrypto {
namespace {

bool AeadSizesOk(ByteView nonce, size_t in_len, size_t out_len, bool sealing) {
  if (nonce.size() != kAeadNonceLength) return false;
  if (sealing) return in_len <= SIZE_MAX - kAeadTagLength && out_len == in_len + kAeadTagLength;
  return in_len >= kAeadTagLength && out_len == in_len - kAeadTagLength;
}

class LibAeadContext final : public AeadContext {
 public:
  LibAeadContext(Aead aead, UniquePtr<compat::AeadKey> key) : aead_(aead), key_(std::move(key)) {}

  Aead aead() const override { return aead_; }

  bool seal(ByteView nonce, ByteView additional_data, ByteView plaintext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, plaintext.size(), out.size(), /*sealing=*/true)) return false;
    return compat::AeadSeal(*key_, nonce, additional_data, plaintext, out) || Fail();
  }

  bool open(ByteView nonce, ByteView additional_data, ByteView ciphertext,
            std::span<uint8_t> out) override {
    if (!AeadSizesOk(nonce, ciphertext.size(), out.size(), /*sealing=*/false)) return false;
    if (!compat::AeadOpen(*key_, nonce, additional_data, ciphertext, out)) {
      // RFC 5116 2.2: no plaintext is released when authentication fails.
      std::fill(out.begin(), out.end(), uint8_t{0});
      return Fail();
    }
    return true;
  }

 private:
  Aead aead_;
  UniquePtr<compat::AeadKey> key_;
};

}  // namespace

std::unique_ptr<AeadContext> NewAead(const compat::Handles& handles, Aead aead, ByteView key) {
  if (key.size() != key_length(aead)) return nullptr;
  UniquePtr<compat::AeadKey> scheduled = compat::NewAeadKey(handles, aead, key);
  if (!scheduled) return FailNull<AeadContext>();
  return std::make_unique<LibAeadContext>(aead, std::move(scheduled));
}

}  // namespace hsbench::libcrypto
