// What every fuzz target shares: a deterministic, transparent wrapper of a
// backend plugin (the null backend, or a real one for fuzz_openssl and
// fuzz_boringssl), the scenarios the targets drive, and peer "scripts"
// (flights of plaintext records) that the harness frames and protects
// itself, so that a fuzzed flight reaches the state machine behind the
// record layer's AEAD.
//
// The wrapper keeps the plugin's key exchange, certificates, signatures,
// hashes and PRFs (so a genuine Finished still verifies, and a forged one
// still does not), and replaces two things:
//  - randomness is a counter restarted before each handshake, so that a
//    connection replayed against a recorded peer flight sees the same
//    randoms, key shares and transcript as the genuine run that recorded it;
//  - the AEAD is transparent: the ciphertext is the plaintext and the tag is
//    sixteen zero bytes (a record with another tag does not open), so the
//    harness can write a protected record for any state without its keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "tls/connection.h"
#include "tls/crypto.h"
#include "tls/session.h"

namespace hsbench::fuzz {

class FuzzBackend final : public Backend {
 public:
  explicit FuzzBackend(Backend* inner) : inner_(inner) {}

  // Restarts the random counter: call before each handshake.
  void restart_random() { counter_ = 0; }

  // A real library signs ECDSA and RSA-PSS and pads RSA encryption with
  // randomness of its own, which the counter does not reach: a side
  // replayed against a genuine flight would then send other bytes than in
  // the genuine run, and the peer's recorded Finished would not verify. So
  // these outputs are recorded, per key and input, and given again for the
  // same input. The recorded outputs of the committed seeds are kept beside
  // them (World::set_corpus_dir) and loaded first.
  //
  // Loads outputs recorded earlier (save_recorded); false if the file is
  // malformed.
  bool load_recorded(ByteView file);
  // What the handshakes so far used, for load_recorded.
  Bytes save_recorded() const;
  // From now on outputs not recorded are made afresh and not kept (the
  // fuzzer's inputs would make the record grow without bound).
  void stop_recording() { recording_ = false; }

  std::string_view name() const override { return "fuzz"; }
  std::string_view version() const override { return inner_->version(); }
  bool real_crypto() const override { return inner_->real_crypto(); }
  const Algorithms& algorithms() const override { return inner_->algorithms(); }
  bool random(std::span<uint8_t> out) override;
  std::unique_ptr<HashContext> new_hash(Hash hash) override { return inner_->new_hash(hash); }
  bool hmac(Hash hash, ByteView key, ByteView data, std::span<uint8_t> out) override {
    return inner_->hmac(hash, key, data, out);
  }
  bool hkdf_extract(Hash hash, ByteView salt, ByteView ikm, std::span<uint8_t> out) override {
    return inner_->hkdf_extract(hash, salt, ikm, out);
  }
  bool hkdf_expand(Hash hash, ByteView prk, ByteView info, std::span<uint8_t> out) override {
    return inner_->hkdf_expand(hash, prk, info, out);
  }
  bool tls12_prf(Hash hash, ByteView secret, std::string_view label, ByteView seed,
                 std::span<uint8_t> out) override {
    return inner_->tls12_prf(hash, secret, label, seed, out);
  }
  std::unique_ptr<AeadContext> new_aead(Aead aead, ByteView key) override;
  std::unique_ptr<KeyShare> generate_key_share(Group group) override;
  std::unique_ptr<KeyShare> key_share_from_private(Group group, ByteView private_key) override {
    return inner_->key_share_from_private(group, private_key);
  }
  bool encapsulate(Group group, ByteView client_share, ByteView entropy,
                   std::span<uint8_t> out_share, std::span<uint8_t> out_secret) override;
  std::unique_ptr<PrivateKey> load_private_key(ByteView pem_or_der,
                                               std::string* out_error) override;
  std::unique_ptr<CertificateChain> parse_chain(std::span<const ByteView> der_certs) override;
  std::unique_ptr<PublicKey> parse_certificate_key(ByteView der_cert) override;
  std::unique_ptr<TrustStore> new_trust_store(std::span<const ByteView> der_anchors,
                                              std::string* out_error) override;

  // The output recorded for one operation (memo_key: what it is, whose key,
  // then its input), or nullptr; remember records one while recording.
  const Bytes* recalled(ByteView memo_key);
  void remember(ByteView memo_key, ByteView output);
  uint32_t next_key_id() { return key_ids_++; }

 private:
  Backend* inner_;
  uint64_t counter_ = 0;
  bool recording_ = true;
  uint32_t key_ids_ = 0;
  // By the SHA-256 of the memo key: loaded, and used since.
  Bytes digest(ByteView memo_key) const;
  std::map<Bytes, Bytes> loaded_, used_;
};

// The AEAD of FuzzBackend, also for the record layer target.
std::unique_ptr<AeadContext> transparent_aead(Aead aead);

// One record of a scripted peer, before framing.
enum class Protection : uint8_t { none = 0, tls12 = 1, tls13 = 2 };
struct ScriptRecord {
  // A ContentType, or kRawBytes: payload goes on the wire as it is.
  uint8_t content = 0;
  Protection protection = Protection::none;
  Bytes payload;
};
inline constexpr uint8_t kRawBytes = 0;
using Flight = std::vector<ScriptRecord>;
using Script = std::vector<Flight>;

// The wire form of a script, as the state machine targets read it:
//   entry := kind:u8 [length:u16 payload]
//   kind 0x00: end of flight (no length, no payload)
//   kind low 3 bits: 1 change_cipher_spec, 2 alert, 3 handshake,
//     4 application_data, 5 raw bytes; others: ignored, as is the entry
//   kind bits 4-5: 0 plaintext, 1 TLS 1.2 AEAD record, 2 TLS 1.3 AEAD record
// A last flight needs no end marker. Never fails: a malformed tail is
// dropped.
Script parse_script(ByteView in);
void serialize_script(const Script& script, Bytes* out);

// Appends the records of a flight as the peer would send them: plaintext
// records, or AEAD records under FuzzBackend's transparent AEAD (TLS 1.2:
// an explicit nonce, TLS 1.3: the inner content type). Payloads over 2^14
// bytes are split into several records.
void frame_flight(const Flight& flight, Bytes* out);

// The scenarios the targets know. A target's first input byte indexes this
// table; an index past its end, or of a scenario the plugin cannot run
// (hybrid key exchange without Kyber), is ignored. Append only: committed
// corpora depend on the order.
struct FuzzScenario {
  const Scenario* scenario;
  std::string name;     // the scenario's id, with "-full" for a ticket-issuing full handshake
  bool resume = false;  // this handshake resumes session
  tls::Config client_config;
  tls::Config server_config;
  // Resumption scenarios: the session the client resumes, from a genuine
  // full handshake.
  std::shared_ptr<const tls::ClientSession> session;
  // The genuine handshake, flight by flight.
  Script to_client;  // what the server sent
  Script to_server;  // what the client sent
};

class World {
 public:
  // The world of one backend plugin ("null", "openssl", "boringssl"),
  // made on first use: loads the plugin and the PKIs and records a genuine
  // handshake per scenario; aborts with a message if any of that fails.
  static World& get(std::string_view backend = "null");
  // Where a real plugin's recorded outputs are read from (FuzzBackend): the
  // file BACKEND.recorded in this directory; by default the committed seed
  // corpus, fuzz/corpus. Call before the first get.
  static void set_corpus_dir(std::string dir);
  static const std::string& corpus_dir();
  // The file of a backend's recorded outputs.
  static std::string recorded_path(std::string_view backend);

  const std::string& backend_name() const { return backend_name_; }
  // The table's length; scenario(i) is nullptr for one the plugin cannot
  // run.
  size_t scenario_count() const { return scenarios_.size(); }
  const FuzzScenario* scenario(uint8_t index) const {
    return index < scenarios_.size() ? scenarios_[index].get() : nullptr;
  }
  FuzzBackend& client_backend() { return *client_backend_; }
  FuzzBackend& server_backend() { return *server_backend_; }

  // Runs one side of a scenario against a scripted peer, flight by flight,
  // until it finishes, fails, or waits for more than the script has.
  // Aborts if a connection runs away (advances 1000 times without waiting),
  // which the driver would report as "did not finish", or fails without a
  // reason, or fails on its own account without sending an alert. Unless
  // it is done, out_why (if not null) says where it stopped, in one line.
  tls::Connection::Status replay(const FuzzScenario& s, Side side, const Script& peer,
                                 std::string* out_why = nullptr);

 private:
  explicit World(std::string backend);
  bool record_genuine(FuzzScenario& s, std::string* out_error);

  std::string backend_name_;
  // A resuming TLS 1.3 client reports its ticket's age in milliseconds
  // (RFC 8446 4.2.11.1): under a real library's key generation a replay
  // may take over one to write its ClientHello, which would then differ
  // from the genuine one. Every client reports 0.
  tls::Determinism client_determinism_;
  std::unique_ptr<LoadedBackend> plugin_;
  std::unique_ptr<FuzzBackend> client_backend_, server_backend_;
  std::vector<std::unique_ptr<Pki>> pkis_;
  std::vector<std::unique_ptr<Credentials>> credentials_;
  std::vector<std::unique_ptr<FuzzScenario>> scenarios_;
};

// Which of several messages of one type to replace.
enum class Occurrence { first, last };

// A copy of script with the body of a handshake message of this type
// replaced (its 4-byte header rewritten to match); nullopt when the script
// has no such message.
std::optional<Script> replace_message(const Script& script, tls::HandshakeType type,
                                      Occurrence which, ByteView body);

// The shared body of the message targets. input = selector:u8 body, where
// the selector's low 7 bits index World's scenarios and its top bit picks
// the last rather than the first message of the type (unless fixed says
// which). Feeds the body, in place of the genuine message, to the side that
// reads it in that scenario's genuine handshake; scenarios without the
// message are skipped.
void run_message_target(ByteView input, Side reader, tls::HandshakeType type,
                        std::optional<Occurrence> fixed = std::nullopt);

// The body of the state machine targets over a real plugin: input =
// selector:u8 script, where the selector's low 7 bits index the plugin's
// World's scenarios and its top bit says which side reads the script: 0
// the client (the script is the server's flights), 1 the server. Returns
// -1 (libFuzzer: not worth keeping) for a selector past the table.
int run_plugin_target(std::string_view backend, ByteView input);
inline constexpr uint8_t kServerReads = 0x80;

}  // namespace hsbench::fuzz
