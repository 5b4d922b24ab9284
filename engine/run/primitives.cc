#include "run/primitives.h"

#include <fmt/format.h>

#include <algorithm>

#include "hsbench/engine.h"

namespace hsbench {
namespace {

constexpr size_t kTranscriptMessageLength = 256;
constexpr size_t kRecordLength = 64;    // the engine's application data record
constexpr size_t kRecordAdLength = 13;  // TLS 1.2 additional data
constexpr size_t kSignedMessageLength = 128;
constexpr size_t kPremasterLength = 48;
constexpr size_t kTls12RandomsLength = 64;
constexpr size_t kTls12MasterSecretLength = 48;
constexpr size_t kTls12VerifyDataLength = 12;
constexpr size_t kHkdfInfoLength = 54;  // a TLS 1.3 HkdfLabel with a hash as context

// Deterministic filler, so runs are comparable.
Bytes filler(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; i++) b[i] = static_cast<uint8_t>(seed + i * 131);
  return b;
}

template <typename T>
bool has(const std::vector<T>& list, T v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string_view prf_label_text(PrfLabel label) {
  switch (label) {
    case PrfLabel::master_secret:
      return "master secret";
    case PrfLabel::extended_master_secret:
      return "extended master secret";
    case PrfLabel::key_expansion:
      return "key expansion";
    case PrfLabel::client_finished:
      return "client finished";
    case PrfLabel::server_finished:
      return "server finished";
    case PrfLabel::none:
      break;
  }
  return "";
}

// The PRF's inputs per label (RFC 5246 8.1 and 6.3, RFC 7627 4): seed and
// output lengths. Key expansion yields two keys and two 4-byte implicit
// nonces: AES-128-GCM with SHA-256 suites, AES-256-GCM with SHA-384 ones.
void prf_shape(PrfLabel label, Hash hash, size_t* out_secret, size_t* out_seed, size_t* out_len) {
  *out_secret = kTls12MasterSecretLength;
  *out_seed = kTls12RandomsLength;
  *out_len = kTls12MasterSecretLength;
  switch (label) {
    case PrfLabel::master_secret:
      *out_secret = kPremasterLength;
      break;
    case PrfLabel::extended_master_secret:
      *out_secret = kPremasterLength;
      *out_seed = digest_length(hash);
      break;
    case PrfLabel::key_expansion:
      *out_len = hash == Hash::sha384 ? 2 * (32 + 4) : 2 * (16 + 4);
      break;
    case PrfLabel::client_finished:
    case PrfLabel::server_finished:
      *out_seed = digest_length(hash);
      *out_len = kTls12VerifyDataLength;
      break;
    case PrfLabel::none:
      break;
  }
}

PrimitiveBody fail(std::string* out_error, std::string why) {
  *out_error = std::move(why);
  return nullptr;
}

}  // namespace

bool uses_pki(OpKind kind) {
  switch (kind) {
    case OpKind::sign:
    case OpKind::verify:
    case OpKind::rsa_encrypt:
    case OpKind::rsa_decrypt:
    case OpKind::parse_chain:
    case OpKind::verify_chain:
      return true;
    default:
      return false;
  }
}

std::string primitive_name(CryptoOp op) {
  std::string n = op_name(op);
  if (op.kind == OpKind::prf) {
    n += '/';
    n += name(static_cast<Hash>(op.alg));
  }
  return n;
}

OpSize typical_size(CryptoOp op) {
  const auto hash = static_cast<Hash>(op.alg);
  auto u16 = [](size_t n) { return static_cast<uint16_t>(n); };
  switch (op.kind) {
    case OpKind::random:
      return {.out = 32};
    case OpKind::hash:
      return {.bytes = kTranscriptMessageLength};
    case OpKind::hmac:
    case OpKind::hkdf_extract:
      return {.bytes = static_cast<uint32_t>(digest_length(hash)), .aux = u16(digest_length(hash))};
    case OpKind::hkdf_expand:
      return {.bytes = kHkdfInfoLength, .out = u16(digest_length(hash))};
    case OpKind::prf: {
      size_t secret, seed, out;
      prf_shape(static_cast<PrfLabel>(op.detail), hash, &secret, &seed, &out);
      return {.bytes = static_cast<uint32_t>(seed), .aux = u16(secret), .out = u16(out)};
    }
    case OpKind::aead_seal:
      return {.bytes = kRecordLength, .aux = kRecordAdLength};
    case OpKind::aead_open:
      return {.bytes = kRecordLength + kAeadTagLength, .aux = kRecordAdLength};
    case OpKind::sign:
    case OpKind::verify:
      return {.bytes = kSignedMessageLength};
    case OpKind::rsa_encrypt:
      return {.bytes = kPremasterLength};
    case OpKind::rsa_decrypt:
      return {.bytes = static_cast<uint32_t>(op.detail / 8)};
    default:
      return {};
  }
}

std::string size_name(CryptoOp op, OpSize size) {
  switch (op.kind) {
    case OpKind::random:
      return fmt::format("{} B", size.out);
    case OpKind::hash:
      return size.out != 0 ? fmt::format("digest of {} B", size.bytes)
                           : fmt::format("{} B", size.bytes);
    case OpKind::hmac:
      return fmt::format("{} B, key {} B", size.bytes, size.aux);
    case OpKind::hkdf_extract:
      return fmt::format("ikm {} B, salt {} B", size.bytes, size.aux);
    case OpKind::hkdf_expand:
      return fmt::format("info {} B, out {} B", size.bytes, size.out);
    case OpKind::prf:
      return fmt::format("seed {} B, secret {} B, out {} B", size.bytes, size.aux, size.out);
    case OpKind::aead_seal:
    case OpKind::aead_open:
      return fmt::format("{} B, ad {} B", size.bytes, size.aux);
    case OpKind::sign:
    case OpKind::verify:
    case OpKind::rsa_encrypt:
    case OpKind::rsa_decrypt:
      return fmt::format("{} B", size.bytes);
    case OpKind::parse_chain:
      return size.aux == 0 ? std::string()
                           : fmt::format("{} B in {} certificate{}", size.bytes, size.aux,
                                         size.aux == 1 ? "" : "s");
    default:
      return "";
  }
}

PrimitiveBody make_primitive(CryptoOp op, OpSize size, const PrimitiveInputs& in,
                             std::string* out_error) {
  Backend& b = *in.backend;
  const Algorithms& algs = b.algorithms();
  const auto hash = static_cast<Hash>(op.alg);
  const auto aead = static_cast<Aead>(op.alg);
  const auto group = static_cast<Group>(op.alg);
  const auto scheme = static_cast<SignatureScheme>(op.alg);
  std::string what = primitive_name(op);
  if (const std::string sizes = size_name(op, size); !sizes.empty()) what += " (" + sizes + ")";
  if (uses_pki(op.kind) && (in.pki == nullptr || in.credentials == nullptr)) {
    return fail(out_error, what + " needs a certificate and key");
  }
  auto hash_ok = [&] { return has(algs.hashes, hash); };

  switch (op.kind) {
    case OpKind::random: {
      auto buf = std::make_shared<Bytes>(size.out);
      return [&b, buf] { return b.random(*buf); };
    }
    case OpKind::hash: {
      if (!hash_ok()) return fail(out_error, what + " is not supported");
      std::shared_ptr<HashContext> ctx = b.new_hash(hash);
      if (ctx == nullptr) return fail(out_error, what + " is not supported");
      if (size.out != 0) {
        if (size.out != digest_length(hash)) {
          return fail(out_error,
                      fmt::format("{}: a digest is {} bytes", what, digest_length(hash)));
        }
        // The transcript it is taken of, hashed once: what is buffered at
        // the end decides the final blocks' work (FIPS 180-4 5.1).
        ctx->update(filler(size.bytes, 1));
        auto out = std::make_shared<Bytes>(size.out);
        return [ctx, out] {
          ctx->current_digest(*out);
          return true;
        };
      }
      auto msg = std::make_shared<Bytes>(filler(size.bytes, 1));
      return [ctx, msg] {
        ctx->update(*msg);
        return true;
      };
    }
    case OpKind::hmac: {
      if (!hash_ok()) return fail(out_error, what + " is not supported");
      auto key = std::make_shared<Bytes>(filler(size.aux, 2));
      auto data = std::make_shared<Bytes>(filler(size.bytes, 3));
      auto out = std::make_shared<Bytes>(digest_length(hash));
      return [&b, hash, key, data, out] { return b.hmac(hash, *key, *data, *out); };
    }
    case OpKind::hkdf_extract: {
      if (!hash_ok() || !algs.hkdf) return fail(out_error, what + " is not supported");
      auto salt = std::make_shared<Bytes>(filler(size.aux, 4));
      auto ikm = std::make_shared<Bytes>(filler(size.bytes, 5));
      auto out = std::make_shared<Bytes>(digest_length(hash));
      return [&b, hash, salt, ikm, out] { return b.hkdf_extract(hash, *salt, *ikm, *out); };
    }
    case OpKind::hkdf_expand: {
      if (!hash_ok() || !algs.hkdf) return fail(out_error, what + " is not supported");
      auto prk = std::make_shared<Bytes>(filler(digest_length(hash), 6));
      auto info = std::make_shared<Bytes>(filler(size.bytes, 7));
      auto out = std::make_shared<Bytes>(size.out);
      return [&b, hash, prk, info, out] { return b.hkdf_expand(hash, *prk, *info, *out); };
    }
    case OpKind::prf: {
      if (!hash_ok() || !algs.tls12_prf) return fail(out_error, what + " is not supported");
      const auto label = static_cast<PrfLabel>(op.detail);
      auto secret = std::make_shared<Bytes>(filler(size.aux, 8));
      auto seed = std::make_shared<Bytes>(filler(size.bytes, 9));
      auto out = std::make_shared<Bytes>(size.out);
      const std::string_view text = prf_label_text(label);
      return [&b, hash, secret, seed, out, text] {
        return b.tls12_prf(hash, *secret, text, *seed, *out);
      };
    }
    case OpKind::aead_key:
    case OpKind::aead_seal:
    case OpKind::aead_open: {
      if (!has(algs.aeads, aead)) return fail(out_error, what + " is not supported");
      auto key = std::make_shared<Bytes>(filler(key_length(aead), 10));
      if (op.kind == OpKind::aead_key) {
        return [&b, aead, key] { return b.new_aead(aead, *key) != nullptr; };
      }
      const bool open = op.kind == OpKind::aead_open;
      if (open && size.bytes < kAeadTagLength) {
        return fail(out_error,
                    fmt::format("{}: a ciphertext holds a {}-byte tag", what, kAeadTagLength));
      }
      const size_t plain_length = open ? size.bytes - kAeadTagLength : size.bytes;
      std::shared_ptr<AeadContext> ctx = b.new_aead(aead, *key);
      if (ctx == nullptr) return fail(out_error, what + ": no key");
      auto nonce = std::make_shared<Bytes>(filler(kAeadNonceLength, 11));
      auto ad = std::make_shared<Bytes>(filler(size.aux, 12));
      auto plain = std::make_shared<Bytes>(filler(plain_length, 13));
      auto sealed = std::make_shared<Bytes>(plain_length + kAeadTagLength);
      if (!ctx->seal(*nonce, *ad, *plain, *sealed)) return fail(out_error, what + ": seal failed");
      if (!open) {
        return [ctx, nonce, ad, plain, sealed] { return ctx->seal(*nonce, *ad, *plain, *sealed); };
      }
      return [ctx, nonce, ad, plain, sealed] { return ctx->open(*nonce, *ad, *sealed, *plain); };
    }
    case OpKind::keygen:
    case OpKind::kem_keygen: {
      if (!has(algs.groups, group) || is_kem(group) != (op.kind == OpKind::kem_keygen)) {
        return fail(out_error, what + " is not supported");
      }
      return [&b, group] { return b.generate_key_share(group) != nullptr; };
    }
    case OpKind::kem_encap:
    case OpKind::kem_decap: {
      // A client's key pair, and for decapsulation a ciphertext made for it.
      if (!has(algs.groups, group) || !is_kem(group)) {
        return fail(out_error, what + " is not supported");
      }
      std::shared_ptr<KeyShare> client = b.generate_key_share(group);
      if (client == nullptr) return fail(out_error, what + ": no key share");
      auto client_share =
          std::make_shared<Bytes>(client->public_key().begin(), client->public_key().end());
      auto server_share = std::make_shared<Bytes>(public_key_length(group, ShareFrom::server));
      auto secret = std::make_shared<Bytes>(shared_secret_length(group));
      if (!b.encapsulate(group, *client_share, {}, *server_share, *secret)) {
        return fail(out_error, what + ": encapsulation failed");
      }
      if (op.kind == OpKind::kem_encap) {
        return [&b, group, client_share, server_share, secret] {
          return b.encapsulate(group, *client_share, {}, *server_share, *secret);
        };
      }
      return [client, server_share, secret] { return client->derive(*server_share, *secret); };
    }
    case OpKind::derive: {
      if (!has(algs.groups, group)) return fail(out_error, what + " is not supported");
      std::shared_ptr<KeyShare> mine = b.generate_key_share(group);
      std::shared_ptr<KeyShare> theirs = b.generate_key_share(group);
      if (mine == nullptr || theirs == nullptr) return fail(out_error, what + ": no key share");
      auto out = std::make_shared<Bytes>(shared_secret_length(group));
      return [mine, theirs, out] { return mine->derive(theirs->public_key(), *out); };
    }
    case OpKind::sign:
    case OpKind::verify: {
      if (!has(algs.signature_schemes, scheme)) return fail(out_error, what + " is not supported");
      const Credentials& c = *in.credentials;
      if (scheme_key_type(scheme) != c.leaf.type) {
        return fail(out_error, fmt::format("{} does not fit the {} key of {}", what,
                                           name(c.leaf.type), in.pki->name));
      }
      auto msg = std::make_shared<Bytes>(filler(size.bytes, 14));
      auto sig = std::make_shared<Bytes>(kMaxSignatureLength);
      auto len = std::make_shared<size_t>(0);
      const PrivateKey* key = c.key.get();
      if (!key->sign(scheme, *msg, *sig, len.get())) return fail(out_error, what + ": sign failed");
      if (op.kind == OpKind::sign) {
        return [key, scheme, msg, sig, len] { return key->sign(scheme, *msg, *sig, len.get()); };
      }
      std::shared_ptr<PublicKey> pub = c.chain->leaf_public_key();
      if (pub == nullptr) return fail(out_error, what + ": no public key");
      sig->resize(*len);
      return [pub, scheme, msg, sig] { return pub->verify(scheme, *msg, *sig); };
    }
    case OpKind::rsa_encrypt:
    case OpKind::rsa_decrypt: {
      if (!algs.rsa_pkcs1_encryption) return fail(out_error, what + " is not supported");
      const Credentials& c = *in.credentials;
      if (c.leaf.type != KeyType::rsa || c.leaf.bits != op.detail) {
        return fail(out_error, fmt::format("{} does not fit the {} {} key of {}", what,
                                           name(c.leaf.type), c.leaf.bits, in.pki->name));
      }
      std::shared_ptr<PublicKey> pub = c.chain->leaf_public_key();
      if (pub == nullptr) return fail(out_error, what + ": no public key");
      // A decryption's ciphertext is always the modulus's size; what it
      // holds is a premaster secret, as in the handshake.
      const size_t plain_length = op.kind == OpKind::rsa_encrypt ? size.bytes : kPremasterLength;
      auto premaster = std::make_shared<Bytes>(filler(plain_length, 15));
      auto cipher = std::make_shared<Bytes>(c.leaf.bits / 8);
      auto len = std::make_shared<size_t>(0);
      if (!pub->rsa_encrypt_pkcs1(*premaster, *cipher, len.get())) {
        return fail(out_error, what + ": encryption failed");
      }
      if (op.kind == OpKind::rsa_encrypt) {
        return [pub, premaster, cipher, len] {
          return pub->rsa_encrypt_pkcs1(*premaster, *cipher, len.get());
        };
      }
      cipher->resize(*len);
      auto plain = std::make_shared<Bytes>(cipher->size());
      const PrivateKey* key = c.key.get();
      return
          [key, cipher, plain, len] { return key->rsa_decrypt_pkcs1(*cipher, *plain, len.get()); };
    }
    case OpKind::parse_chain: {
      const Credentials* c = in.credentials;
      // One certificate of a longer chain: only the leaf's key was parsed
      // (an unchecked chain, Backend::parse_certificate_key).
      if (size.aux == 1 && c->chain_der.size() > 1) {
        return [&b, c] { return b.parse_certificate_key(c->chain_der[0]) != nullptr; };
      }
      return [&b, c] { return b.parse_chain(c->chain_der) != nullptr; };
    }
    case OpKind::verify_chain: {
      // The chain the PKI holds, parsed once, verified for the name the
      // engine's client checks.
      const Credentials* c = in.credentials;
      std::string hostname(kServerName);
      return [c, hostname] { return c->trust->verify(*c->chain, hostname, nullptr); };
    }
  }
  return fail(out_error, what + ": unknown operation");
}

std::vector<CryptoOp> generic_primitives(const Backend& backend) {
  const Algorithms& a = backend.algorithms();
  std::vector<CryptoOp> out;
  out.push_back({OpKind::random});
  for (Hash h : a.hashes) {
    const auto id = static_cast<uint16_t>(h);
    out.push_back({OpKind::hash, id});
    out.push_back({OpKind::hmac, id});
    if (a.hkdf) {
      out.push_back({OpKind::hkdf_extract, id});
      out.push_back({OpKind::hkdf_expand, id});
    }
    if (a.tls12_prf) {
      for (PrfLabel l :
           {PrfLabel::master_secret, PrfLabel::extended_master_secret, PrfLabel::key_expansion,
            PrfLabel::client_finished, PrfLabel::server_finished}) {
        out.push_back({OpKind::prf, id, static_cast<uint16_t>(l)});
      }
    }
  }
  for (Aead x : a.aeads) {
    const auto id = static_cast<uint16_t>(x);
    out.push_back({OpKind::aead_key, id});
    out.push_back({OpKind::aead_seal, id});
    out.push_back({OpKind::aead_open, id});
  }
  for (Group g : a.groups) {
    const auto id = static_cast<uint16_t>(g);
    if (is_kem(g)) {
      out.push_back({OpKind::kem_keygen, id});
      out.push_back({OpKind::kem_encap, id});
      out.push_back({OpKind::kem_decap, id});
    } else {
      out.push_back({OpKind::keygen, id});
      out.push_back({OpKind::derive, id});
    }
  }
  return out;
}

std::vector<CryptoOp> pki_primitives(const Backend& backend, const Credentials& credentials) {
  const Algorithms& a = backend.algorithms();
  std::vector<CryptoOp> out;
  for (SignatureScheme s : a.signature_schemes) {
    if (scheme_key_type(s) != credentials.leaf.type) continue;
    out.push_back({OpKind::sign, static_cast<uint16_t>(s)});
    out.push_back({OpKind::verify, static_cast<uint16_t>(s)});
  }
  if (credentials.leaf.type == KeyType::rsa && a.rsa_pkcs1_encryption) {
    const auto bits = static_cast<uint16_t>(credentials.leaf.bits);
    out.push_back({OpKind::rsa_encrypt, 0, bits});
    out.push_back({OpKind::rsa_decrypt, 0, bits});
  }
  if (a.x509) {
    out.push_back({OpKind::parse_chain});
    out.push_back({OpKind::verify_chain});
  }
  return out;
}

}  // namespace hsbench
