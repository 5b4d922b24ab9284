// The null backend: deterministic stand-ins of tiny, fixed cost for every
// operation, so that a handshake between two engines measures the engine
// alone. Nothing here is cryptography, and nothing here may ever talk to a
// real TLS peer: a real peer would (rightly) reject every value it makes.
//
// The stand-ins still behave like the real thing where the engine relies on
// it: both sides of a key exchange derive the same secret, a tampered AEAD
// record fails to open, a signature only verifies over the signed message,
// and key types come from the keys and certificates themselves.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>

#include "hsbench/backend.h"
#include "hsbench/encoding.h"

namespace hsbench {
namespace {

// FNV-1a, 64 bits: cheap, deterministic, sensitive to every byte.
constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

uint64_t fnv(uint64_t h, ByteView data) {
  for (uint8_t b : data) h = (h ^ b) * kFnvPrime;
  return h;
}

uint64_t fnv(uint64_t h, std::string_view s) {
  return fnv(h, ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// Stretches a 64-bit state over out.
void expand(uint64_t h, std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i++) {
    if (i % 8 == 0) h = (h ^ i) * kFnvPrime;
    out[i] = static_cast<uint8_t>(h >> (8 * (i % 8)));
  }
}

class NullHash final : public HashContext {
 public:
  explicit NullHash(Hash hash) : hash_(hash), state_(fnv(kFnvOffset, name(hash))) {}
  Hash hash() const override { return hash_; }
  void update(ByteView data) override { state_ = fnv(state_, data); }
  void current_digest(std::span<uint8_t> out) const override {
    if (out.size() == digest_length(hash_)) expand(state_, out);
  }
  std::unique_ptr<HashContext> clone() const override { return std::make_unique<NullHash>(*this); }

 private:
  Hash hash_;
  uint64_t state_;
};

class NullAead final : public AeadContext {
 public:
  NullAead(Aead aead, ByteView key) : aead_(aead), key_state_(fnv(kFnvOffset, key)) {}
  Aead aead() const override { return aead_; }

  bool seal(ByteView nonce, ByteView ad, ByteView plaintext, std::span<uint8_t> out) override {
    if (nonce.size() != kAeadNonceLength || out.size() != plaintext.size() + kAeadTagLength) {
      return false;
    }
    std::memmove(out.data(), plaintext.data(), plaintext.size());
    expand(tag_state(nonce, ad, plaintext), out.subspan(plaintext.size()));
    return true;
  }

  bool open(ByteView nonce, ByteView ad, ByteView ciphertext, std::span<uint8_t> out) override {
    if (nonce.size() != kAeadNonceLength || ciphertext.size() < kAeadTagLength ||
        out.size() != ciphertext.size() - kAeadTagLength) {
      return false;
    }
    ByteView body = ciphertext.first(out.size());
    uint8_t tag[kAeadTagLength];
    expand(tag_state(nonce, ad, body), tag);
    if (std::memcmp(tag, ciphertext.data() + body.size(), kAeadTagLength) != 0) return false;
    std::memmove(out.data(), body.data(), body.size());
    return true;
  }

 private:
  uint64_t tag_state(ByteView nonce, ByteView ad, ByteView body) const {
    return fnv(fnv(fnv(key_state_, nonce), ad), body);
  }
  Aead aead_;
  uint64_t key_state_;
};

// A key share's public value is a function of its private value; the shared
// secret is a symmetric function of both public values, so the two sides
// agree without any real arithmetic.
class NullKeyShare final : public KeyShare {
 public:
  NullKeyShare(Group group, ByteView private_key) : group_(group) {
    public_.resize(public_key_length(group));
    expand(fnv(fnv(kFnvOffset, name(group)), private_key), public_);
    if (group != Group::x25519) public_[0] = 0x04;  // uncompressed point form
  }
  Group group() const override { return group_; }
  ByteView public_key() const override { return public_; }
  bool derive(ByteView peer, std::span<uint8_t> out) override {
    if (peer.size() != public_.size() || out.size() != shared_secret_length(group_)) return false;
    if (group_ != Group::x25519 && peer[0] != 0x04) return false;
    bool mine_first = std::lexicographical_compare(public_.begin(), public_.end(), peer.begin(),
                                                   peer.end());
    ByteView first = mine_first ? ByteView(public_) : peer;
    ByteView second = mine_first ? peer : ByteView(public_);
    expand(fnv(fnv(kFnvOffset, first), second), out);
    return true;
  }

 private:
  Group group_;
  Bytes public_;
};

// --- Key types, read from DER so that the engine's choices (signature
// scheme, key transport) follow the real PKI even with no crypto. ---

// A minimal DER walker: just enough to find an AlgorithmIdentifier.
class Der {
 public:
  explicit Der(ByteView data) : data_(data) {}
  bool empty() const { return data_.empty(); }
  // Reads one element of the given tag, returning its contents.
  bool read(uint8_t tag, ByteView* out) {
    if (data_.size() < 2 || data_[0] != tag) return false;
    size_t len = data_[1], header = 2;
    if (len & 0x80) {
      size_t n = len & 0x7f;
      if (n == 0 || n > 3 || data_.size() < 2 + n) return false;
      len = 0;
      for (size_t i = 0; i < n; i++) len = (len << 8) | data_[2 + i];
      header += n;
    }
    if (data_.size() - header < len) return false;
    *out = data_.subspan(header, len);
    data_ = data_.subspan(header + len);
    return true;
  }
  bool skip_any() {
    if (data_.empty()) return false;
    ByteView ignored;
    return read(data_[0], &ignored);
  }

 private:
  ByteView data_;
};

constexpr uint8_t kSequence = 0x30, kInteger = 0x02, kBitString = 0x03, kOctetString = 0x04,
                  kOid = 0x06, kContext0 = 0xa0;

bool oid_is(ByteView oid, std::initializer_list<uint8_t> want) {
  return std::equal(oid.begin(), oid.end(), want.begin(), want.end());
}

unsigned integer_bits(ByteView n) {
  while (!n.empty() && n[0] == 0) n = n.subspan(1);
  if (n.empty()) return 0;
  unsigned bits = unsigned(n.size()) * 8;
  for (uint8_t top = n[0]; !(top & 0x80); top <<= 1) bits--;
  return bits;
}

// key_bits: for RSA, the DER of RSAPublicKey or RSAPrivateKey, whose first
// INTEGER (after the private key's version) is the modulus.
std::optional<KeyInfo> key_info(ByteView algorithm_identifier, ByteView key_bits, bool is_private) {
  Der alg(algorithm_identifier);
  ByteView oid, param;
  if (!alg.read(kOid, &oid)) return std::nullopt;
  if (oid_is(oid, {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01})) {  // rsaEncryption
    Der key(key_bits);
    ByteView seq, modulus;
    if (!key.read(kSequence, &seq)) return std::nullopt;
    Der fields(seq);
    if (is_private && !fields.skip_any()) return std::nullopt;
    if (!fields.read(kInteger, &modulus)) return std::nullopt;
    unsigned bits = integer_bits(modulus);
    if (bits == 0 || bits > kMaxRsaBits) return std::nullopt;
    return KeyInfo{KeyType::rsa, bits};
  }
  if (oid_is(oid, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01})) {  // id-ecPublicKey
    if (!alg.read(kOid, &param)) return std::nullopt;
    if (oid_is(param, {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07})) {
      return KeyInfo{KeyType::ecdsa_p256, 256};
    }
    if (oid_is(param, {0x2b, 0x81, 0x04, 0x00, 0x22})) return KeyInfo{KeyType::ecdsa_p384, 384};
    return std::nullopt;
  }
  if (oid_is(oid, {0x2b, 0x65, 0x70})) return KeyInfo{KeyType::ed25519, 255};  // id-Ed25519
  return std::nullopt;
}

// Certificate -> TBSCertificate -> SubjectPublicKeyInfo (RFC 5280 4.1).
std::optional<KeyInfo> certificate_key_info(ByteView der) {
  Der cert(der);
  ByteView cert_body, tbs, spki, alg, bits;
  if (!cert.read(kSequence, &cert_body)) return std::nullopt;
  Der c(cert_body);
  if (!c.read(kSequence, &tbs)) return std::nullopt;
  Der t(tbs);
  ByteView version;
  t.read(kContext0, &version);  // optional
  for (int i = 0; i < 5; i++) {  // serial, signature, issuer, validity, subject
    if (!t.skip_any()) return std::nullopt;
  }
  if (!t.read(kSequence, &spki)) return std::nullopt;
  Der s(spki);
  if (!s.read(kSequence, &alg) || !s.read(kBitString, &bits) || bits.empty()) return std::nullopt;
  return key_info(alg, bits.subspan(1), false);
}

// PKCS#8 PrivateKeyInfo (RFC 5208), as DER or PEM.
std::optional<KeyInfo> private_key_info(ByteView input) {
  Bytes decoded;
  std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  constexpr std::string_view kBegin = "-----BEGIN PRIVATE KEY-----";
  constexpr std::string_view kEnd = "-----END PRIVATE KEY-----";
  ByteView der = input;
  if (size_t begin = text.find(kBegin); begin != std::string_view::npos) {
    size_t end = text.find(kEnd, begin);
    if (end == std::string_view::npos) return std::nullopt;
    size_t body = begin + kBegin.size();
    if (!decode_base64(text.substr(body, end - body), &decoded)) return std::nullopt;
    der = decoded;
  }
  Der outer(der);
  ByteView info, version, alg, key;
  if (!outer.read(kSequence, &info)) return std::nullopt;
  Der p(info);
  if (!p.read(kInteger, &version) || !p.read(kSequence, &alg) || !p.read(kOctetString, &key)) {
    return std::nullopt;
  }
  return key_info(alg, key, true);
}

size_t signature_length(KeyInfo info) {
  switch (info.type) {
    case KeyType::rsa: return info.bits / 8;
    case KeyType::ecdsa_p256: return 72;
    case KeyType::ecdsa_p384: return 104;
    case KeyType::ed25519: return 64;
  }
  return 0;
}

// A "signature" is a checksum of scheme and message, as long as a real one.
void fake_signature(SignatureScheme scheme, ByteView message, std::span<uint8_t> out) {
  expand(fnv(fnv(kFnvOffset, name(scheme)), message), out);
}

bool scheme_fits(SignatureScheme scheme, KeyInfo info) { return scheme_usable_with(scheme, info.type); }

// RSA "encryption": the plaintext behind a marker, padded to the modulus size.
constexpr uint8_t kRsaMarker = 0x02;

class NullPublicKey final : public PublicKey {
 public:
  explicit NullPublicKey(KeyInfo info) : info_(info) {}
  KeyInfo info() const override { return info_; }
  bool verify(SignatureScheme scheme, ByteView message, ByteView signature) const override {
    if (!scheme_fits(scheme, info_) || signature.size() != signature_length(info_)) return false;
    uint8_t expected[kMaxSignatureLength];
    fake_signature(scheme, message, std::span(expected, signature.size()));
    return std::memcmp(expected, signature.data(), signature.size()) == 0;
  }
  bool rsa_encrypt_pkcs1(ByteView plaintext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    size_t n = info_.bits / 8;
    if (info_.type != KeyType::rsa || out.size() < n || plaintext.size() + 2 > n) return false;
    std::fill(out.begin(), out.begin() + n, 0);
    out[0] = kRsaMarker;
    out[1] = static_cast<uint8_t>(plaintext.size());
    std::copy(plaintext.begin(), plaintext.end(), out.begin() + 2);
    *out_len = n;
    return true;
  }

 private:
  KeyInfo info_;
};

class NullPrivateKey final : public PrivateKey {
 public:
  explicit NullPrivateKey(KeyInfo info) : info_(info) {}
  KeyInfo info() const override { return info_; }
  bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
            size_t* out_len) const override {
    size_t len = signature_length(info_);
    if (!scheme_fits(scheme, info_) || out.size() < len) return false;
    fake_signature(scheme, message, out.first(len));
    *out_len = len;
    return true;
  }
  bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    if (info_.type != KeyType::rsa || ciphertext.size() != info_.bits / 8 ||
        ciphertext[0] != kRsaMarker || size_t(ciphertext[1]) + 2 > ciphertext.size() ||
        out.size() < ciphertext[1]) {
      return false;
    }
    std::copy_n(ciphertext.begin() + 2, ciphertext[1], out.begin());
    *out_len = ciphertext[1];
    return true;
  }

 private:
  KeyInfo info_;
};

class NullChain final : public CertificateChain {
 public:
  NullChain(size_t size, KeyInfo leaf) : size_(size), leaf_(leaf) {}
  size_t size() const override { return size_; }
  std::unique_ptr<PublicKey> leaf_public_key() const override {
    return std::make_unique<NullPublicKey>(leaf_);
  }

 private:
  size_t size_;
  KeyInfo leaf_;
};

// Accepts every parsed chain: the null backend cannot check signatures.
class NullTrustStore final : public TrustStore {
 public:
  bool verify(const CertificateChain& chain, std::string_view, std::string* out_error) const override {
    if (chain.size() == 0) {
      if (out_error) *out_error = "empty chain";
      return false;
    }
    return true;
  }
  bool verify_client(const CertificateChain& chain, std::string* out_error) const override {
    return verify(chain, {}, out_error);
  }
};

class NullBackend final : public Backend {
 public:
  NullBackend() {
    algorithms_.hashes.assign(std::begin(kAllHashes), std::end(kAllHashes));
    algorithms_.aeads.assign(std::begin(kAllAeads), std::end(kAllAeads));
    algorithms_.groups.assign(std::begin(kAllGroups), std::end(kAllGroups));
    // Its fakes stand in for Diffie-Hellman only; a KEM's server side would
    // need a fake of its own.
    for (Group group : kHybridGroups) {
      algorithms_.unsupported_groups.push_back({group, "null has no KEM groups"});
    }
    algorithms_.signature_schemes.assign(std::begin(kAllSignatureSchemes),
                                         std::end(kAllSignatureSchemes));
    algorithms_.hkdf = algorithms_.tls12_prf = algorithms_.rsa_pkcs1_encryption =
        algorithms_.x509 = true;
  }

  std::string_view name() const override { return "null"; }
  std::string_view version() const override { return "null (no cryptography)"; }
  bool real_crypto() const override { return false; }
  const Algorithms& algorithms() const override { return algorithms_; }

  // A counter, not randomness: runs are reproducible.
  bool random(std::span<uint8_t> out) override {
    uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
    expand(fnv(kFnvOffset, ByteView(reinterpret_cast<const uint8_t*>(&n), sizeof n)), out);
    return true;
  }

  std::unique_ptr<HashContext> new_hash(Hash hash) override {
    return std::make_unique<NullHash>(hash);
  }
  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    if (out.size() != digest_length(hash)) return false;
    expand(fnv(fnv(kFnvOffset, key), data), out);
    return true;
  }
  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out) override {
    return hmac(hash, salt, ikm, out);
  }
  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    if (out.size() > 255 * digest_length(hash)) return false;
    expand(fnv(fnv(kFnvOffset, prk), info), out);
    return true;
  }
  bool tls12_prf(Hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    expand(fnv(fnv(fnv(kFnvOffset, secret), label), seed), out);
    return true;
  }

  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    if (key.size() != key_length(aead)) return nullptr;
    return std::make_unique<NullAead>(aead, key);
  }

  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    if (is_kem(group)) return nullptr;
    uint8_t priv[48];
    random(priv);
    return std::make_unique<NullKeyShare>(group, priv);
  }
  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    if (private_key.empty() || is_kem(group)) return nullptr;
    return std::make_unique<NullKeyShare>(group, private_key);
  }

  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der, std::string* out_error) override {
    auto info = private_key_info(pem_or_der);
    if (!info) {
      if (out_error) *out_error = "not a PKCS#8 RSA, EC (P-256/P-384) or Ed25519 private key";
      return nullptr;
    }
    return std::make_unique<NullPrivateKey>(*info);
  }
  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    if (der_certs.empty()) return nullptr;
    auto leaf = certificate_key_info(der_certs[0]);
    if (!leaf) return nullptr;
    return std::make_unique<NullChain>(der_certs.size(), *leaf);
  }
  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    if (der_anchors.empty()) {
      if (out_error) *out_error = "no trust anchor";
      return nullptr;
    }
    return std::make_unique<NullTrustStore>();
  }

 private:
  Algorithms algorithms_;
  std::atomic<uint64_t> counter_{0};
};

}  // namespace
}  // namespace hsbench

extern "C" HSBENCH_EXPORT hsbench::Backend* hsbench_backend_create(uint32_t abi_version) {
  if (abi_version != hsbench::kBackendAbiVersion) return nullptr;
  return new hsbench::NullBackend();
}
