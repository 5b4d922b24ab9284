// GnuTLS's own TLS stack over memory: one priority cache and one set of
// certificate credentials per NativeConfig, one gnutls session per
// connection, its transport a pull function over the bytes the peer sent
// and a push function appending to the bytes for the peer.
//
// What a config asks for, and how GnuTLS is told:
//
//  - Everything through one priority string, built from "NONE" up, so
//    nothing is enabled that the config does not name: exactly the
//    config's version; the suite's key exchange (TLS 1.2), cipher and the
//    AEAD MAC; the groups and the signature schemes in config order; and
//    %SERVER_PRECEDENCE on a server. GnuTLS composes suites from those
//    parts, so every handshake is checked to have ended on a listed suite.
//  - Groups: the client's first is its TLS 1.3 key share. An empty list
//    keeps the library's default (GROUP-ALL). In TLS 1.2 the client's list
//    also names the curves it accepts in an ECDSA certificate (RFC 8422,
//    section 5.1).
//  - Signature schemes: empty keeps the library's default (SIGN-ALL). An
//    ECDSA scheme names both of GnuTLS's algorithms for its code point:
//    the TLS 1.2 one (any curve) and the curve-bound TLS 1.3 one.
//  - Tickets: when off, GNUTLS_NO_TICKETS on both sides. When on, a server
//    encrypts tickets under a key made with the context and keeps no
//    session cache; in TLS 1.3 it sends one ticket with its last flight
//    (GNUTLS_NO_AUTO_SEND_TICKET, then gnutls_session_ticket_send) where
//    GnuTLS would send two. A client keeps the session once a ticket came.
//  - TLS 1.3 resumption: the key exchange modes follow the priority's PSK
//    key exchanges (RFC 8446 4.2.9): ECDHE-PSK alone (psk_dhe_ke) unless
//    the config allows psk_ke, then PSK first, ECDHE-PSK after.
//  - On a failed handshake the session sends the alert that matches the
//    error (gnutls_alert_send_appropriate), as the other libraries do on
//    their own.
//
// Thread model: a context and its connections belong to one thread.
#include "gnutls_native.h"

#include <errno.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gnutls_util.h"
#include "hsbench/algorithms.h"

namespace hsbench::gnutls {
namespace {

const char* CipherName(Aead aead) {
  switch (aead) {
    case Aead::aes128gcm:
      return "AES-128-GCM";
    case Aead::aes256gcm:
      return "AES-256-GCM";
    case Aead::chacha20poly1305:
      return "CHACHA20-POLY1305";
  }
  return nullptr;
}

const char* KxName(KeyExchange kx) {
  switch (kx) {
    case KeyExchange::rsa:
      return "RSA";
    case KeyExchange::ecdhe_rsa:
      return "ECDHE-RSA";
    case KeyExchange::ecdhe_ecdsa:
      return "ECDHE-ECDSA";
    case KeyExchange::tls13:
      return nullptr;
  }
  return nullptr;
}

const char* GroupName(Group group) {
  switch (group) {
    case Group::x25519:
      return "GROUP-X25519";
    case Group::secp256r1:
      return "GROUP-SECP256R1";
    case Group::secp384r1:
      return "GROUP-SECP384R1";
    case Group::x25519_kyber768_draft00:
    case Group::x25519_mlkem768:
      return nullptr;
  }
  return nullptr;
}

// GnuTLS's priority names for a scheme's code point.
const char* SignNames(SignatureScheme scheme) {
  switch (scheme) {
    case SignatureScheme::rsa_pkcs1_sha256:
      return "SIGN-RSA-SHA256";
    case SignatureScheme::rsa_pkcs1_sha384:
      return "SIGN-RSA-SHA384";
    case SignatureScheme::rsa_pss_rsae_sha256:
      return "SIGN-RSA-PSS-RSAE-SHA256";
    case SignatureScheme::rsa_pss_rsae_sha384:
      return "SIGN-RSA-PSS-RSAE-SHA384";
    case SignatureScheme::ecdsa_secp256r1_sha256:
      return "SIGN-ECDSA-SHA256:+SIGN-ECDSA-SECP256R1-SHA256";
    case SignatureScheme::ecdsa_secp384r1_sha384:
      return "SIGN-ECDSA-SHA384:+SIGN-ECDSA-SECP384R1-SHA384";
    case SignatureScheme::ed25519:
      return "SIGN-EDDSA-ED25519";
  }
  return nullptr;
}

// The suite GnuTLS negotiated, as hsbench names it; 0 if none of those.
uint16_t SuiteOf(gnutls_session_t session) {
  const gnutls_protocol_t protocol = gnutls_protocol_get_version(session);
  const gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(session);
  const gnutls_kx_algorithm_t kx = gnutls_kx_get(session);
  for (const CipherSuiteInfo& suite : kCipherSuites) {
    if (CipherOf(suite.aead) != cipher) continue;
    if (protocol == GNUTLS_TLS1_3 && suite.version == TlsVersion::tls13) {
      return static_cast<uint16_t>(suite.id);
    }
    if (protocol == GNUTLS_TLS1_2 && suite.version == TlsVersion::tls12 &&
        ((suite.kx == KeyExchange::rsa && kx == GNUTLS_KX_RSA) ||
         (suite.kx == KeyExchange::ecdhe_rsa && kx == GNUTLS_KX_ECDHE_RSA) ||
         (suite.kx == KeyExchange::ecdhe_ecdsa && kx == GNUTLS_KX_ECDHE_ECDSA))) {
      return static_cast<uint16_t>(suite.id);
    }
  }
  return 0;
}

// The priority string for config (see the top of this file), or an empty
// string and *out_error.
std::string PriorityString(const NativeConfig& config, std::string* out_error) {
  std::string p = config.version == TlsVersion::tls12 ? "NONE:+VERS-TLS1.2" : "NONE:+VERS-TLS1.3";
  if (config.cipher_suites.empty()) {
    *out_error = "no cipher suites configured";
    return {};
  }
  std::vector<std::string> kxs, ciphers;
  auto add_once = [](std::vector<std::string>* list, std::string item) {
    if (std::find(list->begin(), list->end(), item) == list->end()) list->push_back(item);
  };
  for (CipherSuite suite : config.cipher_suites) {
    const CipherSuiteInfo* info = cipher_suite_info(suite);
    if (info == nullptr) {
      *out_error = "unknown cipher suite " + std::to_string(static_cast<unsigned>(suite));
      return {};
    }
    if (info->version != config.version) {
      *out_error = std::string(info->name) + " is not a TLS " + std::string(name(config.version)) +
                   " cipher suite";
      return {};
    }
    if (const char* kx = KxName(info->kx)) add_once(&kxs, kx);
    add_once(&ciphers, CipherName(info->aead));
  }
  if (config.version == TlsVersion::tls13 && config.tickets) {
    if (config.psk_ke) kxs.push_back("PSK");
    kxs.push_back("ECDHE-PSK");
  }
  for (const std::string& kx : kxs) p += ":+" + kx;
  for (const std::string& cipher : ciphers) p += ":+" + cipher;
  p += ":+AEAD";
  if (config.groups.empty()) p += ":+GROUP-ALL";
  for (Group group : config.groups) {
    const char* g = IsKnown(group) ? GroupName(group) : nullptr;
    if (g == nullptr) {
      *out_error = "unknown group " + std::to_string(static_cast<unsigned>(group));
      return {};
    }
    p += ":+";
    p += g;
  }
  if (config.signature_schemes.empty()) p += ":+SIGN-ALL";
  for (SignatureScheme scheme : config.signature_schemes) {
    const char* s = IsKnown(scheme) ? SignNames(scheme) : nullptr;
    if (s == nullptr) {
      *out_error = "unknown signature scheme " + std::to_string(static_cast<unsigned>(scheme));
      return {};
    }
    p += ":+";
    p += s;
  }
  // A TLS 1.3 mutual TLS server's CertificateRequest lists the schemes
  // GnuTLS's client wants the client's chain to be signed with: add the
  // PKCS#1 ones, which sign RSA certificates and in TLS 1.3 nothing else
  // (RFC 8446 4.2.3), so the server's own CertificateVerify is unchanged.
  if (config.server && config.require_client_certificate && config.version == TlsVersion::tls13) {
    for (SignatureScheme scheme :
         {SignatureScheme::rsa_pkcs1_sha256, SignatureScheme::rsa_pkcs1_sha384}) {
      if (std::find(config.signature_schemes.begin(), config.signature_schemes.end(), scheme) ==
          config.signature_schemes.end()) {
        p += ":+";
        p += SignNames(scheme);
      }
    }
  }
  if (config.server) p += ":%SERVER_PRECEDENCE";
  return p;
}

class GnutlsContext;

class GnutlsSession final : public NativeSession {
 public:
  GnutlsSession(const GnutlsContext* owner, Bytes data) : owner_(owner), data_(std::move(data)) {}
  ~GnutlsSession() override { gnutls_memset(data_.data(), 0, data_.size()); }
  const GnutlsContext* owner() const { return owner_; }
  const Bytes& data() const { return data_; }

 private:
  const GnutlsContext* owner_;
  Bytes data_;
};

class GnutlsContext final : public NativeContext {
 public:
  GnutlsContext(const NativeConfig& config, gnutls_priority_t priority,
                gnutls_certificate_credentials_t credentials)
      : server_(config.server),
        version_(config.version),
        tickets_(config.tickets),
        cipher_suites_(config.cipher_suites),
        hostname_(config.hostname),
        require_client_certificate_(config.server && config.require_client_certificate),
        priority_(priority),
        credentials_(credentials) {}
  ~GnutlsContext() override {
    gnutls_priority_deinit(priority_);
    gnutls_certificate_free_credentials(credentials_);
    if (ticket_key_.data != nullptr) {
      gnutls_memset(ticket_key_.data, 0, ticket_key_.size);
      gnutls_free(ticket_key_.data);
    }
  }
  GnutlsContext(const GnutlsContext&) = delete;
  GnutlsContext& operator=(const GnutlsContext&) = delete;

  // The key this server encrypts its tickets under.
  int make_ticket_key() { return gnutls_session_ticket_key_generate(&ticket_key_); }

  std::unique_ptr<NativeConnection> new_connection(const NativeSession* resume) override;

  bool server() const { return server_; }
  TlsVersion version() const { return version_; }
  bool tickets() const { return tickets_; }
  const std::vector<CipherSuite>& cipher_suites() const { return cipher_suites_; }

 private:
  bool server_;
  TlsVersion version_;
  bool tickets_;
  std::vector<CipherSuite> cipher_suites_;
  std::string hostname_;
  bool require_client_certificate_;
  gnutls_priority_t priority_;
  gnutls_certificate_credentials_t credentials_;
  gnutls_datum_t ticket_key_ = {nullptr, 0};
};

class GnutlsConnection final : public NativeConnection {
 public:
  GnutlsConnection(const GnutlsContext& context, gnutls_session_t session)
      : context_(context), session_(session) {
    gnutls_transport_set_ptr(session_, this);
    gnutls_transport_set_push_function(session_, Push);
    gnutls_transport_set_pull_function(session_, Pull);
    gnutls_transport_set_pull_timeout_function(session_, PullTimeout);
    gnutls_session_set_ptr(session_, this);
  }
  ~GnutlsConnection() override { gnutls_deinit(session_); }
  GnutlsConnection(const GnutlsConnection&) = delete;
  GnutlsConnection& operator=(const GnutlsConnection&) = delete;

  // A connection that fails its first call with this reason.
  void set_pending_error(std::string error) {
    failed_ = true;
    error_ = std::move(error);
  }

  void set_event_log(NativeEventLog* log) override {
    event_log_ = log;
    // Only a logging connection pays for the hook.
    gnutls_handshake_set_hook_function(session_, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_BOTH,
                                       log != nullptr ? OnMessage : nullptr);
  }
  Status handshake(ByteView in, Bytes* out) override;
  bool write(ByteView plaintext, Bytes* out) override;
  bool read(ByteView in, Bytes* out_plaintext, Bytes* out) override;
  bool close(Bytes* out) override;
  std::string error() const override { return error_; }
  bool resumed() const override { return gnutls_session_is_resumed(session_) != 0; }
  uint16_t negotiated_cipher_suite() const override { return established_ ? SuiteOf(session_) : 0; }
  std::unique_ptr<NativeSession> session() const override;
  Bytes peer_leaf_der() const override {
    // The peer's chain as it sent it, leaf first (a server: the client's).
    unsigned count = 0;
    const gnutls_datum_t* chain = gnutls_certificate_get_peers(session_, &count);
    if (chain == nullptr || count == 0) return {};
    return Bytes(chain[0].data, chain[0].data + chain[0].size);
  }

 private:
  static ssize_t Push(gnutls_transport_ptr_t ptr, const void* data, size_t len);
  static ssize_t Pull(gnutls_transport_ptr_t ptr, void* data, size_t len);
  static int PullTimeout(gnutls_transport_ptr_t ptr, unsigned ms);
  static int OnMessage(gnutls_session_t session, unsigned htype, unsigned when, unsigned incoming,
                       const gnutls_datum_t* msg);

  // The peer's bytes gnutls has not pulled yet.
  void feed(ByteView in) {
    if (input_pos_ == input_.size()) {
      input_.clear();
      input_pos_ = 0;
    }
    input_.insert(input_.end(), in.begin(), in.end());
  }
  // Records why the call failed (gnutls's error, the certificate check's
  // result and any alert received), then returns false.
  bool fail(std::string_view what, int code);
  // Sends the alert that matches a fatal error, as the peer expects.
  void send_alert(int code);
  bool suite_allowed() const;

  const GnutlsContext& context_;
  gnutls_session_t session_;
  Bytes input_;
  size_t input_pos_ = 0;
  Bytes* output_ = nullptr;  // where Push appends, during a call
  NativeEventLog* event_log_ = nullptr;
  std::string error_;
  std::string sent_alert_;  // the alert sent on a failure, for error()
  bool failed_ = false;
  bool established_ = false;
};

// --- Context setup ---

// The chain (leaf first) and key one side presents: the server's, or a
// mutual TLS client's (who: "server" or "client").
bool SetChainAndKey(gnutls_certificate_credentials_t credentials,
                    const std::vector<ByteView>& chain_der, ByteView private_key,
                    std::string_view who, std::string* out_error) {
  std::vector<X509Crt> chain;
  std::vector<gnutls_x509_crt_t> raw;
  for (size_t i = 0; i < chain_der.size(); i++) {
    chain.push_back(ParseCertificate(chain_der[i]));
    if (chain.back() == nullptr) {
      *out_error = "certificate " + std::to_string(i) + " of the " + std::string(who) +
                   "'s chain is not DER";
      return false;
    }
    raw.push_back(chain.back().get());
  }
  std::string key_error;
  X509Privkey key = ParsePrivateKey(private_key, &key_error);
  if (key == nullptr) {
    *out_error = "cannot read the " + std::string(who) + "'s private key: " + key_error;
    return false;
  }
  // Copies the chain and the key; refuses a key that is not the leaf's.
  if (int rc = gnutls_certificate_set_x509_key(credentials, raw.data(),
                                               static_cast<int>(raw.size()), key.get());
      rc < 0) {
    *out_error = ErrorLine("GnuTLS refused the " + std::string(who) + "'s chain and key", rc);
    return false;
  }
  return true;
}

// Trust anchors (what: "trust anchor" or "client root"). The credentials
// start with none: no system roots are loaded.
bool SetTrust(gnutls_certificate_credentials_t credentials, const std::vector<ByteView>& roots_der,
              std::string_view what, std::string* out_error) {
  std::vector<X509Crt> roots;
  std::vector<gnutls_x509_crt_t> raw;
  for (size_t i = 0; i < roots_der.size(); i++) {
    roots.push_back(ParseCertificate(roots_der[i]));
    if (roots.back() == nullptr) {
      *out_error = std::string(what) + " " + std::to_string(i) + " is not DER";
      return false;
    }
    raw.push_back(roots.back().get());
  }
  if (int rc =
          gnutls_certificate_set_x509_trust(credentials, raw.data(), static_cast<int>(raw.size()));
      rc < 0) {
    *out_error = ErrorLine("GnuTLS refused the " + std::string(what) + "s", rc);
    return false;
  }
  return true;
}

bool SetServerCredentials(gnutls_certificate_credentials_t credentials, const NativeConfig& config,
                          std::string* out_error) {
  if (!SetChainAndKey(credentials, config.chain_der, config.private_key, "server", out_error)) {
    return false;
  }
  if (!config.require_client_certificate) return true;
  return SetTrust(credentials, config.client_roots_der, "client root", out_error);
}

bool SetClientCredentials(gnutls_certificate_credentials_t credentials, const NativeConfig& config,
                          std::string* out_error) {
  if (!SetTrust(credentials, config.roots_der, "trust anchor", out_error)) return false;
  // Mutual TLS: what the client answers a CertificateRequest with.
  return config.client_chain_der.empty() ||
         SetChainAndKey(credentials, config.client_chain_der, config.client_private_key, "client",
                        out_error);
}

// --- Connections ---

std::unique_ptr<NativeConnection> GnutlsContext::new_connection(const NativeSession* resume) {
  unsigned flags = (server_ ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK;
  if (!tickets_) flags |= GNUTLS_NO_TICKETS;
  if (server_ && tickets_ && version_ == TlsVersion::tls13) flags |= GNUTLS_NO_AUTO_SEND_TICKET;
  gnutls_session_t session = nullptr;
  if (gnutls_init(&session, flags) < 0) return nullptr;
  auto connection = std::make_unique<GnutlsConnection>(*this, session);
  std::string pending_error;
  int rc = gnutls_priority_set(session, priority_);
  if (rc >= 0) rc = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials_);
  if (rc < 0) {
    pending_error = ErrorLine("cannot set up the session", rc);
  } else if (server_) {
    if (tickets_ && (rc = gnutls_session_ticket_enable_server(session, &ticket_key_)) < 0) {
      pending_error = ErrorLine("cannot enable session tickets", rc);
    }
    if (require_client_certificate_) {
      // Mutual TLS: a CertificateRequest, a handshake without a client
      // certificate refused, and the client's chain checked against the
      // client roots during the handshake.
      gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
      gnutls_session_set_verify_cert(session, nullptr, 0);
    }
  } else {
    if (!hostname_.empty() &&
        (rc = gnutls_server_name_set(session, GNUTLS_NAME_DNS, hostname_.data(),
                                     hostname_.size())) < 0) {
      pending_error = ErrorLine("cannot set the host name", rc);
    }
    // The chain and, when there is one, the name, checked in the handshake.
    gnutls_session_set_verify_cert(session, hostname_.empty() ? nullptr : hostname_.c_str(), 0);
  }
  if (resume != nullptr && pending_error.empty()) {
    // Sessions of another backend are of another type, so this also
    // refuses those.
    const auto* saved = dynamic_cast<const GnutlsSession*>(resume);
    if (server_ || saved == nullptr || saved->owner() != this) {
      pending_error = "the session to resume is not from this client context";
    } else if ((rc = gnutls_session_set_data(session, saved->data().data(), saved->data().size())) <
               0) {
      pending_error = ErrorLine("GnuTLS refused the session to resume", rc);
    }
  }
  if (!pending_error.empty()) connection->set_pending_error(std::move(pending_error));
  return connection;
}

ssize_t GnutlsConnection::Push(gnutls_transport_ptr_t ptr, const void* data, size_t len) {
  auto* connection = static_cast<GnutlsConnection*>(ptr);
  if (connection->output_ == nullptr) {
    // Only within a call is there somewhere to put bytes.
    gnutls_transport_set_errno(connection->session_, EAGAIN);
    return -1;
  }
  const auto* bytes = static_cast<const uint8_t*>(data);
  connection->output_->insert(connection->output_->end(), bytes, bytes + len);
  return static_cast<ssize_t>(len);
}

ssize_t GnutlsConnection::Pull(gnutls_transport_ptr_t ptr, void* data, size_t len) {
  auto* connection = static_cast<GnutlsConnection*>(ptr);
  const size_t available = connection->input_.size() - connection->input_pos_;
  if (available == 0) {
    // Nothing yet: ask to be called again (not the end of the stream).
    gnutls_transport_set_errno(connection->session_, EAGAIN);
    return -1;
  }
  const size_t n = std::min(len, available);
  std::memcpy(data, connection->input_.data() + connection->input_pos_, n);
  connection->input_pos_ += n;
  return static_cast<ssize_t>(n);
}

int GnutlsConnection::PullTimeout(gnutls_transport_ptr_t ptr, unsigned ms) {
  (void)ms;  // memory never becomes readable by waiting
  auto* connection = static_cast<GnutlsConnection*>(ptr);
  return connection->input_pos_ < connection->input_.size() ? 1 : 0;
}

int GnutlsConnection::OnMessage(gnutls_session_t session, unsigned htype, unsigned when,
                                unsigned incoming, const gnutls_datum_t* msg) {
  (void)msg;
  // A received message once it has arrived, before it is processed; a sent
  // one once it is built and queued.
  if (when != (incoming ? GNUTLS_HOOK_PRE : GNUTLS_HOOK_POST)) return 0;
  const auto now = std::chrono::steady_clock::now();
  auto* connection = static_cast<GnutlsConnection*>(gnutls_session_get_ptr(session));
  if (connection == nullptr || connection->event_log_ == nullptr) return 0;
  constexpr uint8_t kChangeCipherSpec = 20, kHandshake = 22;
  NativeEvent e;
  e.ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
  e.sent = incoming == 0;
  if (htype == GNUTLS_HANDSHAKE_CHANGE_CIPHER_SPEC) {
    e.content_type = kChangeCipherSpec;
  } else if (htype == GNUTLS_HANDSHAKE_HELLO_RETRY_REQUEST) {
    e.content_type = kHandshake;
    e.handshake_type = kHelloRetryRequestType;
  } else if (htype <= 0xff) {
    e.content_type = kHandshake;
    e.handshake_type = static_cast<uint8_t>(htype);
  } else {
    return 0;
  }
  connection->event_log_->add(e);
  return 0;
}

bool GnutlsConnection::fail(std::string_view what, int code) {
  failed_ = true;
  std::string line(what);
  if (code < 0) {
    line += ": ";
    line += gnutls_strerror(code);
  }
  if (code == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
    std::string status = VerificationStatusLine(gnutls_session_get_verify_cert_status(session_));
    if (!status.empty()) line += " (" + status + ")";
  }
  if (code == GNUTLS_E_FATAL_ALERT_RECEIVED || code == GNUTLS_E_WARNING_ALERT_RECEIVED) {
    const char* alert = gnutls_alert_get_name(gnutls_alert_get(session_));
    line += std::string("; received ") +
            (code == GNUTLS_E_FATAL_ALERT_RECEIVED ? "fatal" : "warning") + " alert " +
            (alert != nullptr ? alert : "(unknown)");
  }
  if (!sent_alert_.empty()) line += "; sent fatal alert " + sent_alert_;
  error_ = std::move(line);
  return false;
}

void GnutlsConnection::send_alert(int code) {
  // Not in answer to the peer's own alert, and only for a fatal error.
  if (code == GNUTLS_E_FATAL_ALERT_RECEIVED || !gnutls_error_is_fatal(code)) return;
  int level = 0;
  const int alert = gnutls_error_to_alert(code, &level);
  if (gnutls_alert_send_appropriate(session_, code) == 0 && alert >= 0 &&
      level == GNUTLS_AL_FATAL) {
    const char* alert_name = gnutls_alert_get_name(static_cast<gnutls_alert_description_t>(alert));
    sent_alert_ = alert_name != nullptr ? alert_name : std::to_string(alert);
  }
}

bool GnutlsConnection::suite_allowed() const {
  const std::vector<CipherSuite>& allowed = context_.cipher_suites();
  const uint16_t negotiated = SuiteOf(session_);
  return std::any_of(allowed.begin(), allowed.end(), [negotiated](CipherSuite suite) {
    return static_cast<uint16_t>(suite) == negotiated;
  });
}

NativeConnection::Status GnutlsConnection::handshake(ByteView in, Bytes* out) {
  if (failed_) return Status::failed;
  if (established_) return Status::established;
  feed(in);
  output_ = out;
  int rc = 0;
  do {
    rc = gnutls_handshake(session_);
  } while (rc == GNUTLS_E_INTERRUPTED);
  if (rc == 0 && context_.server() && context_.tickets() &&
      context_.version() == TlsVersion::tls13) {
    // One ticket with the last flight (see the top of this file).
    rc = gnutls_session_ticket_send(session_, 1, 0);
  }
  if (rc < 0 && rc != GNUTLS_E_AGAIN) send_alert(rc);
  output_ = nullptr;
  if (rc == GNUTLS_E_AGAIN) return Status::in_progress;
  if (rc < 0) {
    fail("handshake failed", rc);
    return Status::failed;
  }
  established_ = true;
  if (!suite_allowed()) {
    const CipherSuiteInfo* info = cipher_suite_info(SuiteOf(session_));
    const char* gnutls_name = gnutls_ciphersuite_get(session_);
    fail("GnuTLS negotiated " +
             (info != nullptr ? std::string(info->name)
                              : std::string(gnutls_name != nullptr ? gnutls_name : "a suite")) +
             ", which the config does not list",
         0);
    return Status::failed;
  }
  return Status::established;
}

bool GnutlsConnection::write(ByteView plaintext, Bytes* out) {
  if (failed_) return false;
  if (!established_) return fail("write before the handshake completed", 0);
  output_ = out;
  bool ok = true;
  while (ok && !plaintext.empty()) {
    // At most one record's worth each time.
    ssize_t n = gnutls_record_send(session_, plaintext.data(), plaintext.size());
    if (n == GNUTLS_E_INTERRUPTED) continue;
    if (n <= 0) {
      ok = fail("write failed", static_cast<int>(n));
      break;
    }
    plaintext = plaintext.subspan(static_cast<size_t>(n));
  }
  output_ = nullptr;
  return ok;
}

bool GnutlsConnection::read(ByteView in, Bytes* out_plaintext, Bytes* out) {
  if (failed_) return false;
  if (!established_) return fail("read before the handshake completed", 0);
  feed(in);
  output_ = out;
  bool ok = true;
  uint8_t buffer[16384];  // one record's worth of plaintext (RFC 8446 5.1)
  for (size_t pulled = input_pos_;;) {
    ssize_t n = gnutls_record_recv(session_, buffer, sizeof(buffer));
    if (n > 0) {
      out_plaintext->insert(out_plaintext->end(), buffer, buffer + n);
      continue;
    }
    // AGAIN also follows a post-handshake message (a TLS 1.3 ticket) that
    // gnutls has just processed; while that took bytes and more are left,
    // the records after it are still to be read. Otherwise every complete
    // record is consumed. 0: the peer sent close_notify, which ends the
    // data without being an error.
    if (n == GNUTLS_E_AGAIN && input_pos_ < input_.size() && input_pos_ != pulled) {
      pulled = input_pos_;
      continue;
    }
    if (n == 0 || n == GNUTLS_E_AGAIN) break;
    if (n == GNUTLS_E_INTERRUPTED) continue;
    send_alert(static_cast<int>(n));
    ok = fail("read failed", static_cast<int>(n));
    break;
  }
  output_ = nullptr;
  return ok;
}

bool GnutlsConnection::close(Bytes* out) {
  if (failed_ || !established_) return false;
  output_ = out;
  int rc = gnutls_bye(session_, GNUTLS_SHUT_WR);
  output_ = nullptr;
  return rc == 0 || fail("shutdown failed", rc);
}

std::unique_ptr<NativeSession> GnutlsConnection::session() const {
  if (context_.server() || !context_.tickets() || !established_) return nullptr;
  // Without a ticket from the server (in TLS 1.3 one arrives only with
  // read()) there is nothing to resume, but a TLS 1.2 resumption without a
  // renewed ticket keeps the session it resumed.
  const bool ticket = (gnutls_session_get_flags(session_) & GNUTLS_SFLAGS_SESSION_TICKET) != 0;
  if (!ticket && !(context_.version() == TlsVersion::tls12 && resumed())) return nullptr;
  OwnedDatum data;
  if (gnutls_session_get_data2(session_, data.get()) < 0 || data.view().empty()) return nullptr;
  return std::make_unique<GnutlsSession>(&context_, Bytes(data.view().begin(), data.view().end()));
}

}  // namespace

std::unique_ptr<NativeContext> MakeNativeContext(const NativeConfig& config, Failure* out_failure) {
  Failure ignored;
  if (out_failure == nullptr) out_failure = &ignored;
  std::string* out_error = &out_failure->reason;
  if (config.version != TlsVersion::tls12 && config.version != TlsVersion::tls13) {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "0x%04x", static_cast<unsigned>(config.version));
    out_failure->kind = FailureKind::unsupported;
    *out_error = std::string("unsupported TLS version ") + hex;
    return nullptr;
  }
  if (config.hostname.find('\0') != std::string::npos) {
    *out_error = "invalid hostname (it holds a NUL byte)";
    return nullptr;
  }
  const std::string priority_string = PriorityString(config, out_error);
  if (priority_string.empty()) return nullptr;
  gnutls_priority_t priority = nullptr;
  const char* error_at = nullptr;
  if (int rc = gnutls_priority_init(&priority, priority_string.c_str(), &error_at); rc < 0) {
    *out_error = ErrorLine("GnuTLS refused the priority string " + priority_string + " at " +
                               (error_at != nullptr ? error_at : "?"),
                           rc);
    return nullptr;
  }
  gnutls_certificate_credentials_t credentials = nullptr;
  if (int rc = gnutls_certificate_allocate_credentials(&credentials); rc < 0) {
    gnutls_priority_deinit(priority);
    *out_error = ErrorLine("cannot make certificate credentials", rc);
    return nullptr;
  }
  auto context = std::make_unique<GnutlsContext>(config, priority, credentials);
  if (!has_native_credentials(config, out_error) ||
      !(config.server ? SetServerCredentials(credentials, config, out_error)
                      : SetClientCredentials(credentials, config, out_error))) {
    return nullptr;
  }
  if (config.server && config.tickets) {
    if (int rc = context->make_ticket_key(); rc < 0) {
      *out_error = ErrorLine("cannot make a session ticket key", rc);
      return nullptr;
    }
  }
  return context;
}

}  // namespace hsbench::gnutls
