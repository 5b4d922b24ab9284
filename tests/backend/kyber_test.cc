// X25519Kyber768Draft00 (draft-tls-westerbaan-xyber768d00) through the
// backend interface: Kyber768's known answers from the round-3 KAT, the
// hybrid's X25519 half from RFC 7748 6.1, and the failures a peer's bad
// share must bring. Backends without Kyber must list the hybrid groups as
// unsupported, with a reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "backend/backend_test_util.h"
#include "hsbench/engine.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "hsbench/trace.h"

namespace hsbench {
namespace {

using test::from_hex;

constexpr Group kHybrid = Group::x25519_kyber768_draft00;

// RFC 7748 6.1: Alice (here the client) and Bob (the server).
constexpr char kAlicePrivate[] = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
constexpr char kAlicePublic[] = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
constexpr char kBobPrivate[] = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
constexpr char kBobPublic[] = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
constexpr char kX25519Shared[] = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

// vectors/kyber768-kat0.txt: "name = hex" lines.
std::map<std::string, Bytes> kat() {
  const Bytes file = test::read_vector("kyber768-kat0.txt");
  std::map<std::string, Bytes> out;
  std::string text(file.begin(), file.end());
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    const size_t eq = line.find(" = ");
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    out[line.substr(0, eq)] = from_hex(line.substr(eq + 3));
  }
  return out;
}

bool has_hybrid(Backend& b) {
  const auto& g = b.algorithms().groups;
  return std::find(g.begin(), g.end(), kHybrid) != g.end();
}

class KyberTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    backend_ = test::shared_backend(GetParam(), &error);
    ASSERT_NE(backend_, nullptr) << error;
  }
  Backend& backend() { return *backend_; }

 private:
  Backend* backend_ = nullptr;
};

TEST_P(KyberTest, SizesAreTheDraftOnes) {
  EXPECT_EQ(public_key_length(kHybrid, ShareFrom::client), 32u + 1184u);
  EXPECT_EQ(public_key_length(kHybrid, ShareFrom::server), 32u + 1088u);
  EXPECT_EQ(shared_secret_length(kHybrid), 64u);
  EXPECT_EQ(private_key_length(kHybrid), 32u + 64u);
  EXPECT_EQ(encapsulation_entropy_length(kHybrid), 32u + 32u);
  EXPECT_EQ(static_cast<uint16_t>(kHybrid), 0x6399);
  EXPECT_EQ(static_cast<uint16_t>(Group::x25519_mlkem768), 0x11ec);
}

// The round-3 KAT's count 0, its DRBG's draws as BoringSSL's deterministic
// forms take them; the X25519 halves from RFC 7748.
TEST_P(KyberTest, Round3KnownAnswer) {
  if (!has_hybrid(backend())) GTEST_SKIP() << backend().name() << " has no Kyber768";
  auto v = kat();
  ASSERT_EQ(v["pk"].size(), 1184u);
  ASSERT_EQ(v["ct"].size(), 1088u);
  ASSERT_EQ(v["ss"].size(), 32u);
  auto client = backend().key_share_from_private(
      kHybrid, test::concat(from_hex(kAlicePrivate), v["keygen_entropy"]));
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->group(), kHybrid);
  EXPECT_BYTES_EQ(test::concat(from_hex(kAlicePublic), v["pk"]), client->public_key());

  Bytes server_share(public_key_length(kHybrid, ShareFrom::server));
  Bytes server_secret(shared_secret_length(kHybrid));
  ASSERT_TRUE(backend().encapsulate(kHybrid, client->public_key(),
                                    test::concat(from_hex(kBobPrivate), v["encap_entropy"]),
                                    server_share, server_secret));
  EXPECT_BYTES_EQ(test::concat(from_hex(kBobPublic), v["ct"]), server_share);
  const Bytes expected_secret = test::concat(from_hex(kX25519Shared), v["ss"]);
  EXPECT_BYTES_EQ(expected_secret, server_secret);

  Bytes client_secret(shared_secret_length(kHybrid));
  ASSERT_TRUE(client->derive(server_share, client_secret));
  EXPECT_BYTES_EQ(expected_secret, client_secret);
}

TEST_P(KyberTest, FreshKeysAgree) {
  if (!has_hybrid(backend())) GTEST_SKIP() << backend().name() << " has no Kyber768";
  auto a = backend().generate_key_share(kHybrid);
  auto b = backend().generate_key_share(kHybrid);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->public_key().size(), public_key_length(kHybrid));
  EXPECT_NE(Bytes(a->public_key().begin(), a->public_key().end()),
            Bytes(b->public_key().begin(), b->public_key().end()));
  Bytes share(public_key_length(kHybrid, ShareFrom::server)), secret(64), decapsulated(64);
  ASSERT_TRUE(backend().encapsulate(kHybrid, a->public_key(), {}, share, secret));
  ASSERT_TRUE(a->derive(share, decapsulated));
  EXPECT_EQ(secret, decapsulated);
  // Fresh randomness each time.
  Bytes share2(share.size()), secret2(64);
  ASSERT_TRUE(backend().encapsulate(kHybrid, a->public_key(), {}, share2, secret2));
  EXPECT_NE(share, share2);
  EXPECT_NE(secret, secret2);
}

// Kyber's implicit rejection: a ciphertext not made for the key still
// decapsulates, to another secret; the X25519 half is untouched.
TEST_P(KyberTest, TamperedCiphertextGivesAnotherSecret) {
  if (!has_hybrid(backend())) GTEST_SKIP() << backend().name() << " has no Kyber768";
  auto client = backend().generate_key_share(kHybrid);
  ASSERT_NE(client, nullptr);
  Bytes share(public_key_length(kHybrid, ShareFrom::server)), secret(64), decapsulated(64);
  ASSERT_TRUE(backend().encapsulate(kHybrid, client->public_key(), {}, share, secret));
  share[32 + 3] ^= 0x40;
  ASSERT_TRUE(client->derive(share, decapsulated));
  EXPECT_EQ(Bytes(secret.begin(), secret.begin() + 32),
            Bytes(decapsulated.begin(), decapsulated.begin() + 32));
  EXPECT_NE(Bytes(secret.begin() + 32, secret.end()),
            Bytes(decapsulated.begin() + 32, decapsulated.end()));
}

TEST_P(KyberTest, MalformedInputsAreRejected) {
  if (!has_hybrid(backend())) GTEST_SKIP() << backend().name() << " has no Kyber768";
  auto client = backend().generate_key_share(kHybrid);
  ASSERT_NE(client, nullptr);
  const Bytes good(client->public_key().begin(), client->public_key().end());
  Bytes share(public_key_length(kHybrid, ShareFrom::server)), secret(64);
  const Bytes short_share(good.begin(), good.end() - 1);
  EXPECT_FALSE(backend().encapsulate(kHybrid, short_share, {}, share, secret));
  EXPECT_FALSE(backend().encapsulate(kHybrid, good, Bytes(63, 1), share, secret));
  Bytes short_out(share.size() - 1);
  EXPECT_FALSE(backend().encapsulate(kHybrid, good, {}, short_out, secret));
  // A Kyber coefficient of 4095 (at least q = 3329) is no public key.
  Bytes bad_kyber = good;
  bad_kyber[32] = 0xff;
  bad_kyber[33] |= 0x0f;
  EXPECT_FALSE(backend().encapsulate(kHybrid, bad_kyber, {}, share, secret));
  // An X25519 half of low order (the identity) gives an all-zero secret.
  Bytes zero_x25519 = good;
  std::fill(zero_x25519.begin(), zero_x25519.begin() + 32, 0);
  EXPECT_FALSE(backend().encapsulate(kHybrid, zero_x25519, {}, share, secret));
  // Not a KEM group.
  EXPECT_FALSE(backend().encapsulate(Group::x25519, ByteView(good).first(32), {}, share, secret));
  // The client takes a server share, not another client share.
  ASSERT_TRUE(backend().encapsulate(kHybrid, good, {}, share, secret));
  Bytes decapsulated(64);
  EXPECT_FALSE(client->derive(good, decapsulated));
  EXPECT_FALSE(client->derive(ByteView(share).first(share.size() - 1), decapsulated));
  EXPECT_EQ(backend().key_share_from_private(kHybrid, Bytes(95, 1)), nullptr);
  EXPECT_EQ(backend().key_share_from_private(kHybrid, Bytes(32, 1)), nullptr);
}

// Without the KEM: absent from algorithms(), listed with a reason, and
// every call refuses. ML-KEM-768 is in no library Debian 12 ships.
TEST_P(KyberTest, UnsupportedGroupsSayWhy) {
  const Algorithms& a = backend().algorithms();
  for (Group g : kHybridGroups) {
    SCOPED_TRACE(name(g));
    const bool has = std::find(a.groups.begin(), a.groups.end(), g) != a.groups.end();
    const auto listed = std::find_if(a.unsupported_groups.begin(), a.unsupported_groups.end(),
                                     [g](const UnsupportedGroup& u) { return u.group == g; });
    EXPECT_NE(has, listed != a.unsupported_groups.end());
    if (has) continue;
    EXPECT_FALSE(listed->reason.empty());
    EXPECT_EQ(listed->reason.find('\n'), std::string::npos);
    EXPECT_EQ(unsupported_group_reason(a, backend().name(), g), listed->reason);
    EXPECT_EQ(backend().generate_key_share(g), nullptr);
    EXPECT_EQ(backend().key_share_from_private(g, Bytes(private_key_length(g), 1)), nullptr);
    Bytes share(public_key_length(g, ShareFrom::server)), secret(64);
    EXPECT_FALSE(backend().encapsulate(g, Bytes(public_key_length(g), 1), {}, share, secret));
  }
  EXPECT_TRUE(std::none_of(a.groups.begin(), a.groups.end(),
                           [](Group g) { return g == Group::x25519_mlkem768; }));
  if (backend().name() == "boringssl") {
    EXPECT_TRUE(has_hybrid(backend())) << "BoringSSL API version 19 has Kyber768";
  }
}

// The hybrid's operations, each in its step (README, "Post-quantum key
// exchange"): the client's key pair in its ClientHello (step 1), the
// server's encapsulation in its ServerHello (step 2), the client's
// decapsulation as it reads the ServerHello. In the -hrr scenario the first
// ClientHello carries a plain X25519 share, and the retry the hybrid.
TEST_P(KyberTest, OperationsAreInTheirSteps) {
  if (!has_hybrid(backend())) GTEST_SKIP() << backend().name() << " has no Kyber768";
  for (const char* id :
       {"tls13-x25519kyber768-ecdsa-p256", "tls13-x25519kyber768-ecdsa-p256-hrr"}) {
    SCOPED_TRACE(id);
    const Scenario* s = find_scenario(id);
    ASSERT_NE(s, nullptr);
    auto pki = test::read_default_pki(s->cert);
    ASSERT_NE(pki, nullptr);
    std::string error;
    auto pair = make_engine_pair(*s, backend(), backend(), *pki, &error);
    ASSERT_NE(pair, nullptr) << error;
    HandshakeTrace trace;
    ASSERT_TRUE(pair->run(&trace, &error)) << error;
    std::vector<std::string> seen;
    for (size_t i = 0; i < trace.step_count; i++) {
      const Step& step = trace.steps[i];
      for (size_t k = step.first_op; k < step.first_op + step.op_count; k++) {
        const CryptoOp op = trace.ops[k].op;
        if (op.kind == OpKind::keygen || op.kind == OpKind::derive ||
            op.kind == OpKind::kem_keygen || op.kind == OpKind::kem_encap ||
            op.kind == OpKind::kem_decap) {
          seen.push_back(std::string(name(step.side)) + " " + std::string(name(step.action)) + " " +
                         std::string(name(step.message)) + ": " + op_name(op));
        }
      }
    }
    std::vector<std::string> want = {"client write ClientHello: kem_keygen:x25519kyber768draft00",
                                     "server write ServerHello: kem_encap:x25519kyber768draft00",
                                     "client read ServerHello: kem_decap:x25519kyber768draft00"};
    if (s->hello_retry) want.insert(want.begin(), "client write ClientHello: keygen:x25519");
    EXPECT_EQ(seen, want);
  }
}

INSTANTIATE_TEST_SUITE_P(backend_kyber, KyberTest, ::testing::ValuesIn(test::built_backends()),
                         test::BackendTestName);

}  // namespace
}  // namespace hsbench
