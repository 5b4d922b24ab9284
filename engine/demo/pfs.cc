#include "demo/pfs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "capture/keylog.h"
#include "capture/pcap.h"
#include "capture/scenario_capture.h"
#include "drive/configs.h"
#include "drive/memory_pair.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/registry.h"
#include "hsbench/report.h"
#include "hsbench/scenario.h"
#include "tls/bytes.h"
#include "tls/client.h"
#include "tls/crypto.h"
#include "tls/handshake_util.h"
#include "tls/messages.h"
#include "tls/record.h"
#include "tls/server.h"
#include "tls/tls12_keys.h"

namespace hsbench::demo {
namespace {

using capture::Flight;
using capture::to_hex;
using tls::ContentType;
using tls::HandshakeType;
using tls::Reader;

constexpr size_t kShownBytes = 8;  // hex shown of a longer value

ByteView view(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string text_of(ByteView b) { return std::string(b.begin(), b.end()); }

// The first bytes of a value in hex, and its length.
std::string short_hex(ByteView b) {
  if (b.size() <= kShownBytes) return to_hex(b);
  return fmt::format("{}... ({} bytes)", to_hex(b.first(kShownBytes)), b.size());
}

// ---- What the eavesdropper reads without any key. ----

struct WireMessage {
  Side from;
  HandshakeType type;
  Bytes message;  // header included, as the transcript hashes it
  ByteView body() const { return ByteView(message).subspan(tls::kHandshakeHeaderLength); }
};

// The recording, split as anyone can split it: the plaintext handshake
// messages in wire order, and what each side sent after its
// ChangeCipherSpec, which is protected by keys the eavesdropper lacks.
struct Eavesdropped {
  std::vector<WireMessage> handshake;
  Bytes protected_records[2];  // indexed by Side

  const WireMessage* find(HandshakeType type) const {
    for (const auto& m : handshake) {
      if (m.type == type) return &m;
    }
    return nullptr;
  }
};

bool read_recording(const std::vector<Flight>& flights, Eavesdropped* out, std::string* out_error) {
  struct Direction {
    Bytes pending;    // record bytes not yet complete
    Bytes fragments;  // handshake bytes not yet a whole message
    bool protected_ = false;
  } dirs[2];

  for (const Flight& f : flights) {
    const auto side = static_cast<size_t>(f.from);
    Direction& d = dirs[side];
    if (d.protected_) {
      out->protected_records[side].insert(out->protected_records[side].end(), f.bytes.begin(),
                                          f.bytes.end());
      continue;
    }
    d.pending.insert(d.pending.end(), f.bytes.begin(), f.bytes.end());
    Reader records(d.pending);
    while (!d.protected_) {
      Reader record = records;
      uint8_t type;
      uint16_t version;
      ByteView payload;
      if (!record.u8(&type) || !record.u16(&version) || !record.u16_prefixed(&payload)) break;
      records = record;
      switch (static_cast<ContentType>(type)) {
        case ContentType::change_cipher_spec:
          d.protected_ = true;
          out->protected_records[side].assign(records.rest().begin(), records.rest().end());
          records = Reader();
          break;
        case ContentType::handshake: {
          d.fragments.insert(d.fragments.end(), payload.begin(), payload.end());
          Reader messages(d.fragments);
          for (;;) {
            Reader m = messages;
            uint8_t msg_type;
            ByteView body;
            if (!m.u8(&msg_type) || !m.u24_prefixed(&body)) break;
            const size_t length = tls::kHandshakeHeaderLength + body.size();
            ByteView whole = messages.rest().first(length);
            out->handshake.push_back(
                {f.from, static_cast<HandshakeType>(msg_type), Bytes(whole.begin(), whole.end())});
            messages = m;
          }
          d.fragments = Bytes(messages.rest().begin(), messages.rest().end());
          break;
        }
        default:
          *out_error = "the recording holds an alert or unprotected application data";
          return false;
      }
    }
    d.pending = Bytes(records.rest().begin(), records.rest().end());
  }
  return true;
}

// The protected records one side sent, in order, each with its header.
std::vector<Bytes> split_records(ByteView stream) {
  std::vector<Bytes> out;
  Reader r(stream);
  for (;;) {
    Reader record = r;
    uint8_t type;
    uint16_t version;
    ByteView payload;
    if (!record.u8(&type) || !record.u16(&version) || !record.u16_prefixed(&payload)) break;
    ByteView whole = r.rest().first(tls::kRecordHeaderLength + payload.size());
    out.emplace_back(whole.begin(), whole.end());
    r = record;
  }
  return out;
}

// Opens one recorded TLS 1.2 AES-GCM record on its own, as the record layer
// would have as the seq-th record under these keys: the nonce is the write
// IV (the salt) and the record's explicit part (RFC 5288 3), the additional
// data seq_num || type || version || length (RFC 5246 6.2.3.3). False when
// the tag does not verify: the keys are not the ones it was sealed under.
constexpr size_t kExplicitNonceLength = 8;
constexpr size_t kSaltLength = 4;
bool open_record(tls::Crypto& crypto, AeadContext& aead, ByteView salt, uint64_t seq,
                 ByteView record, Bytes* out_plain) {
  if (record.size() < tls::kRecordHeaderLength + kExplicitNonceLength + kAeadTagLength ||
      salt.size() != kSaltLength) {
    return false;
  }
  const ByteView body = record.subspan(tls::kRecordHeaderLength);
  const ByteView sealed = body.subspan(kExplicitNonceLength);
  const size_t length = sealed.size() - kAeadTagLength;
  uint8_t nonce[kAeadNonceLength];
  std::memcpy(nonce, salt.data(), kSaltLength);
  std::memcpy(nonce + kSaltLength, body.data(), kExplicitNonceLength);
  uint8_t ad[13];
  for (int i = 7; i >= 0; i--, seq >>= 8) ad[i] = static_cast<uint8_t>(seq);
  ad[8] = record[0];
  ad[9] = record[1];
  ad[10] = record[2];
  ad[11] = static_cast<uint8_t>(length >> 8);
  ad[12] = static_cast<uint8_t>(length);
  out_plain->resize(length);
  return crypto.open(aead, nonce, ad, sealed, *out_plain);
}

std::string in_quotes(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(c);
    } else {
      out += fmt::format("\\x{:02x}", static_cast<uint8_t>(c));
    }
  }
  return out + "\"";
}

// ---- The handshakes. ----

bool record_handshake(Backend& backend, const Scenario& scenario, const Credentials& creds,
                      PfsCase* out, std::string* out_error) {
  capture::FlightRecorder recorder;
  drive::PairOptions options;
  options.observer = &recorder;
  options.client_data = view(kClientMessage);
  options.server_data = view(kServerMessage);
  {
    // Client and server live only for the handshake: with them go the
    // ephemeral keys (which the engine erases as soon as it has derived the
    // premaster anyway) and every secret. Only the recording stays.
    auto pair =
        drive::MemoryPair::make(backend, backend, engine_client_config(scenario, creds.trust.get()),
                                engine_server_config(scenario, &creds), options, out_error);
    if (pair == nullptr) return false;
    tls::HandshakeOutcome outcome = pair->run(nullptr);
    if (!outcome.ok) {
      *out_error = fmt::format("{}: the {} failed: {}", scenario.id, name(outcome.failed_side),
                               outcome.error.reason);
      return false;
    }
    if (text_of(pair->server().received_application_data()) != kClientMessage) {
      *out_error = scenario.id + ": the server did not receive the client's message";
      return false;
    }
    out->cipher_suite = std::string(cipher_suite_info(pair->client().cipher_suite())->name);
  }
  out->scenario = scenario.id;
  out->recording = recorder.take();
  return true;
}

// ---- The attacker. ----

class Attacker {
 public:
  Attacker(Backend& backend, const PrivateKey& stolen_key, PfsCase* c)
      : crypto_(&backend), key_(stolen_key), case_(*c) {}

  // The same attempts on every recording, whatever its scenario is called:
  // the recorded bytes alone decide what each attempt finds.
  void attack() {
    case_.attack.clear();
    case_.key_exchange = "not read from the recording";
    case_.forward_secret = case_.key_matches_certificate = case_.signature_verified = false;
    case_.premaster_recovered = case_.finished_verified = case_.decrypted = false;
    case_.recovered_client_data.clear();
    case_.recovered_server_data.clear();
    if (!read_hellos() || !check_key()) return;
    read_server_key_exchange();
    Bytes candidate;
    if (!decrypt_client_key_exchange(&candidate)) return;
    uint8_t master[tls::kMasterSecretLength];
    tls::Tls12KeyBlock keys;
    if (!derive_keys(candidate, master, &keys)) return;
    check_finished(master, keys);
    open_application_data(keys);
    // Found, not assumed: the stolen key is the certificate's, every attempt
    // was made on a record that is there, and none of them got anywhere.
    case_.forward_secret = records_tried_ == 3 && !case_.premaster_recovered &&
                           !case_.finished_verified && !case_.decrypted;
  }

 private:
  void step(std::string attempt, std::string action, std::string outcome, bool succeeded) {
    case_.attack.push_back({std::move(attempt), std::move(action), std::move(outcome), succeeded});
  }

  bool read_hellos() {
    std::string error;
    if (!read_recording(case_.recording, &seen_, &error)) {
      step("read_hellos", "Split the recording into records and handshake messages", error, false);
      return false;
    }
    const WireMessage* ch = seen_.find(HandshakeType::client_hello);
    const WireMessage* sh = seen_.find(HandshakeType::server_hello);
    tls::Error err;
    if (ch == nullptr || sh == nullptr ||
        !tls::parse_client_hello(ch->body(), &client_hello_, &err) ||
        !tls::parse_server_hello(sh->body(), &server_hello_, &err)) {
      step("read_hellos", "Read the ClientHello and ServerHello from the recording",
           "they are missing or do not parse", false);
      return false;
    }
    suite_ = cipher_suite_info(server_hello_.cipher_suite);
    if (suite_ == nullptr || suite_->version != TlsVersion::tls12) {
      step("read_hellos", "Read the ClientHello and ServerHello from the recording",
           "the server chose no TLS 1.2 cipher suite", false);
      return false;
    }
    case_.key_exchange = suite_->kx == KeyExchange::rsa ? "RSA key transport" : "ECDHE";
    extended_master_secret_ =
        client_hello_.extended_master_secret && server_hello_.extended_master_secret;
    step("read_hellos",
         "Read the ClientHello and ServerHello from the recording (they are not encrypted)",
         fmt::format("client random {}, server random {}, cipher suite {}, extended master "
                     "secret {}",
                     short_hex(client_hello_.random), short_hex(server_hello_.random), suite_->name,
                     extended_master_secret_ ? "yes" : "no"),
         true);
    return true;
  }

  // The stolen key is the one in the recorded certificate: what it signs,
  // the certificate's public key verifies.
  bool check_key() {
    const WireMessage* cert = seen_.find(HandshakeType::certificate);
    ByteView certs[tls::kMaxChainLength];
    size_t count = 0;
    tls::Error err;
    if (cert == nullptr || !tls::parse_certificate(cert->body(), false, certs, &count, &err) ||
        count == 0 || (chain_ = crypto_.parse_chain(std::span(certs, count))) == nullptr ||
        (server_public_key_ = chain_->leaf_public_key()) == nullptr) {
      step("check_key", "Read the server's certificate from the recording",
           "it is missing or does not parse", false);
      return false;
    }
    constexpr std::string_view kProbe = "hsbench pfs-demo: whose key is this?";
    const std::vector<SignatureScheme> schemes = signature_schemes_for(key_.info());
    if (schemes.empty()) {
      step("check_key", "Check that the stolen key belongs to the certificate in the recording",
           "the backend signs with no scheme for this key", false);
      return false;
    }
    const SignatureScheme scheme = schemes.front();
    uint8_t signature[kMaxSignatureLength];
    size_t signature_length = 0;
    case_.key_matches_certificate =
        crypto_.sign(key_, scheme, view(kProbe), signature, &signature_length) &&
        crypto_.verify(*server_public_key_, scheme, view(kProbe),
                       ByteView(signature, signature_length));
    step("check_key", "Check that the stolen key belongs to the certificate in the recording",
         case_.key_matches_certificate
             ? fmt::format("it does: what it signs verifies under the recorded {}-bit {} "
                           "certificate",
                           server_public_key_->info().bits,
                           server_public_key_->info().type == KeyType::rsa
                               ? std::string_view("RSA")
                               : name(server_public_key_->info().type))
             : "it does not: this is some other key",
         case_.key_matches_certificate);
    return case_.key_matches_certificate;
  }

  // What the stolen key did in this handshake besides (perhaps) decrypting:
  // the ServerKeyExchange, when there is one, is its signature over the
  // server's ephemeral public key.
  void read_server_key_exchange() {
    const WireMessage* m = seen_.find(HandshakeType::server_key_exchange);
    constexpr std::string_view kAction = "Read the recorded ServerKeyExchange, if any";
    if (m == nullptr) {
      step("server_key_exchange", std::string(kAction),
           "there is none: the server sent no key of its own, so the secret can only have come "
           "from the client, in the ClientKeyExchange",
           true);
      return;
    }
    tls::ServerKeyExchange ske;
    tls::Error err;
    if (!tls::parse_server_key_exchange(m->body(), &ske, &err)) {
      step("server_key_exchange", std::string(kAction), "there is one, and it does not parse",
           false);
      return;
    }
    const auto group = static_cast<Group>(ske.group);
    if (suite_->kx != KeyExchange::rsa) {
      case_.key_exchange = fmt::format("ECDHE ({})", name(group));
    }
    server_ephemeral_length_ = ske.public_key.size();
    // What the server signed: client_random + server_random + params
    // (RFC 8422 5.4).
    Bytes signed_content(client_hello_.random.begin(), client_hello_.random.end());
    signed_content.insert(signed_content.end(), server_hello_.random.begin(),
                          server_hello_.random.end());
    signed_content.insert(signed_content.end(), ske.params.begin(), ske.params.end());
    const auto scheme = static_cast<SignatureScheme>(ske.signature_scheme);
    case_.signature_verified =
        crypto_.verify(*server_public_key_, scheme, signed_content, ske.signature);
    step("server_key_exchange",
         "Read the recorded ServerKeyExchange and verify its signature with the stolen key's "
         "certificate",
         case_.signature_verified
             ? fmt::format("it verifies ({}): the stolen key signed the server's ephemeral {} "
                           "public key {} for this handshake",
                           name(scheme), name(group), short_hex(ske.public_key))
             : "it does not verify",
         case_.signature_verified);
  }

  // The hash of the handshake messages up to and including
  // ClientKeyExchange: the session hash (RFC 7627 3), and also what the
  // client's Finished covers when there is no CertificateVerify.
  Bytes hash_through_client_key_exchange() {
    auto ctx = crypto_.new_hash(suite_->hash);
    uint64_t hashed = 0;
    for (const WireMessage& m : seen_.handshake) {
      crypto_.hash_update(*ctx, m.message);
      hashed += m.message.size();
      if (m.type == HandshakeType::client_key_exchange) break;
    }
    Bytes out(digest_length(suite_->hash));
    crypto_.hash_digest(*ctx, hashed, out);
    return out;
  }

  // RSA key transport puts the premaster in the ClientKeyExchange encrypted
  // to the server's key (RFC 5246 7.4.7.1); the attacker tries to take it
  // out whatever the ClientKeyExchange holds. out_candidate: the attacker's
  // best guess at the premaster, for the attempts that follow.
  bool decrypt_client_key_exchange(Bytes* out_candidate) {
    constexpr std::string_view kAction =
        "RSA-decrypt the recorded ClientKeyExchange with the stolen key";
    const WireMessage* cke = seen_.find(HandshakeType::client_key_exchange);
    if (cke == nullptr) {
      step("rsa_decrypt", std::string(kAction), "there is no ClientKeyExchange in the recording",
           false);
      return false;
    }
    const ByteView body = cke->body();
    const size_t modulus_bytes = key_.info().bits / 8;
    ByteView value;
    std::string holds;
    Reader as_rsa(body), as_ecdhe(body);
    if (as_rsa.u16_prefixed(&value) && as_rsa.empty()) {
      holds = fmt::format(
          "a {}-byte value after a 2-byte length, the form of an RSA-encrypted "
          "premaster (RFC 5246 7.4.7.1)",
          value.size());
    } else if (as_ecdhe.u8_prefixed(&value) && as_ecdhe.empty()) {
      holds = fmt::format(
          "a {}-byte value after a 1-byte length, the form of the client's ephemeral public key "
          "(RFC 8422 5.7){}, not of an RSA ciphertext",
          value.size(),
          value.size() == server_ephemeral_length_ ? ", as long as the server's in the "
                                                     "ServerKeyExchange"
                                                   : "");
    } else {
      value = body;
      holds = fmt::format("{} bytes in no form the attacker knows", body.size());
    }

    uint8_t decrypted[kMaxRsaBits / 8];
    size_t decrypted_length = 0;
    const bool decrypts = crypto_.rsa_decrypt(key_, value, decrypted, &decrypted_length);
    const ByteView plain(decrypted, decrypts ? decrypted_length : 0);
    const uint8_t version[2] = {static_cast<uint8_t>(client_hello_.legacy_version >> 8),
                                static_cast<uint8_t>(client_hello_.legacy_version)};
    const bool right_length = decrypts && decrypted_length == tls::kMasterSecretLength;
    case_.premaster_recovered =
        right_length && decrypted[0] == version[0] && decrypted[1] == version[1];

    std::string found;
    if (case_.premaster_recovered) {
      found = fmt::format(
          "premaster secret {}, starting with the client's version {:02x} {:02x} as RFC 5246 "
          "7.4.7.1 requires",
          short_hex(plain), version[0], version[1]);
    } else if (decrypts) {
      found = fmt::format(
          "no premaster: it decrypts to {}, not 48 bytes starting with the "
          "client's version {:02x} {:02x}",
          short_hex(plain), version[0], version[1]);
    } else if (value.size() != modulus_bytes) {
      found = fmt::format(
          "no premaster: RSA decryption fails, a ciphertext for this {}-bit key "
          "being {} bytes",
          key_.info().bits, modulus_bytes);
    } else {
      found = "no premaster: RSA decryption fails, the PKCS#1 v1.5 padding is not there";
    }
    step("rsa_decrypt", std::string(kAction), fmt::format("it holds {}; {}", holds, found),
         case_.premaster_recovered);

    // Short of a premaster, what decryption gave, or else the value itself
    // (a premaster sent in the clear would be found this way).
    out_candidate->assign(decrypts ? plain.begin() : value.begin(),
                          decrypts ? plain.end() : value.end());
    candidate_from_ = case_.premaster_recovered ? "the recovered premaster"
                      : decrypts                ? "what RSA decryption gave (no premaster)"
                                 : "the ClientKeyExchange's value (nothing decrypted)";
    return true;
  }

  // RFC 5246 8.1 and RFC 7627 4: the master secret; RFC 5246 6.3: the key
  // block. With the real premaster, exactly what both sides computed.
  bool derive_keys(ByteView premaster, std::span<uint8_t, tls::kMasterSecretLength> out_master,
                   tls::Tls12KeyBlock* out_keys) {
    constexpr std::string_view kAction = "Derive the master secret and the record keys";
    transcript_hash_ = hash_through_client_key_exchange();
    if (!tls::tls12_master_secret(crypto_, suite_->hash, premaster, extended_master_secret_,
                                  transcript_hash_, client_hello_.random, server_hello_.random,
                                  out_master) ||
        !tls::tls12_key_block(crypto_, *suite_, out_master, client_hello_.random,
                              server_hello_.random, out_keys)) {
      step("derive_keys", std::string(kAction), "the backend's PRF failed", false);
      return false;
    }
    step("derive_keys", std::string(kAction),
         fmt::format(
             "master secret {}, client write key {}, server write key {}: the PRF over "
             "{} and {}",
             short_hex(out_master), to_hex(ByteView(out_keys->client_key, out_keys->key_length)),
             to_hex(ByteView(out_keys->server_key, out_keys->key_length)), candidate_from_,
             extended_master_secret_ ? "the hash of the recorded handshake (extended master secret)"
                                     : "the two randoms"),
         case_.premaster_recovered);
    return true;
  }

  std::unique_ptr<AeadContext> aead_for(Side side, const tls::Tls12KeyBlock& keys) {
    return crypto_.new_aead(
        suite_->aead,
        ByteView(side == Side::client ? keys.client_key : keys.server_key, keys.key_length));
  }
  static ByteView salt_for(Side side, const tls::Tls12KeyBlock& keys) {
    return ByteView(side == Side::client ? keys.client_iv : keys.server_iv, kSaltLength);
  }
  std::vector<Bytes> records_of(Side side) const {
    return split_records(seen_.protected_records[static_cast<size_t>(side)]);
  }

  // The client's first record under its keys is its Finished (RFC 5246
  // 7.4.9): if it opens and its verify_data is the one this master secret
  // gives, the keys are the session's.
  void check_finished(ByteView master, const tls::Tls12KeyBlock& keys) {
    const std::vector<Bytes> records = records_of(Side::client);
    auto aead = aead_for(Side::client, keys);
    if (aead != nullptr && !records.empty()) records_tried_++;
    Bytes plain;
    std::string found;
    if (aead == nullptr) {
      found = fmt::format("the backend has no {}", name(suite_->aead));
    } else if (records.empty()) {
      found = "the client sent nothing after its ChangeCipherSpec";
    } else if (!open_record(crypto_, *aead, salt_for(Side::client, keys), 0, records[0], &plain)) {
      found = fmt::format(
          "its {}-byte record does not open: the AEAD tag does not verify under "
          "keys derived from {}, so they are not the session's",
          records[0].size(), candidate_from_);
    } else {
      uint8_t expected[tls::kTls12VerifyDataLength];
      const bool is_finished = records[0][0] == static_cast<uint8_t>(ContentType::handshake) &&
                               plain.size() == 4 + tls::kTls12VerifyDataLength &&
                               plain[0] == static_cast<uint8_t>(HandshakeType::finished);
      if (!is_finished) {
        found = "it opens, but to no Finished message";
      } else if (!tls::tls12_verify_data(crypto_, suite_->hash, master, Side::client,
                                         transcript_hash_, expected)) {
        found = "it opens, and the backend's PRF fails on its verify_data";
      } else {
        const ByteView got = ByteView(plain).subspan(4);
        case_.finished_verified = tls::equal_ct(got, expected);
        found = case_.finished_verified
                    ? fmt::format(
                          "it opens, and its verify_data {} is the one this master "
                          "secret gives: these are the session's keys",
                          to_hex(got))
                    : fmt::format(
                          "it opens, but its verify_data {} is not {}, the one this "
                          "master secret gives",
                          to_hex(got), to_hex(expected));
      }
    }
    step("finished", "Decrypt the client's recorded Finished and check its verify_data", found,
         case_.finished_verified);
  }

  // Each side's first application data record, opened at its place in the
  // sequence of records under that side's keys.
  bool open_data(Side side, const tls::Tls12KeyBlock& keys, std::string* out_text,
                 std::string* out_found) {
    const std::vector<Bytes> records = records_of(side);
    size_t seq = 0;
    while (seq < records.size() &&
           records[seq][0] != static_cast<uint8_t>(ContentType::application_data)) {
      seq++;
    }
    auto aead = aead_for(side, keys);
    Bytes plain;
    if (aead != nullptr && seq < records.size()) records_tried_++;
    if (seq == records.size()) {
      *out_found = "there is none in the recording";
    } else if (aead == nullptr) {
      *out_found = fmt::format("the backend has no {}", name(suite_->aead));
    } else if (!open_record(crypto_, *aead, salt_for(side, keys), seq, records[seq], &plain)) {
      *out_found = fmt::format(
          "its {}-byte record {} does not open: the AEAD tag does not "
          "verify under these keys; it stays ciphertext",
          records[seq].size(), short_hex(records[seq]));
    } else {
      *out_text = text_of(plain);
      *out_found = in_quotes(*out_text);
      return true;
    }
    return false;
  }

  void open_application_data(const tls::Tls12KeyBlock& keys) {
    std::string client_text, server_text, found;
    const bool client_ok = open_data(Side::client, keys, &client_text, &found);
    step("client_data", "Decrypt the client's recorded application data", found, client_ok);
    const bool server_ok = open_data(Side::server, keys, &server_text, &found);
    step("server_data", "Decrypt the server's recorded application data", found, server_ok);
    case_.decrypted = client_ok && server_ok;
    if (client_ok) case_.recovered_client_data = client_text;
    if (server_ok) case_.recovered_server_data = server_text;
  }

  tls::Crypto crypto_;
  const PrivateKey& key_;
  PfsCase& case_;
  Eavesdropped seen_;
  tls::ClientHello client_hello_;
  tls::ServerHello server_hello_;
  const CipherSuiteInfo* suite_ = nullptr;
  bool extended_master_secret_ = false;
  size_t server_ephemeral_length_ = 0;
  Bytes transcript_hash_;
  std::string candidate_from_;
  int records_tried_ = 0;  // of the Finished and the two data records, those there to open
  std::unique_ptr<CertificateChain> chain_;
  std::unique_ptr<PublicKey> server_public_key_;
};

// Word-wraps text to kWidth columns, every line after the first indented.
constexpr size_t kWidth = 78;
std::string wrap(std::string_view text, size_t column, size_t indent) {
  std::string out;
  bool first = true;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    start = end + 1;
    if (word.empty()) continue;
    if (!first && column + 1 + word.size() > kWidth) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (!first) {
      out += " ";
      column++;
    }
    out += word;
    column += word.size();
    first = false;
  }
  return out;
}

void render_case(const PfsCase& c, int number, std::string* out) {
  const Bytes client_bytes = capture::sent_by(c.recording, Side::client);
  const Bytes server_bytes = capture::sent_by(c.recording, Side::server);
  *out += fmt::format("{}. {}: {} ({})\n", number, c.key_exchange, c.scenario, c.cipher_suite);
  *out += fmt::format("   Recorded: {} flights, {} bytes from the client, {} from the server.\n",
                      c.recording.size(), client_bytes.size(), server_bytes.size());
  for (const AttackStep& s : c.attack) {
    *out += fmt::format("   [{}] {}\n", s.succeeded ? "ok" : "no", wrap(s.action, 8, 8));
    *out += fmt::format("        {}\n", wrap(s.outcome, 8, 8));
  }
  std::string verdict;
  if (c.decrypted) {
    verdict = fmt::format(
        "=> The attacker reads the whole recorded session: {} and {}. {} has no forward "
        "secrecy: one stolen key opens every session ever recorded with it.",
        in_quotes(c.recovered_client_data), in_quotes(c.recovered_server_data), c.key_exchange);
  } else if (c.forward_secret) {
    verdict =
        "=> Nothing decrypts. The stolen key only proves who signed: the ClientKeyExchange held "
        "no secret encrypted to it, and keys made from what it held fail the Finished and open "
        "no record. The premaster came from two ephemeral keys; their public halves are in the "
        "recording, but the private ones were made for this handshake, never sent, and erased, "
        "and recovering one from its public key means solving the elliptic-curve discrete "
        "logarithm. That is forward secrecy.";
  } else {
    verdict = "=> The attack did not work here, which is unexpected: see the steps above.";
  }
  *out += "   " + wrap(verdict, 3, 6) + "\n";
}

nlohmann::ordered_json case_json(const PfsCase& c) {
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const AttackStep& s : c.attack) {
    steps.push_back({{"attempt", s.attempt},
                     {"action", s.action},
                     {"outcome", s.outcome},
                     {"succeeded", s.succeeded}});
  }
  auto optional_text = [&](const std::string& s) {
    return c.decrypted ? nlohmann::ordered_json(s) : nlohmann::ordered_json(nullptr);
  };
  return {
      {"scenario", c.scenario},
      {"cipher_suite", c.cipher_suite},
      {"key_exchange", c.key_exchange},
      {"forward_secret", c.forward_secret},
      {"recorded",
       {{"flights", c.recording.size()},
        {"client_bytes", capture::sent_by(c.recording, Side::client).size()},
        {"server_bytes", capture::sent_by(c.recording, Side::server).size()}}},
      {"attack", steps},
      {"key_matches_certificate", c.key_matches_certificate},
      {"signature_verified", c.signature_verified},
      {"premaster_recovered", c.premaster_recovered},
      {"finished_verified", c.finished_verified},
      {"decrypted", c.decrypted},
      {"recovered_client_data", optional_text(c.recovered_client_data)},
      {"recovered_server_data", optional_text(c.recovered_server_data)},
  };
}

}  // namespace

void attack_recording(Backend& backend, const PrivateKey& stolen_key, PfsCase* c) {
  Attacker(backend, stolen_key, c).attack();
}

bool run_pfs_demo(Backend& backend, const std::string& pki_dir, PfsDemoResult* out,
                  std::string* out_error, const PfsScenarios& scenarios) {
  const Scenario* rsa = find_scenario(scenarios.rsa);
  const Scenario* ecdhe = find_scenario(scenarios.ecdhe);
  if (rsa == nullptr || ecdhe == nullptr || rsa->cert != ecdhe->cert ||
      rsa->version != TlsVersion::tls12 || ecdhe->version != TlsVersion::tls12) {
    *out_error =
        "the demo's scenarios are missing from the scenario table, are not TLS 1.2, "
        "or differ in certificate";
    return false;
  }
  const PkiFiles files = default_pki_files(pki_dir, rsa->cert);
  auto pki = read_pki(rsa->cert, files, out_error);
  if (pki == nullptr) return false;
  auto creds = prepare_credentials(backend, *pki, kServerName, out_error);
  if (creds == nullptr) return false;

  out->backend = std::string(backend.name());
  out->backend_version = std::string(backend.version());
  out->key_file = files.key;
  out->client_message = std::string(kClientMessage);
  out->server_message = std::string(kServerMessage);
  if (!record_handshake(backend, *rsa, *creds, &out->rsa, out_error) ||
      !record_handshake(backend, *ecdhe, *creds, &out->ecdhe, out_error)) {
    return false;
  }

  // Later: the server's private key is stolen, as a file off its disk.
  auto stolen = backend.load_private_key(pki->key, out_error);
  if (stolen == nullptr) return false;
  attack_recording(backend, *stolen, &out->rsa);
  attack_recording(backend, *stolen, &out->ecdhe);
  return true;
}

std::string render_text(const PfsDemoResult& r) {
  std::string out;
  out += fmt::format("Forward secrecy, shown (backend {}: {})\n\n", r.backend, r.backend_version);
  out += wrap(fmt::format("A client sends {} and the server answers {}, twice: once over RSA key "
                          "transport, once over ECDHE, both with the same RSA certificate. A "
                          "passive eavesdropper records both connections. Later the attacker "
                          "steals the server's private key ({}) and goes back to the "
                          "recordings.",
                          in_quotes(r.client_message), in_quotes(r.server_message), r.key_file),
              0, 0);
  out += "\n\n";
  render_case(r.rsa, 1, &out);
  out += "\n";
  render_case(r.ecdhe, 2, &out);
  out += "\n" +
         wrap(
             "The price of forward secrecy here is an ephemeral key generation and derivation "
             "on each side, and on the client a signature verification in place of an "
             "encryption; the server's RSA private-key operation is there either way (it "
             "decrypts in the first handshake, signs in the second). `hsbench --backend all` "
             "measures it (README, \"Forward secrecy, shown\"). TLS 1.3 has no RSA key "
             "transport: every TLS 1.3 handshake is like the second one.",
             0, 0) +
         "\n";
  return out;
}

std::string render_json(const PfsDemoResult& r) {
  nlohmann::ordered_json j = {
      {"schema", "hsbench-pfs-demo/v1"},
      {"backend", {{"name", r.backend}, {"version", r.backend_version}}},
      {"stolen_key_file", r.key_file},
      {"client_message", r.client_message},
      {"server_message", r.server_message},
      {"handshakes", {case_json(r.rsa), case_json(r.ecdhe)}},
  };
  return j.dump(2) + "\n";
}

int pfs_demo_command(const PfsDemoOptions& o, std::ostream& out, std::ostream& err) {
  constexpr int kFailed = 1, kBadInput = 2;
  std::string error;
  std::unique_ptr<LoadedBackend> backend;
  if (o.backend.empty()) {
    // The first backend with real crypto, in the order of every list.
    for (auto& lb : BackendRegistry::discover().take_backends()) {
      if (lb->backend().real_crypto()) {
        backend = std::move(lb);
        break;
      }
    }
    if (backend == nullptr) {
      err << "hsbench: pfs-demo needs a backend with real crypto; none was found (hsbench list "
             "backends)\n";
      return kBadInput;
    }
  } else {
    backend = load_backend(o.backend, &error);
    if (backend == nullptr) {
      err << "hsbench: " << error << "\n";
      return kBadInput;
    }
    if (!backend->backend().real_crypto()) {
      err << "hsbench: pfs-demo needs real crypto: the " << o.backend
          << " backend's keys and ciphers are fakes\n";
      return kBadInput;
    }
  }
  for (const std::string* path : {&o.json_path, &o.pcap_path}) {
    if (!path->empty() && *path != "-" && !check_file_writable(*path, &error)) {
      err << "hsbench: " << error << "\n";
      return kBadInput;
    }
  }
  PfsDemoResult result;
  if (!run_pfs_demo(backend->backend(), o.pki_dir.empty() ? default_pki_dir() : o.pki_dir, &result,
                    &error, o.scenarios)) {
    err << "hsbench: pfs-demo: " << error << "\n";
    return kFailed;
  }
  if (!o.pcap_path.empty()) {
    capture::PcapWriter pcap(capture::now_us());
    pcap.add_stream(capture::kFirstClientPort, result.rsa.recording);
    pcap.add_stream(capture::kFirstClientPort + 1, result.ecdhe.recording);
    const Bytes& b = pcap.bytes();
    if (!write_file_atomically(o.pcap_path,
                               std::string_view(reinterpret_cast<const char*>(b.data()), b.size()),
                               &error)) {
      err << "hsbench: " << error << "\n";
      return kFailed;
    }
  }
  const std::string json = render_json(result);
  if (o.json_path == "-") {
    out << json;
  } else {
    out << render_text(result);
    if (!o.json_path.empty() && !write_file_atomically(o.json_path, json, &error)) {
      err << "hsbench: " << error << "\n";
      return kFailed;
    }
  }
  out.flush();
  // The output says what was found either way; the exit status says whether
  // it is what the demo is there to show.
  if (!result.rsa.decrypted || !result.ecdhe.forward_secret) {
    err << "hsbench: pfs-demo: the attack did not find what it shows: the " << result.rsa.scenario
        << " recording " << (result.rsa.decrypted ? "opened" : "did not open") << ", the "
        << result.ecdhe.scenario << " one was "
        << (result.ecdhe.forward_secret ? "forward secret" : "not found forward secret") << "\n";
    return kFailed;
  }
  return 0;
}

}  // namespace hsbench::demo
