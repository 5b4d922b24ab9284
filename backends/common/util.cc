#include "util.h"

#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <iterator>
#include <utility>

namespace hsbench::libcrypto {

std::string TakeError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return {};
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

std::string TakeError(std::string_view what) {
  std::string message(what);
  if (std::string detail = TakeError(); !detail.empty()) {
    message += ": ";
    message += detail;
  }
  return message;
}

void SetError(std::string* out_error, std::string_view what) {
  std::string message = TakeError(what);
  if (out_error != nullptr) *out_error = std::move(message);
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

int GroupNid(Group group) {
  switch (group) {
    case Group::x25519:
      return NID_X25519;
    case Group::secp256r1:
      return NID_X9_62_prime256v1;
    case Group::secp384r1:
      return NID_secp384r1;
    case Group::x25519_kyber768_draft00:
#if defined(NID_X25519Kyber768)
      return NID_X25519Kyber768;  // BoringSSL's libssl, from API version 19
#else
      return NID_undef;
#endif
    case Group::x25519_mlkem768:
      return NID_undef;
  }
  return NID_undef;
}

UniquePtr<X509> ParseCertificate(ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) return nullptr;
  const uint8_t* p = der.data();
  UniquePtr<X509> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert || p != der.data() + der.size()) return nullptr;  // trailing bytes
  return cert;
}

UniquePtr<EVP_PKEY> ParsePrivateKey(ByteView pem_or_der, const char** out_problem) {
  const char* ignored = nullptr;
  if (out_problem == nullptr) out_problem = &ignored;
  if (pem_or_der.empty() || !FitsInt(pem_or_der.size())) {
    *out_problem = "empty or oversized private key";
    return nullptr;
  }
  UniquePtr<EVP_PKEY> key;
  std::string_view text(reinterpret_cast<const char*>(pem_or_der.data()), pem_or_der.size());
  if (text.find("-----BEGIN") != std::string_view::npos) {
    UniquePtr<BIO> bio(BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size())));
    // A passphrase callback that declines, so an encrypted key fails to load
    // instead of prompting on the terminal.
    pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
    if (bio) key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  } else {
    const uint8_t* p = pem_or_der.data();
    key.reset(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pem_or_der.size())));
    if (key && p != pem_or_der.data() + pem_or_der.size()) {
      *out_problem = "trailing data after the DER private key";
      return nullptr;
    }
  }
  if (!key) {
    *out_problem = "cannot parse private key (PEM or DER, PKCS#8 or traditional, unencrypted)";
  }
  return key;
}

bool AddTrustAnchor(X509_STORE* store, X509* anchor) {
  if (X509_STORE_add_cert(store, anchor) != 1 &&
      ERR_GET_REASON(ERR_peek_last_error()) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
    return false;
  }
  ERR_clear_error();
  return true;
}

}  // namespace hsbench::libcrypto
