#include "plain_loop.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace hsbench::transparency {
namespace {

struct FreeSsl {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, FreeSsl>;

X509* der_certificate(const Bytes& der) {
  const uint8_t* p = der.data();
  return d2i_X509(nullptr, &p, static_cast<long>(der.size()));
}

void move(SSL* from, SSL* to, std::vector<uint8_t>* buf) {
  BIO* out = SSL_get_wbio(from);
  size_t pending = BIO_ctrl_pending(out);
  if (pending == 0) return;
  buf->resize(pending);
  BIO_read(out, buf->data(), static_cast<int>(pending));
  BIO_write(SSL_get_rbio(to), buf->data(), static_cast<int>(pending));
}

}  // namespace

PlainPair::PlainPair(const Pki& pki)
    : client_(SSL_CTX_new(TLS_method())), server_(SSL_CTX_new(TLS_method())) {
  for (SSL_CTX* ctx : {client_.get(), server_.get()}) {
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256");
    SSL_CTX_set1_groups_list(ctx, "X25519:P-256");
  }
  SSL_CTX_set1_groups_list(server_.get(), "X25519");
  SSL_CTX_set1_sigalgs_list(server_.get(), "ecdsa_secp256r1_sha256");
  SSL_CTX_set1_sigalgs_list(client_.get(),
                            "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ed25519:"
                            "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pkcs1_sha256:"
                            "rsa_pkcs1_sha384");
  X509* leaf = der_certificate(pki.chain[0]);
  SSL_CTX_use_certificate(server_.get(), leaf);
  X509_free(leaf);
  for (size_t i = 1; i < pki.chain.size(); i++) {
    X509* cert = der_certificate(pki.chain[i]);
    SSL_CTX_add1_chain_cert(server_.get(), cert);
    X509_free(cert);
  }
  BIO* bio = BIO_new_mem_buf(pki.key.data(), static_cast<int>(pki.key.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  SSL_CTX_use_PrivateKey(server_.get(), key);
  EVP_PKEY_free(key);
  for (const Bytes& der : pki.roots) {
    X509* root = der_certificate(der);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_.get()), root);
    X509_free(root);
  }
  SSL_CTX_set_verify(client_.get(), SSL_VERIFY_PEER, nullptr);
}

bool PlainPair::handshake() {
  SslPtr c(SSL_new(client_.get())), s(SSL_new(server_.get()));
  if (c == nullptr || s == nullptr) return false;
  SSL_set_bio(c.get(), BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
  SSL_set_bio(s.get(), BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
  SSL_set_connect_state(c.get());
  SSL_set_accept_state(s.get());
  SSL_set_tlsext_host_name(c.get(), "localhost");
  SSL_set1_host(c.get(), "localhost");
  bool client_done = false, server_done = false;
  for (int i = 0; i < 16 && !(client_done && server_done); i++) {
    if (!client_done) {
      int rc = SSL_do_handshake(c.get());
      if (rc != 1 && SSL_get_error(c.get(), rc) != SSL_ERROR_WANT_READ) return false;
      client_done = rc == 1;
      move(c.get(), s.get(), &buf_);
    }
    if (!server_done) {
      int rc = SSL_do_handshake(s.get());
      if (rc != 1 && SSL_get_error(s.get(), rc) != SSL_ERROR_WANT_READ) return false;
      server_done = rc == 1;
      move(s.get(), c.get(), &buf_);
    }
  }
  if (!client_done || !server_done) return false;
  uint8_t data[64] = {'h'}, got[64];
  if (SSL_write(c.get(), data, sizeof(data)) != sizeof(data)) return false;
  move(c.get(), s.get(), &buf_);
  if (SSL_read(s.get(), got, sizeof(got)) != sizeof(got)) return false;
  if (SSL_write(s.get(), data, sizeof(data)) != sizeof(data)) return false;
  move(s.get(), c.get(), &buf_);
  if (SSL_read(c.get(), got, sizeof(got)) != sizeof(got)) return false;
  SSL_set_shutdown(c.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_set_shutdown(s.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  return true;
}

const char* last_openssl_error() {
  const char* reason = ERR_reason_error_string(ERR_get_error());
  return reason != nullptr ? reason : "no reason given";
}

}  // namespace hsbench::transparency
