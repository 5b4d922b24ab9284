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

constexpr size_t kX25519Length = 32;

// X25519Kyber768Draft00's client: an X25519 key pair and a Kyber768 one,
// each share and secret the X25519 part first
// (draft-tls-westerbaan-xyber768d00 section 3).
class HybridKeyShare final : public KeyShare {
 public:
  static std::unique_ptr<KeyShare> Create(const std::shared_ptr<const compat::Handles>& handles,
                                          Group group, ByteView private_key) {
    auto share = std::unique_ptr<HybridKeyShare>(new HybridKeyShare(group));
    ByteView x25519_private, kyber_entropy;
    if (!private_key.empty()) {
      x25519_private = private_key.first(kX25519Length);
      kyber_entropy = private_key.subspan(kX25519Length);
    }
    std::span<uint8_t> out(share->public_key_);
    share->x25519_ =
        compat::NewKeyShareKey(handles, Group::x25519, x25519_private, out.first(kX25519Length));
    share->kyber_ = compat::KyberGenerateKey(kyber_entropy, out.subspan(kX25519Length));
    if (!share->x25519_ || !share->kyber_) return FailNull<KeyShare>();
    return share;
  }

  Group group() const override { return group_; }
  ByteView public_key() const override { return ByteView(public_key_); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    if (peer_public_key.size() != public_key_length(group_, ShareFrom::server) ||
        out.size() != shared_secret_length(group_)) {
      return false;
    }
    if (!compat::KeyShareDerive(*x25519_, Group::x25519, peer_public_key.first(kX25519Length),
                                out.first(kX25519Length))) {
      return Fail();
    }
    compat::KyberDecap(*kyber_, peer_public_key.subspan(kX25519Length), out.subspan(kX25519Length));
    return true;
  }

 private:
  explicit HybridKeyShare(Group group) : group_(group) {}

  Group group_;
  UniquePtr<compat::KeyShareKey> x25519_;
  UniquePtr<compat::KyberKey> kyber_;
  uint8_t public_key_[kX25519Length + compat::kKyberPublicKeyLength];
};

}  // namespace

std::unique_ptr<KeyShare> NewKeyShare(const std::shared_ptr<const compat::Handles>& handles,
                                      Group group, ByteView private_key) {
  if (group == Group::x25519_kyber768_draft00) {
    return HybridKeyShare::Create(handles, group, private_key);
  }
  return LibKeyShare::Create(handles, group, private_key);
}

bool HybridEncapsulate(const std::shared_ptr<const compat::Handles>& handles, Group group,
                       ByteView client_share, ByteView entropy, std::span<uint8_t> out_share,
                       std::span<uint8_t> out_secret) {
  if (group != Group::x25519_kyber768_draft00 || client_share.size() != public_key_length(group) ||
      out_share.size() != public_key_length(group, ShareFrom::server) ||
      out_secret.size() != shared_secret_length(group) ||
      (!entropy.empty() && entropy.size() != encapsulation_entropy_length(group))) {
    return false;
  }
  ByteView x25519_private, kyber_entropy;
  if (!entropy.empty()) {
    x25519_private = entropy.first(kX25519Length);
    kyber_entropy = entropy.subspan(kX25519Length);
  }
  UniquePtr<compat::KeyShareKey> x25519 = compat::NewKeyShareKey(
      handles, Group::x25519, x25519_private, out_share.first(kX25519Length));
  if (!x25519 ||
      !compat::KeyShareDerive(*x25519, Group::x25519, client_share.first(kX25519Length),
                              out_secret.first(kX25519Length)) ||
      !compat::KyberEncap(client_share.subspan(kX25519Length), kyber_entropy,
                          out_share.subspan(kX25519Length), out_secret.subspan(kX25519Length))) {
    return Fail();
  }
  return true;
}

}  // namespace hsbench::libcrypto
