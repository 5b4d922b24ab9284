// The GnuTLS backend: hashes, HMAC, HKDF, AEADs, signatures, RSA encryption
// and X.509 verification through the gnutls API; (EC)DHE through nettle and
// hogweed, GnuTLS's own crypto core, because gnutls has no public key
// agreement call; the TLS 1.2 PRF as P_hash (RFC 5246 section 5) over gnutls
// HMAC, because gnutls has no standalone PRF. The library's own TLS stack is
// in gnutls_native.cc.
//
// Everything that can be prepared once is prepared when a key or context is
// made, so a handshake pays only for the per-operation work.

#include <gmp.h>
#include <nettle/curve25519.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/version.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gnutls_native.h"
#include "gnutls_util.h"
#include "hsbench/algorithms.h"
#include "hsbench/backend.h"

// The name is the build's: the plugin hsbench-backend-NAME.so of
// backends/CMakeLists.txt, or another built from these sources
// (backends/extra.cmake).
#if !defined(HSBENCH_BACKEND_NAME)
#error "HSBENCH_BACKEND_NAME must name the backend"
#endif

namespace hsbench::gnutls {
namespace {

// --- Hashes ---

class GnutlsHash final : public HashContext {
 public:
  static std::unique_ptr<HashContext> Create(Hash hash) {
    gnutls_hash_hd_t handle = nullptr;
    if (gnutls_hash_init(&handle, DigestOf(hash)) < 0) return nullptr;
    return std::unique_ptr<HashContext>(new GnutlsHash(hash, handle));
  }
  ~GnutlsHash() override { gnutls_hash_deinit(handle_, nullptr); }

  Hash hash() const override { return hash_; }

  void update(ByteView data) override {
    // Cannot fail for a software digest once initialized.
    if (!data.empty()) gnutls_hash(handle_, data.data(), data.size());
  }

  void current_digest(std::span<uint8_t> out) const override {
    // Finishing a copy leaves the transcript running.
    gnutls_hash_hd_t copy = gnutls_hash_copy(handle_);
    if (copy == nullptr || out.size() != digest_length(hash_)) {
      if (copy != nullptr) gnutls_hash_deinit(copy, nullptr);
      std::fill(out.begin(), out.end(), uint8_t{0});
      return;
    }
    gnutls_hash_deinit(copy, out.data());
  }

  std::unique_ptr<HashContext> clone() const override {
    gnutls_hash_hd_t copy = gnutls_hash_copy(handle_);
    if (copy == nullptr) return nullptr;
    return std::unique_ptr<HashContext>(new GnutlsHash(hash_, copy));
  }

 private:
  GnutlsHash(Hash hash, gnutls_hash_hd_t handle) : hash_(hash), handle_(handle) {}
  GnutlsHash(const GnutlsHash&) = delete;
  GnutlsHash& operator=(const GnutlsHash&) = delete;

  Hash hash_;
  gnutls_hash_hd_t handle_;
};

// --- AEADs ---

class GnutlsAead final : public AeadContext {
 public:
  static std::unique_ptr<AeadContext> Create(Aead aead, ByteView key) {
    if (key.size() != key_length(aead)) return nullptr;
    gnutls_datum_t datum = Datum(key);
    gnutls_aead_cipher_hd_t handle = nullptr;
    if (gnutls_aead_cipher_init(&handle, CipherOf(aead), &datum) < 0) return nullptr;
    return std::unique_ptr<AeadContext>(new GnutlsAead(aead, handle));
  }
  ~GnutlsAead() override { gnutls_aead_cipher_deinit(handle_); }

  Aead aead() const override { return aead_; }

  // gnutls's GCM and ChaCha20-Poly1305 (nettle's) work in place.
  bool seal(ByteView nonce, ByteView additional_data, ByteView plaintext,
            std::span<uint8_t> out) override {
    if (nonce.size() != kAeadNonceLength || out.size() != plaintext.size() + kAeadTagLength) {
      return false;
    }
    size_t len = out.size();
    return gnutls_aead_cipher_encrypt(handle_, nonce.data(), nonce.size(),
                                      Datum(additional_data).data, additional_data.size(),
                                      kAeadTagLength, Datum(plaintext).data, plaintext.size(),
                                      out.data(), &len) == 0 &&
           len == out.size();
  }

  bool open(ByteView nonce, ByteView additional_data, ByteView ciphertext,
            std::span<uint8_t> out) override {
    if (nonce.size() != kAeadNonceLength || ciphertext.size() < kAeadTagLength ||
        out.size() != ciphertext.size() - kAeadTagLength) {
      return false;
    }
    // gnutls wants room for the plaintext it writes; an empty one has none.
    uint8_t none[1];
    size_t len = out.size();
    return gnutls_aead_cipher_decrypt(handle_, nonce.data(), nonce.size(),
                                      Datum(additional_data).data, additional_data.size(),
                                      kAeadTagLength, ciphertext.data(), ciphertext.size(),
                                      out.empty() ? none : out.data(), &len) == 0 &&
           len == out.size();
  }

 private:
  GnutlsAead(Aead aead, gnutls_aead_cipher_hd_t handle) : aead_(aead), handle_(handle) {}
  GnutlsAead(const GnutlsAead&) = delete;
  GnutlsAead& operator=(const GnutlsAead&) = delete;

  Aead aead_;
  gnutls_aead_cipher_hd_t handle_;
};

// --- Key agreement (nettle and hogweed) ---

// A GMP integer scoped to one call.
class Mpz {
 public:
  Mpz() { mpz_init(value_); }
  ~Mpz() { mpz_clear(value_); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  mpz_ptr get() { return value_; }
  void set(ByteView big_endian) {
    mpz_import(value_, big_endian.size(), 1, 1, 1, 0, big_endian.data());
  }
  // Big-endian, left-padded to out.size(); false if it does not fit.
  bool get(std::span<uint8_t> out) const {
    size_t len = (mpz_sizeinbase(value_, 2) + 7) / 8;
    if (mpz_sgn(value_) == 0) len = 0;
    if (len > out.size()) return false;
    std::fill(out.begin(), out.end(), uint8_t{0});
    size_t written = 0;
    if (len > 0) mpz_export(out.data() + out.size() - len, &written, 1, 1, 1, 0, value_);
    return written == len;
  }

 private:
  mpz_t value_;
};

class X25519Share final : public KeyShare {
 public:
  static std::unique_ptr<KeyShare> Create(ByteView private_key) {
    auto share = std::unique_ptr<X25519Share>(new X25519Share());
    if (private_key.empty()) {
      if (gnutls_rnd(GNUTLS_RND_KEY, share->private_, sizeof(share->private_)) < 0) return nullptr;
    } else {
      std::copy(private_key.begin(), private_key.end(), share->private_);
    }
    // nettle clamps the scalar itself (RFC 7748 section 5).
    curve25519_mul_g(share->public_, share->private_);
    return share;
  }
  ~X25519Share() override { gnutls_memset(private_, 0, sizeof(private_)); }

  Group group() const override { return Group::x25519; }
  ByteView public_key() const override { return ByteView(public_, sizeof(public_)); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    if (peer_public_key.size() != CURVE25519_SIZE || out.size() != CURVE25519_SIZE) return false;
    curve25519_mul(out.data(), private_, peer_public_key.data());
    // RFC 7748 section 6.1: an all-zero result means a low-order point.
    uint8_t any = 0;
    for (uint8_t b : out) any |= b;
    return any != 0;
  }

 private:
  X25519Share() = default;
  uint8_t private_[CURVE25519_SIZE];
  uint8_t public_[CURVE25519_SIZE];
};

class NistShare final : public KeyShare {
 public:
  static std::unique_ptr<KeyShare> Create(Group group, ByteView private_key) {
    const ecc_curve* curve =
        group == Group::secp256r1 ? nettle_get_secp_256r1() : nettle_get_secp_384r1();
    auto share = std::unique_ptr<NistShare>(new NistShare(group, curve));
    const size_t field = shared_secret_length(group);
    if (private_key.empty()) {
      // A uniform scalar by rejection (FIPS 186-5 A.4.2), from gnutls's
      // key-grade generator: nettle's own ecc_scalar_random takes a callback
      // that cannot report a failing generator.
      uint8_t candidate[48];
      bool found = false;
      for (int tries = 0; tries < 64 && !found; tries++) {
        if (gnutls_rnd(GNUTLS_RND_KEY, candidate, field) < 0) break;
        found = share->SetScalar(ByteView(candidate, field));
      }
      gnutls_memset(candidate, 0, sizeof(candidate));
      if (!found) return nullptr;
    } else if (!share->SetScalar(private_key)) {
      return nullptr;
    }
    ecc_point pub;
    ecc_point_init(&pub, curve);
    ecc_point_mul_g(&pub, &share->scalar_);
    Mpz x, y;
    ecc_point_get(&pub, x.get(), y.get());
    ecc_point_clear(&pub);
    share->public_[0] = 0x04;  // uncompressed (RFC 8446 4.2.8.2)
    if (!x.get(std::span<uint8_t>(share->public_ + 1, field)) ||
        !y.get(std::span<uint8_t>(share->public_ + 1 + field, field))) {
      return nullptr;
    }
    return share;
  }
  ~NistShare() override { ecc_scalar_clear(&scalar_); }

  Group group() const override { return group_; }
  ByteView public_key() const override { return ByteView(public_, public_key_length(group_)); }

  bool derive(ByteView peer_public_key, std::span<uint8_t> out) override {
    const size_t field = shared_secret_length(group_);
    if (peer_public_key.size() != public_key_length(group_) || out.size() != field) return false;
    // RFC 8446 4.2.8.2: only the uncompressed form is allowed.
    if (peer_public_key[0] != 0x04) return false;
    Mpz x, y;
    x.set(peer_public_key.subspan(1, field));
    y.set(peer_public_key.subspan(1 + field, field));
    ecc_point peer;
    ecc_point_init(&peer, curve_);
    // ecc_point_set refuses coordinates outside the field and points off
    // the curve (SEC 1 section 3.2.2.1).
    bool ok = ecc_point_set(&peer, x.get(), y.get()) == 1;
    if (ok) {
      ecc_point shared;
      ecc_point_init(&shared, curve_);
      ecc_point_mul(&shared, &scalar_, &peer);
      Mpz sx;
      ecc_point_get(&shared, sx.get(), nullptr);
      ecc_point_clear(&shared);
      ok = sx.get(out);
    }
    ecc_point_clear(&peer);
    return ok;
  }

 private:
  NistShare(Group group, const ecc_curve* curve) : group_(group), curve_(curve) {
    ecc_scalar_init(&scalar_, curve);
  }

  // SEC 1 section 3.2.1: 1 <= d <= n - 1, which ecc_scalar_set checks.
  bool SetScalar(ByteView big_endian) {
    Mpz z;
    z.set(big_endian);
    return ecc_scalar_set(&scalar_, z.get()) == 1;
  }

  Group group_;
  const ecc_curve* curve_;
  ecc_scalar scalar_;
  uint8_t public_[97];  // the longest: a P-384 point, uncompressed
};

// --- Long-term keys ---

class GnutlsPublicKey final : public PublicKey {
 public:
  GnutlsPublicKey(Pubkey key, KeyInfo info) : key_(std::move(key)), info_(info) {}

  KeyInfo info() const override { return info_; }

  bool verify(SignatureScheme scheme, ByteView message, ByteView signature) const override {
    if (!IsKnown(scheme) || !scheme_usable_with(scheme, info_.type) || !FitsDatum(message.size()) ||
        !FitsDatum(signature.size())) {
      return false;
    }
    gnutls_datum_t data = Datum(message), sig = Datum(signature);
    return gnutls_pubkey_verify_data2(key_.get(), SignOf(scheme), 0, &data, &sig) >= 0;
  }

  bool rsa_encrypt_pkcs1(ByteView plaintext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    if (info_.type != KeyType::rsa || out.size() < (info_.bits + 7) / 8 ||
        !FitsDatum(plaintext.size())) {
      return false;
    }
    gnutls_datum_t in = Datum(plaintext);
    OwnedDatum ciphertext;
    if (gnutls_pubkey_encrypt_data(key_.get(), 0, &in, ciphertext.get()) < 0 ||
        ciphertext.view().size() > out.size()) {
      return false;
    }
    std::copy(ciphertext.view().begin(), ciphertext.view().end(), out.begin());
    *out_len = ciphertext.view().size();
    return true;
  }

 private:
  Pubkey key_;
  KeyInfo info_;
};

// The public key and what it is, or nullptr for a kind hsbench does not use.
std::unique_ptr<PublicKey> NewPublicKey(Pubkey key) {
  unsigned bits = 0;
  int algorithm = gnutls_pubkey_get_pk_algorithm(key.get(), &bits);
  if (algorithm < 0) return nullptr;
  gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
  if (algorithm == GNUTLS_PK_ECDSA) {
    OwnedDatum x, y;
    if (gnutls_pubkey_export_ecc_raw2(key.get(), &curve, x.get(), y.get(), 0) < 0) return nullptr;
  }
  std::optional<KeyInfo> info =
      ClassifyKey(static_cast<gnutls_pk_algorithm_t>(algorithm), bits, curve, nullptr);
  if (!info) return nullptr;
  return std::make_unique<GnutlsPublicKey>(std::move(key), *info);
}

class GnutlsPrivateKey final : public PrivateKey {
 public:
  GnutlsPrivateKey(Privkey key, KeyInfo info) : key_(std::move(key)), info_(info) {}

  KeyInfo info() const override { return info_; }

  bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
            size_t* out_len) const override {
    if (!IsKnown(scheme) || !scheme_usable_with(scheme, info_.type) || !FitsDatum(message.size())) {
      return false;
    }
    gnutls_datum_t data = Datum(message);
    OwnedDatum signature;
    if (gnutls_privkey_sign_data2(key_.get(), SignOf(scheme), 0, &data, signature.get()) < 0 ||
        signature.view().size() > out.size()) {
      return false;
    }
    std::copy(signature.view().begin(), signature.view().end(), out.begin());
    *out_len = signature.view().size();
    return true;
  }

  bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    if (info_.type != KeyType::rsa || !FitsDatum(ciphertext.size())) return false;
    gnutls_datum_t in = Datum(ciphertext);
    OwnedDatum plaintext;
    if (gnutls_privkey_decrypt_data(key_.get(), 0, &in, plaintext.get()) < 0 ||
        plaintext.view().size() > out.size()) {
      return false;
    }
    std::copy(plaintext.view().begin(), plaintext.view().end(), out.begin());
    *out_len = plaintext.view().size();
    return true;
  }

 private:
  Privkey key_;
  KeyInfo info_;
};

// --- Certificates ---

std::unique_ptr<PublicKey> CertificatePublicKey(gnutls_x509_crt_t cert) {
  gnutls_pubkey_t raw = nullptr;
  if (gnutls_pubkey_init(&raw) < 0) return nullptr;
  Pubkey key(raw);
  if (gnutls_pubkey_import_x509(key.get(), cert, 0) < 0) return nullptr;
  return NewPublicKey(std::move(key));
}

class GnutlsChain final : public CertificateChain {
 public:
  explicit GnutlsChain(std::vector<X509Crt> certs) : certs_(std::move(certs)) {
    for (const X509Crt& cert : certs_) raw_.push_back(cert.get());
  }

  size_t size() const override { return certs_.size(); }
  std::unique_ptr<PublicKey> leaf_public_key() const override {
    return CertificatePublicKey(certs_[0].get());
  }

  // Leaf first, as gnutls_x509_trust_list_verify_crt2 takes them.
  const std::vector<gnutls_x509_crt_t>& raw() const { return raw_; }

 private:
  std::vector<X509Crt> certs_;
  std::vector<gnutls_x509_crt_t> raw_;
};

class GnutlsTrustStore final : public TrustStore {
 public:
  explicit GnutlsTrustStore(gnutls_x509_trust_list_t list) : list_(list) {}
  ~GnutlsTrustStore() override { gnutls_x509_trust_list_deinit(list_, 1); }
  GnutlsTrustStore(const GnutlsTrustStore&) = delete;
  GnutlsTrustStore& operator=(const GnutlsTrustStore&) = delete;

  bool verify(const CertificateChain& chain, std::string_view hostname,
              std::string* out_error) const override {
    return Verify(chain, GNUTLS_KP_TLS_WWW_SERVER, hostname, out_error);
  }

  bool verify_client(const CertificateChain& chain, std::string* out_error) const override {
    return Verify(chain, GNUTLS_KP_TLS_WWW_CLIENT, {}, out_error);
  }

 private:
  bool Verify(const CertificateChain& chain, const char* purpose, std::string_view hostname,
              std::string* out_error) const {
    auto set_error = [out_error](std::string line) {
      if (out_error != nullptr) *out_error = std::move(line);
    };
    // gnutls takes the name as a C string, and no DNS name holds a NUL.
    if (hostname.find('\0') != std::string_view::npos) {
      set_error("invalid hostname (it holds a NUL byte)");
      return false;
    }
    // Objects made by one backend only come back to it.
    const auto& certs = static_cast<const GnutlsChain&>(chain);
    // The chain's purpose, a TLS server or client (RFC 5280 4.2.1.12), and
    // the server's name (RFC 6125) when one is given.
    std::string host(hostname);
    gnutls_typed_vdata_st data[2] = {};
    unsigned elements = 0;
    data[elements].type = GNUTLS_DT_KEY_PURPOSE_OID;
    data[elements].data = reinterpret_cast<unsigned char*>(const_cast<char*>(purpose));
    elements++;
    if (!host.empty()) {
      data[elements].type = GNUTLS_DT_DNS_HOSTNAME;
      data[elements].data = reinterpret_cast<unsigned char*>(host.data());
      elements++;
    }
    unsigned status = 0;
    int rc = gnutls_x509_trust_list_verify_crt2(
        list_, const_cast<gnutls_x509_crt_t*>(certs.raw().data()),
        static_cast<unsigned>(certs.raw().size()), data, elements, 0, &status, nullptr);
    if (rc < 0) {
      set_error(ErrorLine("cannot verify the chain", rc));
      return false;
    }
    if (status != 0) {
      std::string line = VerificationStatusLine(status);
      set_error(line.empty() ? "the chain does not verify" : line);
      return false;
    }
    return true;
  }

  gnutls_x509_trust_list_t list_;
};

// --- The backend ---

class GnutlsBackend final : public Backend {
 public:
  static std::unique_ptr<Backend> Create() {
    if (gnutls_global_init() < 0) return nullptr;
    return std::unique_ptr<Backend>(new GnutlsBackend());
  }
  ~GnutlsBackend() override { gnutls_global_deinit(); }

  std::string_view name() const override { return HSBENCH_BACKEND_NAME; }
  std::string_view version() const override { return version_; }
  const Algorithms& algorithms() const override { return algorithms_; }

  bool random(std::span<uint8_t> out) override {
    return out.empty() || gnutls_rnd(GNUTLS_RND_RANDOM, out.data(), out.size()) == 0;
  }

  std::unique_ptr<HashContext> new_hash(Hash hash) override {
    if (!Supports(hash)) return nullptr;
    return GnutlsHash::Create(hash);
  }

  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    if (!Supports(hash) || out.size() != digest_length(hash)) return false;
    return gnutls_hmac_fast(MacOf(hash), Datum(key).data, key.size(), Datum(data).data, data.size(),
                            out.data()) == 0;
  }

  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out_prk) override {
    if (!Supports(hash) || out_prk.size() != digest_length(hash) || !FitsDatum(salt.size()) ||
        !FitsDatum(ikm.size())) {
      return false;
    }
    gnutls_datum_t key = Datum(ikm), salt_datum = Datum(salt);
    return gnutls_hkdf_extract(MacOf(hash), &key, &salt_datum, out_prk.data()) == 0;
  }

  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    // RFC 5869 2.3: at most 255 blocks.
    if (!Supports(hash) || out.empty() || out.size() > 255 * digest_length(hash) ||
        !FitsDatum(prk.size()) || !FitsDatum(info.size())) {
      return false;
    }
    gnutls_datum_t key = Datum(prk), info_datum = Datum(info);
    return gnutls_hkdf_expand(MacOf(hash), &key, &info_datum, out.data(), out.size()) == 0;
  }

  // P_hash (RFC 5246 section 5): A(0) = label || seed, A(i) = HMAC(secret,
  // A(i-1)), output HMAC(secret, A(i) || label || seed) for i = 1, 2, ...
  // One keyed handle serves every HMAC: gnutls_hmac_output resets it to the
  // keyed state.
  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    // Refused alike by every backend: TLS never asks for it, and OpenSSL's
    // TLS1-PRF refuses an empty label || seed.
    if (!Supports(hash) || out.empty() || (label.empty() && seed.empty())) return false;
    gnutls_hmac_hd_t handle = nullptr;
    if (gnutls_hmac_init(&handle, MacOf(hash), Datum(secret).data, secret.size()) < 0) {
      return false;
    }
    const size_t len = digest_length(hash);
    uint8_t a[64], block[64];
    bool ok = gnutls_hmac(handle, label.data(), label.size()) == 0 &&
              (seed.empty() || gnutls_hmac(handle, seed.data(), seed.size()) == 0);
    if (ok) gnutls_hmac_output(handle, a);
    for (size_t done = 0; ok && done < out.size(); done += len) {
      ok = gnutls_hmac(handle, a, len) == 0 &&
           gnutls_hmac(handle, label.data(), label.size()) == 0 &&
           (seed.empty() || gnutls_hmac(handle, seed.data(), seed.size()) == 0);
      if (!ok) break;
      gnutls_hmac_output(handle, block);
      std::copy_n(block, std::min(len, out.size() - done), out.begin() + done);
      if (done + len < out.size()) {
        ok = gnutls_hmac(handle, a, len) == 0;
        if (ok) gnutls_hmac_output(handle, a);
      }
    }
    gnutls_hmac_deinit(handle, nullptr);
    gnutls_memset(a, 0, sizeof(a));
    gnutls_memset(block, 0, sizeof(block));
    return ok;
  }

  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override {
    if (!Supports(aead)) return nullptr;
    return GnutlsAead::Create(aead, key);
  }

  std::unique_ptr<KeyShare> generate_key_share(Group group) override {
    if (!IsKnown(group)) return nullptr;
    return NewKeyShare(group, {});
  }

  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    if (!IsKnown(group) || private_key.size() != shared_secret_length(group)) return nullptr;
    return NewKeyShare(group, private_key);
  }

  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override {
    X509Privkey x509 = ParsePrivateKey(pem_or_der, out_error);
    if (x509 == nullptr) return nullptr;
    int algorithm = gnutls_x509_privkey_get_pk_algorithm2(x509.get(), nullptr);
    unsigned bits = 0;
    gnutls_x509_privkey_get_pk_algorithm2(x509.get(), &bits);
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    if (algorithm == GNUTLS_PK_ECDSA) {
      OwnedDatum x, y, k;
      if (int rc =
              gnutls_x509_privkey_export_ecc_raw(x509.get(), &curve, x.get(), y.get(), k.get());
          rc < 0) {
        if (out_error != nullptr) *out_error = ErrorLine("cannot read the EC key", rc);
        return nullptr;
      }
    }
    std::optional<KeyInfo> info = ClassifyKey(
        static_cast<gnutls_pk_algorithm_t>(algorithm < 0 ? GNUTLS_PK_UNKNOWN : algorithm), bits,
        curve, out_error);
    if (!info) return nullptr;
    gnutls_privkey_t raw = nullptr;
    if (int rc = gnutls_privkey_init(&raw); rc < 0) {
      if (out_error != nullptr) *out_error = ErrorLine("cannot make a private key", rc);
      return nullptr;
    }
    Privkey key(raw);
    // The abstract key takes the parsed one over (and frees it).
    if (int rc =
            gnutls_privkey_import_x509(key.get(), x509.get(), GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE);
        rc < 0) {
      if (out_error != nullptr) *out_error = ErrorLine("cannot use the private key", rc);
      return nullptr;
    }
    (void)x509.release();
    return std::make_unique<GnutlsPrivateKey>(std::move(key), *info);
  }

  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override {
    if (der_certs.empty()) return nullptr;
    std::vector<X509Crt> certs;
    certs.reserve(der_certs.size());
    for (ByteView der : der_certs) {
      X509Crt cert = ParseCertificate(der);
      if (cert == nullptr) return nullptr;
      certs.push_back(std::move(cert));
    }
    return std::make_unique<GnutlsChain>(std::move(certs));
  }

  // The leaf alone, without a chain around it.
  std::unique_ptr<PublicKey> parse_certificate_key(ByteView der_cert) override {
    X509Crt cert = ParseCertificate(der_cert);
    return cert != nullptr ? CertificatePublicKey(cert.get()) : nullptr;
  }

  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override {
    auto set_error = [out_error](std::string line) {
      if (out_error != nullptr) *out_error = std::move(line);
    };
    gnutls_x509_trust_list_t list = nullptr;
    if (int rc = gnutls_x509_trust_list_init(&list, 0); rc < 0) {
      set_error(ErrorLine("cannot create a certificate store", rc));
      return nullptr;
    }
    auto store = std::make_unique<GnutlsTrustStore>(list);
    for (size_t i = 0; i < der_anchors.size(); i++) {
      X509Crt cert = ParseCertificate(der_anchors[i]);
      if (cert == nullptr) {
        set_error("cannot parse trust anchor " + std::to_string(i));
        return nullptr;
      }
      gnutls_x509_crt_t raw = cert.get();
      // The list takes the certificate over (a duplicate it frees itself).
      int added = gnutls_x509_trust_list_add_cas(list, &raw, 1, GNUTLS_TL_NO_DUPLICATES);
      if (added < 0) {
        set_error(ErrorLine("cannot add trust anchor " + std::to_string(i), added));
        return nullptr;
      }
      (void)cert.release();
    }
    return store;
  }

  // The library's own TLS stack (gnutls_native.cc).
  bool native_tls() const override { return true; }
  std::unique_ptr<NativeContext> new_native_context(const NativeConfig& config,
                                                    Failure* out_failure) override {
    return MakeNativeContext(config, out_failure);
  }

 private:
  GnutlsBackend() {
    version_ = std::string("GnuTLS ") + gnutls_check_version(nullptr) + " (nettle " +
               std::to_string(nettle_version_major()) + "." +
               std::to_string(nettle_version_minor()) + ")";
    // The table lists what the library provides: each algorithm is tried
    // once here.
    for (Hash hash : kAllHashes) {
      uint8_t out[64];
      const uint8_t key[1] = {0};
      if (gnutls_hmac_fast(MacOf(hash), key, sizeof(key), key, sizeof(key), out) == 0) {
        algorithms_.hashes.push_back(hash);
      }
    }
    for (Aead aead : kAllAeads) {
      const Bytes key(key_length(aead), 0);
      if (GnutlsAead::Create(aead, key) != nullptr) algorithms_.aeads.push_back(aead);
    }
    algorithms_.groups.assign(std::begin(kAllGroups), std::end(kAllGroups));
    for (Group group : kHybridGroups) {
      algorithms_.unsupported_groups.push_back(
          {group, version_ + " has no Kyber768 or ML-KEM-768 (nettle has no KEM)"});
    }
    for (SignatureScheme scheme : kAllSignatureSchemes) {
      std::optional<Hash> hash = scheme_hash(scheme);
      if ((!hash || std::find(algorithms_.hashes.begin(), algorithms_.hashes.end(), *hash) !=
                        algorithms_.hashes.end()) &&
          gnutls_sign_get_name(SignOf(scheme)) != nullptr) {
        algorithms_.signature_schemes.push_back(scheme);
      }
    }
    algorithms_.hkdf = true;
    algorithms_.tls12_prf = true;
    algorithms_.rsa_pkcs1_encryption = true;
    algorithms_.x509 = true;
  }

  static std::unique_ptr<KeyShare> NewKeyShare(Group group, ByteView private_key) {
    if (group == Group::x25519) return X25519Share::Create(private_key);
    return NistShare::Create(group, private_key);
  }

  bool Supports(Hash hash) const {
    return IsKnown(hash) && std::find(algorithms_.hashes.begin(), algorithms_.hashes.end(), hash) !=
                                algorithms_.hashes.end();
  }
  bool Supports(Aead aead) const {
    return IsKnown(aead) && std::find(algorithms_.aeads.begin(), algorithms_.aeads.end(), aead) !=
                                algorithms_.aeads.end();
  }

  std::string version_;
  Algorithms algorithms_;
};

}  // namespace
}  // namespace hsbench::gnutls

extern "C" HSBENCH_EXPORT hsbench::Backend* hsbench_backend_create(uint32_t abi_version) {
  if (abi_version != hsbench::kBackendAbiVersion) return nullptr;
  return hsbench::gnutls::GnutlsBackend::Create().release();
}
