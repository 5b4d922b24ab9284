// X.509 chains through wolfSSL's certificate parser and CertificateManager.
//
// A chain is verified one link at a time from the top: the topmost
// certificate against the trust anchors, then each certificate below
// against a CertificateManager that holds only the certificate above it,
// which must be a CA. wolfSSL_X509_verify_cert with the intermediates
// passed as untrusted certificates was seen to accept a chain under a root
// that was not the anchor, so it is not used. Each link's check is
// wolfSSL's own (signature and validity dates, in ParseCertRelative).
// First: wolfSSL's build options must precede its other headers.
// clang-format off
#include "wolf_util.h"
// clang-format on

#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ed25519.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hsbench::wolf {
namespace {

struct CertManagerDeleter {
  void operator()(WOLFSSL_CERT_MANAGER* cm) const { wolfSSL_CertManagerFree(cm); }
};
using CertManagerPtr = std::unique_ptr<WOLFSSL_CERT_MANAGER, CertManagerDeleter>;

// The length of the DER element at the start of der (tag, length and
// contents), or 0 if its header is malformed.
size_t DerElementLength(ByteView der) {
  if (der.size() < 2) return 0;
  size_t len = der[1];
  size_t header = 2;
  if (len & 0x80) {
    size_t count = len & 0x7f;
    if (count == 0 || count > 4 || der.size() < 2 + count) return 0;
    len = 0;
    for (size_t i = 0; i < count; i++) len = len << 8 | der[2 + i];
    header += count;
  }
  return header + len;
}

class WolfCertificateChain final : public CertificateChain {
 public:
  explicit WolfCertificateChain(std::vector<ParsedCertificate> certs) : certs_(std::move(certs)) {}

  size_t size() const override { return certs_.size(); }
  std::unique_ptr<PublicKey> leaf_public_key() const override {
    return PublicKeyFromSpki(certs_.front().spki);
  }
  const std::vector<ParsedCertificate>& certs() const { return certs_; }

 private:
  std::vector<ParsedCertificate> certs_;
};

// One line for a failed link: which certificate, and wolfSSL's reason.
std::string LinkError(size_t index, int code) {
  return ErrorLine("certificate " + std::to_string(index) + " of the chain does not verify", code);
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 6125 section 6.4: a presented DNS name matches the reference name
// case-insensitively; a wildcard is only a whole leftmost label ("*.") and
// stands for exactly one label.
bool NameMatches(std::string_view presented, std::string_view reference) {
  if (presented.starts_with("*.")) {
    size_t dot = reference.find('.');
    if (dot == 0 || dot == std::string_view::npos) return false;
    std::string_view suffix = presented.substr(1);
    // At least two labels after the wildcard, so "*.com" matches nothing.
    if (suffix.find('.', 1) == std::string_view::npos) return false;
    return EqualsIgnoringCase(suffix, reference.substr(dot));
  }
  return EqualsIgnoringCase(presented, reference);
}

// The leaf is valid for hostname: a dNSName of its subjectAltName matches,
// or, only when it has none, its subject's common name (as OpenSSL's
// X509_check_host does). wolfSSL's own check (wolfSSL_X509_check_host) needs
// a WOLFSSL_X509, which wolfSSL cannot make of an Ed25519 certificate.
bool MatchesHost(const ParsedCertificate& leaf, std::string_view hostname) {
  // A reference identity is a name, never a pattern, and has no NUL.
  if (hostname.find('\0') != std::string_view::npos ||
      hostname.find('*') != std::string_view::npos) {
    return false;
  }
  if (!leaf.dns_names.empty()) {
    return std::any_of(leaf.dns_names.begin(), leaf.dns_names.end(),
                       [hostname](const std::string& n) { return NameMatches(n, hostname); });
  }
  return !leaf.common_name.empty() && NameMatches(leaf.common_name, hostname);
}

class WolfTrustStore final : public TrustStore {
 public:
  explicit WolfTrustStore(CertManagerPtr anchors) : anchors_(std::move(anchors)) {}

  bool verify(const CertificateChain& chain, std::string_view hostname,
              std::string* out_error) const override {
    std::string ignored;
    if (out_error == nullptr) out_error = &ignored;
    // Objects made by one backend only come back to it.
    const auto& certs = static_cast<const WolfCertificateChain&>(chain).certs();
    if (certs.empty()) {
      *out_error = "empty chain";
      return false;
    }
    // The CertificateManager is safe to share: verification only reads its
    // signer table, under its own lock.
    size_t top = certs.size() - 1;
    FreeEccCacheAtThreadExit();
    int rc = wolfSSL_CertManagerVerifyBuffer(anchors_.get(), certs[top].der.data(),
                                             static_cast<long>(certs[top].der.size()),
                                             WOLFSSL_FILETYPE_ASN1);
    if (rc != WOLFSSL_SUCCESS) {
      *out_error = LinkError(top, rc);
      return false;
    }
    for (size_t i = top; i > 0; i--) {
      const ParsedCertificate& issuer = certs[i];
      // RFC 5280 4.2.1.9 and 4.2.1.3: an issuer is a CA that may sign
      // certificates.
      if (!issuer.is_ca || (issuer.key_usage_set && !issuer.can_sign_certificates)) {
        *out_error = "certificate " + std::to_string(i) + " of the chain is not a CA";
        return false;
      }
      CertManagerPtr link(wolfSSL_CertManagerNew());
      if (link == nullptr) {
        *out_error = "cannot create a certificate manager";
        return false;
      }
      rc = wolfSSL_CertManagerLoadCABuffer(link.get(), issuer.der.data(),
                                           static_cast<long>(issuer.der.size()),
                                           WOLFSSL_FILETYPE_ASN1);
      if (rc != WOLFSSL_SUCCESS) {
        *out_error = ErrorLine("cannot use certificate " + std::to_string(i) + " as an issuer", rc);
        return false;
      }
      rc = wolfSSL_CertManagerVerifyBuffer(link.get(), certs[i - 1].der.data(),
                                           static_cast<long>(certs[i - 1].der.size()),
                                           WOLFSSL_FILETYPE_ASN1);
      if (rc != WOLFSSL_SUCCESS) {
        *out_error = LinkError(i - 1, rc);
        return false;
      }
    }
    if (!hostname.empty() && !MatchesHost(certs[0], hostname)) {
      *out_error = "the leaf certificate is not valid for " + std::string(hostname);
      return false;
    }
    return true;
  }

  // The same links as a server's chain; like verify, no extended key usage
  // is checked.
  bool verify_client(const CertificateChain& chain, std::string* out_error) const override {
    return verify(chain, {}, out_error);
  }

 private:
  CertManagerPtr anchors_;
};

}  // namespace

bool ParseCertificate(ByteView der, ParsedCertificate* out_cert) {
  if (der.empty() || der[0] != 0x30 || !FitsWord32(der.size()) ||
      DerElementLength(der) != der.size()) {
    return false;  // not one DER SEQUENCE, or bytes after it
  }
  auto cert = std::make_unique<DecodedCert>();
  wc_InitDecodedCert(cert.get(), der.data(), W32(der.size()), nullptr);
  bool ok = wc_ParseCert(cert.get(), CERT_TYPE, NO_VERIFY, nullptr) == 0;
  word32 spki_len = 0;
  if (ok) {
    // The first call sizes the SubjectPublicKeyInfo.
    wc_GetPubKeyDerFromCert(cert.get(), nullptr, &spki_len);
    out_cert->spki.resize(spki_len);
    ok = spki_len > 0 && wc_GetPubKeyDerFromCert(cert.get(), out_cert->spki.data(), &spki_len) == 0;
    out_cert->spki.resize(spki_len);
  }
  if (ok && cert->keyOID == ED25519k) {
    // For Ed25519 wolfSSL gives the bare 32-byte key: put it back in its
    // SubjectPublicKeyInfo (RFC 8410 section 4).
    static constexpr byte kEd25519SpkiPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                  0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    ok = out_cert->spki.size() == ED25519_PUB_KEY_SIZE;
    out_cert->spki.insert(out_cert->spki.begin(), std::begin(kEd25519SpkiPrefix),
                          std::end(kEd25519SpkiPrefix));
  }
  if (ok) {
    out_cert->der.assign(der.begin(), der.end());
    out_cert->is_ca = cert->isCA != 0;
    out_cert->key_usage_set = cert->extKeyUsageSet != 0;
    out_cert->can_sign_certificates = (cert->extKeyUsage & KEYUSE_KEY_CERT_SIGN) != 0;
    for (const DNS_entry* e = cert->altNames; e != nullptr; e = e->next) {
      if (e->type == ASN_DNS_TYPE && e->name != nullptr && e->len >= 0) {
        out_cert->dns_names.emplace_back(e->name, static_cast<size_t>(e->len));
      }
    }
    if (cert->subjectCN != nullptr && cert->subjectCNLen > 0) {
      out_cert->common_name.assign(cert->subjectCN, static_cast<size_t>(cert->subjectCNLen));
    }
  }
  wc_FreeDecodedCert(cert.get());
  return ok;
}

std::unique_ptr<CertificateChain> ParseChain(std::span<const ByteView> der_certs) {
  if (der_certs.empty()) return nullptr;
  std::vector<ParsedCertificate> certs(der_certs.size());
  for (size_t i = 0; i < der_certs.size(); i++) {
    if (!ParseCertificate(der_certs[i], &certs[i])) return nullptr;
  }
  return std::make_unique<WolfCertificateChain>(std::move(certs));
}

std::unique_ptr<PublicKey> CertificateKey(ByteView der_cert) {
  ParsedCertificate cert;
  if (!ParseCertificate(der_cert, &cert)) return nullptr;
  return PublicKeyFromSpki(cert.spki);
}

std::unique_ptr<TrustStore> NewTrustStore(std::span<const ByteView> der_anchors,
                                          std::string* out_error) {
  std::string ignored;
  if (out_error == nullptr) out_error = &ignored;
  CertManagerPtr cm(wolfSSL_CertManagerNew());
  if (cm == nullptr) {
    *out_error = "cannot create a certificate manager";
    return nullptr;
  }
  for (size_t i = 0; i < der_anchors.size(); i++) {
    ParsedCertificate parsed;
    if (!ParseCertificate(der_anchors[i], &parsed)) {
      *out_error = "cannot parse trust anchor " + std::to_string(i);
      return nullptr;
    }
    int rc = wolfSSL_CertManagerLoadCABuffer(cm.get(), der_anchors[i].data(),
                                             static_cast<long>(der_anchors[i].size()),
                                             WOLFSSL_FILETYPE_ASN1);
    if (rc != WOLFSSL_SUCCESS) {
      *out_error = ErrorLine("cannot add trust anchor " + std::to_string(i), rc);
      return nullptr;
    }
  }
  return std::make_unique<WolfTrustStore>(std::move(cm));
}

}  // namespace hsbench::wolf
