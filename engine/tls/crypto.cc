#include "tls/crypto.h"

#include <chrono>

namespace hsbench::tls {
namespace {

constexpr uint16_t id(Hash h) { return static_cast<uint16_t>(h); }
constexpr uint16_t id(Aead a) { return static_cast<uint16_t>(a); }
constexpr uint16_t id(Group g) { return static_cast<uint16_t>(g); }
constexpr uint16_t id(SignatureScheme s) { return static_cast<uint16_t>(s); }

// Sizes as the trace holds them. No handshake message or record comes near
// the limits; a larger size is clamped rather than wrapped.
constexpr uint32_t u32(uint64_t n) {
  return n > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(n);
}
constexpr uint16_t u16(uint64_t n) {
  return n > UINT16_MAX ? UINT16_MAX : static_cast<uint16_t>(n);
}

}  // namespace

bool Crypto::random(std::span<uint8_t> out) {
  if (determinism_ != nullptr && determinism_->random) {
    determinism_->random(out);
    return true;
  }
  return timed({OpKind::random}, {.out = u16(out.size())}, [&] { return backend_->random(out); });
}

uint32_t Crypto::ticket_age_ms(StepClock::time_point received) const {
  if (determinism_ != nullptr && determinism_->ticket_age_ms) return determinism_->ticket_age_ms();
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(StepClock::now() - received).count());
}

void Crypto::hash_update(HashContext& ctx, ByteView data) {
  timed({OpKind::hash, id(ctx.hash())}, {.bytes = u32(data.size())}, [&] {
    ctx.update(data);
    return true;
  });
}

void Crypto::hash_digest(const HashContext& ctx, uint64_t hashed, std::span<uint8_t> out) {
  timed({OpKind::hash, id(ctx.hash())}, {.bytes = u32(hashed), .out = u16(out.size())}, [&] {
    ctx.current_digest(out);
    return true;
  });
}

bool Crypto::hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) {
  return timed({OpKind::hmac, id(hash)}, {.bytes = u32(data.size()), .aux = u16(key.size())},
               [&] { return backend_->hmac(hash, key, data, out); });
}

bool Crypto::hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out) {
  return timed({OpKind::hkdf_extract, id(hash)},
               {.bytes = u32(ikm.size()), .aux = u16(salt.size())},
               [&] { return backend_->hkdf_extract(hash, salt, ikm, out); });
}

bool Crypto::hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) {
  return timed({OpKind::hkdf_expand, id(hash)}, {.bytes = u32(info.size()), .out = u16(out.size())},
               [&] { return backend_->hkdf_expand(hash, prk, info, out); });
}

bool Crypto::prf(Hash hash, PrfLabel label, ByteView secret, std::string_view label_text,
                 ByteView seed, std::span<uint8_t> out) {
  return timed({OpKind::prf, id(hash), static_cast<uint16_t>(label)},
               {.bytes = u32(seed.size()), .aux = u16(secret.size()), .out = u16(out.size())},
               [&] { return backend_->tls12_prf(hash, secret, label_text, seed, out); });
}

std::unique_ptr<AeadContext> Crypto::new_aead(Aead aead, ByteView key) {
  return timed({OpKind::aead_key, id(aead)}, {}, [&] { return backend_->new_aead(aead, key); });
}

bool Crypto::seal(AeadContext& ctx, ByteView nonce, ByteView ad, ByteView in,
                  std::span<uint8_t> out) {
  return timed({OpKind::aead_seal, id(ctx.aead())},
               {.bytes = u32(in.size()), .aux = u16(ad.size())},
               [&] { return ctx.seal(nonce, ad, in, out); });
}

bool Crypto::open(AeadContext& ctx, ByteView nonce, ByteView ad, ByteView in,
                  std::span<uint8_t> out) {
  return timed({OpKind::aead_open, id(ctx.aead())},
               {.bytes = u32(in.size()), .aux = u16(ad.size())},
               [&] { return ctx.open(nonce, ad, in, out); });
}

std::unique_ptr<KeyShare> Crypto::keygen(Group group) {
  const CryptoOp op{is_kem(group) ? OpKind::kem_keygen : OpKind::keygen, id(group)};
  if (determinism_ != nullptr && determinism_->ephemeral_private_key) {
    Bytes priv = determinism_->ephemeral_private_key(group);
    return timed(op, {}, [&] { return backend_->key_share_from_private(group, priv); });
  }
  return timed(op, {}, [&] { return backend_->generate_key_share(group); });
}

bool Crypto::derive(KeyShare& share, ByteView peer, std::span<uint8_t> out) {
  const Group group = share.group();
  return timed({is_kem(group) ? OpKind::kem_decap : OpKind::derive, id(group)}, {},
               [&] { return share.derive(peer, out); });
}

bool Crypto::encapsulate(Group group, ByteView client_share, std::span<uint8_t> out_share,
                         std::span<uint8_t> out_secret) {
  Bytes entropy;
  if (determinism_ != nullptr && determinism_->encapsulation_entropy) {
    entropy = determinism_->encapsulation_entropy(group);
  }
  return timed({OpKind::kem_encap, id(group)}, {}, [&] {
    return backend_->encapsulate(group, client_share, entropy, out_share, out_secret);
  });
}

bool Crypto::sign(const PrivateKey& key, SignatureScheme scheme, ByteView message,
                  std::span<uint8_t> out, size_t* out_len) {
  if (determinism_ != nullptr && determinism_->sign) {
    return timed({OpKind::sign, id(scheme)}, {.bytes = u32(message.size())},
                 [&] { return determinism_->sign(scheme, message, out, out_len); });
  }
  return timed({OpKind::sign, id(scheme)}, {.bytes = u32(message.size())},
               [&] { return key.sign(scheme, message, out, out_len); });
}

bool Crypto::verify(const PublicKey& key, SignatureScheme scheme, ByteView message,
                    ByteView signature) {
  return timed({OpKind::verify, id(scheme)},
               {.bytes = u32(message.size()), .aux = u16(signature.size())},
               [&] { return key.verify(scheme, message, signature); });
}

bool Crypto::rsa_encrypt(const PublicKey& key, ByteView plaintext, std::span<uint8_t> out,
                         size_t* out_len) {
  return timed({OpKind::rsa_encrypt, 0, static_cast<uint16_t>(key.info().bits)},
               {.bytes = u32(plaintext.size())},
               [&] { return key.rsa_encrypt_pkcs1(plaintext, out, out_len); });
}

bool Crypto::rsa_decrypt(const PrivateKey& key, ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) {
  return timed({OpKind::rsa_decrypt, 0, static_cast<uint16_t>(key.info().bits)},
               {.bytes = u32(ciphertext.size())},
               [&] { return key.rsa_decrypt_pkcs1(ciphertext, out, out_len); });
}

std::unique_ptr<CertificateChain> Crypto::parse_chain(std::span<const ByteView> der) {
  uint64_t bytes = 0;
  if (trace_ != nullptr) {
    for (ByteView cert : der) bytes += cert.size();
  }
  return timed({OpKind::parse_chain}, {.bytes = u32(bytes), .aux = u16(der.size())},
               [&] { return backend_->parse_chain(der); });
}

std::unique_ptr<PublicKey> Crypto::parse_certificate_key(ByteView der) {
  return timed({OpKind::parse_chain}, {.bytes = u32(der.size()), .aux = 1},
               [&] { return backend_->parse_certificate_key(der); });
}

bool Crypto::verify_chain(const TrustStore& trust, const CertificateChain& chain,
                          std::string_view hostname) {
  return timed({OpKind::verify_chain}, {}, [&] { return trust.verify(chain, hostname, nullptr); });
}

bool Crypto::verify_client_chain(const TrustStore& trust, const CertificateChain& chain) {
  return timed({OpKind::verify_chain}, {}, [&] { return trust.verify_client(chain, nullptr); });
}

}  // namespace hsbench::tls
