// Backend::parse_certificate_key, the one parse an unchecked chain needs:
// on each real backend and each PKI kind it gives the leaf's key, the key
// the full parser gives (same kind and size, and it verifies what the
// leaf's private key signs), and it refuses what is not a certificate.
// (The OpenSSL plugin takes the key straight from the SubjectPublicKeyInfo
// where it can; BoringSSL's uses the parser.)
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "backend/backend_test_util.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"

namespace hsbench {
namespace {

using Param = std::tuple<std::string, std::string>;  // backend, PKI kind

class CertificateKeyTest : public ::testing::TestWithParam<Param> {};

TEST_P(CertificateKeyTest, IsTheLeafsKey) {
  const auto& [backend_name, kind] = GetParam();
  std::string error;
  auto loaded = load_backend(backend_name, &error);
  ASSERT_NE(loaded, nullptr) << error;
  Backend& b = loaded->backend();
  auto pki = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
  ASSERT_NE(pki, nullptr) << error;
  auto creds = prepare_credentials(b, *pki, "", &error);
  ASSERT_NE(creds, nullptr) << error;

  auto key = b.parse_certificate_key(pki->chain.front());
  ASSERT_NE(key, nullptr);
  const KeyInfo expected = creds->chain->leaf_public_key()->info();
  EXPECT_EQ(key->info().type, expected.type);
  EXPECT_EQ(key->info().bits, expected.bits);

  const SignatureScheme scheme = signature_schemes_for(creds->leaf).front();
  const Bytes message = {'s', 'i', 'g', 'n', ' ', 'm', 'e'};
  std::vector<uint8_t> signature(kMaxSignatureLength);
  size_t length = 0;
  ASSERT_TRUE(creds->key->sign(scheme, message, signature, &length));
  signature.resize(length);
  EXPECT_TRUE(key->verify(scheme, message, signature));
  signature[length / 2] ^= 1;
  EXPECT_FALSE(key->verify(scheme, message, signature));

  // The intermediate's key is another key: it does not verify the leaf's
  // signature (the parse took the certificate it was given).
  if (pki->chain.size() > 1) {
    auto other = b.parse_certificate_key(pki->chain[1]);
    ASSERT_NE(other, nullptr);
    signature[length / 2] ^= 1;
    EXPECT_FALSE(other->verify(scheme, message, signature));
  }
}

TEST_P(CertificateKeyTest, RefusesWhatIsNotACertificate) {
  const auto& [backend_name, kind] = GetParam();
  std::string error;
  auto loaded = load_backend(backend_name, &error);
  ASSERT_NE(loaded, nullptr) << error;
  Backend& b = loaded->backend();
  auto pki = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
  ASSERT_NE(pki, nullptr) << error;
  const Bytes& leaf = pki->chain.front();
  EXPECT_EQ(b.parse_certificate_key({}), nullptr);
  EXPECT_EQ(b.parse_certificate_key(ByteView(leaf).first(leaf.size() / 2)), nullptr);
  Bytes garbage(leaf.size(), 0x30);
  EXPECT_EQ(b.parse_certificate_key(garbage), nullptr);
}

std::string name_of(const ::testing::TestParamInfo<Param>& info) {
  std::string s = std::get<0>(info.param) + "_" + std::get<1>(info.param);
  for (char& c : s) {
    if (c == '-') c = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(All, CertificateKeyTest,
                         ::testing::Combine(::testing::ValuesIn(test::built_backends()),
                                            ::testing::Values("rsa2048", "ecdsa-p256", "ecdsa-p384",
                                                              "ed25519")),
                         name_of);

}  // namespace
}  // namespace hsbench
