#include "gnutls_util.h"

#include <algorithm>
#include <iterator>

namespace hsbench::gnutls {
namespace {

// The length of the DER element that starts der (tag, length and contents),
// or 0 when der does not start with a well-formed definite length (X.690
// 8.1.3). gnutls accepts bytes after a certificate, which the interface
// refuses.
size_t DerElementLength(ByteView der) {
  if (der.size() < 2) return 0;
  size_t header = 2;
  size_t length = der[1];
  if (length & 0x80) {
    size_t count = length & 0x7f;
    if (count == 0 || count > sizeof(size_t) || der.size() < 2 + count) return 0;
    length = 0;
    for (size_t i = 0; i < count; i++) length = length << 8 | der[2 + i];
    header += count;
  }
  if (length > der.size() - header) return 0;
  return header + length;
}

}  // namespace

std::string ErrorLine(std::string_view what, int code) {
  std::string line(what);
  line += ": ";
  line += gnutls_strerror(code);
  return line;
}

std::string VerificationStatusLine(unsigned status) {
  gnutls_datum_t text = {nullptr, 0};
  if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) < 0) {
    return {};
  }
  std::string line(reinterpret_cast<const char*>(text.data), text.size);
  gnutls_free(text.data);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\n')) line.pop_back();
  return line;
}

bool IsKnown(Hash hash) {
  return std::find(std::begin(kAllHashes), std::end(kAllHashes), hash) != std::end(kAllHashes);
}
bool IsKnown(Aead aead) {
  return std::find(std::begin(kAllAeads), std::end(kAllAeads), aead) != std::end(kAllAeads);
}
bool IsKnown(Group group) {
  return std::find(std::begin(kAllGroups), std::end(kAllGroups), group) != std::end(kAllGroups);
}
bool IsKnown(SignatureScheme scheme) {
  return std::find(std::begin(kAllSignatureSchemes), std::end(kAllSignatureSchemes), scheme) !=
         std::end(kAllSignatureSchemes);
}

gnutls_digest_algorithm_t DigestOf(Hash hash) {
  switch (hash) {
    case Hash::sha256:
      return GNUTLS_DIG_SHA256;
    case Hash::sha384:
      return GNUTLS_DIG_SHA384;
  }
  return GNUTLS_DIG_UNKNOWN;
}

gnutls_mac_algorithm_t MacOf(Hash hash) {
  switch (hash) {
    case Hash::sha256:
      return GNUTLS_MAC_SHA256;
    case Hash::sha384:
      return GNUTLS_MAC_SHA384;
  }
  return GNUTLS_MAC_UNKNOWN;
}

gnutls_cipher_algorithm_t CipherOf(Aead aead) {
  switch (aead) {
    case Aead::aes128gcm:
      return GNUTLS_CIPHER_AES_128_GCM;
    case Aead::aes256gcm:
      return GNUTLS_CIPHER_AES_256_GCM;
    case Aead::chacha20poly1305:
      return GNUTLS_CIPHER_CHACHA20_POLY1305;
  }
  return GNUTLS_CIPHER_UNKNOWN;
}

gnutls_sign_algorithm_t SignOf(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
      return GNUTLS_SIGN_RSA_SHA256;
    case SignatureScheme::rsa_pkcs1_sha384:
      return GNUTLS_SIGN_RSA_SHA384;
    case SignatureScheme::rsa_pss_rsae_sha256:
      return GNUTLS_SIGN_RSA_PSS_RSAE_SHA256;
    case SignatureScheme::rsa_pss_rsae_sha384:
      return GNUTLS_SIGN_RSA_PSS_RSAE_SHA384;
    case SignatureScheme::ecdsa_secp256r1_sha256:
      return GNUTLS_SIGN_ECDSA_SHA256;
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return GNUTLS_SIGN_ECDSA_SHA384;
    case SignatureScheme::ed25519:
      return GNUTLS_SIGN_EDDSA_ED25519;
  }
  return GNUTLS_SIGN_UNKNOWN;
}

X509Crt ParseCertificate(ByteView der) {
  if (der.empty() || !FitsDatum(der.size()) || DerElementLength(der) != der.size()) {
    return nullptr;
  }
  gnutls_x509_crt_t raw = nullptr;
  if (gnutls_x509_crt_init(&raw) < 0) return nullptr;
  X509Crt cert(raw);
  gnutls_datum_t datum = Datum(der);
  if (gnutls_x509_crt_import(cert.get(), &datum, GNUTLS_X509_FMT_DER) < 0) return nullptr;
  return cert;
}

X509Privkey ParsePrivateKey(ByteView pem_or_der, std::string* out_error) {
  auto set_error = [out_error](std::string line) {
    if (out_error != nullptr) *out_error = std::move(line);
  };
  if (pem_or_der.empty() || !FitsDatum(pem_or_der.size())) {
    set_error("empty or oversized private key");
    return nullptr;
  }
  std::string_view text(reinterpret_cast<const char*>(pem_or_der.data()), pem_or_der.size());
  const bool pem = text.find("-----BEGIN") != std::string_view::npos;
  if (pem && text.find("ENCRYPTED") != std::string_view::npos) {
    // gnutls would try an empty passphrase; a protected key is refused instead.
    set_error("the private key is encrypted (only unencrypted keys are read)");
    return nullptr;
  }
  gnutls_x509_privkey_t raw = nullptr;
  if (int rc = gnutls_x509_privkey_init(&raw); rc < 0) {
    set_error(ErrorLine("cannot make a private key", rc));
    return nullptr;
  }
  X509Privkey key(raw);
  gnutls_datum_t datum = Datum(pem_or_der);
  // GNUTLS_PKCS_PLAIN: never a passphrase, so never a prompt.
  int rc = gnutls_x509_privkey_import2(key.get(), &datum,
                                       pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, nullptr,
                                       GNUTLS_PKCS_PLAIN);
  if (rc < 0) {
    set_error(
        ErrorLine("cannot parse private key (PEM or DER, PKCS#8 or traditional, unencrypted)", rc));
    return nullptr;
  }
  return key;
}

std::optional<KeyInfo> ClassifyKey(gnutls_pk_algorithm_t algorithm, unsigned bits,
                                   gnutls_ecc_curve_t curve, std::string* out_error) {
  auto set_error = [out_error](std::string line) {
    if (out_error != nullptr) *out_error = std::move(line);
  };
  switch (algorithm) {
    case GNUTLS_PK_RSA:
      if (bits > kMaxRsaBits) {
        set_error("RSA key of " + std::to_string(bits) + " bits is over the limit of " +
                  std::to_string(kMaxRsaBits));
        return std::nullopt;
      }
      return KeyInfo{KeyType::rsa, bits};
    case GNUTLS_PK_ECDSA:
      if (curve == GNUTLS_ECC_CURVE_SECP256R1) return KeyInfo{KeyType::ecdsa_p256, 256};
      if (curve == GNUTLS_ECC_CURVE_SECP384R1) return KeyInfo{KeyType::ecdsa_p384, 384};
      set_error("EC key on a curve other than P-256 or P-384");
      return std::nullopt;
    case GNUTLS_PK_EDDSA_ED25519:
      return KeyInfo{KeyType::ed25519, 255};  // the field is GF(2^255 - 19)
    default:
      set_error("unsupported key type (not RSA, P-256, P-384 or Ed25519)");
      return std::nullopt;
  }
}

}  // namespace hsbench::gnutls
