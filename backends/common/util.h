// What every file of the libcrypto plugins shares, the native (libssl) one
// included: owning handles, the library's error queue turned into one line,
// and the parsing of certificates and private keys. Only the API the
// libraries have in common is used here; what differs is in compat.h.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hsbench/algorithms.h"

namespace hsbench::libcrypto {

// Owns library handles, like bssl::UniquePtr but for every library on the
// OpenSSL API: Deleter<T> says how a T is freed. A compat file adds the types
// only its library has.
template <typename T>
struct Deleter;
template <typename T>
using UniquePtr = std::unique_ptr<T, Deleter<T>>;

template <auto kFree>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

template <>
struct Deleter<BIGNUM> : FreeWith<BN_free> {};
template <>
struct Deleter<BIO> : FreeWith<BIO_free> {};
template <>
struct Deleter<EC_GROUP> : FreeWith<EC_GROUP_free> {};
template <>
struct Deleter<EC_POINT> : FreeWith<EC_POINT_free> {};
template <>
struct Deleter<EVP_CIPHER_CTX> : FreeWith<EVP_CIPHER_CTX_free> {};
template <>
struct Deleter<EVP_MD_CTX> : FreeWith<EVP_MD_CTX_free> {};
template <>
struct Deleter<EVP_PKEY> : FreeWith<EVP_PKEY_free> {};
template <>
struct Deleter<EVP_PKEY_CTX> : FreeWith<EVP_PKEY_CTX_free> {};
template <>
struct Deleter<X509> : FreeWith<X509_free> {};
template <>
struct Deleter<X509_STORE> : FreeWith<X509_STORE_free> {};
template <>
struct Deleter<X509_STORE_CTX> : FreeWith<X509_STORE_CTX_free> {};
template <>
struct Deleter<STACK_OF(X509)> {
  // sk_X509_pop_free is a macro in OpenSSL, so it cannot be a template argument.
  void operator()(STACK_OF(X509) * p) const { sk_X509_pop_free(p, X509_free); }
};
template <>
struct Deleter<SSL_CTX> : FreeWith<SSL_CTX_free> {};
template <>
struct Deleter<SSL> : FreeWith<SSL_free> {};
template <>
struct Deleter<SSL_SESSION> : FreeWith<SSL_SESSION_free> {};

// Failures leave entries on the library's thread-local error queue; drop them
// so one failed call never shows up as the cause of a later one.
inline bool Fail() {
  ERR_clear_error();
  return false;
}

template <typename T>
std::unique_ptr<T> FailNull() {
  Fail();
  return nullptr;
}

// The first queued error in one line ("" when the queue is empty), and an
// empty queue.
std::string TakeError();
// what, then ": " and the first queued error if there is one; the queue is
// left empty.
std::string TakeError(std::string_view what);
// TakeError(what) into *out_error, which may be null (the queue is emptied
// all the same).
void SetError(std::string* out_error, std::string_view what);

// Both libraries read a null pointer as "absent" in places where an empty
// buffer is meant (EVP_MAC_init keeps the previous key, OSSL_PARAM getters
// fail), and std::span may hold one when empty.
inline const uint8_t* NonNull(ByteView in) {
  static const uint8_t kEmpty[1] = {0};
  return in.empty() ? kEmpty : in.data();
}

inline bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

// Whether a value is one of hsbench's identifiers (algorithms.h): an enum
// may hold any number of its underlying type.
bool IsKnown(Hash hash);
bool IsKnown(Aead aead);
bool IsKnown(Group group);
bool IsKnown(SignatureScheme scheme);

// The library's NID for a group (NID_undef for an unknown one).
int GroupNid(Group group);
// secp256r1 0, secp384r1 1: for tables of per-curve objects.
inline size_t NistIndex(Group group) { return group == Group::secp256r1 ? 0 : 1; }

// One DER certificate, all of der and nothing else; nullptr otherwise.
UniquePtr<X509> ParseCertificate(ByteView der);

// A private key from PEM (any of the PEM private-key labels, unencrypted) or
// DER (PKCS#8 or the traditional RSAPrivateKey / ECPrivateKey). nullptr and a
// static line in *out_problem (unless out_problem is null) when it is none of
// those; the library's error queue then says more, and is left for the caller
// to report or clear.
UniquePtr<EVP_PKEY> ParsePrivateKey(ByteView pem_or_der, const char** out_problem);

// Adds a trust anchor to store, which takes its own reference; an anchor
// already there is not an error. On success the error queue is empty; on
// failure it says why.
bool AddTrustAnchor(X509_STORE* store, X509* anchor);

}  // namespace hsbench::libcrypto
