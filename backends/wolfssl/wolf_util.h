// What the files of the wolfSSL plugin share: the library's build options
// (which must come before any other wolfSSL header), owning handles, sizes
// as wolfSSL takes them, the per-thread random generator and error lines.
#pragma once

// clang-format off
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
// clang-format on
#include <string.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/types.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/algorithms.h"
#include "hsbench/backend.h"

namespace hsbench::wolf {

// wolfSSL takes lengths as word32.
inline bool FitsWord32(size_t n) { return n <= UINT32_MAX; }
inline word32 W32(size_t n) { return static_cast<word32>(n); }

// Zeroes secret bytes in a way the compiler may not drop.
inline void Cleanse(void* p, size_t n) { explicit_bzero(p, n); }

// wolfCrypt reads a null pointer with a zero length as a bad argument in
// places, and std::span may hold one when empty.
inline const byte* NonNull(ByteView in) {
  static const byte kEmpty[1] = {0};
  return in.empty() ? kEmpty : in.data();
}

// The calling thread's DRBG, seeded on first use. WC_RNG is not safe to
// share between threads, and a handshake belongs to one thread, so each
// thread has its own rather than one behind a lock. nullptr if it could not
// be seeded.
WC_RNG* ThreadRng();

// wolfSSL's fixed-point ECC cache (FP_ECC) is per thread (HAVE_THREAD_LS)
// and lives until wc_ecc_fp_free() on that thread. Called before anything
// that may fill it (the plugin's ECC operations, the library's own
// handshakes): the calling thread then frees its cache when it ends.
void FreeEccCacheAtThreadExit();

// wolfCrypt's name for an error code, after what: "what: <name> (<code>)".
std::string ErrorLine(std::string_view what, int code);

// Whether a value is one of hsbench's identifiers (an enum may hold any
// number of its underlying type).
bool IsKnown(Hash hash);
bool IsKnown(Aead aead);
bool IsKnown(Group group);
bool IsKnown(SignatureScheme scheme);

// wolfCrypt's hash type for HMAC, HKDF and the signature padding.
int HashType(Hash hash);
// The digest of message under hash into out (digest_length(hash) bytes).
bool Digest(Hash hash, ByteView message, byte* out);

// One DER certificate as wolfSSL parsed it, kept for the chain: the bytes,
// what chain verification needs of the certificate, and, for the leaf, its
// SubjectPublicKeyInfo.
struct ParsedCertificate {
  Bytes der;
  Bytes spki;
  bool is_ca = false;
  bool key_usage_set = false;
  bool can_sign_certificates = false;
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries
  std::string common_name;             // the subject's last CN
};

// Parses one DER certificate, all of der and nothing else; false otherwise.
bool ParseCertificate(ByteView der, ParsedCertificate* out_cert);

// Public and private keys (keys.cc).
std::unique_ptr<PublicKey> PublicKeyFromSpki(ByteView spki);
std::unique_ptr<PrivateKey> LoadPrivateKey(ByteView pem_or_der, std::string* out_error);

// Chains and trust stores (x509.cc).
std::unique_ptr<CertificateChain> ParseChain(std::span<const ByteView> der_certs);
std::unique_ptr<PublicKey> CertificateKey(ByteView der_cert);
std::unique_ptr<TrustStore> NewTrustStore(std::span<const ByteView> der_anchors,
                                          std::string* out_error);

// Hashes, MACs, KDFs, AEADs and key shares (crypto.cc).
std::unique_ptr<HashContext> NewHash(Hash hash);
bool Hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out);
bool HkdfExtract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out_prk);
bool HkdfExpand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out);
bool Tls12Prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
              std::span<uint8_t> out);
std::unique_ptr<AeadContext> NewAead(Aead aead, ByteView key);
// A fresh key pair when private_key is empty, otherwise from it.
std::unique_ptr<KeyShare> NewKeyShare(Group group, ByteView private_key);

// The library's own TLS stack (native.cc).
std::unique_ptr<NativeContext> MakeNativeContext(const NativeConfig& config, Failure* out_failure);

}  // namespace hsbench::wolf
