// What the GnuTLS plugin's files share: owning handles for gnutls objects,
// datums over borrowed bytes, gnutls errors in one line, and the parsing of
// certificates and private keys.
#pragma once

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/algorithms.h"

namespace hsbench::gnutls {

template <auto kFree>
struct FreeWith {
  template <typename T>
  void operator()(T p) const {
    kFree(p);
  }
};

// gnutls handles are pointers to opaque structs; each type has its deinit.
using X509Crt = std::unique_ptr<gnutls_x509_crt_int, FreeWith<gnutls_x509_crt_deinit>>;
using X509Privkey = std::unique_ptr<gnutls_x509_privkey_int, FreeWith<gnutls_x509_privkey_deinit>>;
using Privkey = std::unique_ptr<gnutls_privkey_st, FreeWith<gnutls_privkey_deinit>>;
using Pubkey = std::unique_ptr<gnutls_pubkey_st, FreeWith<gnutls_pubkey_deinit>>;

// Memory gnutls allocated for a datum it filled in; wiped before it is
// freed, since it may hold a secret.
class OwnedDatum {
 public:
  OwnedDatum() = default;
  ~OwnedDatum() {
    if (datum_.data != nullptr) {
      gnutls_memset(datum_.data, 0, datum_.size);
      gnutls_free(datum_.data);
    }
  }
  OwnedDatum(const OwnedDatum&) = delete;
  OwnedDatum& operator=(const OwnedDatum&) = delete;
  gnutls_datum_t* get() { return &datum_; }
  ByteView view() const { return ByteView(datum_.data, datum_.size); }

 private:
  gnutls_datum_t datum_ = {nullptr, 0};
};

// A datum over bytes gnutls only reads. gnutls reads a null pointer as
// "absent" in places where an empty buffer is meant, and std::span may hold
// one when empty.
inline gnutls_datum_t Datum(ByteView bytes) {
  static unsigned char kEmpty[1] = {0};
  return {bytes.empty() ? kEmpty : const_cast<unsigned char*>(bytes.data()),
          static_cast<unsigned>(bytes.size())};
}

inline bool FitsDatum(size_t n) { return n <= 0xffffffffu; }

// what, then ": " and gnutls's description of code.
std::string ErrorLine(std::string_view what, int code);

// gnutls's text for a certificate verification status, in one line without
// the trailing space gnutls leaves; empty if it has none.
std::string VerificationStatusLine(unsigned status);

// Whether a value is one of hsbench's identifiers (algorithms.h).
bool IsKnown(Hash hash);
bool IsKnown(Aead aead);
bool IsKnown(Group group);
bool IsKnown(SignatureScheme scheme);

gnutls_digest_algorithm_t DigestOf(Hash hash);
gnutls_mac_algorithm_t MacOf(Hash hash);
gnutls_cipher_algorithm_t CipherOf(Aead aead);
// The signature algorithm that signs as scheme does with any key the scheme
// may use: the ECDSA schemes bind only the hash (as in TLS 1.2), so they map
// to GNUTLS_SIGN_ECDSA_SHA*, not to the curve-bound TLS 1.3 identifiers.
gnutls_sign_algorithm_t SignOf(SignatureScheme scheme);

// One DER certificate, all of der and nothing else; nullptr otherwise.
X509Crt ParseCertificate(ByteView der);

// A private key from PEM (unencrypted, any of the private-key labels) or DER
// (PKCS#8 or the traditional RSAPrivateKey / ECPrivateKey); nullptr and one
// line in *out_error (which may be null) otherwise.
X509Privkey ParsePrivateKey(ByteView pem_or_der, std::string* out_error);

// What a key is, from its algorithm and size, or nullopt (with out_error,
// which may be null) for one hsbench does not use. curve is the key's curve
// when it is an EC key.
std::optional<KeyInfo> ClassifyKey(gnutls_pk_algorithm_t algorithm, unsigned bits,
                                   gnutls_ecc_curve_t curve, std::string* out_error);

}  // namespace hsbench::gnutls
