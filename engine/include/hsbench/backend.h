// The crypto backend interface: everything a TLS 1.2 or 1.3 handshake asks of
// a crypto library, and nothing else. The engine sees only these types and the
// IANA ids of algorithms.h; a backend is a plugin (a shared object) exporting
// one C entry point (HSBENCH_BACKEND_ENTRY_POINT, below), loaded with dlopen(RTLD_LOCAL) so
// that libraries exporting the same symbols (OpenSSL and BoringSSL) can share
// one process.
//
// Rules every backend keeps:
//  - An algorithm the library lacks is unsupported: it is absent from
//    algorithms() and the factory returns nullptr. Nothing is emulated.
//    Where a call explains a failure (Failure, below), its kind says
//    whether the library lacks what was asked; a reason's text is for
//    people, never matched.
//  - Objects made by one backend are only ever passed back to that backend.
//  - The Backend object and loaded keys (PrivateKey, PublicKey, TrustStore)
//    are safe to use from several threads at once; per-handshake contexts
//    (HashContext, AeadContext, KeyShare, CertificateChain) belong to one
//    thread.
//  - Failures return false or nullptr; nothing throws across the interface.
//    Load-time calls that take an out_error explain themselves in one line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/algorithms.h"

namespace hsbench {

// Bumped whenever a virtual function or a struct below changes shape; a
// plugin built against another version is refused at load time.
inline constexpr uint32_t kBackendAbiVersion = 7;

// Why something could not be done: the library lacks it (unsupported: a
// scenario that needs it is skipped as such), or anything else (a
// malformed request, a library error, a failed handshake).
enum class FailureKind : uint8_t { failed, unsupported };

constexpr std::string_view name(FailureKind k) {
  return k == FailureKind::unsupported ? "unsupported" : "failed";
}

// A failure with its reason, one line.
struct Failure {
  FailureKind kind = FailureKind::failed;
  std::string reason;
};

// A running hash, for transcripts. Copyable, so one transcript can fork
// (TLS 1.3 hashes the transcript at many points).
class HashContext {
 public:
  virtual ~HashContext() = default;
  virtual Hash hash() const = 0;
  virtual void update(ByteView data) = 0;
  // Writes the digest of everything so far into out (digest_length(hash())
  // bytes) and leaves the running state untouched.
  virtual void current_digest(std::span<uint8_t> out) const = 0;
  virtual std::unique_ptr<HashContext> clone() const = 0;
};

// One direction of an AEAD with its key set (RFC 5116). Nonces are
// kAeadNonceLength bytes and tags kAeadTagLength bytes for every algorithm.
class AeadContext {
 public:
  virtual ~AeadContext() = default;
  virtual Aead aead() const = 0;
  // out must be plaintext.size() + kAeadTagLength bytes; it may alias
  // plaintext exactly.
  virtual bool seal(ByteView nonce, ByteView additional_data, ByteView plaintext,
                    std::span<uint8_t> out) = 0;
  // out must be ciphertext.size() - kAeadTagLength bytes; it may alias
  // ciphertext exactly. Returns false if the tag does not verify.
  virtual bool open(ByteView nonce, ByteView additional_data, ByteView ciphertext,
                    std::span<uint8_t> out) = 0;
};

// An ephemeral key pair for one (EC)DHE exchange, or a KEM client's key
// pair (is_kem(group())): then public_key() is the client's share and
// derive decapsulates the server's share (Backend::encapsulate).
class KeyShare {
 public:
  virtual ~KeyShare() = default;
  virtual Group group() const = 0;
  // The public key as TLS carries it (see public_key_length()).
  virtual ByteView public_key() const = 0;
  // Computes the shared secret with the peer's public key into out
  // (shared_secret_length(group()) bytes). Returns false for a malformed or
  // invalid peer key (not on the curve, or an all-zero X25519 result). For
  // a KEM, peer_public_key is the server's share
  // (public_key_length(group(), ShareFrom::server) bytes); a ciphertext
  // that was not made for this key still decapsulates, to another secret
  // (implicit rejection), so that failure shows only at Finished.
  virtual bool derive(ByteView peer_public_key, std::span<uint8_t> out) = 0;
};

// A public key taken from a certificate.
class PublicKey {
 public:
  virtual ~PublicKey() = default;
  virtual KeyInfo info() const = 0;
  virtual bool verify(SignatureScheme scheme, ByteView message, ByteView signature) const = 0;
  // RSA PKCS#1 v1.5 encryption (RSAES-PKCS1-v1_5), as TLS 1.2 RSA key
  // transport uses it. out must be at least info().bits / 8 bytes.
  virtual bool rsa_encrypt_pkcs1(ByteView plaintext, std::span<uint8_t> out,
                                 size_t* out_len) const = 0;
};

// A long-term private key, loaded once and used for every handshake.
class PrivateKey {
 public:
  virtual ~PrivateKey() = default;
  virtual KeyInfo info() const = 0;
  // Signs message (not a digest: the scheme names the hash) into out, which
  // must be at least kMaxSignatureLength bytes. Schemes the key can use are
  // those of scheme_usable_with().
  virtual bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
                    size_t* out_len) const = 0;
  // RSA PKCS#1 v1.5 decryption. Returns false on bad padding; the TLS
  // server hides that failure itself (RFC 5246, section 7.4.7.1).
  virtual bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                                 size_t* out_len) const = 0;
};

// A parsed X.509 chain, leaf first, as a Certificate message carries it.
class CertificateChain {
 public:
  virtual ~CertificateChain() = default;
  virtual size_t size() const = 0;
  virtual std::unique_ptr<PublicKey> leaf_public_key() const = 0;
};

// Trust anchors, prepared once.
class TrustStore {
 public:
  virtual ~TrustStore() = default;
  // Verifies chain up to one of the anchors, at the current time. When
  // hostname is not empty, the leaf must also be valid for it (RFC 6125).
  virtual bool verify(const CertificateChain& chain, std::string_view hostname,
                      std::string* out_error) const = 0;
  // Verifies a TLS client's chain up to one of the anchors, at the current
  // time, as a server checks it for mutual TLS: the purpose is client
  // authentication (RFC 5280 4.2.1.12), and no name is checked.
  virtual bool verify_client(const CertificateChain& chain, std::string* out_error) const = 0;
};

// --- The library's own TLS stack ("native"), driven over memory buffers. ---

// One side's configuration, fixed for every connection of a NativeContext.
struct NativeConfig {
  bool server = false;
  TlsVersion version = TlsVersion::tls13;   // exactly this version
  std::vector<CipherSuite> cipher_suites;   // offered (client) or accepted (server), in order
  std::vector<Group> groups;                // offered/accepted, in order; the client's
                                            // first is its TLS 1.3 key share
  std::vector<SignatureScheme> signature_schemes;  // empty: the library's default
  std::vector<ByteView> chain_der;          // server: its chain, leaf first
  ByteView private_key;                     // server: PEM or DER
  std::vector<ByteView> roots_der;          // client: trust anchors
  std::string hostname;                     // client: checked against the leaf unless empty
  // Mutual TLS. Client: the chain (leaf first) and key it answers a
  // CertificateRequest with; none when empty. Server: when
  // require_client_certificate, it asks for a client certificate, fails a
  // handshake without one, and verifies it against client_roots_der.
  std::vector<ByteView> client_chain_der;
  ByteView client_private_key;
  std::vector<ByteView> client_roots_der;
  bool require_client_certificate = false;
  bool tickets = false;                     // issue (server) / keep (client) session tickets
  bool psk_ke = false;                      // TLS 1.3: also allow resumption without (EC)DHE
};

// Whether config has the credentials its side needs: a server its chain,
// and its client roots when it requires client certificates; a client its
// trust anchors. If not, false and what is missing in one line in
// out_error. Every native plugin checks this before it sets them up.
inline bool has_native_credentials(const NativeConfig& config, std::string* out_error) {
  const char* missing = nullptr;
  if (config.server) {
    if (config.chain_der.empty()) {
      missing = "a server needs a certificate chain";
    } else if (config.require_client_certificate && config.client_roots_der.empty()) {
      missing = "a server that requires client certificates needs a client trust anchor";
    }
  } else if (config.roots_der.empty()) {
    missing = "a client needs at least one trust anchor";
  }
  if (missing != nullptr) *out_error = missing;
  return missing == nullptr;
}

// A client's resumable session, from an earlier connection of the same
// NativeContext.
class NativeSession {
 public:
  virtual ~NativeSession() = default;
};

// One record-layer event a library reported through its message callback
// (SSL_CTX_set_msg_callback): a handshake message or ChangeCipherSpec sent
// or received, with the steady_clock time of the callback. When a library
// calls it is part of what it reports: OpenSSL and BoringSSL call it for a
// written message once it is built (OpenSSL: also sealed into its record),
// and for a read message once its whole body has arrived, before processing
// it. Record headers, TLS 1.3 inner content types and alerts are left out.
struct NativeEvent {
  uint64_t ns = 0;           // steady_clock, since its epoch
  uint8_t content_type = 0;  // 20 ChangeCipherSpec, 22 handshake
  // The handshake type (RFC 8446 4); a TLS 1.3 HelloRetryRequest, which is
  // a ServerHello on the wire, is reported as kHelloRetryRequestType.
  uint8_t handshake_type = 0;
  bool sent = false;
};
inline constexpr uint8_t kHelloRetryRequestType = 6;  // hello_retry_request_RESERVED

// Where a connection appends its events: fixed capacity, so logging
// allocates nothing; events past the capacity are dropped and counted.
struct NativeEventLog {
  static constexpr size_t kMaxEvents = 32;
  NativeEvent events[kMaxEvents];
  size_t count = 0;
  size_t dropped = 0;
  void clear() { count = dropped = 0; }
  void add(const NativeEvent& e) {
    if (count == kMaxEvents) {
      dropped++;
      return;
    }
    events[count++] = e;
  }
};

class NativeConnection {
 public:
  enum class Status { in_progress, established, failed };
  virtual ~NativeConnection() = default;
  // From now on (nullptr: no longer), every message event goes to log. The
  // log belongs to the caller and must outlive the connection or be unset.
  virtual void set_event_log(NativeEventLog* log) = 0;
  // Consumes in (bytes from the peer; may be empty), advances the handshake
  // as far as it can, and appends the bytes for the peer to out.
  virtual Status handshake(ByteView in, Bytes* out) = 0;
  // Seals application data into records appended to out.
  virtual bool write(ByteView plaintext, Bytes* out) = 0;
  // Consumes records in (post-handshake messages such as tickets too) and
  // appends the application data to out_plaintext; bytes for the peer (if
  // any) go to out.
  virtual bool read(ByteView in, Bytes* out_plaintext, Bytes* out) = 0;
  // Why the last call failed, one line (the library's error and any alert).
  virtual std::string error() const = 0;
  // Whether the last failure was the library lacking what the config asks
  // (as a library that cannot restrict what it negotiates finds out only
  // in the handshake).
  virtual FailureKind error_kind() const { return FailureKind::failed; }
  virtual bool resumed() const = 0;
  virtual uint16_t negotiated_cipher_suite() const = 0;
  // The group of the key exchange (an IANA id: Diffie-Hellman or KEM); 0
  // when there was none (TLS 1.2 RSA, psk_ke) or the library cannot tell.
  virtual uint16_t negotiated_group() const { return 0; }
  // The client's session for a later resumption (after the server's
  // tickets have been read); nullptr if there is none.
  virtual std::unique_ptr<NativeSession> session() const = 0;
  // The DER leaf certificate the peer presented in this handshake (a
  // server: the client's, under mutual TLS); empty when it sent none or the
  // library does not say.
  virtual Bytes peer_leaf_der() const { return {}; }
  // Appends a close_notify alert (RFC 8446 6.1) to out: the orderly end of
  // a connection over a real transport. False if the library cannot.
  virtual bool close(Bytes* out) {
    (void)out;
    return false;
  }
};

// An SSL_CTX or equivalent, prepared once and shared by connections of one
// thread.
class NativeContext {
 public:
  virtual ~NativeContext() = default;
  virtual std::unique_ptr<NativeConnection> new_connection(const NativeSession* resume) = 0;
};

// A group a backend lacks, and why (for listings and skipped scenarios).
struct UnsupportedGroup {
  Group group;
  std::string reason;  // one line, e.g. "OpenSSL 3.0 has no Kyber"
};

// What a backend can do, for capability listings and scenario filtering.
struct Algorithms {
  std::vector<Hash> hashes;  // also the hashes HMAC, HKDF and the PRF accept
  std::vector<Aead> aeads;
  std::vector<Group> groups;  // Diffie-Hellman and KEM groups alike
  std::vector<SignatureScheme> signature_schemes;
  bool hkdf = false;
  bool tls12_prf = false;
  bool rsa_pkcs1_encryption = false;
  bool x509 = false;
  // The hybrid groups (kHybridGroups) absent from groups, with the reason.
  std::vector<UnsupportedGroup> unsupported_groups;
};

// Why a backend lacks group: the reason it gave, or a plain "lacks".
inline std::string unsupported_group_reason(const Algorithms& a, std::string_view backend,
                                            Group group) {
  for (const UnsupportedGroup& u : a.unsupported_groups) {
    if (u.group == group) return u.reason;
  }
  return std::string(backend) + " lacks " + std::string(name(group));
}

class Backend {
 public:
  virtual ~Backend() = default;

  // Short name used on the command line: "openssl", "boringssl", "null";
  // the NAME of its plugin file hsbench-backend-NAME.so (loader.h).
  virtual std::string_view name() const = 0;
  // The library's own version string, e.g. "OpenSSL 3.0.19 ...".
  virtual std::string_view version() const = 0;

  // --- What the plugin declares of itself; the defaults suit a real
  // crypto library without a TLS stack of its own. ---

  // False for a stand-in whose keys and ciphers are fakes (the null
  // backend): its handshakes measure the engine alone, and nothing that
  // needs real cryptography (a capture a dissector can decrypt, the
  // forward-secrecy demo, a real peer) may use it.
  virtual bool real_crypto() const { return true; }
  // True when new_native_context can make contexts: the library has its
  // own TLS stack (native mode).
  virtual bool native_tls() const { return false; }
  // Where the backend sorts among the others in every list of backends
  // (registry.h): by real_crypto() (real ones first), then by this rank
  // (lower first), then by name.
  virtual int list_rank() const { return kDefaultListRank; }
  static constexpr int kDefaultListRank = 100;

  virtual const Algorithms& algorithms() const = 0;

  virtual bool random(std::span<uint8_t> out) = 0;

  virtual std::unique_ptr<HashContext> new_hash(Hash hash) = 0;
  virtual bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) = 0;
  // RFC 5869. extract writes digest_length(hash) bytes.
  virtual bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out_prk) = 0;
  virtual bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) = 0;
  // The TLS 1.2 PRF, P_hash(secret, label || seed) (RFC 5246, section 5).
  virtual bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                         std::span<uint8_t> out) = 0;

  virtual std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) = 0;

  virtual std::unique_ptr<KeyShare> generate_key_share(Group group) = 0;
  // A key share from a given private key (32 bytes for x25519, a big-endian
  // scalar of the field size otherwise), so tests and instruction counts can
  // be deterministic.
  // For a KEM group the private key is private_key_length(group) bytes:
  // the X25519 scalar, then the KEM key generation's entropy.
  virtual std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) = 0;
  // A KEM group's server side: encapsulates to the client's share
  // (public_key_length(group) bytes), writing the server's share
  // (public_key_length(group, ShareFrom::server) bytes) into out_share and
  // the shared secret (shared_secret_length(group) bytes) into out_secret.
  // entropy is empty for fresh randomness, or
  // encapsulation_entropy_length(group) bytes, so that tests and
  // instruction counts can be deterministic. False for a malformed client
  // share, and for a group the backend lacks or that is not a KEM. A
  // Diffie-Hellman group's server side is generate_key_share and derive.
  virtual bool encapsulate(Group group, ByteView client_share, ByteView entropy,
                           std::span<uint8_t> out_share, std::span<uint8_t> out_secret) {
    (void)group, (void)client_share, (void)entropy, (void)out_share, (void)out_secret;
    return false;
  }

  // A private key from PEM or DER (PKCS#8 or the traditional format).
  virtual std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                                       std::string* out_error) = 0;
  // Parses DER certificates, leaf first. nullptr if any fails to parse.
  virtual std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) = 0;
  // The public key of one DER certificate, for a client that does not
  // check the chain: a library may get it without parsing the rest. By
  // default, the certificate parsed as a chain of one. nullptr if it does
  // not parse or its key is unsupported.
  virtual std::unique_ptr<PublicKey> parse_certificate_key(ByteView der_cert) {
    auto chain = parse_chain(std::span<const ByteView>(&der_cert, 1));
    return chain != nullptr ? chain->leaf_public_key() : nullptr;
  }
  virtual std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                                      std::string* out_error) = 0;

  // The library's own TLS stack; nullptr and out_failure when the backend
  // has none (native_tls() is false: unsupported) or cannot do what config
  // asks (unsupported when the library lacks it, failed for a malformed
  // config or a library error).
  virtual std::unique_ptr<NativeContext> new_native_context(const NativeConfig& config,
                                                            Failure* out_failure) {
    (void)config;
    *out_failure = {FailureKind::unsupported, std::string(name()) + " has no TLS stack of its own"};
    return nullptr;
  }
};

}  // namespace hsbench

// The one symbol a backend plugin exports:
//   extern "C" hsbench::Backend* hsbench_backend_create(uint32_t abi_version);
// It returns nullptr when abi_version is not the plugin's kBackendAbiVersion
// or the library cannot start. The caller owns the result.
#define HSBENCH_BACKEND_ENTRY_POINT "hsbench_backend_create"
using HsbenchBackendCreateFn = hsbench::Backend* (*)(uint32_t abi_version);

#define HSBENCH_EXPORT __attribute__((visibility("default")))
