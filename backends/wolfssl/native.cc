// wolfSSL's own TLS stack over memory: one WOLFSSL_CTX per NativeConfig,
// one WOLFSSL per connection, its records passed through I/O callbacks that
// read from the bytes handed to the call and append to the caller's output.
//
// What a config asks for, and what wolfSSL does with it:
//
//  - Version: the fixed-version methods (wolfTLSv1_2_*_method,
//    wolfTLSv1_3_*_method), so nothing else is offered or accepted.
//  - Cipher suites: wolfSSL's names, in config order; the server prefers
//    its own order (wolfSSL's default). Each suite is tried alone first, so
//    one the build lacks is reported as unsupported: Debian's build has no
//    TLS 1.2 RSA key transport (TLS_RSA_WITH_AES_*_GCM_*: it is not built
//    with WOLFSSL_STATIC_RSA).
//  - Groups: wolfSSL_CTX_set_groups for TLS 1.3 (the client's key share is
//    for the first); wolfSSL_CTX_UseSupportedCurve, in order, for TLS 1.2,
//    where set_groups has no effect.
//  - Signature schemes: wolfSSL_CTX_set1_sigalgs_list; empty keeps
//    wolfSSL's default.
//  - Tickets: when off, no TLS 1.2 or 1.3 tickets. When on, the server
//    issues one TLS 1.3 ticket (its default), sealed by wolfSSL's built-in
//    ticket key, and resumption is by ticket alone: no session cache on
//    either side; the client keeps wolfSSL_get1_session after the ticket
//    has been read (in TLS 1.3 it follows the handshake, so read() of the
//    first application data brings it).
//  - psk_ke: wolfSSL_CTX_no_dhe_psk on both sides, so a resumption uses
//    the PSK alone (RFC 8446 4.2.9).
//  - Events: wolfSSL's message callback (wolfSSL_set_msg_callback), as
//    Debian's 5.5.4 calls it: in TLS 1.2 for the handshake messages it
//    reads and the ChangeCipherSpec records it sends and reads, never for
//    a handshake message it writes, and in TLS 1.3 not at all. So native
//    wolfSSL steps hold what those boundaries allow (a TLS 1.3 handshake's
//    time is in the first application data steps); nothing is made up.
//
// Thread model: a context and its connections belong to one thread.
// First: wolfSSL's build options must precede its other headers.
// clang-format off
#include "wolf_util.h"
// clang-format on

#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfio.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hsbench::wolf {
namespace {

struct CtxDeleter {
  void operator()(WOLFSSL_CTX* ctx) const { wolfSSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(WOLFSSL* ssl) const { wolfSSL_free(ssl); }
};
struct SessionDeleter {
  void operator()(WOLFSSL_SESSION* s) const { wolfSSL_SESSION_free(s); }
};
using CtxPtr = std::unique_ptr<WOLFSSL_CTX, CtxDeleter>;
using SslPtr = std::unique_ptr<WOLFSSL, SslDeleter>;
using SessionPtr = std::unique_ptr<WOLFSSL_SESSION, SessionDeleter>;

// wolfSSL's names for the suites.
const char* suite_name(CipherSuite suite) {
  switch (suite) {
    case CipherSuite::TLS_AES_128_GCM_SHA256:
      return "TLS13-AES128-GCM-SHA256";
    case CipherSuite::TLS_AES_256_GCM_SHA384:
      return "TLS13-AES256-GCM-SHA384";
    case CipherSuite::TLS_CHACHA20_POLY1305_SHA256:
      return "TLS13-CHACHA20-POLY1305-SHA256";
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
  }
  return nullptr;
}

// wolfSSL's sigalgs names ("sig+hash").
const char* sigalg_name(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
      return "RSA+SHA256";
    case SignatureScheme::rsa_pkcs1_sha384:
      return "RSA+SHA384";
    case SignatureScheme::rsa_pss_rsae_sha256:
      return "RSA-PSS+SHA256";
    case SignatureScheme::rsa_pss_rsae_sha384:
      return "RSA-PSS+SHA384";
    case SignatureScheme::ecdsa_secp256r1_sha256:
      return "ECDSA+SHA256";
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return "ECDSA+SHA384";
    case SignatureScheme::ed25519:
      return "ED25519";
  }
  return nullptr;
}

std::string wolf_error(int code) {
  char buf[WOLFSSL_MAX_ERROR_SZ];
  wolfSSL_ERR_error_string_n(static_cast<unsigned long>(code), buf, sizeof(buf));
  return std::string(buf) + " (" + std::to_string(code) + ")";
}

// An alert's name; wolfSSL 5.5.4 names no alert newer than it knows
// (certificate_required, 116, is NULL to it): those by number.
std::string alert_name(int code) {
  const char* name = wolfSSL_alert_desc_string_long(code);
  return name != nullptr ? std::string(name) : std::to_string(code);
}

class WolfContext;

class WolfSession final : public NativeSession {
 public:
  WolfSession(const WolfContext* owner, SessionPtr session)
      : owner_(owner), session_(std::move(session)) {}
  const WolfContext* owner() const { return owner_; }
  WOLFSSL_SESSION* get() const { return session_.get(); }

 private:
  const WolfContext* owner_;
  SessionPtr session_;
};

class WolfConnection final : public NativeConnection {
 public:
  WolfConnection(const WolfContext& context, SslPtr ssl);
  ~WolfConnection() override {
    // No callback may reach this object while ssl_ is being freed.
    wolfSSL_SetIOReadCtx(ssl_.get(), nullptr);
    wolfSSL_SetIOWriteCtx(ssl_.get(), nullptr);
    wolfSSL_set_msg_callback_arg(ssl_.get(), nullptr);
  }

  void set_pending_error(std::string error) {
    failed_ = true;
    error_ = std::move(error);
  }

  void set_event_log(NativeEventLog* log) override {
    event_log_ = log;
    // Only a logging connection pays for the callback.
    wolfSSL_set_msg_callback(ssl_.get(), log != nullptr ? on_message : nullptr);
  }
  Status handshake(ByteView in, Bytes* out) override;
  bool write(ByteView plaintext, Bytes* out) override;
  bool read(ByteView in, Bytes* out_plaintext, Bytes* out) override;
  bool close(Bytes* out) override;
  std::string error() const override { return error_; }
  FailureKind error_kind() const override { return FailureKind::failed; }
  bool resumed() const override { return wolfSSL_session_reused(ssl_.get()) == 1; }
  Bytes peer_leaf_der() const override {
    // The peer's chain as it sent it (SESSION_CERTS), kept by the session:
    // nothing to free. A server: the client's, under mutual TLS.
    WOLFSSL_X509_CHAIN* chain = wolfSSL_get_peer_chain(ssl_.get());
    if (chain == nullptr || wolfSSL_get_chain_count(chain) < 1) return {};
    const unsigned char* der = wolfSSL_get_chain_cert(chain, 0);
    const int length = wolfSSL_get_chain_length(chain, 0);
    if (der == nullptr || length <= 0) return {};
    return Bytes(der, der + length);
  }
  uint16_t negotiated_cipher_suite() const override {
    int suite = wolfSSL_get_current_cipher_suite(ssl_.get());
    return suite < 0 ? 0 : static_cast<uint16_t>(suite);
  }
  std::unique_ptr<NativeSession> session() const override;

 private:
  static int on_recv(WOLFSSL* ssl, char* buf, int sz, void* ctx);
  static int on_send(WOLFSSL* ssl, char* buf, int sz, void* ctx);
  static void on_message(int write_p, int version, int content_type, const void* buf, size_t len,
                         WOLFSSL* ssl, void* arg);

  // Hands in to the library for one call and collects its output in out.
  void begin(ByteView in, Bytes* out) {
    in_ = in;
    out_ = out;
  }
  void end() {
    in_ = {};
    out_ = nullptr;
  }
  // Records why the call failed (wolfSSL's error and the last alert), then
  // returns false.
  bool fail(std::string_view what, int code);

  const WolfContext& context_;
  SslPtr ssl_;
  ByteView in_;
  Bytes* out_ = nullptr;
  // Bytes of the peer's a call did not consume, kept for the next call.
  Bytes pending_in_;
  NativeEventLog* event_log_ = nullptr;
  std::string error_;
  bool failed_ = false;
};

class WolfContext final : public NativeContext {
 public:
  WolfContext(CtxPtr ctx, const NativeConfig& config)
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
  CtxPtr ctx_;
  bool server_;
  TlsVersion version_;
  bool tickets_;
  std::vector<CipherSuite> cipher_suites_;
  std::string hostname_;
};

// --- Context setup ---

bool set_cipher_suites(WOLFSSL_CTX* ctx, const NativeConfig& config, Failure* out_failure) {
  std::string* out_error = &out_failure->reason;
  if (config.cipher_suites.empty()) {
    *out_error = "no cipher suites configured";
    return false;
  }
  std::string list;
  for (CipherSuite suite : config.cipher_suites) {
    const CipherSuiteInfo* info = cipher_suite_info(suite);
    if (info == nullptr || suite_name(suite) == nullptr) {
      *out_error = "unknown cipher suite " + std::to_string(static_cast<unsigned>(suite));
      return false;
    }
    if (info->version != config.version) {
      *out_error = std::string(info->name) + " is not a TLS " + std::string(name(config.version)) +
                   " cipher suite";
      return false;
    }
    // The list is taken when any one name matches: try each alone.
    if (wolfSSL_CTX_set_cipher_list(ctx, suite_name(suite)) != WOLFSSL_SUCCESS) {
      out_failure->kind = FailureKind::unsupported;
      *out_error = "wolfSSL lacks " + std::string(info->name) + " (not in this build)";
      return false;
    }
    if (!list.empty()) list += ':';
    list += suite_name(suite);
  }
  if (wolfSSL_CTX_set_cipher_list(ctx, list.c_str()) != WOLFSSL_SUCCESS) {
    *out_error = "wolfSSL refused the cipher list " + list;
    return false;
  }
  return true;
}

bool set_groups(WOLFSSL_CTX* ctx, const NativeConfig& config, std::string* out_error) {
  if (config.groups.empty()) return true;
  std::vector<int> ids;
  for (Group group : config.groups) {
    if (!IsKnown(group)) {
      *out_error = "unknown group " + std::to_string(static_cast<unsigned>(group));
      return false;
    }
    ids.push_back(static_cast<int>(group));  // wolfSSL's ids are IANA's
  }
  if (config.version == TlsVersion::tls13) {
    if (wolfSSL_CTX_set_groups(ctx, ids.data(), static_cast<int>(ids.size())) != WOLFSSL_SUCCESS) {
      *out_error = "wolfSSL refused the groups";
      return false;
    }
    return true;
  }
  for (int id : ids) {
    if (wolfSSL_CTX_UseSupportedCurve(ctx, static_cast<word16>(id)) != WOLFSSL_SUCCESS) {
      *out_error = "wolfSSL refused group " + std::to_string(id);
      return false;
    }
  }
  return true;
}

bool set_signature_schemes(WOLFSSL_CTX* ctx, const NativeConfig& config, std::string* out_error) {
  if (config.signature_schemes.empty()) return true;
  std::string list;
  for (SignatureScheme scheme : config.signature_schemes) {
    const char* n = sigalg_name(scheme);
    if (n == nullptr) {
      *out_error = "unknown signature scheme " + std::to_string(static_cast<unsigned>(scheme));
      return false;
    }
    if (!list.empty()) list += ':';
    list += n;
  }
  if (wolfSSL_CTX_set1_sigalgs_list(ctx, list.c_str()) != WOLFSSL_SUCCESS) {
    *out_error = "wolfSSL refused the signature schemes " + list;
    return false;
  }
  return true;
}

// The chain (leaf first) and key one side presents: the server's, or a
// mutual TLS client's (who: "server" or "client").
bool set_chain_and_key(WOLFSSL_CTX* ctx, const std::vector<ByteView>& chain_der,
                       ByteView private_key, std::string_view who, std::string* out_error) {
  const std::string whose = std::string(who) + "'s";
  // wolfSSL takes a chain (leaf first) only as PEM.
  std::string pem;
  for (size_t i = 0; i < chain_der.size(); i++) {
    ByteView der = chain_der[i];
    ParsedCertificate parsed;
    if (!ParseCertificate(der, &parsed)) {
      *out_error = "certificate " + std::to_string(i) + " of the " + whose + " chain is not DER";
      return false;
    }
    std::vector<byte> block(der.size() * 2 + 128);
    int n = wc_DerToPem(der.data(), W32(der.size()), block.data(), W32(block.size()), CERT_TYPE);
    if (n <= 0) {
      *out_error = ErrorLine("cannot encode certificate " + std::to_string(i), n);
      return false;
    }
    pem.append(reinterpret_cast<const char*>(block.data()), static_cast<size_t>(n));
  }
  int rc = wolfSSL_CTX_use_certificate_chain_buffer(
      ctx, reinterpret_cast<const unsigned char*>(pem.data()), static_cast<long>(pem.size()));
  if (rc != WOLFSSL_SUCCESS) {
    *out_error = "wolfSSL refused the " + whose + " certificate chain: " + wolf_error(rc);
    return false;
  }
  std::string_view text(reinterpret_cast<const char*>(private_key.data()), private_key.size());
  const int format = text.find("-----BEGIN") != std::string_view::npos ? WOLFSSL_FILETYPE_PEM
                                                                       : WOLFSSL_FILETYPE_ASN1;
  rc = wolfSSL_CTX_use_PrivateKey_buffer(ctx, private_key.data(),
                                         static_cast<long>(private_key.size()), format);
  if (rc != WOLFSSL_SUCCESS) {
    *out_error = "wolfSSL refused the " + whose + " private key: " + wolf_error(rc);
    return false;
  }
  if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
    *out_error = "the " + whose + " private key does not match its leaf certificate";
    return false;
  }
  return true;
}

// Trust anchors into the context's own store, which starts empty: no
// system roots are loaded (what: "trust anchor" or "client root").
bool load_roots(WOLFSSL_CTX* ctx, const std::vector<ByteView>& roots_der, std::string_view what,
                std::string* out_error) {
  for (size_t i = 0; i < roots_der.size(); i++) {
    ByteView root = roots_der[i];
    int rc = wolfSSL_CTX_load_verify_buffer(ctx, root.data(), static_cast<long>(root.size()),
                                            WOLFSSL_FILETYPE_ASN1);
    if (rc != WOLFSSL_SUCCESS) {
      *out_error = "cannot add " + std::string(what) + " " + std::to_string(i) + ": " +
                   wolf_error(rc);
      return false;
    }
  }
  return true;
}

bool set_server_credentials(WOLFSSL_CTX* ctx, const NativeConfig& config, std::string* out_error) {
  if (!set_chain_and_key(ctx, config.chain_der, config.private_key, "server", out_error)) {
    return false;
  }
  if (!config.require_client_certificate) return true;
  // Mutual TLS: a CertificateRequest, a handshake without a client
  // certificate refused, the client's chain verified against the client
  // roots.
  if (!load_roots(ctx, config.client_roots_der, "client root", out_error)) return false;
  wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return true;
}

bool set_client_credentials(WOLFSSL_CTX* ctx, const NativeConfig& config,
                            std::string* out_error) {
  if (!load_roots(ctx, config.roots_der, "trust anchor", out_error)) return false;
  wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, nullptr);
  // Mutual TLS: what the client answers a CertificateRequest with.
  return config.client_chain_der.empty() ||
         set_chain_and_key(ctx, config.client_chain_der, config.client_private_key, "client",
                           out_error);
}

bool set_session_policy(WOLFSSL_CTX* ctx, const NativeConfig& config, std::string* out_error) {
  // Resumption is by ticket alone, never from a session cache.
  wolfSSL_CTX_set_session_cache_mode(ctx, WOLFSSL_SESS_CACHE_OFF);
  if (!config.tickets) {
    if (wolfSSL_CTX_NoTicketTLSv12(ctx) != WOLFSSL_SUCCESS ||
        // A server-side call; a client that keeps no session resumes none.
        (config.version == TlsVersion::tls13 && config.server &&
         wolfSSL_CTX_no_ticket_TLSv13(ctx) != 0)) {
      *out_error = "wolfSSL cannot turn tickets off";
      return false;
    }
    return true;
  }
  if (config.version == TlsVersion::tls12 && !config.server &&
      wolfSSL_CTX_UseSessionTicket(ctx) != WOLFSSL_SUCCESS) {
    *out_error = "wolfSSL cannot ask for session tickets";
    return false;
  }
  // The TLS 1.3 calls return 0 on success.
  if (config.psk_ke && wolfSSL_CTX_no_dhe_psk(ctx) != 0) {
    *out_error = "wolfSSL cannot resume without (EC)DHE";
    return false;
  }
  return true;
}

// --- Connections ---

WolfConnection::WolfConnection(const WolfContext& context, SslPtr ssl)
    : context_(context), ssl_(std::move(ssl)) {
  wolfSSL_SSLSetIORecv(ssl_.get(), on_recv);
  wolfSSL_SSLSetIOSend(ssl_.get(), on_send);
  wolfSSL_SetIOReadCtx(ssl_.get(), this);
  wolfSSL_SetIOWriteCtx(ssl_.get(), this);
  wolfSSL_set_msg_callback_arg(ssl_.get(), this);
}

std::unique_ptr<NativeConnection> WolfContext::new_connection(const NativeSession* resume) {
  SslPtr ssl(wolfSSL_new(ctx_.get()));
  if (ssl == nullptr) return nullptr;
  std::string pending_error;
  if (!server_ && !hostname_.empty()) {
    // SNI, and the leaf checked against the name.
    if (wolfSSL_UseSNI(ssl.get(), WOLFSSL_SNI_HOST_NAME, hostname_.data(),
                       static_cast<word16>(hostname_.size())) != WOLFSSL_SUCCESS ||
        wolfSSL_check_domain_name(ssl.get(), hostname_.c_str()) != WOLFSSL_SUCCESS) {
      pending_error = "cannot set the host name";
    }
  }
  if (resume != nullptr && pending_error.empty()) {
    // Sessions of another backend are of another type, so this also
    // refuses those.
    const auto* session = dynamic_cast<const WolfSession*>(resume);
    if (server_ || session == nullptr || session->owner() != this) {
      pending_error = "the session to resume is not from this client context";
    } else if (wolfSSL_set_session(ssl.get(), session->get()) != WOLFSSL_SUCCESS) {
      pending_error = "wolfSSL refused the session to resume";
    }
  }
  auto connection = std::make_unique<WolfConnection>(*this, std::move(ssl));
  if (!pending_error.empty()) connection->set_pending_error(std::move(pending_error));
  return connection;
}

int WolfConnection::on_recv(WOLFSSL*, char* buf, int sz, void* ctx) {
  auto* self = static_cast<WolfConnection*>(ctx);
  if (self == nullptr || sz <= 0) return WOLFSSL_CBIO_ERR_GENERAL;
  // Bytes left from an earlier call first, then this call's.
  if (!self->pending_in_.empty()) {
    size_t n = std::min<size_t>(self->pending_in_.size(), static_cast<size_t>(sz));
    std::memcpy(buf, self->pending_in_.data(), n);
    self->pending_in_.erase(self->pending_in_.begin(),
                            self->pending_in_.begin() + static_cast<std::ptrdiff_t>(n));
    return static_cast<int>(n);
  }
  if (self->in_.empty()) return WOLFSSL_CBIO_ERR_WANT_READ;
  size_t n = std::min<size_t>(self->in_.size(), static_cast<size_t>(sz));
  std::memcpy(buf, self->in_.data(), n);
  self->in_ = self->in_.subspan(n);
  return static_cast<int>(n);
}

int WolfConnection::on_send(WOLFSSL*, char* buf, int sz, void* ctx) {
  auto* self = static_cast<WolfConnection*>(ctx);
  if (self == nullptr || self->out_ == nullptr || sz < 0) return WOLFSSL_CBIO_ERR_GENERAL;
  self->out_->insert(self->out_->end(), buf, buf + sz);
  return sz;
}

void WolfConnection::on_message(int write_p, int version, int content_type, const void* buf,
                                size_t len, WOLFSSL* ssl, void* arg) {
  (void)version;
  (void)ssl;
  constexpr int kChangeCipherSpec = 20, kHandshake = 22;
  if (content_type != kChangeCipherSpec && content_type != kHandshake) return;
  const auto now = std::chrono::steady_clock::now();
  auto* self = static_cast<WolfConnection*>(arg);
  if (self == nullptr || self->event_log_ == nullptr) return;
  NativeEvent e;
  e.ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  e.content_type = static_cast<uint8_t>(content_type);
  e.sent = write_p != 0;
  if (content_type == kHandshake) {
    const auto* bytes = static_cast<const uint8_t*>(buf);
    if (bytes == nullptr || len < 1) return;
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
  self->event_log_->add(e);
}

bool WolfConnection::fail(std::string_view what, int code) {
  failed_ = true;
  std::string line(what);
  if (code != 0) line += ": " + wolf_error(code);
  if (!context_.server() && code == ASN_NO_SIGNER_E) line += " (no trusted issuer)";
  WOLFSSL_ALERT_HISTORY history{};
  if (wolfSSL_get_alert_history(ssl_.get(), &history) == WOLFSSL_SUCCESS) {
    // wolfSSL's alert history starts at -1 for "none".
    if (history.last_rx.code > 0) line += "; received alert " + alert_name(history.last_rx.code);
    if (history.last_tx.code > 0) line += "; sent alert " + alert_name(history.last_tx.code);
  }
  error_ = std::move(line);
  return false;
}

NativeConnection::Status WolfConnection::handshake(ByteView in, Bytes* out) {
  if (failed_) return Status::failed;
  begin(in, out);
  FreeEccCacheAtThreadExit();
  int rc = context_.server() ? wolfSSL_accept(ssl_.get()) : wolfSSL_connect(ssl_.get());
  int err = rc == WOLFSSL_SUCCESS ? 0 : wolfSSL_get_error(ssl_.get(), rc);
  // What this call was given and the library did not read yet waits for
  // the next one.
  pending_in_.insert(pending_in_.end(), in_.begin(), in_.end());
  end();
  if (rc == WOLFSSL_SUCCESS) {
    const std::vector<CipherSuite>& allowed = context_.cipher_suites();
    uint16_t negotiated = negotiated_cipher_suite();
    if (std::none_of(allowed.begin(), allowed.end(), [negotiated](CipherSuite s) {
          return static_cast<uint16_t>(s) == negotiated;
        })) {
      fail("wolfSSL negotiated suite " + std::to_string(negotiated) +
               ", which the config does not list",
           0);
      return Status::failed;
    }
    return Status::established;
  }
  if (err == WOLFSSL_ERROR_WANT_READ) return Status::in_progress;
  fail("handshake failed", err == WOLFSSL_FATAL_ERROR ? rc : err);
  return Status::failed;
}

bool WolfConnection::write(ByteView plaintext, Bytes* out) {
  if (failed_) return false;
  if (wolfSSL_is_init_finished(ssl_.get()) != 1) {
    return fail("write before the handshake completed", 0);
  }
  begin({}, out);
  while (!plaintext.empty()) {
    int chunk = static_cast<int>(std::min<size_t>(plaintext.size(), INT_MAX));
    int n = wolfSSL_write(ssl_.get(), plaintext.data(), chunk);
    if (n != chunk) {
      int err = wolfSSL_get_error(ssl_.get(), n);
      end();
      return fail("write failed", err);
    }
    plaintext = plaintext.subspan(static_cast<size_t>(chunk));
  }
  end();
  return true;
}

bool WolfConnection::read(ByteView in, Bytes* out_plaintext, Bytes* out) {
  if (failed_) return false;
  if (wolfSSL_is_init_finished(ssl_.get()) != 1) {
    return fail("read before the handshake completed", 0);
  }
  begin(in, out);
  uint8_t buffer[16384];  // one record's worth of plaintext (RFC 8446 5.1)
  bool ok = true;
  int err = 0;
  for (;;) {
    int n = wolfSSL_read(ssl_.get(), buffer, sizeof(buffer));
    if (n > 0) {
      out_plaintext->insert(out_plaintext->end(), buffer, buffer + n);
      continue;
    }
    err = wolfSSL_get_error(ssl_.get(), n);
    // WANT_READ: every complete record is consumed. ZERO_RETURN: the peer
    // sent close_notify, which ends the data without being an error.
    if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_ZERO_RETURN) ok = false;
    break;
  }
  pending_in_.insert(pending_in_.end(), in_.begin(), in_.end());
  end();
  return ok || fail("read failed", err);
}

bool WolfConnection::close(Bytes* out) {
  if (failed_ || wolfSSL_is_init_finished(ssl_.get()) != 1) return false;
  begin({}, out);
  // WOLFSSL_SHUTDOWN_NOT_DONE: close_notify sent, the peer's not yet seen,
  // which is all a closing side waits for here.
  int rc = wolfSSL_shutdown(ssl_.get());
  end();
  if (rc != WOLFSSL_SUCCESS && rc != WOLFSSL_SHUTDOWN_NOT_DONE) {
    return fail("shutdown failed", wolfSSL_get_error(ssl_.get(), rc));
  }
  return true;
}

std::unique_ptr<NativeSession> WolfConnection::session() const {
  if (context_.server() || !context_.tickets()) return nullptr;
  SessionPtr session(wolfSSL_get1_session(ssl_.get()));
  if (session == nullptr || wolfSSL_SESSION_is_resumable(session.get()) != 1) return nullptr;
  return std::make_unique<WolfSession>(&context_, std::move(session));
}

}  // namespace

std::unique_ptr<NativeContext> MakeNativeContext(const NativeConfig& config, Failure* out_failure) {
  Failure ignored;
  if (out_failure == nullptr) out_failure = &ignored;
  std::string* out_error = &out_failure->reason;
  WOLFSSL_METHOD* method = nullptr;
  if (config.version == TlsVersion::tls12) {
    method = config.server ? wolfTLSv1_2_server_method() : wolfTLSv1_2_client_method();
  } else if (config.version == TlsVersion::tls13) {
    method = config.server ? wolfTLSv1_3_server_method() : wolfTLSv1_3_client_method();
  } else {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%04x", static_cast<unsigned>(config.version));
    out_failure->kind = FailureKind::unsupported;
    *out_error = std::string("unsupported TLS version ") + hex;
    return nullptr;
  }
  if (method == nullptr) {
    *out_error = "cannot make a wolfSSL method";
    return nullptr;
  }
  CtxPtr ctx(wolfSSL_CTX_new(method));  // takes method
  if (ctx == nullptr) {
    *out_error = "cannot make a WOLFSSL_CTX";
    return nullptr;
  }
  if (!config.server) wolfSSL_CTX_set_verify(ctx.get(), WOLFSSL_VERIFY_PEER, nullptr);
  if (config.server) wolfSSL_CTX_set_verify(ctx.get(), WOLFSSL_VERIFY_NONE, nullptr);
  if (!set_cipher_suites(ctx.get(), config, out_failure) ||
      !set_groups(ctx.get(), config, out_error) ||
      !set_signature_schemes(ctx.get(), config, out_error) ||
      !has_native_credentials(config, out_error) ||
      !(config.server ? set_server_credentials(ctx.get(), config, out_error)
                      : set_client_credentials(ctx.get(), config, out_error)) ||
      !set_session_policy(ctx.get(), config, out_error)) {
    return nullptr;
  }
  return std::make_unique<WolfContext>(std::move(ctx), config);
}

}  // namespace hsbench::wolf
