// The engine's only way to the backend. Every call is timed and charged, as
// a named CryptoOp, to the trace the driver points it at (nothing is timed
// when no trace is set). It is also where the determinism hooks live.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "hsbench/backend.h"
#include "hsbench/trace.h"
#include "tls/clock.h"
#include "tls/icount.h"

namespace hsbench::tls {

// Replaces the backend's randomness and ephemeral keys, for known-answer
// tests (RFC 8448) and repeatable instruction counts.
struct Determinism {
  std::function<void(std::span<uint8_t>)> random;
  // The private key for the next ephemeral share of a group
  // (private_key_length(group) bytes).
  std::function<Bytes(Group)> ephemeral_private_key;
  // The entropy for the next encapsulation to a KEM group's client share
  // (encapsulation_entropy_length(group) bytes).
  std::function<Bytes(Group)> encapsulation_entropy;
  // Signs in place of the key. RSA-PSS draws a random salt (RFC 8017
  // 9.1.1), so a published trace's signature cannot be made again by
  // signing; a test hands it over here once it has checked that it
  // verifies over the message given.
  std::function<bool(SignatureScheme, ByteView message, std::span<uint8_t> out, size_t* out_len)>
      sign;
  // The ticket age a resuming client reports (RFC 8446 4.2.11.1), in
  // milliseconds, in place of the time since its ticket came: a published
  // trace's resumed hello carries the age its client measured.
  std::function<uint32_t()> ticket_age_ms;
};

class Crypto {
 public:
  explicit Crypto(Backend* backend) : backend_(backend) {}

  Backend& backend() const { return *backend_; }
  void set_trace(HandshakeTrace* trace) { trace_ = trace; }
  void set_determinism(const Determinism* d) { determinism_ = d; }

  bool random(std::span<uint8_t> out);
  // Milliseconds since a ticket was received, or the determinism hook's.
  uint32_t ticket_age_ms(StepClock::time_point received) const;

  std::unique_ptr<HashContext> new_hash(Hash hash) { return backend_->new_hash(hash); }
  void hash_update(HashContext& ctx, ByteView data);
  // hashed: the bytes hashed into ctx so far, which the trace records (the
  // final block's padding depends on them).
  void hash_digest(const HashContext& ctx, uint64_t hashed, std::span<uint8_t> out);

  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out);
  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out);
  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out);
  bool prf(Hash hash, PrfLabel label, ByteView secret, std::string_view label_text, ByteView seed,
           std::span<uint8_t> out);

  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key);
  bool seal(AeadContext& ctx, ByteView nonce, ByteView ad, ByteView in, std::span<uint8_t> out);
  bool open(AeadContext& ctx, ByteView nonce, ByteView ad, ByteView in, std::span<uint8_t> out);

  // Timed as keygen and derive for a Diffie-Hellman group, as kem_keygen
  // and kem_decap (the client's side) for a KEM group.
  std::unique_ptr<KeyShare> keygen(Group group);
  bool derive(KeyShare& share, ByteView peer, std::span<uint8_t> out);
  // A KEM group's server side (Backend::encapsulate), timed as kem_encap.
  bool encapsulate(Group group, ByteView client_share, std::span<uint8_t> out_share,
                   std::span<uint8_t> out_secret);

  bool sign(const PrivateKey& key, SignatureScheme scheme, ByteView message,
            std::span<uint8_t> out, size_t* out_len);
  bool verify(const PublicKey& key, SignatureScheme scheme, ByteView message, ByteView signature);
  bool rsa_encrypt(const PublicKey& key, ByteView plaintext, std::span<uint8_t> out,
                   size_t* out_len);
  bool rsa_decrypt(const PrivateKey& key, ByteView ciphertext, std::span<uint8_t> out,
                   size_t* out_len);

  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der);
  // Timed as parse_chain: the parsing an unchecked chain needs.
  std::unique_ptr<PublicKey> parse_certificate_key(ByteView der);
  bool verify_chain(const TrustStore& trust, const CertificateChain& chain,
                    std::string_view hostname);
  // A client's chain, as a server verifies it for mutual TLS; timed as
  // verify_chain.
  bool verify_client_chain(const TrustStore& trust, const CertificateChain& chain);

 private:
  template <typename F>
  auto timed(CryptoOp op, OpSize size, F&& f) {
    if (trace_ == nullptr) return f();
    auto start = StepClock::now();
    if (g_icount_crypto) icount_toggle_collect();
    auto result = f();
    if (g_icount_crypto) icount_toggle_collect();
    trace_->add_op(op, elapsed_ns(start, StepClock::now()), size);
    return result;
  }

  Backend* backend_;
  HandshakeTrace* trace_ = nullptr;
  const Determinism* determinism_ = nullptr;
};

}  // namespace hsbench::tls
