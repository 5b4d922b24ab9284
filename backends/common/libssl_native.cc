// The library's own TLS stack, driven over memory BIOs: one SSL_CTX per
// NativeConfig, one SSL per connection. The same source is compiled against
// OpenSSL 3 and against BoringSSL; compat.h has the library's own call where
// the two APIs differ (TLS 1.2 cipher list, TLS 1.3 cipher suites, groups,
// signature algorithms, psk_ke).
//
// What a config asks for, and what each library does with it:
//
//  - Version: min = max = config.version.
//  - TLS 1.2 cipher suites: the cipher list, by OpenSSL name, in config
//    order. Both libraries still implement RSA key transport
//    (TLS_RSA_WITH_AES_*_GCM_*). A suite the library lacks is refused when
//    the context is made.
//  - TLS 1.3 cipher suites: OpenSSL takes them in config order
//    (SSL_CTX_set_ciphersuites). BoringSSL has no way to configure them: its
//    client always offers AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305
//    (ChaCha20 first when the CPU lacks AES instructions), and its server,
//    on a CPU with AES instructions, takes the client's first TLS 1.3 suite
//    (without them it favours ChaCha20). So on BoringSSL the config's list
//    is neither the offer nor the server's preference; it is checked
//    instead: a handshake that ends on a suite the config does not list
//    fails, with a line saying so, rather than quietly measuring another
//    cipher. Against a peer that offers (or accepts) only the config's
//    suites, the check always passes; BoringSSL against itself can only
//    agree on the client's first choice (AES-128-GCM here).
//  - Servers prefer their own order (SSL_OP_CIPHER_SERVER_PREFERENCE), for
//    cipher suites and, in BoringSSL and in TLS 1.2, for groups; an OpenSSL
//    TLS 1.3 server accepts the client's key share if its group is listed at
//    all.
//  - Groups: in config order. In TLS 1.3 both libraries' clients send one
//    key share, for their first group. An empty list keeps the library's
//    default (only sensible for TLS 1.2 RSA key transport). In TLS 1.2 the
//    client's list also names the curves it accepts in an ECDSA certificate
//    (RFC 8422, section 5.1), and both libraries hold to that: a P-256
//    certificate needs secp256r1 listed even when x25519 does the ECDHE.
//  - Signature schemes: empty keeps the library's default. Note that
//    BoringSSL's default list for verifying omits Ed25519, so a BoringSSL
//    client facing an Ed25519 certificate needs it listed.
//  - Nothing is enabled that the scenario does not ask for: no OCSP or SCT
//    requests (both libraries leave them off unless asked), no compression,
//    no renegotiation. TLS 1.3 middlebox compatibility (a fake session id
//    and ChangeCipherSpec) stays as each library does it by default.
//  - Tickets: when off, SSL_OP_NO_TICKET, zero TLS 1.3 tickets and no
//    session cache, on both sides. When on, a server issues one ticket and
//    keeps no session cache (resumption is by ticket alone), and a client
//    keeps the newest session its library hands to the new-session callback.
//    That callback, rather than SSL_get1_session, is what BoringSSL requires
//    for TLS 1.3 (it returns an unresumable session there); OpenSSL calls it
//    for every ticket too. When the ticket reaches the client differs: an
//    OpenSSL server sends it with its last handshake flight (TLS 1.2 and
//    1.3), but a BoringSSL TLS 1.3 server holds it back and sends it in
//    front of its first application data (write()), so its client has a
//    session only after read() of that data.
//
// Thread model: a context and its connections belong to one thread.
#include "libssl_native.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compat.h"
#include "hsbench/algorithms.h"
#include "hsbench/backend.h"
#include "util.h"

namespace hsbench::libcrypto {
namespace {

using compat::kLibraryName;

// One line for out_error: message, then the library's first queued error.
bool fail_config(std::string* out_error, std::string_view message) {
  *out_error = TakeError(message);
  return false;
}

// OpenSSL's names for the TLS 1.2 suites (TLS 1.3 suites go by their IANA
// names in SSL_CTX_set_ciphersuites).
const char* tls12_cipher_name(CipherSuite suite) {
  switch (suite) {
    case CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256:
      return "AES128-GCM-SHA256";
    case CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384:
      return "AES256-GCM-SHA384";
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
      return "ECDHE-ECDSA-AES128-GCM-SHA256";
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
      return "ECDHE-ECDSA-AES256-GCM-SHA384";
    case CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
      return "ECDHE-RSA-AES128-GCM-SHA256";
    case CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
      return "ECDHE-RSA-AES256-GCM-SHA384";
    default:
      return nullptr;
  }
}

class LibsslContext;

class LibsslSession final : public NativeSession {
 public:
  LibsslSession(const LibsslContext* owner, UniquePtr<SSL_SESSION> session)
      : owner_(owner), session_(std::move(session)) {}
  const LibsslContext* owner() const { return owner_; }
  SSL_SESSION* get() const { return session_.get(); }

 private:
  const LibsslContext* owner_;
  UniquePtr<SSL_SESSION> session_;
};

class LibsslConnection final : public NativeConnection {
 public:
  LibsslConnection(const LibsslContext& context, UniquePtr<SSL> ssl, BIO* read_bio, BIO* write_bio)
      : context_(context), ssl_(std::move(ssl)), read_bio_(read_bio), write_bio_(write_bio) {
    SSL_set_app_data(ssl_.get(), this);
  }
  ~LibsslConnection() override;

  // A connection that fails its first call with this reason.
  void set_pending_error(std::string error) {
    failed_ = true;
    error_ = std::move(error);
  }

  void set_event_log(NativeEventLog* log) override {
    event_log_ = log;
    // Only a logging connection pays for the callback.
    SSL_set_msg_callback(ssl_.get(), log != nullptr ? on_message : nullptr);
  }
  Status handshake(ByteView in, Bytes* out) override;
  bool write(ByteView plaintext, Bytes* out) override;
  bool read(ByteView in, Bytes* out_plaintext, Bytes* out) override;
  bool close(Bytes* out) override;
  std::string error() const override { return error_; }
  FailureKind error_kind() const override { return error_kind_; }
  bool resumed() const override { return SSL_session_reused(ssl_.get()) == 1; }
  uint16_t negotiated_cipher_suite() const override {
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_.get());
    return cipher == nullptr ? 0 : SSL_CIPHER_get_protocol_id(cipher);
  }
  uint16_t negotiated_group() const override { return compat::NegotiatedGroup(ssl_.get()); }
  std::unique_ptr<NativeSession> session() const override;
  Bytes peer_leaf_der() const override;

  // SSL_CTX_set_info_callback: remembers the last alert sent or received,
  // for error().
  static void on_info(const SSL* ssl, int where, int value);
  // SSL_set_msg_callback: appends handshake messages and ChangeCipherSpec
  // records to the event log, timed.
  static void on_message(int write_p, int version, int content_type, const void* buf, size_t len,
                         SSL* ssl, void* arg);
  // SSL_CTX_sess_set_new_cb: keeps the newest resumable session.
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

 private:
  bool feed(ByteView in);
  bool drain(Bytes* out);
  // Records why the call failed (the library's error queue, the certificate
  // verification result and the last alert), then returns false.
  bool fail(std::string_view what, int ssl_error);
  bool suite_allowed() const;

  const LibsslContext& context_;
  UniquePtr<SSL> ssl_;
  BIO* read_bio_;   // owned by ssl_
  BIO* write_bio_;  // owned by ssl_
  UniquePtr<SSL_SESSION> newest_session_;
  NativeEventLog* event_log_ = nullptr;
  std::string last_alert_;
  std::string error_;
  FailureKind error_kind_ = FailureKind::failed;
  bool failed_ = false;
};

class LibsslContext final : public NativeContext {
 public:
  LibsslContext(UniquePtr<SSL_CTX> ctx, const NativeConfig& config)
      : ctx_(std::move(ctx)),
        server_(config.server),
        version_(config.version),
        tickets_(config.tickets),
        cipher_suites_(config.cipher_suites),
        hostname_(config.hostname) {}

  std::unique_ptr<NativeConnection> new_connection(const NativeSession* resume) override;

  bool server() const { return server_; }
  TlsVersion version() const { return version_; }
  bool tickets() const { return tickets_; }
  const std::vector<CipherSuite>& cipher_suites() const { return cipher_suites_; }

 private:
  UniquePtr<SSL_CTX> ctx_;
  bool server_;
  TlsVersion version_;
  bool tickets_;
  std::vector<CipherSuite> cipher_suites_;
  std::string hostname_;
};

// --- Context setup ---

bool set_cipher_suites(SSL_CTX* ctx, const NativeConfig& config, Failure* out_failure) {
  std::string* out_error = &out_failure->reason;
  if (config.cipher_suites.empty()) {
    *out_error = "no cipher suites configured";
    return false;
  }
  std::string list;
  for (CipherSuite suite : config.cipher_suites) {
    const CipherSuiteInfo* info = cipher_suite_info(suite);
    if (info == nullptr) {
      *out_error = "unknown cipher suite " + std::to_string(static_cast<unsigned>(suite));
      return false;
    }
    if (info->version != config.version) {
      *out_error = std::string(info->name) + " is not a TLS " + std::string(name(config.version)) +
                   " cipher suite";
      return false;
    }
    if (!list.empty()) list += ':';
    list += config.version == TlsVersion::tls12 ? std::string(tls12_cipher_name(suite))
                                                : std::string(info->name);
  }
  if (config.version == TlsVersion::tls12) {
    if (compat::SetTls12CipherList(ctx, list.c_str()) != 1) {
      return fail_config(out_error, kLibraryName + std::string(" refused the cipher list ") + list);
    }
  } else {
    // When not configurable, enforced after each handshake (see the top of
    // this file).
    if (!compat::kTls13CipherSuitesConfigurable) return true;
    if (compat::SetTls13CipherSuites(ctx, list.c_str()) != 1) {
      return fail_config(out_error,
                         kLibraryName + std::string(" refused the TLS 1.3 cipher suites ") + list);
    }
  }
  // set_cipher_list succeeds when any one name matches: check each.
  const STACK_OF(SSL_CIPHER)* enabled = SSL_CTX_get_ciphers(ctx);
  for (CipherSuite suite : config.cipher_suites) {
    bool found = false;
    // The count is an int in OpenSSL and a size_t in BoringSSL.
    using Index = decltype(sk_SSL_CIPHER_num(enabled));
    for (Index i = 0; enabled != nullptr && i < sk_SSL_CIPHER_num(enabled); i++) {
      if (SSL_CIPHER_get_protocol_id(sk_SSL_CIPHER_value(enabled, i)) ==
          static_cast<uint16_t>(suite)) {
        found = true;
        break;
      }
    }
    if (!found) {
      out_failure->kind = FailureKind::unsupported;
      *out_error =
          std::string(kLibraryName) + " lacks " + std::string(cipher_suite_info(suite)->name);
      return false;
    }
  }
  return true;
}

bool set_groups(SSL_CTX* ctx, const NativeConfig& config, Failure* out_failure) {
  std::string* out_error = &out_failure->reason;
  if (config.groups.empty()) return true;
  std::vector<int> nids;
  for (Group group : config.groups) {
    int nid = GroupNid(group);
    if (nid == NID_undef && is_kem(group)) {
      out_failure->kind = FailureKind::unsupported;
      *out_error = std::string(kLibraryName) + "'s libssl here lacks " + std::string(name(group));
      return false;
    }
    if (nid == NID_undef) {
      *out_error = "unknown group " + std::to_string(static_cast<unsigned>(group));
      return false;
    }
    nids.push_back(nid);
  }
  if (compat::SetGroups(ctx, nids) != 1) {
    return fail_config(out_error, std::string(kLibraryName) + " refused the groups");
  }
  return true;
}

bool set_signature_schemes(SSL_CTX* ctx, const NativeConfig& config, std::string* out_error) {
  if (config.signature_schemes.empty()) return true;
  std::string list;
  for (SignatureScheme scheme : config.signature_schemes) {
    if (!list.empty()) list += ':';
    list += name(scheme);
  }
  if (compat::SetSignatureSchemes(ctx, config.signature_schemes, list) != 1) {
    return fail_config(out_error,
                       kLibraryName + std::string(" refused the signature schemes ") + list);
  }
  return true;
}

// The chain (leaf first) and key a side presents: a server's, or a mutual
// TLS client's.
bool set_credentials(SSL_CTX* ctx, const std::vector<ByteView>& chain_der, ByteView private_key,
                     const char* who, std::string* out_error) {
  for (size_t i = 0; i < chain_der.size(); i++) {
    UniquePtr<X509> cert = ParseCertificate(chain_der[i]);
    if (cert == nullptr) {
      return fail_config(out_error,
                         "certificate " + std::to_string(i) + " of the chain is not DER");
    }
    // The leaf, then each intermediate as it is sent (add1 takes a reference).
    int ok = i == 0 ? SSL_CTX_use_certificate(ctx, cert.get())
                    : static_cast<int>(SSL_CTX_add1_chain_cert(ctx, cert.get()));
    if (ok != 1) {
      return fail_config(out_error,
                         std::string(kLibraryName) + " refused certificate " + std::to_string(i));
    }
  }
  UniquePtr<EVP_PKEY> key = ParsePrivateKey(private_key, nullptr);
  if (key == nullptr) {
    return fail_config(out_error, std::string("cannot read the ") + who + "'s private key");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) {
    return fail_config(out_error, std::string(kLibraryName) + " refused the private key");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return fail_config(out_error, "the private key does not match the leaf certificate");
  }
  return true;
}

bool set_server_credentials(SSL_CTX* ctx, const NativeConfig& config, std::string* out_error) {
  if (!set_credentials(ctx, config.chain_der, config.private_key, "server", out_error)) {
    return false;
  }
  if (!config.require_client_certificate) return true;
  // Mutual TLS: the client's chain verifies against the client roots alone,
  // for client authentication (libssl's purpose on a server), and a client
  // without one fails the handshake. No CA names are sent.
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (size_t i = 0; i < config.client_roots_der.size(); i++) {
    UniquePtr<X509> root = ParseCertificate(config.client_roots_der[i]);
    if (root == nullptr) {
      return fail_config(out_error, "client trust anchor " + std::to_string(i) + " is not DER");
    }
    if (!AddTrustAnchor(store, root.get())) {
      return fail_config(out_error, "cannot add client trust anchor " + std::to_string(i));
    }
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // A session that verified a client may only resume where the same
  // context verifies clients: libssl refuses to resume without an id.
  static constexpr unsigned char kSessionContext[] = "hsbench mtls";
  if (SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1) != 1) {
    return fail_config(out_error, "cannot set the session id context");
  }
  return true;
}

bool set_client_trust(SSL_CTX* ctx, const NativeConfig& config, std::string* out_error) {
  // The context's own store starts empty: no system roots are loaded.
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (size_t i = 0; i < config.roots_der.size(); i++) {
    UniquePtr<X509> root = ParseCertificate(config.roots_der[i]);
    if (root == nullptr) {
      return fail_config(out_error, "trust anchor " + std::to_string(i) + " is not DER");
    }
    if (!AddTrustAnchor(store, root.get())) {
      return fail_config(out_error, "cannot add trust anchor " + std::to_string(i));
    }
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!config.client_chain_der.empty() &&
      !set_credentials(ctx, config.client_chain_der, config.client_private_key, "client",
                       out_error)) {
    return false;
  }
  return true;
}

void set_session_policy(SSL_CTX* ctx, const NativeConfig& config) {
  // Each library sends 2 TLS 1.3 tickets by default; one is all a
  // resumption needs.
  SSL_CTX_set_num_tickets(ctx, config.tickets ? 1 : 0);
  if (config.server || !config.tickets) {
    // A server resumes from tickets alone (stateless), never from a cache.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return;
  }
  // A client cache only enables the new-session callback; the library
  // stores nothing itself.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(ctx, LibsslConnection::on_new_session);
}

// --- Connections ---

std::unique_ptr<NativeConnection> LibsslContext::new_connection(const NativeSession* resume) {
  ERR_clear_error();
  UniquePtr<SSL> ssl(SSL_new(ctx_.get()));
  if (ssl == nullptr) return nullptr;
  BIO* read_bio = BIO_new(BIO_s_mem());
  BIO* write_bio = BIO_new(BIO_s_mem());
  if (read_bio == nullptr || write_bio == nullptr) {
    BIO_free(read_bio);
    BIO_free(write_bio);
    return nullptr;
  }
  // An empty memory BIO reads as "retry later" (its default EOF return of
  // -1), so the library asks for more input instead of seeing the end.
  SSL_set_bio(ssl.get(), read_bio, write_bio);  // takes both
  std::string pending_error;
  if (server_) {
    SSL_set_accept_state(ssl.get());
  } else {
    SSL_set_connect_state(ssl.get());
    if (!hostname_.empty() && (SSL_set_tlsext_host_name(ssl.get(), hostname_.c_str()) != 1 ||
                               SSL_set1_host(ssl.get(), hostname_.c_str()) != 1)) {
      pending_error = "cannot set the host name: " + TakeError();
    }
  }
  if (resume != nullptr && pending_error.empty()) {
    // Sessions of another backend are of another type (each plugin has its
    // own LibsslSession), so this also refuses those.
    const auto* session = dynamic_cast<const LibsslSession*>(resume);
    if (server_ || session == nullptr || session->owner() != this) {
      pending_error = "the session to resume is not from this client context";
    } else if (SSL_set_session(ssl.get(), session->get()) != 1) {
      pending_error = std::string(kLibraryName) + " refused the session to resume: " + TakeError();
    }
  }
  auto connection = std::make_unique<LibsslConnection>(*this, std::move(ssl), read_bio, write_bio);
  if (!pending_error.empty()) connection->set_pending_error(std::move(pending_error));
  return connection;
}

LibsslConnection::~LibsslConnection() {
  // No callback may reach this object while ssl_ is being freed.
  SSL_set_app_data(ssl_.get(), nullptr);
  // OpenSSL marks the session of a connection freed without a shutdown
  // not resumable, and the sessions handed out by session() are that same
  // object. Dropping a connection that did not fail is a clean end here (the
  // scenario sends no close_notify), so say the shutdown happened. BoringSSL
  // never changes a session after the fact; this is harmless there.
  if (!failed_) SSL_set_shutdown(ssl_.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

bool LibsslConnection::feed(ByteView in) {
  while (!in.empty()) {
    int chunk = static_cast<int>(std::min<size_t>(in.size(), INT_MAX));
    if (BIO_write(read_bio_, in.data(), chunk) != chunk) return false;
    in = in.subspan(static_cast<size_t>(chunk));
  }
  return true;
}

bool LibsslConnection::drain(Bytes* out) {
  for (size_t pending; (pending = BIO_ctrl_pending(write_bio_)) > 0;) {
    size_t chunk = std::min<size_t>(pending, INT_MAX);
    size_t old_size = out->size();
    out->resize(old_size + chunk);
    int n = BIO_read(write_bio_, out->data() + old_size, static_cast<int>(chunk));
    out->resize(old_size + static_cast<size_t>(std::max(n, 0)));
    if (n <= 0) return false;
  }
  return true;
}

bool LibsslConnection::fail(std::string_view what, int ssl_error) {
  failed_ = true;
  std::string line(what);
  unsigned long code = ERR_peek_error();
  std::string detail = TakeError();
  if (!detail.empty()) {
    line += ": " + detail;
  } else if (ssl_error == SSL_ERROR_ZERO_RETURN) {
    line += ": the peer closed the connection";
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    line += ": the transport failed";
  } else if (ssl_error != SSL_ERROR_NONE) {
    line += ": SSL_get_error " + std::to_string(ssl_error);
  }
  if (!context_.server() && ERR_GET_LIB(code) == ERR_LIB_SSL &&
      ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
    line += " (";
    line += X509_verify_cert_error_string(SSL_get_verify_result(ssl_.get()));
    line += ")";
  }
  if (!last_alert_.empty()) line += "; " + last_alert_;
  error_ = std::move(line);
  return false;
}

bool LibsslConnection::suite_allowed() const {
  const std::vector<CipherSuite>& allowed = context_.cipher_suites();
  uint16_t negotiated = negotiated_cipher_suite();
  return std::any_of(allowed.begin(), allowed.end(), [negotiated](CipherSuite suite) {
    return static_cast<uint16_t>(suite) == negotiated;
  });
}

NativeConnection::Status LibsslConnection::handshake(ByteView in, Bytes* out) {
  if (failed_) return Status::failed;
  ERR_clear_error();
  if (!feed(in)) {
    fail("cannot buffer the peer's bytes", SSL_ERROR_NONE);
    return Status::failed;
  }
  int rc = SSL_do_handshake(ssl_.get());
  int ssl_error = rc == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), rc);
  // Also the alert the library sends when it fails.
  if (!drain(out)) {
    fail("cannot collect the bytes for the peer", SSL_ERROR_NONE);
    return Status::failed;
  }
  if (rc == 1) {
    if (!suite_allowed()) {
      const CipherSuiteInfo* info = cipher_suite_info(negotiated_cipher_suite());
      fail(std::string(kLibraryName) + " negotiated " +
               (info != nullptr ? std::string(info->name)
                                : std::to_string(negotiated_cipher_suite())) +
               ", which the config does not list" +
               (!compat::kTls13CipherSuitesConfigurable && context_.version() == TlsVersion::tls13
                    ? " (unsupported: " + std::string(kLibraryName) +
                          "'s TLS 1.3 cipher suites cannot be configured)"
                    : ""),
           SSL_ERROR_NONE);
      if (!compat::kTls13CipherSuitesConfigurable && context_.version() == TlsVersion::tls13) {
        error_kind_ = FailureKind::unsupported;
      }
      return Status::failed;
    }
    return Status::established;
  }
  if (ssl_error == SSL_ERROR_WANT_READ) return Status::in_progress;
  fail("handshake failed", ssl_error);
  return Status::failed;
}

bool LibsslConnection::write(ByteView plaintext, Bytes* out) {
  if (failed_) return false;
  ERR_clear_error();
  // SSL_write would otherwise start or continue the handshake itself.
  if (SSL_is_init_finished(ssl_.get()) != 1) {
    return fail("write before the handshake completed", SSL_ERROR_NONE);
  }
  while (!plaintext.empty()) {
    int chunk = static_cast<int>(std::min<size_t>(plaintext.size(), INT_MAX));
    // Without SSL_MODE_ENABLE_PARTIAL_WRITE, all of chunk or an error; a
    // memory BIO never pushes back.
    int n = SSL_write(ssl_.get(), plaintext.data(), chunk);
    if (n != chunk) {
      int ssl_error = SSL_get_error(ssl_.get(), n);
      drain(out);
      return fail("write failed", ssl_error);
    }
    plaintext = plaintext.subspan(static_cast<size_t>(chunk));
  }
  if (!drain(out)) return fail("cannot collect the bytes for the peer", SSL_ERROR_NONE);
  return true;
}

bool LibsslConnection::read(ByteView in, Bytes* out_plaintext, Bytes* out) {
  if (failed_) return false;
  ERR_clear_error();
  if (SSL_is_init_finished(ssl_.get()) != 1) {
    return fail("read before the handshake completed", SSL_ERROR_NONE);
  }
  if (!feed(in)) return fail("cannot buffer the peer's bytes", SSL_ERROR_NONE);
  uint8_t buffer[16384];  // one record's worth of plaintext (RFC 8446 5.1)
  for (;;) {
    int n = SSL_read(ssl_.get(), buffer, sizeof(buffer));
    if (n > 0) {
      out_plaintext->insert(out_plaintext->end(), buffer, buffer + n);
      continue;
    }
    int ssl_error = SSL_get_error(ssl_.get(), n);
    // WANT_READ: every complete record is consumed. ZERO_RETURN: the peer
    // sent close_notify, which ends the data without being an error.
    if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_ZERO_RETURN) break;
    drain(out);
    return fail("read failed", ssl_error);
  }
  // Whatever the records asked the library to send (a KeyUpdate's answer, an
  // alert); usually nothing.
  if (!drain(out)) return fail("cannot collect the bytes for the peer", SSL_ERROR_NONE);
  return true;
}

bool LibsslConnection::close(Bytes* out) {
  if (failed_ || SSL_is_init_finished(ssl_.get()) != 1) return false;
  ERR_clear_error();
  // 0: close_notify sent, the peer's not yet seen, which is all a closing
  // side waits for here.
  if (SSL_shutdown(ssl_.get()) < 0) return fail("shutdown failed", SSL_ERROR_NONE);
  return drain(out);
}

std::unique_ptr<NativeSession> LibsslConnection::session() const {
  if (context_.server() || !context_.tickets()) return nullptr;
  UniquePtr<SSL_SESSION> session;
  if (newest_session_ != nullptr) {
    SSL_SESSION_up_ref(newest_session_.get());
    session.reset(newest_session_.get());
  } else if (context_.version() == TlsVersion::tls12 && SSL_session_reused(ssl_.get()) == 1) {
    // A TLS 1.2 resumption without a renewed ticket calls no new-session
    // callback; the session it resumed stays resumable.
    session.reset(SSL_get1_session(ssl_.get()));
  }
  if (session == nullptr || SSL_SESSION_is_resumable(session.get()) != 1) return nullptr;
  return std::make_unique<LibsslSession>(&context_, std::move(session));
}

Bytes LibsslConnection::peer_leaf_der() const {
  // A new reference in both libraries (OpenSSL 3 names it
  // SSL_get1_peer_certificate).
  UniquePtr<X509> leaf(SSL_get_peer_certificate(ssl_.get()));
  if (leaf == nullptr) return {};
  const int length = i2d_X509(leaf.get(), nullptr);
  if (length <= 0) return {};
  Bytes der(static_cast<size_t>(length));
  uint8_t* p = der.data();
  if (i2d_X509(leaf.get(), &p) != length) return {};
  return der;
}

void LibsslConnection::on_info(const SSL* ssl, int where, int value) {
  if ((where & SSL_CB_ALERT) == 0) return;
  auto* connection = static_cast<LibsslConnection*>(SSL_get_app_data(ssl));
  if (connection == nullptr) return;
  connection->last_alert_ = std::string((where & SSL_CB_READ) != 0 ? "received " : "sent ") +
                            SSL_alert_type_string_long(value) + " alert " +
                            SSL_alert_desc_string_long(value);
}

void LibsslConnection::on_message(int write_p, int version, int content_type, const void* buf,
                                  size_t len, SSL* ssl, void* arg) {
  (void)version;
  (void)arg;
  constexpr int kChangeCipherSpec = 20, kHandshake = 22;
  if (content_type != kChangeCipherSpec && content_type != kHandshake) return;
  const auto now = std::chrono::steady_clock::now();
  auto* connection = static_cast<LibsslConnection*>(SSL_get_app_data(ssl));
  if (connection == nullptr || connection->event_log_ == nullptr) return;
  NativeEvent e;
  e.ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  e.content_type = static_cast<uint8_t>(content_type);
  e.sent = write_p != 0;
  if (content_type == kHandshake) {
    const auto* bytes = static_cast<const uint8_t*>(buf);
    if (len < 1) return;
    e.handshake_type = bytes[0];
    // A HelloRetryRequest is a ServerHello whose random is this constant
    // (RFC 8446 4.1.3): type(1) length(3) legacy_version(2) random(32).
    static constexpr uint8_t kHrrRandom[32] = {0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
                                               0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
                                               0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
                                               0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
    constexpr size_t kRandomOffset = 6;
    if (e.handshake_type == 2 && len >= kRandomOffset + sizeof(kHrrRandom) &&
        std::memcmp(bytes + kRandomOffset, kHrrRandom, sizeof(kHrrRandom)) == 0) {
      e.handshake_type = kHelloRetryRequestType;
    }
  }
  connection->event_log_->add(e);
}

int LibsslConnection::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* connection = static_cast<LibsslConnection*>(SSL_get_app_data(ssl));
  if (connection == nullptr) return 0;  // the library keeps its reference
  connection->newest_session_.reset(session);
  return 1;
}

}  // namespace

std::unique_ptr<NativeContext> MakeNativeContext(const NativeConfig& config, Failure* out_failure) {
  Failure ignored;
  if (out_failure == nullptr) out_failure = &ignored;
  std::string* out_error = &out_failure->reason;
  ERR_clear_error();
  if (config.version != TlsVersion::tls12 && config.version != TlsVersion::tls13) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%04x", static_cast<unsigned>(config.version));
    out_failure->kind = FailureKind::unsupported;
    *out_error = std::string("unsupported TLS version ") + hex;
    return nullptr;
  }
  // What the library does not implement at all (compat.h) is unsupported.
  if (!compat::NativeConfigSupported(config, out_error)) {
    out_failure->kind = FailureKind::unsupported;
    return nullptr;
  }
  UniquePtr<SSL_CTX> ctx(SSL_CTX_new(TLS_method()));
  if (ctx == nullptr) {
    fail_config(out_error, "cannot make an SSL_CTX");
    return nullptr;
  }
  const auto version = static_cast<uint16_t>(config.version);  // TLS1_2_VERSION, TLS1_3_VERSION
  if (SSL_CTX_set_min_proto_version(ctx.get(), version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), version) != 1) {
    fail_config(out_error,
                std::string(kLibraryName) + " refused TLS " + std::string(name(config.version)));
    return nullptr;
  }
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                     (config.tickets ? 0 : SSL_OP_NO_TICKET) |
                                     (config.server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
  compat::SetNativeOptions(ctx.get(), config);
  if (!set_cipher_suites(ctx.get(), config, out_failure) ||
      !set_groups(ctx.get(), config, out_failure) ||
      !set_signature_schemes(ctx.get(), config, out_error) ||
      !has_native_credentials(config, out_error) ||
      !(config.server ? set_server_credentials(ctx.get(), config, out_error)
                      : set_client_trust(ctx.get(), config, out_error))) {
    return nullptr;
  }
  set_session_policy(ctx.get(), config);
  SSL_CTX_set_info_callback(ctx.get(), LibsslConnection::on_info);
  return std::make_unique<LibsslContext>(std::move(ctx), config);
}

}  // namespace hsbench::libcrypto
