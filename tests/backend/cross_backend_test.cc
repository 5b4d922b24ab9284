// The default PKI on every backend, and OpenSSL against BoringSSL: what one
// backend signs, encrypts, agrees on or seals, the other must accept and
// reproduce. The cross tests skip (saying why) unless both are built.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "backend_test_util.h"

namespace hsbench::test {
namespace {

constexpr std::string_view kHostname = "localhost";

std::vector<std::string> pki_kinds() { return default_pki_kinds(); }

std::vector<std::string> rsa_pki_kinds() {
  std::vector<std::string> out;
  for (const auto& kind : default_pki_kinds()) {
    if (kind.starts_with("rsa")) out.push_back(kind);
  }
  return out;
}

// The signature schemes a key of this type makes.
std::vector<SignatureScheme> schemes_for(KeyType type) {
  std::vector<SignatureScheme> out;
  for (SignatureScheme s : kAllSignatureSchemes) {
    if (scheme_key_type(s) == type) out.push_back(s);
  }
  return out;
}

// One default PKI kind prepared on one backend.
struct PreparedPki {
  std::unique_ptr<Pki> pki;
  std::unique_ptr<CertificateChain> chain;
  std::unique_ptr<PublicKey> leaf_key;
  std::unique_ptr<PrivateKey> key;
};

// Fails the test (fatally, through the caller's ASSERT on the result) when
// any piece does not load.
PreparedPki prepare(Backend& backend, const std::string& kind) {
  PreparedPki out;
  out.pki = read_default_pki(kind);
  if (out.pki == nullptr) return out;
  std::vector<ByteView> chain = views(out.pki->chain);
  out.chain = backend.parse_chain(chain);
  if (out.chain == nullptr) {
    ADD_FAILURE() << backend.name() << " cannot parse the " << kind << " chain";
    return out;
  }
  out.leaf_key = out.chain->leaf_public_key();
  if (out.leaf_key == nullptr) ADD_FAILURE() << backend.name() << ": no " << kind << " leaf key";
  std::string error;
  out.key = backend.load_private_key(out.pki->key, &error);
  if (out.key == nullptr) {
    ADD_FAILURE() << backend.name() << " cannot load the " << kind << " key: " << error;
  }
  return out;
}

bool ready(const PreparedPki& p) { return p.pki && p.chain && p.leaf_key && p.key; }

Bytes sign(const PrivateKey& key, SignatureScheme scheme, ByteView message) {
  Bytes signature(kMaxSignatureLength);
  size_t length = 0;
  if (!key.sign(scheme, message, signature, &length)) {
    ADD_FAILURE() << "sign with " << name(scheme) << " failed";
    return {};
  }
  signature.resize(length);
  return signature;
}

// ---------------------------------------------------------------------------
// The default PKI on each backend alone

class PkiTest : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
 protected:
  void SetUp() override {
    std::string error;
    const std::string& backend_name = std::get<0>(GetParam());
    backend_ = shared_backend(backend_name, &error);
    ASSERT_NE(backend_, nullptr) << "backend " << backend_name
                                 << " is built but does not load: " << error;
    prepared_ = prepare(*backend_, kind());
    ASSERT_TRUE(ready(prepared_));
  }
  const std::string& kind() const { return std::get<1>(GetParam()); }
  Backend& backend() { return *backend_; }

  std::unique_ptr<TrustStore> trust_store(const std::string& root_kind) {
    auto pki = read_default_pki(root_kind);
    if (pki == nullptr) return nullptr;
    std::vector<ByteView> roots = views(pki->roots);
    std::string error;
    auto store = backend_->new_trust_store(roots, &error);
    if (store == nullptr)
      ADD_FAILURE() << "no trust store of the " << root_kind << " root: " << error;
    return store;
  }

  Backend* backend_ = nullptr;
  PreparedPki prepared_;
};

std::string PkiTestName(
    const ::testing::TestParamInfo<std::tuple<std::string, std::string>>& info) {
  return test_name(std::get<0>(info.param) + "_" + std::get<1>(info.param));
}

TEST_P(PkiTest, KeysMatchTheKind) {
  EXPECT_EQ(prepared_.chain->size(), 2u) << "leaf and intermediate";
  const KeyInfo expected = expected_key_info(kind());
  const KeyInfo leaf = prepared_.leaf_key->info();
  const KeyInfo key = prepared_.key->info();
  EXPECT_EQ(leaf.type, expected.type);
  EXPECT_EQ(key.type, expected.type);
  if (expected.bits != 0) {
    EXPECT_EQ(leaf.bits, expected.bits);
    EXPECT_EQ(key.bits, expected.bits);
  }
  EXPECT_EQ(key.bits, leaf.bits);
}

TEST_P(PkiTest, SignsAndVerifiesEveryScheme) {
  const Bytes message = to_bytes("CertificateVerify content for " + kind());
  const auto schemes = schemes_for(prepared_.key->info().type);
  ASSERT_FALSE(schemes.empty());
  for (SignatureScheme scheme : schemes) {
    SCOPED_TRACE(name(scheme));
    Bytes signature = sign(*prepared_.key, scheme, message);
    ASSERT_FALSE(signature.empty());
    EXPECT_TRUE(prepared_.leaf_key->verify(scheme, message, signature));
    EXPECT_FALSE(prepared_.leaf_key->verify(scheme, concat(message, Bytes{0}), signature));
    signature.back() ^= 0x01;
    EXPECT_FALSE(prepared_.leaf_key->verify(scheme, message, signature));
  }
}

// TLS 1.2 RSA key transport, on the RSA kinds only.
class RsaPkiTest : public PkiTest {};

TEST_P(RsaPkiTest, KeyTransport) {
  const size_t modulus_bytes = prepared_.leaf_key->info().bits / 8;
  for (size_t size : {size_t{48}, size_t{1}, modulus_bytes - 11}) {
    SCOPED_TRACE("plaintext of " + std::to_string(size) + " bytes");
    Bytes plaintext(size);
    ASSERT_TRUE(backend().random(plaintext));
    Bytes ciphertext(modulus_bytes);
    size_t length = 0;
    ASSERT_TRUE(prepared_.leaf_key->rsa_encrypt_pkcs1(plaintext, ciphertext, &length));
    EXPECT_EQ(length, modulus_bytes);
    Bytes decrypted(modulus_bytes);
    size_t decrypted_length = 0;
    ASSERT_TRUE(prepared_.key->rsa_decrypt_pkcs1(ByteView(ciphertext).first(length), decrypted,
                                                 &decrypted_length));
    EXPECT_BYTES_EQ(plaintext, ByteView(decrypted).first(decrypted_length));
  }
}

TEST_P(PkiTest, ChainVerifiesForLocalhost) {
  auto store = trust_store(kind());
  ASSERT_NE(store, nullptr);
  std::string error;
  EXPECT_TRUE(store->verify(*prepared_.chain, kHostname, &error)) << error;
  error.clear();
  EXPECT_TRUE(store->verify(*prepared_.chain, "", &error)) << "no hostname to check: " << error;
}

TEST_P(PkiTest, ChainFailsForAnotherHostname) {
  auto store = trust_store(kind());
  ASSERT_NE(store, nullptr);
  std::string error;
  EXPECT_FALSE(store->verify(*prepared_.chain, "example.com", &error));
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(store->verify(*prepared_.chain, "localhost.example.com", &error));
}

// RFC 6125 section 6.4: DNS names compare case-insensitively and exactly
// otherwise; a reference identity is a name, never a pattern.
TEST_P(PkiTest, HostnameMatching) {
  auto store = trust_store(kind());
  ASSERT_NE(store, nullptr);
  std::string error;
  EXPECT_TRUE(store->verify(*prepared_.chain, "LocalHost", &error)) << error;
  static constexpr char kEmbeddedNul[] = "localhost\0.example.com";
  const std::string_view wrong_names[] = {"localhos", "xlocalhost", "127.0.0.1", "*.localhost",
                                          std::string_view(kEmbeddedNul, sizeof(kEmbeddedNul) - 1)};
  for (std::string_view wrong : wrong_names) {
    SCOPED_TRACE(std::string(wrong));
    EXPECT_FALSE(store->verify(*prepared_.chain, wrong, &error));
  }
}

// Trust stores and keys are shared by every handshake thread (backend.h);
// each thread parses its own chain.
TEST_P(PkiTest, ConcurrentVerificationAndSigning) {
  auto store = trust_store(kind());
  ASSERT_NE(store, nullptr);
  const SignatureScheme scheme = schemes_for(prepared_.key->info().type).front();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      std::vector<ByteView> der = views(prepared_.pki->chain);
      for (int i = 0; i < 10; i++) {
        auto chain = backend_->parse_chain(der);
        std::string error;
        if (chain == nullptr || !store->verify(*chain, kHostname, &error)) failures++;
        const Bytes message = to_bytes("thread " + std::to_string(t) + " " + std::to_string(i));
        Bytes signature(kMaxSignatureLength);
        size_t length = 0;
        if (!prepared_.key->sign(scheme, message, signature, &length) ||
            !prepared_.leaf_key->verify(scheme, message, ByteView(signature).first(length))) {
          failures++;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_P(PkiTest, ChainFailsAgainstAnotherKindsRoot) {
  const auto& kinds = default_pki_kinds();
  auto it = std::find(kinds.begin(), kinds.end(), kind());
  ASSERT_NE(it, kinds.end());
  const std::string& other = ++it == kinds.end() ? kinds.front() : *it;
  auto store = trust_store(other);
  ASSERT_NE(store, nullptr);
  std::string error;
  EXPECT_FALSE(store->verify(*prepared_.chain, kHostname, &error))
      << "trusted the " << other << " root";
  EXPECT_FALSE(error.empty());
}

TEST_P(PkiTest, ChainFailsWithoutItsIntermediate) {
  auto store = trust_store(kind());
  ASSERT_NE(store, nullptr);
  const ByteView leaf_only[] = {prepared_.pki->chain.front()};
  auto chain = backend().parse_chain(leaf_only);
  ASSERT_NE(chain, nullptr);
  EXPECT_EQ(chain->size(), 1u);
  std::string error;
  EXPECT_FALSE(store->verify(*chain, kHostname, &error));
  EXPECT_FALSE(error.empty());
}

TEST_P(PkiTest, ChainFailsLeafLast) {
  auto store = trust_store(kind());
  ASSERT_NE(store, nullptr);
  std::vector<ByteView> reversed = views(prepared_.pki->chain);
  std::reverse(reversed.begin(), reversed.end());
  auto chain = backend().parse_chain(reversed);
  ASSERT_NE(chain, nullptr);
  std::string error;
  EXPECT_FALSE(store->verify(*chain, kHostname, &error))
      << "the intermediate, sent first, is not valid for localhost";
}

INSTANTIATE_TEST_SUITE_P(backend_pki, PkiTest,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(pki_kinds())),
                         PkiTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PkiTest);
INSTANTIATE_TEST_SUITE_P(backend_pki, RsaPkiTest,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(rsa_pki_kinds())),
                         PkiTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RsaPkiTest);

// ---------------------------------------------------------------------------
// Each backend against each other

// Which backend makes and which checks.
struct Direction {
  std::string from;
  std::string to;
  friend void PrintTo(const Direction& d, std::ostream* os) { *os << d.from << " to " << d.to; }
};

// Every ordered pair of two different built backends.
std::vector<Direction> directions() {
  std::vector<Direction> out;
  for (auto& [from, to] : built_backend_pairs()) out.push_back({from, to});
  return out;
}

std::string direction_name(const Direction& d) { return d.from + "_to_" + d.to; }

// Loads both backends; a built backend that does not load fails the test.
bool load_pair(const Direction& d, Backend** out_from, Backend** out_to) {
  std::string error;
  *out_from = shared_backend(d.from, &error);
  EXPECT_NE(*out_from, nullptr) << "backend " << d.from << " is built but does not load: " << error;
  error.clear();
  *out_to = shared_backend(d.to, &error);
  EXPECT_NE(*out_to, nullptr) << "backend " << d.to << " is built but does not load: " << error;
  return *out_from != nullptr && *out_to != nullptr;
}

class CrossPkiTest : public ::testing::TestWithParam<std::tuple<std::string, Direction>> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(load_pair(direction(), &from_, &to_));
    on_from_ = prepare(*from_, kind());
    on_to_ = prepare(*to_, kind());
    ASSERT_TRUE(ready(on_from_));
    ASSERT_TRUE(ready(on_to_));
  }
  const std::string& kind() const { return std::get<0>(GetParam()); }
  const Direction& direction() const { return std::get<1>(GetParam()); }

  Backend* from_ = nullptr;
  Backend* to_ = nullptr;
  PreparedPki on_from_, on_to_;
};

std::string CrossPkiTestName(
    const ::testing::TestParamInfo<std::tuple<std::string, Direction>>& info) {
  return test_name(std::get<0>(info.param) + "_" + direction_name(std::get<1>(info.param)));
}

TEST_P(CrossPkiTest, KeyInfoAgrees) {
  EXPECT_EQ(on_from_.leaf_key->info().type, on_to_.leaf_key->info().type);
  EXPECT_EQ(on_from_.leaf_key->info().bits, on_to_.leaf_key->info().bits)
      << "the backends report different sizes for the same " << kind() << " key";
  EXPECT_EQ(on_from_.key->info().bits, on_to_.key->info().bits);
}

TEST_P(CrossPkiTest, SignatureVerifiesOnTheOther) {
  const Bytes message = to_bytes("signed on " + std::string(direction().from));
  for (SignatureScheme scheme : schemes_for(on_from_.key->info().type)) {
    SCOPED_TRACE(name(scheme));
    Bytes signature = sign(*on_from_.key, scheme, message);
    ASSERT_FALSE(signature.empty());
    EXPECT_TRUE(on_to_.leaf_key->verify(scheme, message, signature));
    Bytes tampered = message;
    tampered[0] ^= 0x01;
    EXPECT_FALSE(on_to_.leaf_key->verify(scheme, tampered, signature));
    signature[signature.size() / 2] ^= 0x01;
    EXPECT_FALSE(on_to_.leaf_key->verify(scheme, message, signature));
  }
}

class CrossRsaTest : public CrossPkiTest {};

TEST_P(CrossRsaTest, EncryptionDecryptsOnTheOther) {
  const size_t modulus_bytes = on_from_.leaf_key->info().bits / 8;
  // A TLS 1.2 PreMasterSecret: client_version then 46 random bytes.
  Bytes premaster(48);
  ASSERT_TRUE(from_->random(premaster));
  premaster[0] = 3;
  premaster[1] = 3;
  Bytes ciphertext(modulus_bytes);
  size_t length = 0;
  ASSERT_TRUE(on_from_.leaf_key->rsa_encrypt_pkcs1(premaster, ciphertext, &length));
  Bytes decrypted(modulus_bytes);
  size_t decrypted_length = 0;
  ASSERT_TRUE(on_to_.key->rsa_decrypt_pkcs1(ByteView(ciphertext).first(length), decrypted,
                                            &decrypted_length));
  EXPECT_BYTES_EQ(premaster, ByteView(decrypted).first(decrypted_length));
}

TEST_P(CrossPkiTest, ChainVerdictsAgree) {
  // Each backend verifies the chain as the other parsed it from the same DER.
  std::vector<ByteView> roots = views(on_from_.pki->roots);
  std::string error;
  auto store = to_->new_trust_store(roots, &error);
  ASSERT_NE(store, nullptr) << error;
  EXPECT_TRUE(store->verify(*on_to_.chain, kHostname, &error)) << error;
  EXPECT_FALSE(store->verify(*on_to_.chain, "example.com", &error));
}

INSTANTIATE_TEST_SUITE_P(backend_cross, CrossPkiTest,
                         ::testing::Combine(::testing::ValuesIn(pki_kinds()),
                                            ::testing::ValuesIn(directions())),
                         CrossPkiTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CrossPkiTest);
INSTANTIATE_TEST_SUITE_P(backend_cross, CrossRsaTest,
                         ::testing::Combine(::testing::ValuesIn(rsa_pki_kinds()),
                                            ::testing::ValuesIn(directions())),
                         CrossPkiTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CrossRsaTest);

class CrossGroupTest : public ::testing::TestWithParam<std::tuple<Group, Direction>> {
 protected:
  void SetUp() override { ASSERT_TRUE(load_pair(direction(), &from_, &to_)); }
  Group group() const { return std::get<0>(GetParam()); }
  const Direction& direction() const { return std::get<1>(GetParam()); }

  Backend* from_ = nullptr;
  Backend* to_ = nullptr;
};

std::string CrossGroupTestName(const ::testing::TestParamInfo<std::tuple<Group, Direction>>& info) {
  return test_name(std::string(name(std::get<0>(info.param))) + "_" +
                   direction_name(std::get<1>(info.param)));
}

TEST_P(CrossGroupTest, FreshSharesAgree) {
  for (int round = 0; round < 4; round++) {
    auto mine = from_->generate_key_share(group());
    auto theirs = to_->generate_key_share(group());
    ASSERT_NE(mine, nullptr);
    ASSERT_NE(theirs, nullptr);
    Bytes mine_secret(shared_secret_length(group())), their_secret(shared_secret_length(group()));
    ASSERT_TRUE(mine->derive(theirs->public_key(), mine_secret));
    ASSERT_TRUE(theirs->derive(mine->public_key(), their_secret));
    EXPECT_BYTES_EQ(mine_secret, their_secret);
  }
}

TEST_P(CrossGroupTest, SamePrivateKeySamePublicKey) {
  // A fixed, valid scalar for every group (below the P-256 and P-384 orders).
  Bytes scalar(group() == Group::secp384r1 ? 48 : 32, 0x11);
  scalar.back() = 0x7f;
  auto mine = from_->key_share_from_private(group(), scalar);
  auto theirs = to_->key_share_from_private(group(), scalar);
  ASSERT_NE(mine, nullptr);
  ASSERT_NE(theirs, nullptr);
  EXPECT_BYTES_EQ(mine->public_key(), theirs->public_key());
}

INSTANTIATE_TEST_SUITE_P(backend_cross, CrossGroupTest,
                         ::testing::Combine(::testing::ValuesIn(kAllGroups),
                                            ::testing::ValuesIn(directions())),
                         CrossGroupTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CrossGroupTest);

// Random inputs of awkward sizes (block boundaries, empty, long) give the
// same output on both backends. The generator is seeded so a failure can be
// reproduced.
class CrossPrimitiveTest : public ::testing::TestWithParam<Direction> {
 protected:
  void SetUp() override { ASSERT_TRUE(load_pair(GetParam(), &from_, &to_)); }
  Bytes random_bytes(size_t size) {
    Bytes out(size);
    for (auto& b : out) b = static_cast<uint8_t>(rng_());
    return out;
  }

  Backend* from_ = nullptr;
  Backend* to_ = nullptr;
  std::mt19937 rng_{20240101};
};

std::string CrossPrimitiveTestName(const ::testing::TestParamInfo<Direction>& info) {
  return direction_name(info.param);
}

constexpr size_t kAwkwardSizes[] = {0, 1, 31, 32, 55, 56, 63, 64, 65, 127, 128, 129, 1000, 4097};

TEST_P(CrossPrimitiveTest, Hash) {
  for (Hash hash : kAllHashes) {
    for (size_t size : kAwkwardSizes) {
      SCOPED_TRACE(std::string(name(hash)) + " of " + std::to_string(size) + " bytes");
      const Bytes message = random_bytes(size);
      auto a = from_->new_hash(hash);
      auto b = to_->new_hash(hash);
      ASSERT_NE(a, nullptr);
      ASSERT_NE(b, nullptr);
      a->update(message);
      b->update(message);
      Bytes da(digest_length(hash)), db(digest_length(hash));
      a->current_digest(da);
      b->current_digest(db);
      EXPECT_BYTES_EQ(da, db);
    }
  }
}

TEST_P(CrossPrimitiveTest, Hmac) {
  for (Hash hash : kAllHashes) {
    for (size_t key_size : {0, 1, 32, 48, 64, 128, 129, 200}) {
      SCOPED_TRACE(std::string(name(hash)) + " key of " + std::to_string(key_size) + " bytes");
      const Bytes key = random_bytes(key_size);
      const Bytes data = random_bytes(rng_() % 300);
      Bytes a(digest_length(hash)), b(digest_length(hash));
      ASSERT_TRUE(from_->hmac(hash, key, data, a));
      ASSERT_TRUE(to_->hmac(hash, key, data, b));
      EXPECT_BYTES_EQ(a, b);
    }
  }
}

TEST_P(CrossPrimitiveTest, Hkdf) {
  for (Hash hash : kAllHashes) {
    for (size_t length :
         {size_t{1}, size_t{12}, size_t{32}, size_t{48}, size_t{100}, 255 * digest_length(hash)}) {
      SCOPED_TRACE(std::string(name(hash)) + ", " + std::to_string(length) + " bytes out");
      const Bytes salt = random_bytes(rng_() % 80);
      const Bytes ikm = random_bytes(1 + rng_() % 80);
      const Bytes info = random_bytes(rng_() % 80);
      Bytes prk_a(digest_length(hash)), prk_b(digest_length(hash));
      ASSERT_TRUE(from_->hkdf_extract(hash, salt, ikm, prk_a));
      ASSERT_TRUE(to_->hkdf_extract(hash, salt, ikm, prk_b));
      EXPECT_BYTES_EQ(prk_a, prk_b);
      Bytes okm_a(length), okm_b(length);
      ASSERT_TRUE(from_->hkdf_expand(hash, prk_a, info, okm_a));
      ASSERT_TRUE(to_->hkdf_expand(hash, prk_a, info, okm_b));
      EXPECT_BYTES_EQ(okm_a, okm_b);
    }
  }
}

TEST_P(CrossPrimitiveTest, Tls12Prf) {
  for (Hash hash : kAllHashes) {
    for (std::string_view label : {"master secret", "extended master secret", "key expansion",
                                   "client finished", "server finished"}) {
      for (size_t length : {12, 48, 104, 1000}) {
        SCOPED_TRACE(std::string(name(hash)) + " " + std::string(label) + ", " +
                     std::to_string(length) + " bytes");
        const Bytes secret = random_bytes(48);
        const Bytes seed = random_bytes(64);
        Bytes a(length), b(length);
        ASSERT_TRUE(from_->tls12_prf(hash, secret, label, seed, a));
        ASSERT_TRUE(to_->tls12_prf(hash, secret, label, seed, b));
        EXPECT_BYTES_EQ(a, b);
      }
    }
  }
}

TEST_P(CrossPrimitiveTest, Aead) {
  for (Aead aead : kAllAeads) {
    const Bytes key = random_bytes(key_length(aead));
    auto sealer = from_->new_aead(aead, key);
    auto opener = to_->new_aead(aead, key);
    auto other_sealer = to_->new_aead(aead, key);
    ASSERT_NE(sealer, nullptr);
    ASSERT_NE(opener, nullptr);
    ASSERT_NE(other_sealer, nullptr);
    for (size_t size : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{1000},
                        size_t{16384 + 256}}) {
      SCOPED_TRACE(std::string(name(aead)) + ", " + std::to_string(size) + " bytes");
      const Bytes nonce = random_bytes(kAeadNonceLength);
      const Bytes aad = random_bytes(13);  // a TLS 1.2 record's additional data
      const Bytes plaintext = random_bytes(size);
      Bytes sealed(size + kAeadTagLength), sealed_other(size + kAeadTagLength);
      ASSERT_TRUE(sealer->seal(nonce, aad, plaintext, sealed));
      ASSERT_TRUE(other_sealer->seal(nonce, aad, plaintext, sealed_other));
      EXPECT_BYTES_EQ(sealed, sealed_other);
      Bytes opened(size);
      ASSERT_TRUE(opener->open(nonce, aad, sealed, opened));
      EXPECT_BYTES_EQ(plaintext, opened);
      sealed.back() ^= 0x01;
      EXPECT_FALSE(opener->open(nonce, aad, sealed, opened));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(backend_cross, CrossPrimitiveTest, ::testing::ValuesIn(directions()),
                         CrossPrimitiveTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CrossPrimitiveTest);

}  // namespace
}  // namespace hsbench::test
