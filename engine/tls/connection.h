// A TLS endpoint of the engine: the state shared by the client and the
// server of both versions, and the machinery their state functions use to
// read and write messages. A connection never does I/O: the driver hands it
// the peer's bytes (receive) and takes what it wrote (output).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/trace.h"
#include "tls/bytes.h"
#include "tls/crypto.h"
#include "tls/protocol.h"
#include "tls/record.h"
#include "tls/session.h"
#include "tls/tls13_keys.h"
#include "tls/transcript.h"

namespace hsbench::tls {

// A ClientHello shaped like another client's, so that published traces
// (RFC 8448) can be reproduced byte for byte and other clients' hellos
// measured. The engine still negotiates only what Config offers.
struct ClientHelloProfile {
  // Extension types in wire order. Those the engine knows are written from
  // Config; others come from raw_extensions.
  std::vector<uint16_t> extension_order;
  std::vector<std::pair<uint16_t, Bytes>> raw_extensions;
  // What supported_groups and signature_algorithms advertise, when not empty.
  std::vector<uint16_t> advertised_groups;
  std::vector<uint16_t> advertised_signature_algorithms;
  // A TLS 1.3 session id and ChangeCipherSpec for middleboxes (RFC 8446 D.4).
  bool middlebox_compatibility = true;
};

// The server's counterpart: a TLS 1.3 ServerHello and EncryptedExtensions
// shaped like another server's, for the same traces.
struct ServerHelloProfile {
  // ServerHello extension types in wire order; any the engine writes that
  // this leaves out follow in the engine's own order.
  std::vector<uint16_t> extension_order;
  // Extensions EncryptedExtensions carries as they are, in order.
  std::vector<std::pair<uint16_t, Bytes>> encrypted_extensions;
};

struct Config {
  TlsVersion min_version = TlsVersion::tls12;
  TlsVersion max_version = TlsVersion::tls13;
  // Client: offered, in order. Server: accepted, in its order of preference.
  std::vector<CipherSuite> cipher_suites;
  std::vector<Group> groups;
  std::vector<SignatureScheme> signature_schemes;
  // Bytes of application data each side sends in the default exchange after
  // the handshake (the "session established" step; engine/drive), unless
  // application_data is set. The connection itself sends what it is given.
  size_t application_data_length = 64;
  ByteView application_data;

  // Secrets in the NSS key log format's terms (label, secret), as they are
  // derived: CLIENT_RANDOM for TLS 1.2, the TLS 1.3 traffic secrets. For
  // tests and for decrypting captures; unset when measuring.
  std::function<void(std::string_view label, ByteView client_random, ByteView secret)> key_log;

  // Client: the trust anchors, and the name sent as SNI and checked against
  // the leaf certificate (no check when empty).
  const TrustStore* trust = nullptr;
  std::string server_name;
  // Client: whether the server's chain is checked against trust (and the
  // name). Without it the leaf's key still checks the server's signature,
  // so the server does the same work: for load generators that measure the
  // server alone.
  bool verify_chain = true;
  const ClientHelloProfile* client_hello_profile = nullptr;

  // Server: its chain, key and their kind.
  const Credentials* credentials = nullptr;

  // Mutual TLS. Client: the chain and key it answers a CertificateRequest
  // with (chain_der and key); without, it answers with an empty Certificate
  // (RFC 8446 4.4.2.4, RFC 5246 7.4.6). Server: whether it asks for a client
  // certificate and fails a full handshake without one, the anchors the
  // client's chain must verify against (TrustStore::verify_client), and the
  // schemes it accepts for the client's CertificateVerify, in order.
  const Credentials* client_credentials = nullptr;
  bool require_client_certificate = false;
  const TrustStore* client_trust = nullptr;
  std::vector<SignatureScheme> client_signature_schemes;
  const ServerHelloProfile* server_hello_profile = nullptr;

  // Resumption: the client asks for tickets, keeps the newest, and resumes
  // with the session it is given; the server issues tickets and accepts
  // them (RFC 5077 in TLS 1.2; RFC 8446 4.6.1 in TLS 1.3).
  bool session_tickets = false;
  // TLS 1.3 resumption with a fresh (EC)DHE (psk_dhe_ke), or without (psk_ke).
  bool psk_with_dhe = true;
  // Server: the key its tickets are sealed with.
  std::array<uint8_t, kTicketKeyLength> ticket_key{};
  // Server: the time in seconds since the Unix epoch, by which tickets are
  // stamped when sealed and refused once older than their lifetime
  // (RFC 8446 4.6.1); the system clock when unset.
  std::function<uint64_t()> ticket_clock;
};

class Connection {
 public:
  enum class Status {
    progressed,  // ran a state that handled no message
    step,        // handled one message: last_step() says which
    want_read,   // needs more bytes from the peer
    done,        // handshake complete: application data may flow
    closed,      // the peer sent close_notify: an orderly end, not a failure
    failed,      // error() says why; an alert is in output()
  };

  struct StepId {
    Message message;
    Action action;
  };

  Connection(Side side, Backend* backend, const Config* config);
  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Makes the connection ready for a new handshake, keeping its buffers.
  virtual void reset();

  // Runs the handshake one state at a time; Status::done once it is
  // complete, and from then on.
  Status advance();
  StepId last_step() const { return last_step_; }
  // The handshake is complete (advance() would say done without doing
  // anything), so application data may be written and read.
  bool established() const { return established_; }

  // After the handshake. Each call that handles a message is a step.
  // Seals data (at most kMaxPlaintextLength bytes) as one application data
  // record into output(): step {application_data, write}.
  Status write_application_data(ByteView data);
  // Reads the next record the peer sent: step {application_data, read},
  // with received_application_data() its contents; or step
  // {new_session_ticket, read} for a TLS 1.3 NewSessionTicket that came
  // first (RFC 8446 4.6.1), when the next call reads on; want_read while
  // the record is incomplete; closed once the peer sent close_notify.
  Status read_application_data();
  // Writes a close_notify alert (RFC 8446 6.1) into output(): progressed.
  // Nothing may be written after it.
  Status send_close_notify();
  // close_notify was received.
  bool peer_closed() const { return peer_closed_; }
  // Bytes received and not yet handled: a record or part of one, or a
  // handshake message reassembled and not yet read.
  bool has_input() const { return in_pos_ != in_.size() || hs_pos_ != hs_in_.size(); }

  void receive(ByteView bytes);
  Bytes& output() { return out_; }

  Side side() const { return side_; }
  const Error& error() const { return error_; }
  TlsVersion version() const { return version_; }
  CipherSuite cipher_suite() const { return suite_->id; }
  // Whether this handshake resumed a session.
  bool resumed() const { return resumed_; }
  Crypto& crypto() { return crypto_; }
  const Config& config() const { return *config_; }
  // The application data record the peer sent last.
  ByteView received_application_data() const { return app_in_; }

 protected:
  enum class Next { ok, read, done, error, closed };
  // Runs the current state once.
  virtual Next run_state() = 0;
  // A handshake message after the handshake, buffered: read it with
  // read_handshake, or fail. By default none is expected.
  virtual Next read_post_handshake();
  // The state machine's last state: the handshake is complete.
  void complete_handshake() { established_ = true; }

  // Reads the next handshake message of the given type. Next::read while it
  // is incomplete; an error for any other message. The message (header
  // included, as the transcript takes it) stays valid until the next read.
  Next read_handshake(HandshakeType type, ByteView* out_body, ByteView* out_message);
  // True if the next handshake message is complete and of this type.
  Next peek_handshake(HandshakeType* out_type);
  Next read_change_cipher_spec();
  // Reads the next application data record into received_application_data().
  // A post-handshake message (a TLS 1.3 NewSessionTicket) arriving first is
  // buffered instead, and *out_handshake set: read it with read_handshake.
  Next read_application_record(bool* out_handshake);

  // Starts a message in the scratch buffer; write its body, then send it.
  Writer begin_message(HandshakeType type);
  // Adds the message to the transcript (unless it is post-handshake) and
  // writes it as records.
  Next send_message(bool add_to_transcript = true);
  Next send_change_cipher_spec();

  Next fail(Alert alert, const char* reason);
  void step(Message m, Action a) {
    last_step_ = {m, a};
    stepped_ = true;
  }

  // --- TLS 1.2 (connection_keys.cc) ---
  // The key block from master_secret_ into pending_write_/pending_read_.
  bool tls12_derive_record_keys();
  // Sends ChangeCipherSpec and switches to pending_write_.
  Next tls12_send_change_cipher_spec();
  // Reads ChangeCipherSpec and switches to pending_read_.
  Next tls12_read_change_cipher_spec();
  // Sends this side's Finished over the transcript.
  Next tls12_send_finished();
  // Reads and checks the peer's Finished, and adds it to the transcript.
  Next tls12_read_finished();

  // --- TLS 1.3 (connection_keys.cc) ---
  bool tls13_record_keys(const Secret& traffic_secret, RecordKeys* out);
  // Handshake traffic secrets over the transcript through ServerHello,
  // from the PSK (empty for none) and the (EC)DHE secret.
  bool tls13_derive_handshake_secrets(ByteView psk, ByteView shared_secret);
  // Application traffic secrets over the transcript through the server's
  // Finished.
  bool tls13_derive_application_secrets();
  // The resumption master secret over the transcript through the client's
  // Finished.
  bool tls13_derive_resumption_secret();
  // Sends Finished keyed by this side's handshake traffic secret.
  Next tls13_send_finished();
  // Reads and checks the peer's Finished, and adds it to the transcript.
  Next tls13_read_finished();

  // Whether a TLS 1.2 client CertificateVerify may be made or checked in
  // this handshake, so that the transcript keeps its messages.
  bool keeps_messages() const {
    return config_->min_version <= TlsVersion::tls12 &&
           (side_ == Side::client ? config_->client_credentials != nullptr
                                  : config_->require_client_certificate);
  }

  // Reports a secret to Config::key_log, if set.
  void log_secret(std::string_view label, ByteView secret) const;

  // Record keys for one direction from a key and IV.
  bool make_record_keys(Aead aead, ByteView key, ByteView iv, bool tls13, RecordKeys* out);

  Side side_;
  const Config* config_;
  Crypto crypto_;
  RecordLayer records_;
  Transcript transcript_;
  TlsVersion version_ = TlsVersion::tls12;
  const CipherSuiteInfo* suite_ = nullptr;
  bool resumed_ = false;
  uint8_t client_random_[kRandomLength] = {};
  uint8_t server_random_[kRandomLength] = {};

  // TLS 1.2
  bool extended_master_secret_ = false;
  uint8_t master_secret_[kMasterSecretLength] = {};
  RecordKeys pending_write_, pending_read_;  // until each ChangeCipherSpec

  // TLS 1.3
  Tls13KeySchedule schedule_;
  Secret client_handshake_secret_{}, server_handshake_secret_{};
  Secret client_application_secret_{}, server_application_secret_{};
  Secret resumption_master_secret_{};

  Bytes msg_;  // the message being written
  Writer::Prefix msg_length_{};

 private:
  // Pulls records until a whole handshake message is buffered.
  Next fill_handshake();
  Next handle_alert(ByteView payload);

  Bytes in_;  // bytes from the peer
  size_t in_pos_ = 0;
  Bytes hs_in_;  // reassembled handshake messages
  size_t hs_pos_ = 0;
  Bytes app_in_;  // application data received
  Bytes out_;     // bytes for the peer
  Error error_;
  bool failed_ = false;
  bool stepped_ = false;
  bool established_ = false;
  bool peer_closed_ = false;
  bool sent_close_ = false;
  StepId last_step_{Message::client_hello, Action::write};
};

}  // namespace hsbench::tls
