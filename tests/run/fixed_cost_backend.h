// A backend of known cost for the runner's arithmetic: the null backend's
// crypto, except that the server's signature and the client's chain
// verification each burn a set amount of this thread's CPU time (and the
// signature may allocate a set pattern of heap blocks). What the runner
// reports per handshake must then account for at least that much, on the
// side that did it.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "hsbench/backend.h"

namespace hsbench::test {

// This thread's CPU time, in ns.
inline uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Spins until this thread has used us more microseconds of CPU: time it
// cannot get back by being descheduled, whatever else the machine runs.
inline void burn_cpu_us(uint64_t us) {
  const uint64_t until = thread_cpu_ns() + us * 1000;
  while (thread_cpu_ns() < until) {
  }
}

struct FixedCosts {
  uint64_t sign_us = 0;       // each server signature
  uint64_t sign_slow_us = 0;  // ... every slow_every-th one instead (0: never)
  uint64_t slow_every = 0;
  uint64_t verify_chain_us = 0;  // each client chain verification
  int sign_blocks = 0;           // heap blocks held at once during each signature
  size_t sign_block_bytes = 0;
};

class FixedCostKey final : public PrivateKey {
 public:
  FixedCostKey(std::unique_ptr<PrivateKey> inner, const FixedCosts& costs,
               std::atomic<uint64_t>* signatures)
      : inner_(std::move(inner)), costs_(costs), signatures_(signatures) {}
  KeyInfo info() const override { return inner_->info(); }
  bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
            size_t* out_len) const override {
    const uint64_t n = signatures_->fetch_add(1) + 1;
    const bool slow = costs_.slow_every > 0 && n % costs_.slow_every == 0;
    burn_cpu_us(slow ? costs_.sign_slow_us : costs_.sign_us);
    std::vector<std::unique_ptr<uint8_t[]>> blocks;
    blocks.reserve(static_cast<size_t>(costs_.sign_blocks));
    for (int i = 0; i < costs_.sign_blocks; i++) {
      blocks.emplace_back(new uint8_t[costs_.sign_block_bytes]);
      // Written, so that no compiler may drop the allocation.
      std::memset(blocks.back().get(), i, costs_.sign_block_bytes);
    }
    return inner_->sign(scheme, message, out, out_len);
  }
  bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    return inner_->rsa_decrypt_pkcs1(ciphertext, out, out_len);
  }

 private:
  std::unique_ptr<PrivateKey> inner_;
  FixedCosts costs_;
  std::atomic<uint64_t>* signatures_;
};

class FixedCostTrustStore final : public TrustStore {
 public:
  FixedCostTrustStore(std::unique_ptr<TrustStore> inner, uint64_t us)
      : inner_(std::move(inner)), us_(us) {}
  bool verify(const CertificateChain& chain, std::string_view hostname,
              std::string* out_error) const override {
    burn_cpu_us(us_);
    return inner_->verify(chain, hostname, out_error);
  }
  bool verify_client(const CertificateChain& chain, std::string* out_error) const override {
    burn_cpu_us(us_);
    return inner_->verify_client(chain, out_error);
  }

 private:
  std::unique_ptr<TrustStore> inner_;
  uint64_t us_;
};

class FixedCostBackend final : public Backend {
 public:
  FixedCostBackend(Backend& inner, const FixedCosts& costs) : inner_(inner), costs_(costs) {}

  // Signatures made so far, warm-up and untimed handshakes included.
  uint64_t signatures() const { return signatures_.load(); }

  std::string_view name() const override { return "fixed-cost"; }
  std::string_view version() const override { return "the null backend, with set costs"; }
  bool real_crypto() const override { return false; }
  const Algorithms& algorithms() const override { return inner_.algorithms(); }

  bool random(std::span<uint8_t> out) override { return inner_.random(out); }
  std::unique_ptr<HashContext> new_hash(Hash hash) override { return inner_.new_hash(hash); }
  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    return inner_.hmac(hash, key, data, out);
  }
  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out) override {
    return inner_.hkdf_extract(hash, salt, ikm, out);
  }
  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    return inner_.hkdf_expand(hash, prk, info, out);
  }
  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    return inner_.tls12_prf(hash, secret, label, seed, out);
  }
  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    return inner_.new_aead(aead, key);
  }
  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    return inner_.generate_key_share(group);
  }
  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    return inner_.key_share_from_private(group, private_key);
  }
  bool encapsulate(Group group, ByteView client_share, ByteView entropy,
                   std::span<uint8_t> out_share, std::span<uint8_t> out_secret) override {
    return inner_.encapsulate(group, client_share, entropy, out_share, out_secret);
  }
  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override {
    auto key = inner_.load_private_key(pem_or_der, out_error);
    if (key == nullptr) return nullptr;
    return std::make_unique<FixedCostKey>(std::move(key), costs_, &signatures_);
  }
  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    return inner_.parse_chain(der_certs);
  }
  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    auto store = inner_.new_trust_store(der_anchors, out_error);
    if (store == nullptr) return nullptr;
    return std::make_unique<FixedCostTrustStore>(std::move(store), costs_.verify_chain_us);
  }

 private:
  Backend& inner_;
  FixedCosts costs_;
  std::atomic<uint64_t> signatures_{0};
};

}  // namespace hsbench::test
