// Known-answer tests: every primitive of the backend interface, on every
// real backend built, against published vectors. Each table cites where its
// values come from; each value was also recomputed with python3 (hashlib,
// hmac, `cryptography`) and, for the TLS PRF, `openssl kdf ... TLS1-PRF`.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "backend_test_util.h"
#include "hsbench/registry.h"

namespace hsbench::test {
namespace {

// The known answers below run on built_backends(), the real-crypto backends
// the plugin search finds. Every plugin this tree built must be found and
// load under its own name, and only the null backend may declare fake
// crypto: a plugin missing or failing to load would otherwise leave its
// tables silently uninstantiated.
TEST(backend_kat, BuiltBackendsAreTheRealOnesFound) {
  std::vector<std::string> found, real;
  const BackendRegistry registry = BackendRegistry::discover();
  for (const auto& b : registry.backends()) {
    found.emplace_back(b->backend().name());
    if (b->backend().real_crypto()) real.emplace_back(b->backend().name());
  }
  for (const PluginFailure& f : registry.failures()) ADD_FAILURE() << f.name << ": " << f.error;
  std::vector<std::string> built = plugins_built();
  std::sort(found.begin(), found.end());
  std::sort(built.begin(), built.end());
  EXPECT_EQ(found, built);
  std::vector<std::string> expected_real;
  for (const std::string& name : built) {
    if (name != "null") expected_real.push_back(name);
  }
  std::vector<std::string> listed = built_backends();
  std::sort(real.begin(), real.end());
  std::sort(listed.begin(), listed.end());
  EXPECT_EQ(real, expected_real);
  EXPECT_EQ(listed, expected_real);
  for (const std::string& name : listed) {
    std::string error;
    Backend* b = shared_backend(name, &error);
    ASSERT_NE(b, nullptr) << name << ": " << error;
    EXPECT_EQ(b->name(), name);
    EXPECT_TRUE(b->real_crypto()) << name;
  }
}

// ---------------------------------------------------------------------------
// Hashes

struct HashVector {
  const char* name;
  Hash hash;
  std::string_view message;  // repeated `repeat` times
  size_t repeat;
  const char* digest;
  friend void PrintTo(const HashVector& v, std::ostream* os) { *os << v.name; }
};

constexpr std::string_view k448BitMessage =
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view k896BitMessage =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rsmnopqrstnopqrstu";

const HashVector kHashVectors[] = {
    // FIPS 180-2, appendix B.1, B.2, B.3.
    {"sha256_abc", Hash::sha256, "abc", 1,
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"sha256_448bit", Hash::sha256, k448BitMessage, 1,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"sha256_million_a", Hash::sha256, "a", 1000000,
     "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    // NIST CAVP SHAVS, SHA256ShortMsg.rsp, Len = 0.
    {"sha256_empty", Hash::sha256, "", 1,
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    // The FIPS 180-2 appendix D.2 message under SHA-256 (two blocks); from
    // python3 hashlib.
    {"sha256_896bit", Hash::sha256, k896BitMessage, 1,
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    // FIPS 180-2, appendix D.1, D.2, D.3.
    {"sha384_abc", Hash::sha384, "abc", 1,
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c82"
     "5a7"},
    {"sha384_896bit", Hash::sha384, k896BitMessage, 1,
     "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746"
     "039"},
    {"sha384_million_a", Hash::sha384, "a", 1000000,
     "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8"
     "985"},
    // NIST CAVP SHAVS, SHA384ShortMsg.rsp, Len = 0.
    {"sha384_empty", Hash::sha384, "", 1,
     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b"
     "95b"},
    // The FIPS 180-2 appendix B.2 message under SHA-384 (one block); from
    // python3 hashlib.
    {"sha384_448bit", Hash::sha384, k448BitMessage, 1,
     "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c84"
     "52b"},
};

Bytes message_of(const HashVector& v) {
  Bytes out;
  out.reserve(v.message.size() * v.repeat);
  for (size_t i = 0; i < v.repeat; i++) out.insert(out.end(), v.message.begin(), v.message.end());
  return out;
}

Bytes digest_of(const HashContext& ctx) {
  Bytes out(digest_length(ctx.hash()));
  ctx.current_digest(out);
  return out;
}

using HashKat = BackendVectorTest<HashVector>;

TEST_P(HashKat, OneShot) {
  auto ctx = backend().new_hash(vec().hash);
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(ctx->hash(), vec().hash);
  ctx->update(message_of(vec()));
  EXPECT_BYTES_EQ(from_hex(vec().digest), digest_of(*ctx));
}

TEST_P(HashKat, Incremental) {
  const Bytes message = message_of(vec());
  for (size_t chunk : {1, 3, 63, 64, 65, 1000}) {
    SCOPED_TRACE("chunk size " + std::to_string(chunk));
    auto ctx = backend().new_hash(vec().hash);
    ASSERT_NE(ctx, nullptr);
    ctx->update({});  // an empty update changes nothing
    for (size_t at = 0; at < message.size(); at += chunk) {
      ctx->update(ByteView(message).subspan(at, std::min(chunk, message.size() - at)));
    }
    EXPECT_BYTES_EQ(from_hex(vec().digest), digest_of(*ctx));
  }
}

// A transcript hash is read at many points of a handshake and keeps going.
TEST_P(HashKat, CurrentDigestLeavesStateUntouched) {
  const Bytes message = message_of(vec());
  const ByteView first = ByteView(message).first(message.size() / 2);
  const ByteView second = ByteView(message).subspan(first.size());

  auto ctx = backend().new_hash(vec().hash);
  ASSERT_NE(ctx, nullptr);
  Bytes at_start = digest_of(*ctx);
  EXPECT_BYTES_EQ(at_start, digest_of(*ctx));
  ctx->update(first);
  Bytes midway = digest_of(*ctx);
  EXPECT_BYTES_EQ(midway, digest_of(*ctx));

  auto only_first = backend().new_hash(vec().hash);
  ASSERT_NE(only_first, nullptr);
  only_first->update(first);
  EXPECT_BYTES_EQ(digest_of(*only_first), midway);

  ctx->update(second);
  EXPECT_BYTES_EQ(from_hex(vec().digest), digest_of(*ctx));
  EXPECT_BYTES_EQ(from_hex(vec().digest), digest_of(*ctx));
}

TEST_P(HashKat, CloneForks) {
  const Bytes message = message_of(vec());
  const ByteView first = ByteView(message).first(message.size() / 2);
  const ByteView second = ByteView(message).subspan(first.size());
  const Bytes expected = from_hex(vec().digest);

  auto ctx = backend().new_hash(vec().hash);
  ASSERT_NE(ctx, nullptr);
  ctx->update(first);
  const Bytes midway = digest_of(*ctx);

  auto fork = ctx->clone();
  ASSERT_NE(fork, nullptr);
  EXPECT_EQ(fork->hash(), vec().hash);
  fork->update(second);
  EXPECT_BYTES_EQ(expected, digest_of(*fork));
  EXPECT_BYTES_EQ(midway, digest_of(*ctx)) << "updating a clone changed its parent";

  ctx->update(second);
  EXPECT_BYTES_EQ(expected, digest_of(*ctx));

  auto diverged = ctx->clone();
  ASSERT_NE(diverged, nullptr);
  diverged->update(to_bytes("x"));
  EXPECT_NE(to_hex(expected), to_hex(digest_of(*diverged)));
  EXPECT_BYTES_EQ(expected, digest_of(*ctx));

  // A clone outlives its parent.
  auto orphan = ctx->clone();
  ASSERT_NE(orphan, nullptr);
  ctx.reset();
  EXPECT_BYTES_EQ(expected, digest_of(*orphan));
}

INSTANTIATE_TEST_SUITE_P(backend_kat, HashKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kHashVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HashKat);

// ---------------------------------------------------------------------------
// HMAC

struct HmacVector {
  const char* name;
  Hash hash;
  const char* key;
  const char* data;
  const char* mac;
  friend void PrintTo(const HmacVector& v, std::ostream* os) { *os << v.name; }
};

// RFC 4231, section 4: test cases 1-4, 6 and 7 (5 truncates its output).
#define RFC4231_KEY_1 "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"
#define RFC4231_DATA_1 "4869205468657265"  // "Hi There"
#define RFC4231_KEY_2 "4a656665"           // "Jefe"
// "what do ya want for nothing?"
#define RFC4231_DATA_2 "7768617420646f2079612077616e7420666f72206e6f7468696e673f"
#define RFC4231_KEY_3 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define RFC4231_DATA_3                                                                         \
  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd" \
  "dddddddddd"
#define RFC4231_KEY_4 "0102030405060708090a0b0c0d0e0f10111213141516171819"
#define RFC4231_DATA_4                                                                         \
  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd" \
  "cdcdcdcdcd"
// 131 bytes of 0xaa.
#define RFC4231_KEY_6_7                                                                        \
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
// "Test Using Larger Than Block-Size Key - Hash Key First"
#define RFC4231_DATA_6                                                                       \
  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368" \
  "204b6579204669727374"
// "This is a test using a larger than block-size key and a larger than
// block-size data. The key needs to be hashed before being used by the HMAC
// algorithm."
#define RFC4231_DATA_7                                                                       \
  "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a" \
  "65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865" \
  "206b6579206e6565647320746f20626520686173686564206265666f7265206265696e672075736564206279" \
  "2074686520484d414320616c676f726974686d2e"

const HmacVector kHmacVectors[] = {
    {"sha256_rfc4231_case1", Hash::sha256, RFC4231_KEY_1, RFC4231_DATA_1,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"sha256_rfc4231_case2", Hash::sha256, RFC4231_KEY_2, RFC4231_DATA_2,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"sha256_rfc4231_case3", Hash::sha256, RFC4231_KEY_3, RFC4231_DATA_3,
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
    {"sha256_rfc4231_case4", Hash::sha256, RFC4231_KEY_4, RFC4231_DATA_4,
     "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
    {"sha256_rfc4231_case6", Hash::sha256, RFC4231_KEY_6_7, RFC4231_DATA_6,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
    {"sha256_rfc4231_case7", Hash::sha256, RFC4231_KEY_6_7, RFC4231_DATA_7,
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    {"sha384_rfc4231_case1", Hash::sha384, RFC4231_KEY_1, RFC4231_DATA_1,
     "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9"
     "cb6"},
    {"sha384_rfc4231_case2", Hash::sha384, RFC4231_KEY_2, RFC4231_DATA_2,
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21"
     "649"},
    {"sha384_rfc4231_case3", Hash::sha384, RFC4231_KEY_3, RFC4231_DATA_3,
     "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34"
     "f27"},
    {"sha384_rfc4231_case4", Hash::sha384, RFC4231_KEY_4, RFC4231_DATA_4,
     "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674c"
     "ffb"},
    {"sha384_rfc4231_case6", Hash::sha384, RFC4231_KEY_6_7, RFC4231_DATA_6,
     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44"
     "952"},
    {"sha384_rfc4231_case7", Hash::sha384, RFC4231_KEY_6_7, RFC4231_DATA_7,
     "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c465"
     "23e"},
};

using HmacKat = BackendVectorTest<HmacVector>;

TEST_P(HmacKat, Mac) {
  Bytes out(digest_length(vec().hash));
  ASSERT_TRUE(backend().hmac(vec().hash, from_hex(vec().key), from_hex(vec().data), out));
  EXPECT_BYTES_EQ(from_hex(vec().mac), out);
}

INSTANTIATE_TEST_SUITE_P(backend_kat, HmacKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kHmacVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HmacKat);

// ---------------------------------------------------------------------------
// HKDF

struct HkdfVector {
  const char* name;
  Hash hash;
  const char* ikm;
  const char* salt;
  const char* info;
  const char* prk;  // empty where the source publishes only the OKM
  const char* okm;
  friend void PrintTo(const HkdfVector& v, std::ostream* os) { *os << v.name; }
};

const HkdfVector kHkdfVectors[] = {
    // RFC 5869, appendix A.1, A.2, A.3 (A.3: empty salt and info).
    {"sha256_rfc5869_case1", Hash::sha256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
     "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
     "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    {"sha256_rfc5869_case2", Hash::sha256,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d"
     "2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
     "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d"
     "8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
     "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdd"
     "dedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e59"
     "0e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    {"sha256_rfc5869_case3", Hash::sha256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
     "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
    // Wycheproof testvectors/hkdf_sha384_test.json, tcId 3 (empty salt), 12, 18.
    {"sha384_wycheproof_tc3", Hash::sha384, "d4dcb92a769f57c8bab8a420ee0aa351", "", "", "",
     "8998abf032b4fbb29e431f0bf1544e19590ef4fc99e013db8d6ce0dc085660dd3f2432b5f9cdcc44cb6ce0053e7eb"
     "4"
     "3c0375ac7efba148ece8688e637a5759f6"},
    {"sha384_wycheproof_tc12", Hash::sha384, "8677dc79233ef3480777c4c601ef4f0b",
     "ad88db718244e2cb60e35f874d7ad81f", "a38f634d947819a9bfa792174b42baa20c9fce15", "",
     "758546362a070c0f13cbfbf1756e8f29b7819fb903c7ed4f97a56be3c8f81e8c37aef5c0f8e5d2b17eb1aa02ec04c"
     "3"
     "3f546cb2f3d193e930a9f89ec9ce3a82b5"},
    {"sha384_wycheproof_tc18", Hash::sha384, "6cf725e939e8824d4392233eeac75d30",
     "1e72f24b05a91a0093f34306ffced79e7003055b0833c6d0f27a4f33a1bd",
     "495425d9727fee2e2b7e78899868c1c3e7735e1d", "",
     "e13a7490f842b6e5be206e6d5ce69b2a8e2cba5525715283f22b021d2fbc2aec59d0144088581058f0fb2f551c6d6"
     "2"
     "bfbd8a15d2706e23e10f3bf7277fff337f"},
};

using HkdfKat = BackendVectorTest<HkdfVector>;

TEST_P(HkdfKat, ExtractThenExpand) {
  Bytes prk(digest_length(vec().hash));
  ASSERT_TRUE(backend().hkdf_extract(vec().hash, from_hex(vec().salt), from_hex(vec().ikm), prk));
  if (*vec().prk != '\0') {
    EXPECT_BYTES_EQ(from_hex(vec().prk), prk);
  }
  const Bytes expected = from_hex(vec().okm);
  Bytes okm(expected.size());
  ASSERT_TRUE(backend().hkdf_expand(vec().hash, prk, from_hex(vec().info), okm));
  EXPECT_BYTES_EQ(expected, okm);
  // Expanding fewer bytes gives a prefix (RFC 5869 section 2.3).
  Bytes prefix(expected.size() / 2);
  ASSERT_TRUE(backend().hkdf_expand(vec().hash, prk, from_hex(vec().info), prefix));
  EXPECT_BYTES_EQ(ByteView(expected).first(prefix.size()), prefix);
}

INSTANTIATE_TEST_SUITE_P(backend_kat, HkdfKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kHkdfVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(HkdfKat);

// ---------------------------------------------------------------------------
// TLS 1.2 PRF

struct PrfVector {
  const char* name;
  Hash hash;
  const char* secret;
  std::string_view label;
  const char* seed;
  const char* output;
  friend void PrintTo(const PrfVector& v, std::ostream* os) { *os << v.name; }
};

// The widely circulated "TLS 1.2 PRF test vectors" from the IETF TLS
// mailing list, for P_SHA256 (100 bytes) and P_SHA384 (148 bytes). Both
// outputs were recomputed in full with a python3 hmac implementation of
// P_hash and with `openssl kdf -kdfopt digest:SHA256|SHA384 ... TLS1-PRF`.
const PrfVector kPrfVectors[] = {
    {"sha256_ietf_tls_list", Hash::sha256, "9bbe436ba940f017b17652849a71db35", "test label",
     "a0ba9f936cda311827a6f796ffd5198c",
     "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14ba"
     "f9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a51"
     "10fff70187347b66"},
    {"sha384_ietf_tls_list", Hash::sha384, "b80b733d6ceefcdc71566ea48e5567df", "test label",
     "cd665cf6a8447dd6ff8b27555edb7465",
     "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c91"
     "46a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad0"
     "5d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa"
     "3be85e0990703d73e56f"},
};

using PrfKat = BackendVectorTest<PrfVector>;

TEST_P(PrfKat, Output) {
  const Bytes expected = from_hex(vec().output);
  Bytes out(expected.size());
  ASSERT_TRUE(backend().tls12_prf(vec().hash, from_hex(vec().secret), vec().label,
                                  from_hex(vec().seed), out));
  EXPECT_BYTES_EQ(expected, out);
  // A shorter output is a prefix (the master secret is 48 bytes, a
  // Finished 12).
  for (size_t length : {12, 48}) {
    Bytes prefix(length);
    ASSERT_TRUE(backend().tls12_prf(vec().hash, from_hex(vec().secret), vec().label,
                                    from_hex(vec().seed), prefix));
    EXPECT_BYTES_EQ(ByteView(expected).first(length), prefix);
  }
}

INSTANTIATE_TEST_SUITE_P(backend_kat, PrfKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kPrfVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PrfKat);

// ---------------------------------------------------------------------------
// AEADs

struct AeadVector {
  const char* name;
  Aead aead;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
  friend void PrintTo(const AeadVector& v, std::ostream* os) { *os << v.name; }
};

#define GCM_SPEC_KEY "feffe9928665731c6d6a8f9467308308"
#define GCM_SPEC_IV "cafebabefacedbaddecaf888"
#define GCM_SPEC_AAD "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define GCM_SPEC_PLAINTEXT_60                                                                  \
  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449" \
  "a6b525b16aedf5aa0de657ba637b39"
#define GCM_SPEC_PLAINTEXT_64 GCM_SPEC_PLAINTEXT_60 "1aafd255"

const AeadVector kAeadVectors[] = {
    // McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)",
    // appendix B, test cases 1-4 (AES-128) and 13-16 (AES-256).
    {"aes128gcm_spec_case1", Aead::aes128gcm, "00000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {"aes128gcm_spec_case2", Aead::aes128gcm, "00000000000000000000000000000000",
     "000000000000000000000000", "", "00000000000000000000000000000000",
     "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf"},
    {"aes128gcm_spec_case3", Aead::aes128gcm, GCM_SPEC_KEY, GCM_SPEC_IV, "", GCM_SPEC_PLAINTEXT_64,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"aes128gcm_spec_case4", Aead::aes128gcm, GCM_SPEC_KEY, GCM_SPEC_IV, GCM_SPEC_AAD,
     GCM_SPEC_PLAINTEXT_60,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"aes256gcm_spec_case13", Aead::aes256gcm,
     "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"aes256gcm_spec_case14", Aead::aes256gcm,
     "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"aes256gcm_spec_case15", Aead::aes256gcm, GCM_SPEC_KEY GCM_SPEC_KEY, GCM_SPEC_IV, "",
     GCM_SPEC_PLAINTEXT_64,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
     "8838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"aes256gcm_spec_case16", Aead::aes256gcm, GCM_SPEC_KEY GCM_SPEC_KEY, GCM_SPEC_IV, GCM_SPEC_AAD,
     GCM_SPEC_PLAINTEXT_60,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b105682"
     "8838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    // RFC 8439, section 2.8.2 ("Ladies and Gentlemen of the class of '99...").
    {"chacha20poly1305_rfc8439_2_8_2", Aead::chacha20poly1305,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
     "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a20496620"
     "4920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f722074686520667574757265"
     "2c2073756e73637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
     "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b"
     "4831d7bc3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
    // RFC 8439, appendix A.5 (an Internet-Draft's boilerplate, 265 bytes).
    {"chacha20poly1305_rfc8439_a_5", Aead::chacha20poly1305,
     "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0", "000000000102030405060708",
     "f33388860000000000004e91",
     "496e7465726e65742d4472616674732061726520647261667420646f63756d656e74732076616c696420666f72"
     "2061206d6178696d756d206f6620736978206d6f6e74687320616e64206d617920626520757064617465642c20"
     "7265706c616365642c206f72206f62736f6c65746564206279206f7468657220646f63756d656e747320617420"
     "616e792074696d652e20497420697320696e617070726f70726961746520746f2075736520496e7465726e6574"
     "2d447261667473206173207265666572656e6365206d6174657269616c206f7220746f2063697465207468656d"
     "206f74686572207468616e206173202fe2809c776f726b20696e2070726f67726573732e2fe2809d",
     "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb24c6cfc18755d43eea09ee94e38"
     "2d26b0bdb7b73c321b0100d4f03b7f355894cf332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f9"
     "82b1ff37c8559797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4b9166c767b804d"
     "46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523eaf4534d7f83fa1155b0047718cbc546a0d072b04"
     "b3564eea1b422273f548271a0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a1049"
     "e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29a6ad5cb4022b02709b",
     "eead9d67890cbb22392336fea1851f38"},
};

class AeadKat : public BackendVectorTest<AeadVector> {
 protected:
  void SetUp() override {
    BackendVectorTest<AeadVector>::SetUp();
    if (HasFatalFailure()) return;
    key_ = from_hex(vec().key);
    nonce_ = from_hex(vec().nonce);
    aad_ = from_hex(vec().aad);
    plaintext_ = from_hex(vec().plaintext);
    sealed_ = concat(from_hex(vec().ciphertext), from_hex(vec().tag));
    ctx_ = backend().new_aead(vec().aead, key_);
    ASSERT_NE(ctx_, nullptr);
  }

  bool open(ByteView nonce, ByteView aad, ByteView sealed, Bytes* out_plaintext = nullptr) {
    if (sealed.size() < kAeadTagLength) return false;
    Bytes out(sealed.size() - kAeadTagLength);
    bool ok = ctx_->open(nonce, aad, sealed, out);
    if (out_plaintext != nullptr) *out_plaintext = out;
    return ok;
  }

  Bytes key_, nonce_, aad_, plaintext_, sealed_;
  std::unique_ptr<AeadContext> ctx_;
};

TEST_P(AeadKat, Seal) {
  EXPECT_EQ(ctx_->aead(), vec().aead);
  Bytes out(plaintext_.size() + kAeadTagLength);
  ASSERT_TRUE(ctx_->seal(nonce_, aad_, plaintext_, out));
  EXPECT_BYTES_EQ(sealed_, out);
  // The context keeps no per-record state: the same inputs seal the same.
  Bytes again(out.size());
  ASSERT_TRUE(ctx_->seal(nonce_, aad_, plaintext_, again));
  EXPECT_BYTES_EQ(sealed_, again);
}

TEST_P(AeadKat, Open) {
  Bytes plaintext;
  ASSERT_TRUE(open(nonce_, aad_, sealed_, &plaintext));
  EXPECT_BYTES_EQ(plaintext_, plaintext);
}

TEST_P(AeadKat, InPlace) {
  Bytes buffer = plaintext_;
  buffer.resize(plaintext_.size() + kAeadTagLength);
  std::span<uint8_t> whole(buffer);
  ASSERT_TRUE(ctx_->seal(nonce_, aad_, whole.first(plaintext_.size()), whole));
  EXPECT_BYTES_EQ(sealed_, buffer);
  ASSERT_TRUE(ctx_->open(nonce_, aad_, whole, whole.first(plaintext_.size())));
  EXPECT_BYTES_EQ(plaintext_, whole.first(plaintext_.size()));
}

TEST_P(AeadKat, TamperingIsDetected) {
  ASSERT_TRUE(open(nonce_, aad_, sealed_));

  Bytes tag_last_bit = sealed_;
  tag_last_bit.back() ^= 0x01;
  EXPECT_FALSE(open(nonce_, aad_, tag_last_bit)) << "flipped the last bit of the tag";

  Bytes tag_first_bit = sealed_;
  tag_first_bit[sealed_.size() - kAeadTagLength] ^= 0x80;
  EXPECT_FALSE(open(nonce_, aad_, tag_first_bit)) << "flipped the first bit of the tag";

  if (!plaintext_.empty()) {
    Bytes body_bit = sealed_;
    body_bit[0] ^= 0x01;
    EXPECT_FALSE(open(nonce_, aad_, body_bit)) << "flipped a ciphertext bit";
    EXPECT_FALSE(open(nonce_, aad_, ByteView(sealed_).subspan(1))) << "dropped a ciphertext byte";
  }

  Bytes aad = aad_;
  if (aad.empty()) {
    aad.push_back(0);
  } else {
    aad.back() ^= 0x01;
  }
  EXPECT_FALSE(open(nonce_, aad, sealed_)) << "changed the additional data";

  Bytes nonce = nonce_;
  nonce.back() ^= 0x01;
  EXPECT_FALSE(open(nonce, aad_, sealed_)) << "changed the nonce";

  EXPECT_FALSE(open(nonce_, aad_, ByteView(sealed_).first(sealed_.size() - 1)))
      << "truncated the tag";

  // A failure leaves the context usable.
  Bytes plaintext;
  ASSERT_TRUE(open(nonce_, aad_, sealed_, &plaintext));
  EXPECT_BYTES_EQ(plaintext_, plaintext);
}

INSTANTIATE_TEST_SUITE_P(backend_kat, AeadKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kAeadVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AeadKat);

// ---------------------------------------------------------------------------
// X25519

struct X25519Vector {
  const char* name;
  const char* private_key;
  const char* public_key;  // empty where the source gives none
  const char* peer_public_key;
  const char* shared_secret;
  friend void PrintTo(const X25519Vector& v, std::ostream* os) { *os << v.name; }
};

#define RFC7748_ALICE_PRIVATE "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define RFC7748_ALICE_PUBLIC "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define RFC7748_BOB_PRIVATE "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define RFC7748_BOB_PUBLIC "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define RFC7748_SHARED "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

const X25519Vector kX25519Vectors[] = {
    // RFC 7748, section 6.1.
    {"rfc7748_6_1_alice", RFC7748_ALICE_PRIVATE, RFC7748_ALICE_PUBLIC, RFC7748_BOB_PUBLIC,
     RFC7748_SHARED},
    {"rfc7748_6_1_bob", RFC7748_BOB_PRIVATE, RFC7748_BOB_PUBLIC, RFC7748_ALICE_PUBLIC,
     RFC7748_SHARED},
    // RFC 7748, section 5.2, the two single-step vectors. The second's
    // u-coordinate has its top bit set, which must be ignored.
    {"rfc7748_5_2_first", "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", "",
     "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
     "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
    {"rfc7748_5_2_second", "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d", "",
     "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
     "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
};

using X25519Kat = BackendVectorTest<X25519Vector>;

TEST_P(X25519Kat, Derive) {
  auto share = backend().key_share_from_private(Group::x25519, from_hex(vec().private_key));
  ASSERT_NE(share, nullptr);
  EXPECT_EQ(share->group(), Group::x25519);
  if (*vec().public_key != '\0') {
    EXPECT_BYTES_EQ(from_hex(vec().public_key), share->public_key());
  }
  EXPECT_EQ(share->public_key().size(), public_key_length(Group::x25519));
  Bytes secret(shared_secret_length(Group::x25519));
  ASSERT_TRUE(share->derive(from_hex(vec().peer_public_key), secret));
  EXPECT_BYTES_EQ(from_hex(vec().shared_secret), secret);
}

INSTANTIATE_TEST_SUITE_P(backend_kat, X25519Kat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kX25519Vectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(X25519Kat);

struct LowOrderPoint {
  const char* name;
  const char* u;
  friend void PrintTo(const LowOrderPoint& v, std::ostream* os) { *os << v.name; }
};

// Points of small order (and their non-canonical encodings), whose shared
// secret with any key is all zeros: the list of cr.yp.to/ecdh.html
// ("Validation"), also used by Wycheproof's x25519_test.json. Each was
// checked with python3 `cryptography` to give the all-zero result, which
// RFC 8446 section 7.4.2 says to reject.
const LowOrderPoint kX25519LowOrderPoints[] = {
    {"zero", "0000000000000000000000000000000000000000000000000000000000000000"},
    {"one", "0100000000000000000000000000000000000000000000000000000000000000"},
    {"order8_a", "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"},
    {"order8_b", "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"},
    {"p_minus_1", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"p", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
    {"p_plus_1", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
};

using X25519LowOrder = BackendVectorTest<LowOrderPoint>;

TEST_P(X25519LowOrder, IsRejected) {
  auto share = backend().key_share_from_private(Group::x25519, from_hex(RFC7748_ALICE_PRIVATE));
  ASSERT_NE(share, nullptr);
  Bytes secret(shared_secret_length(Group::x25519));
  EXPECT_FALSE(share->derive(from_hex(vec().u), secret));
  // And a fresh share rejects it too.
  auto fresh = backend().generate_key_share(Group::x25519);
  ASSERT_NE(fresh, nullptr);
  EXPECT_FALSE(fresh->derive(from_hex(vec().u), secret));
}

INSTANTIATE_TEST_SUITE_P(backend_kat, X25519LowOrder,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kX25519LowOrderPoints)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(X25519LowOrder);

// ---------------------------------------------------------------------------
// ECDH on the NIST curves

struct EcdhVector {
  const char* name;
  Group group;
  const char* private_key;
  const char* public_key;       // 04 || x || y
  const char* peer_public_key;  // 04 || x || y
  const char* shared_secret;    // x of the product
  friend void PrintTo(const EcdhVector& v, std::ostream* os) { *os << v.name; }
};

// RFC 5903, section 8.1 (256-bit random ECP group).
#define RFC5903_P256_I "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433"
#define RFC5903_P256_GI                                                                        \
  "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c37725811805271a0461cdb8252d61f1c45" \
  "6fa3e59ab1f45b33accf5f58389e0577b8990bb3"
#define RFC5903_P256_R "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53"
#define RFC5903_P256_GR                                                                        \
  "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf6356fbf3ca366cc23e8157854c" \
  "13c58d6aac23f046ada30f8353e74f33039872ab"
#define RFC5903_P256_GIRX "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"
// RFC 5903, section 8.2 (384-bit random ECP group).
#define RFC5903_P384_I                                                                         \
  "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef89678" \
  "3ab194"
#define RFC5903_P384_GI                                                                        \
  "04667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732ae" \
  "e95f41aa9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae6" \
  "9b4c634573a81c"
#define RFC5903_P384_R                                                                         \
  "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd55a" \
  "7448fc"
#define RFC5903_P384_GR                                                                        \
  "04e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0" \
  "774a3571dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5e" \
  "aad96db9e6386c"
#define RFC5903_P384_GIRX                                                                      \
  "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a270" \
  "f59746"

const EcdhVector kEcdhVectors[] = {
    {"p256_rfc5903_initiator", Group::secp256r1, RFC5903_P256_I, RFC5903_P256_GI, RFC5903_P256_GR,
     RFC5903_P256_GIRX},
    {"p256_rfc5903_responder", Group::secp256r1, RFC5903_P256_R, RFC5903_P256_GR, RFC5903_P256_GI,
     RFC5903_P256_GIRX},
    {"p384_rfc5903_initiator", Group::secp384r1, RFC5903_P384_I, RFC5903_P384_GI, RFC5903_P384_GR,
     RFC5903_P384_GIRX},
    {"p384_rfc5903_responder", Group::secp384r1, RFC5903_P384_R, RFC5903_P384_GR, RFC5903_P384_GI,
     RFC5903_P384_GIRX},
};

class EcdhKat : public BackendVectorTest<EcdhVector> {
 protected:
  void SetUp() override {
    BackendVectorTest<EcdhVector>::SetUp();
    if (HasFatalFailure()) return;
    share_ = backend().key_share_from_private(vec().group, from_hex(vec().private_key));
    ASSERT_NE(share_, nullptr);
    secret_.resize(shared_secret_length(vec().group));
  }
  bool derive(ByteView peer) { return share_->derive(peer, secret_); }

  std::unique_ptr<KeyShare> share_;
  Bytes secret_;
};

TEST_P(EcdhKat, Derive) {
  EXPECT_EQ(share_->group(), vec().group);
  EXPECT_BYTES_EQ(from_hex(vec().public_key), share_->public_key());
  ASSERT_TRUE(derive(from_hex(vec().peer_public_key)));
  EXPECT_BYTES_EQ(from_hex(vec().shared_secret), secret_);
}

TEST_P(EcdhKat, RejectsOffCurvePoint) {
  Bytes peer = from_hex(vec().peer_public_key);
  peer.back() ^= 0x01;  // y changed: no longer on the curve
  EXPECT_FALSE(derive(peer));
  Bytes zero(peer.size(), 0);
  zero[0] = 0x04;
  EXPECT_FALSE(derive(zero)) << "(0, 0) is not on the curve";
}

TEST_P(EcdhKat, RejectsWrongLength) {
  const Bytes peer = from_hex(vec().peer_public_key);
  EXPECT_FALSE(derive(ByteView(peer).first(peer.size() - 1)));
  EXPECT_FALSE(derive(concat(peer, Bytes{0})));
  EXPECT_FALSE(derive({}));
  EXPECT_FALSE(derive(Bytes{0x00})) << "the point at infinity";
  // A public key of the other NIST curve.
  const Group other = vec().group == Group::secp256r1 ? Group::secp384r1 : Group::secp256r1;
  auto foreign = backend().generate_key_share(other);
  ASSERT_NE(foreign, nullptr);
  EXPECT_FALSE(derive(foreign->public_key()));
}

// TLS 1.3 carries NIST curve points only as UncompressedPointRepresentation
// (RFC 8446 section 4.2.8.2), and uncompressed is the only point format TLS
// 1.2 still negotiates (RFC 8422 section 5.1.2): the compressed and X9.62
// hybrid encodings of a valid point are malformed key shares.
TEST_P(EcdhKat, RejectsOtherPointEncodings) {
  const Bytes peer = from_hex(vec().peer_public_key);
  const size_t coordinate = (peer.size() - 1) / 2;
  const bool y_odd = peer.back() & 1;
  Bytes compressed(peer.begin(), peer.begin() + 1 + static_cast<std::ptrdiff_t>(coordinate));
  compressed[0] = y_odd ? 0x03 : 0x02;
  EXPECT_FALSE(derive(compressed)) << "compressed form";
  Bytes hybrid = peer;
  hybrid[0] = y_odd ? 0x07 : 0x06;
  EXPECT_FALSE(derive(hybrid)) << "hybrid form (X9.62)";
}

INSTANTIATE_TEST_SUITE_P(backend_kat, EcdhKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kEcdhVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EcdhKat);

// ---------------------------------------------------------------------------
// Signature verification of published signatures

// DER (X.690) INTEGER of a big-endian unsigned value.
Bytes der_integer(Bytes value) {
  while (value.size() > 1 && value[0] == 0) value.erase(value.begin());
  if (value[0] & 0x80) value.insert(value.begin(), 0);
  Bytes out;
  out.push_back(0x02);
  out.push_back(static_cast<uint8_t>(value.size()));
  for (uint8_t b : value) out.push_back(b);
  return out;
}

// Ecdsa-Sig-Value (RFC 3279 section 2.2.3), as TLS carries ECDSA signatures.
// Short-form lengths suffice up to P-384.
Bytes ecdsa_der_signature(std::string_view r_hex, std::string_view s_hex) {
  Bytes body = concat(der_integer(from_hex(r_hex)), der_integer(from_hex(s_hex)));
  Bytes out;
  out.push_back(0x30);
  out.push_back(static_cast<uint8_t>(body.size()));
  for (uint8_t b : body) out.push_back(b);
  return out;
}

struct SignatureVector {
  const char* name;
  const char* certificate;  // in vectors/, wrapping the published public key
  SignatureScheme scheme;
  const char* message;    // hex
  const char* signature;  // hex; empty for ECDSA, which gives r and s
  const char* r;
  const char* s;
  bool valid;
  friend void PrintTo(const SignatureVector& v, std::ostream* os) { *os << v.name; }
};

// RFC 8032, section 7.1, TEST 1, 2 and 3.
#define RFC8032_TEST1_SIGNATURE                                                                \
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c" \
  "f9b46bd25bf5f0595bbe24655141438e7a100b"
#define RFC8032_TEST2_SIGNATURE                                                                \
  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0" \
  "f11d8c387b2eaeb4302aeeb00d291612bb0c00"
#define RFC8032_TEST3_SIGNATURE                                                                \
  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f76098" \
  "4dc6594a7c15e9716ed28dc027beceea1ec40a"

// RFC 6979, appendix A.2.5 (P-256, SHA-256) and A.2.6 (P-384, SHA-384).
#define RFC6979_P256_SAMPLE_R "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
#define RFC6979_P256_SAMPLE_S "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
#define RFC6979_P256_TEST_R "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
#define RFC6979_P256_TEST_S "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"
#define RFC6979_P384_SAMPLE_R                                                                  \
  "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80" \
  "fabe46"
#define RFC6979_P384_SAMPLE_S                                                                  \
  "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38" \
  "628ac8"
#define RFC6979_P384_TEST_R                                                                    \
  "8203b63d3c853e8d77227fb377bcf7b7b772e97892a80f36ab775d509d7a5feb0542a7f0812998da8f1dd3ca3c" \
  "f023db"
#define RFC6979_P384_TEST_S                                                                    \
  "ddd0760448d42d8a43af45af836fce4de8be06b485e9b61b827c2f13173923e06a739f040649a667bf3b828246" \
  "baa5a5"
#define HEX_SAMPLE "73616d706c65"  // "sample"
#define HEX_TEST "74657374"        // "test"

// Wycheproof testvectors/rsa_signature_2048_sha256_test.json (PKCS#1 v1.5)
// and rsa_pss_2048_sha256_mgf1_32_test.json (PSS, MGF1-SHA-256, 32-byte
// salt, as rsa_pss_rsae_sha256 uses), same key.
#define WYCHEPROOF_PKCS1_TC1                                                                   \
  "840f5dac53106dd1f9c57219224cf51289290c42f20466875ba8e830ac5690e541536fcc8ab03b731f82bf66d8" \
  "3f194e7e180b3963ec7a2f3f7904a7ce49aed47da4d4b79421eaf937d301b3e696169297b797c32c076a12be4d" \
  "e0b58e003c5123051a84a10c62f8dac2f42a8640008eb3c7cccd6760ff5b51b689763922582845f048fb8150e5" \
  "a7a6ca2eccc7bdc85349ad5b26c52137a79fa3fe5c29ab5cd7615013219c1941b6708e9c3c23feff5febaf0c8e" \
  "bca5750b54e3e6e99a3e876b396f27860b7f3ec4e9191703c6332d944f6f69751167680c79c4f6b57f1cc8755d" \
  "24b6ec158ccdbacdb23107a33cb6b332516c13274d1f9dccc21dced869e486"
#define WYCHEPROOF_PKCS1_TC3                                                                   \
  "264491e844c119f14e425c03282139a558dcdaeb82a4628173cd407fd319f9076eaebc0dd87a1c22e4d1783909" \
  "6886d58a9d5b7f7aeb63efec56c45ac7bead4203b6886e1faa90e028ec0ae094d46bf3f97efdd19045cfbc25a1" \
  "abda2432639f9876405c0d68f8edbf047c12a454f7681d5d5a2b54bd3723d193dbad4338baad753264006e2d08" \
  "931c4b8bb79aa1c9cad10eb6605f87c5831f6e2b08e002f9c6f21141f5841d92727dd3e1d99c36bc560da3c906" \
  "7df99fcaf818941f72588be33032bad22caf6704223bb114d575b6d02d9d222b580005d930e8f40cce9f672eeb" \
  "b634a20177d84351627964b83f2053d736a84ab1a005f63bd5ba943de6205c"
// tcId 9: "long form encoding of length of sequence" (invalid).
#define WYCHEPROOF_PKCS1_TC9                                                                   \
  "8a0e82d4f334aca72a718b6f8f643f69c6048d619d5eba71263a5d2d3ac7a7af133b780c7595ca2c982c006e86" \
  "1948f543cd0210c758691f9626842c25de2843ea314ca8eff285d47e0cffa54180af416004017034962a80a595" \
  "9c3d3f1bfc154a4824462a93c014f6dfe920824f414a6e30e0e5944d480b99949ec7bf64c4a7461575933b17d7" \
  "d6b0178b5192392ace3ed8469e8ac1dacae51ad5d3ad73dcb213e056d04596e64d8c0703def3110c7cecc93ba8" \
  "ac8059f0f3d66b89d8712c62b41d407e4b4a104f4569558b0290c213cad6d0653898b9df8f4a453ab07d13bfb7" \
  "598d505abbd0c4987e4f1ac66e1a523e113e370ab7cf990f0cc63f50f4f0a4"
// tcId 11: "length of sequence contains leading 0" (invalid).
#define WYCHEPROOF_PKCS1_TC11                                                                  \
  "8d9c25235cdcdcc7ca2558c0be14f83afeb303f00c13106ac5affc952af527a0585cf4801104a7d019fa2e63fd" \
  "0b923c061a24b8be7c3105443c8eedf4a033d3de802adfd80f872d3c505f41e3feb116f5d5f31f04df3e448bc7" \
  "e7cbc2343f7dd4f4c3d2670ed3d3c66f91d626bb12a2001160a123d03b77d2a6ec53445db517147171e3ba3cd7" \
  "dde902c486c74e8d8d33d4f7699791179d1df4fac78cda67da9138c18f2cc8863018e1739fb309408c62051b71" \
  "5096512602c5c4c7e7c394282593ec087832fd48b4f353d8046600e4152c2092632a79bf05497a13840e171047" \
  "d79c23a76896235e9d5f0f56a78d3fe472fded2899e228f714690b40b66ee7"
#define WYCHEPROOF_PSS_TC1                                                                     \
  "4f01e0c12b08625ecac89a69231906edf826380f37c959a96690d046316d68ffce9d5c471694fcebfc6b455348" \
  "64689256e4fc81c78e583f675d0c94b449647451e81beff01a11a516d5e5ce3f1a910437cb8a3a5096b19fb15f" \
  "4524a35b23d89cdba12cf5b71aac1047b28c562df7c5542c34ce23a182cf7e0e231934b17294799d44877a1d68" \
  "ef1b8f073619b7618e6b7c22db20030d98cf591ffc3d4da5f58613ecd5ecfc3b40a1d02f40891ca43695cd4c08" \
  "8b05a8054c89c595a47e274816f35384226f74459ee63e25a1bfc03c360490552ec38343f8ace502f065303b00" \
  "bc0ec320711b211fde92e57feb9013c3609342495ec0d7cabdec21e54acc38"
#define WYCHEPROOF_PSS_TC3                                                                     \
  "401eb03cdb47ca88033e3030f6bdecbac8f5c8fc1dd6a13d23d379ed9a2b309891d13d74fea9d21d159b9e6d8f" \
  "37efa2489962e24555f56dd434ff1d31ce4f9f5abd3f22cbea8b691d6a11e44efb83e2bca155e6a164325e0fde" \
  "2a8865afd5c9f51161a9d615f62af7ec2e31b3e5ab649c164490d31d88cfae35b84aea7925690f929a144b6d2f" \
  "48e8fb894a52deecd1b9a6496990c4ecf1588699a42cacd10c53af350514e4291ea9a058e77f101e32c1c0cefa" \
  "61d945f7bc931f8bd19e7ba3169358a60e5a8b0123bc3199b9fdcafe8e519c41ba675491a27b85e44ef2d77277" \
  "c10fe107293c8290186913bc9a99b640d8da041b64f31eab1d35920985f4a5"

constexpr SignatureScheme kEd25519 = SignatureScheme::ed25519;
constexpr SignatureScheme kEcdsaP256 = SignatureScheme::ecdsa_secp256r1_sha256;
constexpr SignatureScheme kEcdsaP384 = SignatureScheme::ecdsa_secp384r1_sha384;
constexpr SignatureScheme kPkcs1Sha256 = SignatureScheme::rsa_pkcs1_sha256;
constexpr SignatureScheme kPkcs1Sha384 = SignatureScheme::rsa_pkcs1_sha384;
constexpr SignatureScheme kPssSha256 = SignatureScheme::rsa_pss_rsae_sha256;
constexpr SignatureScheme kPssSha384 = SignatureScheme::rsa_pss_rsae_sha384;

const SignatureVector kSignatureVectors[] = {
    {"ed25519_rfc8032_test1", "rfc8032-test1.cert.pem", kEd25519, "", RFC8032_TEST1_SIGNATURE, "",
     "", true},
    {"ed25519_rfc8032_test2", "rfc8032-test2.cert.pem", kEd25519, "72", RFC8032_TEST2_SIGNATURE, "",
     "", true},
    {"ed25519_rfc8032_test3", "rfc8032-test3.cert.pem", kEd25519, "af82", RFC8032_TEST3_SIGNATURE,
     "", "", true},
    {"ed25519_rfc8032_test2_other_key", "rfc8032-test3.cert.pem", kEd25519, "72",
     RFC8032_TEST2_SIGNATURE, "", "", false},
    {"ecdsa_p256_rfc6979_sample", "rfc6979-p256.cert.pem", kEcdsaP256, HEX_SAMPLE, "",
     RFC6979_P256_SAMPLE_R, RFC6979_P256_SAMPLE_S, true},
    {"ecdsa_p256_rfc6979_test", "rfc6979-p256.cert.pem", kEcdsaP256, HEX_TEST, "",
     RFC6979_P256_TEST_R, RFC6979_P256_TEST_S, true},
    {"ecdsa_p384_rfc6979_sample", "rfc6979-p384.cert.pem", kEcdsaP384, HEX_SAMPLE, "",
     RFC6979_P384_SAMPLE_R, RFC6979_P384_SAMPLE_S, true},
    {"ecdsa_p384_rfc6979_test", "rfc6979-p384.cert.pem", kEcdsaP384, HEX_TEST, "",
     RFC6979_P384_TEST_R, RFC6979_P384_TEST_S, true},
    // TLS carries ECDSA signatures DER-encoded, never as raw r || s.
    {"ecdsa_p256_rfc6979_sample_raw_r_s", "rfc6979-p256.cert.pem", kEcdsaP256, HEX_SAMPLE,
     RFC6979_P256_SAMPLE_R RFC6979_P256_SAMPLE_S, "", "", false},
    {"ecdsa_p256_rfc6979_sample_signs_test", "rfc6979-p256.cert.pem", kEcdsaP256, HEX_TEST, "",
     RFC6979_P256_SAMPLE_R, RFC6979_P256_SAMPLE_S, false},
    {"rsa_pkcs1_sha256_wycheproof_tc1", "wycheproof-rsa2048.cert.pem", kPkcs1Sha256, "",
     WYCHEPROOF_PKCS1_TC1, "", "", true},
    {"rsa_pkcs1_sha256_wycheproof_tc3", "wycheproof-rsa2048.cert.pem", kPkcs1Sha256, "54657374",
     WYCHEPROOF_PKCS1_TC3, "", "", true},
    {"rsa_pkcs1_sha256_wycheproof_tc9", "wycheproof-rsa2048.cert.pem", kPkcs1Sha256, "313233343030",
     WYCHEPROOF_PKCS1_TC9, "", "", false},
    {"rsa_pkcs1_sha256_wycheproof_tc11", "wycheproof-rsa2048.cert.pem", kPkcs1Sha256,
     "313233343030", WYCHEPROOF_PKCS1_TC11, "", "", false},
    {"rsa_pss_sha256_wycheproof_tc1", "wycheproof-rsa2048.cert.pem", kPssSha256, "",
     WYCHEPROOF_PSS_TC1, "", "", true},
    {"rsa_pss_sha256_wycheproof_tc3", "wycheproof-rsa2048.cert.pem", kPssSha256, "54657374",
     WYCHEPROOF_PSS_TC3, "", "", true},
    // A valid signature under another scheme of the same key is invalid.
    {"rsa_pkcs1_signature_as_pss", "wycheproof-rsa2048.cert.pem", kPssSha256, "",
     WYCHEPROOF_PKCS1_TC1, "", "", false},
    {"rsa_pss_signature_as_pkcs1", "wycheproof-rsa2048.cert.pem", kPkcs1Sha256, "",
     WYCHEPROOF_PSS_TC1, "", "", false},
    {"rsa_pkcs1_sha256_signature_as_sha384", "wycheproof-rsa2048.cert.pem", kPkcs1Sha384, "",
     WYCHEPROOF_PKCS1_TC1, "", "", false},
    {"rsa_pss_sha256_signature_as_sha384", "wycheproof-rsa2048.cert.pem", kPssSha384, "",
     WYCHEPROOF_PSS_TC1, "", "", false},
};

Bytes signature_of(const SignatureVector& v) {
  if (*v.r != '\0') return ecdsa_der_signature(v.r, v.s);
  return from_hex(v.signature);
}

using SignatureKat = BackendVectorTest<SignatureVector>;

TEST_P(SignatureKat, Verify) {
  CertificateKey cert = certificate_key(backend(), vec().certificate);
  ASSERT_NE(cert.key, nullptr);
  EXPECT_EQ(cert.key->verify(vec().scheme, from_hex(vec().message), signature_of(vec())),
            vec().valid);
}

// Valid signatures, changed in any way, stop verifying.
class SignatureTamperKat : public BackendVectorTest<SignatureVector> {};

std::vector<SignatureVector> valid_signature_vectors() {
  std::vector<SignatureVector> out;
  for (const auto& v : kSignatureVectors) {
    if (v.valid) out.push_back(v);
  }
  return out;
}

TEST_P(SignatureTamperKat, TamperingIsDetected) {
  CertificateKey cert = certificate_key(backend(), vec().certificate);
  ASSERT_NE(cert.key, nullptr);
  const Bytes message = from_hex(vec().message);
  const Bytes signature = signature_of(vec());
  ASSERT_TRUE(cert.key->verify(vec().scheme, message, signature));

  EXPECT_FALSE(cert.key->verify(vec().scheme, concat(message, Bytes{0}), signature))
      << "appended a byte to the message";
  if (!message.empty()) {
    Bytes changed = message;
    changed[0] ^= 0x01;
    EXPECT_FALSE(cert.key->verify(vec().scheme, changed, signature)) << "flipped a message bit";
  }
  Bytes changed = signature;
  changed[changed.size() / 2] ^= 0x01;
  EXPECT_FALSE(cert.key->verify(vec().scheme, message, changed)) << "flipped a signature bit";
  EXPECT_FALSE(
      cert.key->verify(vec().scheme, message, ByteView(signature).first(signature.size() - 1)))
      << "dropped the signature's last byte";
  EXPECT_FALSE(cert.key->verify(vec().scheme, message, concat(signature, Bytes{0})))
      << "appended a byte to the signature";
  EXPECT_FALSE(cert.key->verify(vec().scheme, message, {})) << "empty signature";
}

INSTANTIATE_TEST_SUITE_P(backend_kat, SignatureKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kSignatureVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SignatureKat);
INSTANTIATE_TEST_SUITE_P(backend_kat, SignatureTamperKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(valid_signature_vectors())),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SignatureTamperKat);

// ---------------------------------------------------------------------------
// Deterministic signing: Ed25519 (RFC 8032) and RSA PKCS#1 v1.5 (RFC 8017
// section 8.2) give one signature per key and message.

struct SigningVector {
  const char* name;
  const char* key;  // in vectors/
  SignatureScheme scheme;
  const char* message;         // hex; empty with message_file
  const char* message_file;    // in vectors/, or empty
  const char* signature;       // hex; empty with signature_file
  const char* signature_file;  // in vectors/, or empty
  friend void PrintTo(const SigningVector& v, std::ostream* os) { *os << v.name; }
};

const SigningVector kSigningVectors[] = {
    // RFC 8032, section 7.1: the published secret keys, as PKCS#8.
    {"ed25519_rfc8032_test1", "rfc8032-test1.key.pem", kEd25519, "", "", RFC8032_TEST1_SIGNATURE,
     ""},
    {"ed25519_rfc8032_test2", "rfc8032-test2.key.pem", kEd25519, "72", "", RFC8032_TEST2_SIGNATURE,
     ""},
    {"ed25519_rfc8032_test3", "rfc8032-test3.key.pem", kEd25519, "af82", "",
     RFC8032_TEST3_SIGNATURE, ""},
    // Signatures made with `openssl dgst -sha256|-sha384 -sign` (see
    // vectors/make_vectors.py), with the key in three encodings.
    {"rsa_pkcs1_sha256_pkcs8_pem", "kat-rsa2048.key.pem", kPkcs1Sha256, "", "kat-message.txt", "",
     "kat-rsa2048.pkcs1-sha256.sig"},
    {"rsa_pkcs1_sha384_pkcs8_pem", "kat-rsa2048.key.pem", kPkcs1Sha384, "", "kat-message.txt", "",
     "kat-rsa2048.pkcs1-sha384.sig"},
    {"rsa_pkcs1_sha256_pkcs8_der", "kat-rsa2048.key.der", kPkcs1Sha256, "", "kat-message.txt", "",
     "kat-rsa2048.pkcs1-sha256.sig"},
    {"rsa_pkcs1_sha256_traditional_pem", "kat-rsa2048.traditional.pem", kPkcs1Sha256, "",
     "kat-message.txt", "", "kat-rsa2048.pkcs1-sha256.sig"},
    {"rsa_pkcs1_sha384_traditional_der", "kat-rsa2048.traditional.der", kPkcs1Sha384, "",
     "kat-message.txt", "", "kat-rsa2048.pkcs1-sha384.sig"},
};

using SigningKat = BackendVectorTest<SigningVector>;

TEST_P(SigningKat, Sign) {
  auto key = vector_private_key(backend(), vec().key);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->info().type, scheme_key_type(vec().scheme));
  const Bytes message =
      *vec().message_file != '\0' ? read_vector(vec().message_file) : from_hex(vec().message);
  const Bytes expected =
      *vec().signature_file != '\0' ? read_vector(vec().signature_file) : from_hex(vec().signature);
  Bytes signature(kMaxSignatureLength);
  size_t length = 0;
  ASSERT_TRUE(key->sign(vec().scheme, message, signature, &length));
  signature.resize(length);
  EXPECT_BYTES_EQ(expected, signature);
}

INSTANTIATE_TEST_SUITE_P(backend_kat, SigningKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kSigningVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigningKat);

// ---------------------------------------------------------------------------
// Keys and certificates of the vectors directory

struct KeyVector {
  const char* name;
  const char* key;          // in vectors/
  const char* certificate;  // the matching certificate
  KeyType type;
  unsigned bits;  // 0: not checked (Ed25519, see backend_test_util.h)
  SignatureScheme scheme;
  friend void PrintTo(const KeyVector& v, std::ostream* os) { *os << v.name; }
};

const KeyVector kKeyVectors[] = {
    {"rsa2048_pkcs8_pem", "kat-rsa2048.key.pem", "kat-rsa2048.cert.pem", KeyType::rsa, 2048,
     kPssSha256},
    {"rsa2048_pkcs8_der", "kat-rsa2048.key.der", "kat-rsa2048.cert.pem", KeyType::rsa, 2048,
     kPssSha384},
    {"rsa2048_traditional_pem", "kat-rsa2048.traditional.pem", "kat-rsa2048.cert.pem", KeyType::rsa,
     2048, kPssSha256},
    {"rsa2048_traditional_der", "kat-rsa2048.traditional.der", "kat-rsa2048.cert.pem", KeyType::rsa,
     2048, kPssSha256},
    // A server's combined file: the certificate first, then the key.
    {"rsa2048_after_certificate_pem", "kat-rsa2048.cert-and-key.pem", "kat-rsa2048.cert.pem",
     KeyType::rsa, 2048, kPkcs1Sha256},
    {"p256_pkcs8_pem", "rfc6979-p256.key.pem", "rfc6979-p256.cert.pem", KeyType::ecdsa_p256, 256,
     kEcdsaP256},
    {"p256_sec1_der", "rfc6979-p256.sec1.der", "rfc6979-p256.cert.pem", KeyType::ecdsa_p256, 256,
     kEcdsaP256},
    // `openssl ecparam -genkey` output: an EC PARAMETERS block, then the key.
    {"p256_with_parameters_pem", "rfc6979-p256.with-params.pem", "rfc6979-p256.cert.pem",
     KeyType::ecdsa_p256, 256, kEcdsaP256},
    {"p256_sec1_pem", "rfc6979-p256.sec1.pem", "rfc6979-p256.cert.pem", KeyType::ecdsa_p256, 256,
     kEcdsaP256},
    {"p384_pkcs8_pem", "rfc6979-p384.key.pem", "rfc6979-p384.cert.pem", KeyType::ecdsa_p384, 384,
     kEcdsaP384},
    {"p384_sec1_pem", "rfc6979-p384.sec1.pem", "rfc6979-p384.cert.pem", KeyType::ecdsa_p384, 384,
     kEcdsaP384},
    {"ed25519_pkcs8_pem", "rfc8032-test1.key.pem", "rfc8032-test1.cert.pem", KeyType::ed25519, 0,
     kEd25519},
};

using KeyKat = BackendVectorTest<KeyVector>;

TEST_P(KeyKat, LoadsWithItsCertificateKey) {
  auto key = vector_private_key(backend(), vec().key);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(key->info().type, vec().type);
  if (vec().bits != 0) {
    EXPECT_EQ(key->info().bits, vec().bits);
  }
  CertificateKey cert = certificate_key(backend(), vec().certificate);
  ASSERT_NE(cert.key, nullptr);
  EXPECT_EQ(cert.key->info().type, key->info().type);
  EXPECT_EQ(cert.key->info().bits, key->info().bits);
}

// ECDSA and PSS sign with fresh randomness; what they make must verify.
TEST_P(KeyKat, SignVerifyRoundTrip) {
  auto key = vector_private_key(backend(), vec().key);
  ASSERT_NE(key, nullptr);
  CertificateKey cert = certificate_key(backend(), vec().certificate);
  ASSERT_NE(cert.key, nullptr);
  const Bytes message = to_bytes("round trip through " + std::string(vec().name));
  Bytes signature(kMaxSignatureLength);
  size_t length = 0;
  ASSERT_TRUE(key->sign(vec().scheme, message, signature, &length));
  ASSERT_GT(length, 0u);
  ASSERT_LE(length, kMaxSignatureLength);
  signature.resize(length);
  if (vec().type == KeyType::rsa) {
    EXPECT_EQ(length, vec().bits / 8);
  }
  if (vec().type == KeyType::ecdsa_p256 || vec().type == KeyType::ecdsa_p384) {
    EXPECT_EQ(signature[0], 0x30) << "ECDSA signatures are DER SEQUENCEs in TLS";
  }
  if (vec().type == KeyType::ed25519) {
    EXPECT_EQ(length, 64u);
  }
  EXPECT_TRUE(cert.key->verify(vec().scheme, message, signature));
  EXPECT_FALSE(cert.key->verify(vec().scheme, concat(message, Bytes{0}), signature));
}

INSTANTIATE_TEST_SUITE_P(backend_kat, KeyKat,
                         ::testing::Combine(::testing::ValuesIn(built_backends()),
                                            ::testing::ValuesIn(kKeyVectors)),
                         BackendVectorTestName());
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(KeyKat);

// ---------------------------------------------------------------------------
// Per-backend checks that are not tables

using BackendKat = BackendTest;

TEST_P(BackendKat, IdentifiesItself) {
  EXPECT_EQ(backend().name(), GetParam());
  EXPECT_FALSE(backend().version().empty());
}

// OpenSSL 3 and BoringSSL both have every algorithm of the interface, so
// neither may leave one out.
TEST_P(BackendKat, AdvertisesEveryAlgorithm) {
  const Algorithms& algorithms = backend().algorithms();
  auto has = [](const auto& list, auto item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  for (Hash h : kAllHashes) EXPECT_TRUE(has(algorithms.hashes, h)) << name(h);
  for (Aead a : kAllAeads) EXPECT_TRUE(has(algorithms.aeads, a)) << name(a);
  for (Group g : kAllGroups) EXPECT_TRUE(has(algorithms.groups, g)) << name(g);
  for (SignatureScheme s : kAllSignatureSchemes) {
    EXPECT_TRUE(has(algorithms.signature_schemes, s)) << name(s);
  }
  EXPECT_TRUE(algorithms.hkdf);
  EXPECT_TRUE(algorithms.tls12_prf);
  EXPECT_TRUE(algorithms.rsa_pkcs1_encryption);
  EXPECT_TRUE(algorithms.x509);
}

TEST_P(BackendKat, Random) {
  Bytes a(32), b(32);
  ASSERT_TRUE(backend().random(a));
  ASSERT_TRUE(backend().random(b));
  EXPECT_NE(to_hex(a), to_hex(b));
  EXPECT_NE(to_hex(a), to_hex(Bytes(32, 0)));
}

TEST_P(BackendKat, FreshKeySharesAgree) {
  for (Group group : kAllGroups) {
    SCOPED_TRACE(name(group));
    auto a = backend().generate_key_share(group);
    auto b = backend().generate_key_share(group);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(a->group(), group);
    EXPECT_EQ(a->public_key().size(), public_key_length(group));
    EXPECT_NE(to_hex(a->public_key()), to_hex(b->public_key()));
    Bytes ab(shared_secret_length(group)), ba(shared_secret_length(group));
    ASSERT_TRUE(a->derive(b->public_key(), ab));
    ASSERT_TRUE(b->derive(a->public_key(), ba));
    EXPECT_BYTES_EQ(ab, ba);
  }
}

// Verifies PSS signatures made by `openssl dgst -sigopt rsa_padding_mode:pss
// -sigopt rsa_pss_saltlen:digest` (vectors/make_vectors.py).
TEST_P(BackendKat, RsaPssKnownSignatures) {
  CertificateKey cert = certificate_key(backend(), "kat-rsa2048.cert.pem");
  ASSERT_NE(cert.key, nullptr);
  const Bytes message = read_vector("kat-message.txt");
  const Bytes pss256 = read_vector("kat-rsa2048.pss-sha256.sig");
  const Bytes pss384 = read_vector("kat-rsa2048.pss-sha384.sig");
  const Bytes pkcs256 = read_vector("kat-rsa2048.pkcs1-sha256.sig");
  const Bytes pkcs384 = read_vector("kat-rsa2048.pkcs1-sha384.sig");
  EXPECT_TRUE(cert.key->verify(kPssSha256, message, pss256));
  EXPECT_TRUE(cert.key->verify(kPssSha384, message, pss384));
  EXPECT_TRUE(cert.key->verify(kPkcs1Sha256, message, pkcs256));
  EXPECT_TRUE(cert.key->verify(kPkcs1Sha384, message, pkcs384));
  EXPECT_FALSE(cert.key->verify(kPssSha384, message, pss256));
  EXPECT_FALSE(cert.key->verify(kPssSha256, message, pss384));
  EXPECT_FALSE(cert.key->verify(kPkcs1Sha256, message, pss256));
  EXPECT_FALSE(cert.key->verify(kPssSha256, message, pkcs256));
  EXPECT_FALSE(cert.key->verify(kPkcs1Sha384, message, pkcs256));
}

// PSS with a digest-long salt (RFC 8446 section 4.2.3) is randomized.
TEST_P(BackendKat, RsaPssSigningIsSalted) {
  auto key = vector_private_key(backend(), "kat-rsa2048.key.pem");
  ASSERT_NE(key, nullptr);
  const Bytes message = read_vector("kat-message.txt");
  for (SignatureScheme scheme : {kPssSha256, kPssSha384}) {
    SCOPED_TRACE(name(scheme));
    Bytes a(kMaxSignatureLength), b(kMaxSignatureLength);
    size_t a_len = 0, b_len = 0;
    ASSERT_TRUE(key->sign(scheme, message, a, &a_len));
    ASSERT_TRUE(key->sign(scheme, message, b, &b_len));
    a.resize(a_len);
    b.resize(b_len);
    EXPECT_NE(to_hex(a), to_hex(b));
  }
}

// Decrypts a premaster secret encrypted by `openssl pkeyutl -encrypt`.
TEST_P(BackendKat, RsaDecryptKnownCiphertext) {
  auto key = vector_private_key(backend(), "kat-rsa2048.key.pem");
  ASSERT_NE(key, nullptr);
  const Bytes expected = read_vector("kat-rsa2048.premaster.bin");
  Bytes out(256);
  size_t length = 0;
  ASSERT_TRUE(key->rsa_decrypt_pkcs1(read_vector("kat-rsa2048.premaster.enc"), out, &length));
  out.resize(length);
  EXPECT_BYTES_EQ(expected, out);
}

TEST_P(BackendKat, RsaDecryptRejectsBadCiphertext) {
  auto key = vector_private_key(backend(), "kat-rsa2048.key.pem");
  ASSERT_NE(key, nullptr);
  Bytes out(256);
  size_t length = 0;
  // c = 1 decrypts to m = 1: 00 00 ... 01 is not 00 02 || PS || 00 || M.
  Bytes one(256, 0);
  one.back() = 1;
  EXPECT_FALSE(key->rsa_decrypt_pkcs1(one, out, &length)) << "bad padding";
  EXPECT_FALSE(key->rsa_decrypt_pkcs1(Bytes(256, 0xff), out, &length)) << "ciphertext >= n";
  const Bytes good = read_vector("kat-rsa2048.premaster.enc");
  EXPECT_FALSE(key->rsa_decrypt_pkcs1(ByteView(good).first(255), out, &length)) << "short";
  EXPECT_FALSE(key->rsa_decrypt_pkcs1(concat(good, Bytes{0}), out, &length)) << "long";
  EXPECT_FALSE(key->rsa_decrypt_pkcs1({}, out, &length)) << "empty";
}

TEST_P(BackendKat, RsaEncryptRoundTrip) {
  CertificateKey cert = certificate_key(backend(), "kat-rsa2048.cert.pem");
  ASSERT_NE(cert.key, nullptr);
  auto key = vector_private_key(backend(), "kat-rsa2048.key.pem");
  ASSERT_NE(key, nullptr);
  const Bytes premaster = read_vector("kat-rsa2048.premaster.bin");
  Bytes first(256), second(256);
  size_t first_len = 0, second_len = 0;
  ASSERT_TRUE(cert.key->rsa_encrypt_pkcs1(premaster, first, &first_len));
  ASSERT_TRUE(cert.key->rsa_encrypt_pkcs1(premaster, second, &second_len));
  EXPECT_EQ(first_len, 256u);
  first.resize(first_len);
  second.resize(second_len);
  EXPECT_NE(to_hex(first), to_hex(second)) << "PKCS#1 v1.5 padding is random";
  Bytes plain(256);
  size_t plain_len = 0;
  ASSERT_TRUE(key->rsa_decrypt_pkcs1(first, plain, &plain_len));
  plain.resize(plain_len);
  EXPECT_BYTES_EQ(premaster, plain);
  // At most k - 11 bytes fit (RFC 8017 section 7.2.1).
  Bytes out(256);
  size_t out_len = 0;
  EXPECT_TRUE(cert.key->rsa_encrypt_pkcs1(Bytes(245, 0x5a), out, &out_len));
  EXPECT_FALSE(cert.key->rsa_encrypt_pkcs1(Bytes(246, 0x5a), out, &out_len));
  Bytes small(255);
  EXPECT_FALSE(cert.key->rsa_encrypt_pkcs1(premaster, small, &out_len)) << "out too small";
}

// ---------------------------------------------------------------------------
// Misuse: unsupported ids, wrong lengths and wrong keys fail cleanly.

TEST_P(BackendKat, UnsupportedAlgorithmsAreRefused) {
  const Hash sha1 = static_cast<Hash>(2);       // TLS HashAlgorithm sha1
  const Hash sha512 = static_cast<Hash>(6);     // TLS HashAlgorithm sha512
  const Aead aes128ccm = static_cast<Aead>(3);  // AEAD_AES_128_CCM
  const Group x448 = static_cast<Group>(30);
  const Group ffdhe2048 = static_cast<Group>(256);
  EXPECT_EQ(backend().new_hash(sha1), nullptr);
  EXPECT_EQ(backend().new_hash(sha512), nullptr);
  Bytes out(64);
  const Bytes data = to_bytes("data");
  EXPECT_FALSE(backend().hmac(sha512, data, data, out));
  EXPECT_FALSE(backend().hkdf_extract(sha512, data, data, out));
  EXPECT_FALSE(backend().hkdf_expand(sha512, Bytes(64, 1), data, out));
  EXPECT_FALSE(backend().tls12_prf(sha512, data, "label", data, out));
  EXPECT_EQ(backend().new_aead(aes128ccm, Bytes(16, 1)), nullptr);
  EXPECT_EQ(backend().generate_key_share(x448), nullptr);
  EXPECT_EQ(backend().generate_key_share(ffdhe2048), nullptr);
  EXPECT_EQ(backend().key_share_from_private(x448, Bytes(56, 1)), nullptr);
}

TEST_P(BackendKat, WrongLengthsAreRefused) {
  // AEAD keys of another algorithm's length.
  EXPECT_EQ(backend().new_aead(Aead::aes128gcm, Bytes(32, 1)), nullptr);
  EXPECT_EQ(backend().new_aead(Aead::aes256gcm, Bytes(16, 1)), nullptr);
  EXPECT_EQ(backend().new_aead(Aead::chacha20poly1305, Bytes(16, 1)), nullptr);
  EXPECT_EQ(backend().new_aead(Aead::aes128gcm, {}), nullptr);

  for (Aead aead : kAllAeads) {
    SCOPED_TRACE(name(aead));
    auto ctx = backend().new_aead(aead, Bytes(key_length(aead), 7));
    ASSERT_NE(ctx, nullptr);
    const Bytes plaintext(20, 0x42);
    const Bytes nonce(kAeadNonceLength, 9);
    Bytes sealed(plaintext.size() + kAeadTagLength);
    ASSERT_TRUE(ctx->seal(nonce, {}, plaintext, sealed));
    Bytes opened(plaintext.size());
    ASSERT_TRUE(ctx->open(nonce, {}, sealed, opened));
    Bytes short_open(plaintext.size() - 1);
    EXPECT_FALSE(ctx->open(nonce, {}, sealed, short_open)) << "open out too small";
    EXPECT_FALSE(ctx->open(Bytes(11, 9), {}, sealed, opened)) << "11-byte nonce";
    EXPECT_FALSE(ctx->open(Bytes(13, 9), {}, sealed, opened)) << "13-byte nonce";
    Bytes nothing;
    EXPECT_FALSE(ctx->open(nonce, {}, ByteView(sealed).first(kAeadTagLength - 1), nothing))
        << "shorter than a tag";
    Bytes scratch(plaintext.size() + kAeadTagLength);
    Bytes short_out(plaintext.size() + kAeadTagLength - 1);
    EXPECT_FALSE(ctx->seal(nonce, {}, plaintext, short_out)) << "seal out too small";
    EXPECT_FALSE(ctx->seal(Bytes(11, 9), {}, plaintext, scratch)) << "11-byte nonce";
    EXPECT_FALSE(ctx->seal(Bytes(13, 9), {}, plaintext, scratch)) << "13-byte nonce";
  }

  // Private keys of the wrong size.
  EXPECT_EQ(backend().key_share_from_private(Group::x25519, Bytes(31, 1)), nullptr);
  EXPECT_EQ(backend().key_share_from_private(Group::x25519, Bytes(33, 1)), nullptr);
  EXPECT_EQ(backend().key_share_from_private(Group::secp256r1, Bytes(31, 1)), nullptr);
  EXPECT_EQ(backend().key_share_from_private(Group::secp256r1, Bytes(48, 1)), nullptr);
  EXPECT_EQ(backend().key_share_from_private(Group::secp384r1, Bytes(32, 1)), nullptr);
  EXPECT_EQ(backend().key_share_from_private(Group::x25519, {}), nullptr);

  // Shared-secret buffers that are too small.
  for (Group group : kAllGroups) {
    SCOPED_TRACE(name(group));
    auto a = backend().generate_key_share(group);
    auto b = backend().generate_key_share(group);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    Bytes short_secret(shared_secret_length(group) - 1);
    EXPECT_FALSE(a->derive(b->public_key(), short_secret));
  }

  // MAC and PRK buffers that are too small.
  const Bytes data = to_bytes("data");
  for (Hash hash : kAllHashes) {
    SCOPED_TRACE(name(hash));
    Bytes short_out(digest_length(hash) - 1);
    EXPECT_FALSE(backend().hmac(hash, data, data, short_out));
    EXPECT_FALSE(backend().hkdf_extract(hash, data, data, short_out));
  }
}

// RFC 5869 section 2.3: L <= 255 * HashLen.
TEST_P(BackendKat, HkdfExpandLimit) {
  for (Hash hash : kAllHashes) {
    SCOPED_TRACE(name(hash));
    const Bytes prk(digest_length(hash), 0x0b);
    Bytes most(255 * digest_length(hash));
    EXPECT_TRUE(backend().hkdf_expand(hash, prk, {}, most));
    Bytes too_many(255 * digest_length(hash) + 1);
    EXPECT_FALSE(backend().hkdf_expand(hash, prk, {}, too_many));
  }
}

TEST_P(BackendKat, KeysRefuseOtherKindsOfWork) {
  auto rsa = vector_private_key(backend(), "kat-rsa2048.key.pem");
  auto ec = vector_private_key(backend(), "rfc6979-p256.key.pem");
  auto ed = vector_private_key(backend(), "rfc8032-test1.key.pem");
  ASSERT_NE(rsa, nullptr);
  ASSERT_NE(ec, nullptr);
  ASSERT_NE(ed, nullptr);
  const Bytes message = to_bytes("message");
  Bytes signature(kMaxSignatureLength);
  size_t length = 0;
  EXPECT_FALSE(rsa->sign(kEd25519, message, signature, &length));
  EXPECT_FALSE(rsa->sign(kEcdsaP256, message, signature, &length));
  EXPECT_FALSE(ec->sign(kPkcs1Sha256, message, signature, &length));
  EXPECT_FALSE(ec->sign(kEd25519, message, signature, &length));
  EXPECT_FALSE(ed->sign(kEcdsaP256, message, signature, &length));
  EXPECT_FALSE(ed->sign(kPssSha256, message, signature, &length));
  // sign() wants room for any signature.
  Bytes small(16);
  EXPECT_FALSE(rsa->sign(kPkcs1Sha256, message, small, &length));
  EXPECT_FALSE(ec->sign(kEcdsaP256, message, small, &length));

  Bytes out(256);
  EXPECT_FALSE(ec->rsa_decrypt_pkcs1(Bytes(256, 1), out, &length));
  EXPECT_FALSE(ed->rsa_decrypt_pkcs1(Bytes(256, 1), out, &length));
  CertificateKey ec_cert = certificate_key(backend(), "rfc6979-p256.cert.pem");
  CertificateKey ed_cert = certificate_key(backend(), "rfc8032-test1.cert.pem");
  CertificateKey rsa_cert = certificate_key(backend(), "kat-rsa2048.cert.pem");
  ASSERT_NE(ec_cert.key, nullptr);
  ASSERT_NE(ed_cert.key, nullptr);
  ASSERT_NE(rsa_cert.key, nullptr);
  EXPECT_FALSE(ec_cert.key->rsa_encrypt_pkcs1(Bytes(48, 3), out, &length));
  EXPECT_FALSE(ed_cert.key->rsa_encrypt_pkcs1(Bytes(48, 3), out, &length));

  // A signature checked under a scheme for another key type.
  ASSERT_TRUE(ed->sign(kEd25519, message, signature, &length));
  EXPECT_FALSE(rsa_cert.key->verify(kEd25519, message, ByteView(signature).first(length)));
  EXPECT_FALSE(ec_cert.key->verify(kEd25519, message, ByteView(signature).first(length)));
  ASSERT_TRUE(ec->sign(kEcdsaP256, message, signature, &length));
  EXPECT_FALSE(rsa_cert.key->verify(kEcdsaP256, message, ByteView(signature).first(length)));
  EXPECT_FALSE(ed_cert.key->verify(kEcdsaP256, message, ByteView(signature).first(length)));
}

TEST_P(BackendKat, GarbageIsRefused) {
  const Bytes garbage =
      to_bytes("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
  std::string error;
  EXPECT_EQ(backend().load_private_key(garbage, &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(backend().load_private_key(Bytes{0x30, 0x03, 0x02, 0x01, 0x00}, &error), nullptr);
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_EQ(backend().load_private_key({}, &error), nullptr);
  EXPECT_FALSE(error.empty());

  const Bytes not_der = to_bytes("not a certificate");
  const ByteView one[] = {not_der};
  EXPECT_EQ(backend().parse_chain(one), nullptr);
  // A good leaf followed by a bad certificate is still refused.
  std::vector<Bytes> good = read_vector_certificates("rfc6979-p256.cert.pem");
  ASSERT_FALSE(good.empty());
  const ByteView good_then_bad[] = {good[0], not_der};
  EXPECT_EQ(backend().parse_chain(good_then_bad), nullptr);
  Bytes truncated = good[0];
  truncated.pop_back();
  const ByteView cut[] = {truncated};
  EXPECT_EQ(backend().parse_chain(cut), nullptr);
  const Bytes trailing = concat(good[0], Bytes{0});
  const ByteView with_trailing_byte[] = {trailing};
  EXPECT_EQ(backend().parse_chain(with_trailing_byte), nullptr) << "a byte after the certificate";

  error.clear();
  EXPECT_EQ(backend().new_trust_store(one, &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

// A passphrase-protected key is refused with a reason, never prompted for.
TEST_P(BackendKat, EncryptedKeyIsRefused) {
  std::string error;
  EXPECT_EQ(backend().load_private_key(read_vector("kat-rsa2048.encrypted.pem"), &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

// NIST scalars must lie in [1, n - 1] (SEC 1 section 3.2.1).
TEST_P(BackendKat, InvalidScalarsAreRefused) {
  EXPECT_EQ(backend().key_share_from_private(Group::secp256r1, Bytes(32, 0)), nullptr) << "zero";
  EXPECT_EQ(backend().key_share_from_private(Group::secp384r1, Bytes(48, 0)), nullptr) << "zero";
  EXPECT_EQ(backend().key_share_from_private(Group::secp256r1, Bytes(32, 0xff)), nullptr)
      << "above the order";
  EXPECT_EQ(backend().key_share_from_private(Group::secp384r1, Bytes(48, 0xff)), nullptr)
      << "above the order";
  // The P-256 group order n (SEC 2 section 2.4.2) is out of range, n - 1 in.
  const Bytes n = from_hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  Bytes n_minus_1 = n;
  n_minus_1.back() -= 1;
  EXPECT_EQ(backend().key_share_from_private(Group::secp256r1, n), nullptr) << "n";
  EXPECT_NE(backend().key_share_from_private(Group::secp256r1, n_minus_1), nullptr) << "n - 1";
}

// The Backend object and loaded keys may be used from several threads at
// once (backend.h).
TEST_P(BackendKat, KeysAndBackendAreThreadSafe) {
  auto key = vector_private_key(backend(), "rfc6979-p256.key.pem");
  auto rsa = vector_private_key(backend(), "kat-rsa2048.key.pem");
  CertificateKey cert = certificate_key(backend(), "rfc6979-p256.cert.pem");
  ASSERT_NE(key, nullptr);
  ASSERT_NE(rsa, nullptr);
  ASSERT_NE(cert.key, nullptr);
  const Bytes message = read_vector("kat-message.txt");
  const Bytes pkcs1 = read_vector("kat-rsa2048.pkcs1-sha256.sig");
  const Bytes mac = from_hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; i++) {
        Bytes signature(kMaxSignatureLength);
        size_t length = 0;
        if (!key->sign(kEcdsaP256, message, signature, &length) ||
            !cert.key->verify(kEcdsaP256, message, ByteView(signature).first(length))) {
          failures++;
        }
        if (!rsa->sign(kPkcs1Sha256, message, signature, &length) ||
            to_hex(ByteView(signature).first(length)) != to_hex(pkcs1)) {
          failures++;
        }
        Bytes out(32);
        if (!backend().hmac(Hash::sha256, from_hex(RFC4231_KEY_1), from_hex(RFC4231_DATA_1), out) ||
            to_hex(out) != to_hex(mac)) {
          failures++;
        }
        auto share = backend().generate_key_share(Group::x25519);
        if (share == nullptr) failures++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(backend_kat, BackendKat, ::testing::ValuesIn(built_backends()),
                         BackendTestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BackendKat);

}  // namespace
}  // namespace hsbench::test
