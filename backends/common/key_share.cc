#include "key_share.h"

#include <cstdint>
#include <utility>

namespace hsbench::libcrypto {
namespace {

class LibKeyShare final : public KeyShare {
 public:
  static std::unique_ptr<KeyShare> Create(const std::shared_ptr<const compat::Handles>& handles,
                                          Group group, ByteView private_key) {
    auto share = std::unique_ptr<LibKeyShare>(new LibKeyShare(group));
    share->key_ =
        compat::NewKeyShareKey(handles, group, private_key,
                               std::span<uint8_t>(share->public_key_, public_key_length(group)));
    if (!share->key_) return FailNull<KeyShare>();
    return share;
  }

  Group group() const override { return group_; }
  ByteView public_key() const override { return ByteView(public_key_, public_key_length(group_)); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    if (peer_public_key.size() != public_key_length(group_) ||
        out.size() != shared_secret_length(group_)) {
      return false;
    }
    // RFC 8446 4.2.8.2: only the uncompressed form is allowed.
    if (group_ != Group::x25519 && peer_public_key[0] != 0x04) return false;
    return compat::KeyShareDerive(*key_, group_, peer_public_key, out) || Fail();
  }

 private:
  explicit LibKeyShare(Group group) : group_(group) {}

  Group group_;
  UniquePtr<compat::KeyShareKey> key_;
  uint8_t public_key_[97];  // the longest: a P-384 point, uncompressed
};

}  // namespace

std::unique_ptr<KeyShare> NewKeyShare(const std::shared_ptr<const compat::Handles>& handles,
                                      Group group, ByteView private_key) {
  return LibKeyShare::Create(handles, group, private_key);
}

}  // namespace hsbench::libcrypto
