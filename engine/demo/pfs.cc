#include "demo/pfs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "capture/keylog.h"
#include "capture/pcap.h"
#include "capture/scenario_capture.h"
#include "drive/memory_pair.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/registry.h"
#include "hsbench/report.h"
#include "hsbench/scenario.h"
#include "drive/configs.h"
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

const Bytes* first_application_data(const std::vector<Bytes>& records) {
  for (const Bytes& r : records) {
    if (!r.empty() && r[0] == static_cast<uint8_t>(ContentType::application_data)) return &r;
  }
  return nullptr;
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
    auto pair = drive::MemoryPair::make(backend, backend,
                                        engine_client_config(scenario, creds.trust.get()),
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

  void attack() {
    if (!read_hellos() || !check_key()) return;
    // The recording says which key exchange was used; the attacker reads it
    // from the ServerHello like anyone else.
    if (suite_->kx == KeyExchange::rsa) {
      attack_rsa();
    } else {
      attack_ecdhe();
    }
  }

 private:
  void step(std::string action, std::string outcome, bool succeeded) {
    case_.attack.push_back({std::move(action), std::move(outcome), succeeded});
  }

  bool read_hellos() {
    std::string error;
    if (!read_recording(case_.recording, &seen_, &error)) {
      step("Split the recording into records and handshake messages", error, false);
      return false;
    }
    const WireMessage* ch = seen_.find(HandshakeType::client_hello);
    const WireMessage* sh = seen_.find(HandshakeType::server_hello);
    tls::Error err;
    if (ch == nullptr || sh == nullptr ||
        !tls::parse_client_hello(ch->body(), &client_hello_, &err) ||
        !tls::parse_server_hello(sh->body(), &server_hello_, &err)) {
      step("Read the ClientHello and ServerHello from the recording",
           "they are missing or do not parse", false);
      return false;
    }
    suite_ = cipher_suite_info(server_hello_.cipher_suite);
    if (suite_ == nullptr || suite_->version != TlsVersion::tls12) {
      step("Read the ClientHello and ServerHello from the recording",
           "the server chose no TLS 1.2 cipher suite", false);
      return false;
    }
    extended_master_secret_ =
        client_hello_.extended_master_secret && server_hello_.extended_master_secret;
    step("Read the ClientHello and ServerHello from the recording (they are not encrypted)",
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
      step("Read the server's certificate from the recording", "it is missing or does not parse",
           false);
      return false;
    }
    constexpr std::string_view kProbe = "hsbench pfs-demo: whose key is this?";
    const std::vector<SignatureScheme> schemes = signature_schemes_for(key_.info());
    if (schemes.empty()) {
      step("Check that the stolen key belongs to the certificate in the recording",
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
    step("Check that the stolen key belongs to the certificate in the recording",
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

  // The hash of the handshake messages up to and including
  // ClientKeyExchange: the session hash (RFC 7627 3), and also what the
  // client's Finished covers when there is no CertificateVerify.
  Bytes hash_through_client_key_exchange() {
    auto ctx = crypto_.new_hash(suite_->hash);
    for (const WireMessage& m : seen_.handshake) {
      crypto_.hash_update(*ctx, m.message);
      if (m.type == HandshakeType::client_key_exchange) break;
    }
    Bytes out(digest_length(suite_->hash));
    crypto_.hash_digest(*ctx, out);
    return out;
  }

  void attack_rsa() {
    const WireMessage* cke = seen_.find(HandshakeType::client_key_exchange);
    Reader r(cke != nullptr ? cke->body() : ByteView());
    ByteView encrypted;
    if (cke == nullptr || !r.u16_prefixed(&encrypted) || !r.empty()) {
      step("Find the encrypted premaster secret in the recorded ClientKeyExchange",
           "there is no well-formed ClientKeyExchange", false);
      return;
    }
    uint8_t decrypted[kMaxRsaBits / 8];
    size_t decrypted_length = 0;
    const bool ok = crypto_.rsa_decrypt(key_, encrypted, decrypted, &decrypted_length) &&
                    decrypted_length == tls::kMasterSecretLength && decrypted[0] == 0x03 &&
                    decrypted[1] == 0x03;
    const ByteView premaster(decrypted, ok ? decrypted_length : 0);
    case_.premaster_recovered = ok;
    step("RSA-decrypt the recorded ClientKeyExchange with the stolen key",
         ok ? fmt::format("premaster secret {}; it starts with the client's version 03 03, as "
                          "RFC 5246 7.4.7.1 requires",
                          short_hex(premaster))
            : "it does not decrypt to a premaster secret",
         ok);
    if (!ok) return;

    // RFC 5246 8.1 and RFC 7627 4: the master secret; RFC 5246 6.3: the
    // key block. The attacker computes exactly what both sides computed.
    const Bytes transcript_hash = hash_through_client_key_exchange();
    uint8_t master[tls::kMasterSecretLength];
    tls::Tls12KeyBlock keys;
    if (!tls::tls12_master_secret(crypto_, suite_->hash, premaster, extended_master_secret_,
                                  transcript_hash, client_hello_.random, server_hello_.random,
                                  master) ||
        !tls::tls12_key_block(crypto_, *suite_, master, client_hello_.random, server_hello_.random,
                              &keys)) {
      step("Derive the master secret and the record keys", "the backend's PRF failed", false);
      return;
    }
    step("Derive the master secret and the record keys, as both sides did",
         fmt::format("master secret {}, {}; client write key {}, server write key {}",
                     short_hex(master),
                     extended_master_secret_
                         ? "from the PRF over the premaster and the hash of the recorded "
                           "handshake (extended master secret)"
                         : "from the PRF over the premaster and the two randoms",
                     to_hex(ByteView(keys.client_key, keys.key_length)),
                     to_hex(ByteView(keys.server_key, keys.key_length))),
         true);

    // The client's Finished is the first record under its keys; opening it
    // and checking verify_data proves the keys right.
    Bytes client_finished;
    std::string client_data, server_data;
    const bool client_ok = open_side(Side::client, keys, &client_finished, &client_data);
    uint8_t expected[tls::kTls12VerifyDataLength];
    case_.finished_verified = client_ok &&
                              client_finished.size() == 4 + tls::kTls12VerifyDataLength &&
                              client_finished[0] == static_cast<uint8_t>(HandshakeType::finished) &&
                              tls::tls12_verify_data(crypto_, suite_->hash, master, Side::client,
                                                     transcript_hash, expected) &&
                              tls::equal_ct(ByteView(client_finished).subspan(4), expected);
    step("Decrypt the client's recorded Finished and check its verify_data",
         case_.finished_verified ? "it decrypts and its verify_data matches: these are the "
                                   "session's keys"
                                 : "it does not decrypt or does not match",
         case_.finished_verified);
    if (!case_.finished_verified) return;

    step("Decrypt the client's recorded application data",
         client_ok ? fmt::format("\"{}\"", client_data) : "it does not decrypt", client_ok);
    Bytes server_finished;
    const bool server_ok = open_side(Side::server, keys, &server_finished, &server_data);
    step("Decrypt the server's recorded application data",
         server_ok ? fmt::format("\"{}\"", server_data) : "it does not decrypt", server_ok);
    case_.decrypted = client_ok && server_ok;
    if (client_ok) case_.recovered_client_data = client_data;
    if (server_ok) case_.recovered_server_data = server_data;
  }

  // Opens what one side sent after its ChangeCipherSpec: its Finished, then
  // its application data.
  bool open_side(Side side, const tls::Tls12KeyBlock& keys, Bytes* out_finished,
                 std::string* out_data) {
    const bool client = side == Side::client;
    tls::RecordKeys record_keys;
    record_keys.aead = crypto_.new_aead(
        suite_->aead, ByteView(client ? keys.client_key : keys.server_key, keys.key_length));
    if (record_keys.aead == nullptr) return false;
    std::memcpy(record_keys.iv.data(), client ? keys.client_iv : keys.server_iv, 4);
    tls::RecordLayer records(&crypto_);
    records.set_read_keys(std::move(record_keys));

    Bytes stream = seen_.protected_records[static_cast<size_t>(side)];
    size_t pos = 0;
    bool have_finished = false, have_data = false;
    while (pos < stream.size() && !have_data) {
      ContentType type;
      ByteView payload;
      tls::Error err;
      if (records.read(stream, &pos, &type, &payload, &err) !=
          tls::RecordLayer::ReadStatus::record) {
        return false;
      }
      if (type == ContentType::handshake && !have_finished) {
        out_finished->assign(payload.begin(), payload.end());
        have_finished = true;
      } else if (type == ContentType::application_data) {
        *out_data = text_of(payload);
        have_data = true;
      }
    }
    return have_finished && have_data;
  }

  void attack_ecdhe() {
    const WireMessage* ske_message = seen_.find(HandshakeType::server_key_exchange);
    tls::ServerKeyExchange ske;
    tls::Error err;
    if (ske_message == nullptr ||
        !tls::parse_server_key_exchange(ske_message->body(), &ske, &err)) {
      step("Read the ServerKeyExchange from the recording", "it is missing or does not parse",
           false);
      return;
    }
    // What the server signed: client_random + server_random + params
    // (RFC 8422 5.4).
    Bytes signed_content(client_hello_.random.begin(), client_hello_.random.end());
    signed_content.insert(signed_content.end(), server_hello_.random.begin(),
                          server_hello_.random.end());
    signed_content.insert(signed_content.end(), ske.params.begin(), ske.params.end());
    const auto scheme = static_cast<SignatureScheme>(ske.signature_scheme);
    const auto group = static_cast<Group>(ske.group);
    case_.signature_verified =
        crypto_.verify(*server_public_key_, scheme, signed_content, ske.signature);
    step("Verify the recorded ServerKeyExchange signature with the stolen key's certificate",
         case_.signature_verified
             ? fmt::format("it verifies ({}): the stolen key signed the server's ephemeral {} "
                           "public key {} for this handshake. Signing is all it ever did here",
                           name(scheme), name(group), short_hex(ske.public_key))
             : "it does not verify",
         case_.signature_verified);

    const WireMessage* cke = seen_.find(HandshakeType::client_key_exchange);
    Reader r(cke != nullptr ? cke->body() : ByteView());
    ByteView client_public;
    if (cke == nullptr || !r.u8_prefixed(&client_public) || !r.empty()) {
      step("Read the ClientKeyExchange from the recording", "it is missing or does not parse",
           false);
      return;
    }
    uint8_t decrypted[kMaxRsaBits / 8];
    size_t decrypted_length = 0;
    const bool decrypts = crypto_.rsa_decrypt(key_, client_public, decrypted, &decrypted_length);
    step("Look for a secret encrypted to the stolen key in the ClientKeyExchange",
         fmt::format("there is none: it holds only the client's ephemeral {} public key {}, and "
                     "RSA decryption of it {}",
                     name(group), short_hex(client_public), decrypts ? "gives noise" : "fails"),
         false);
    step(fmt::format("Compute the premaster secret, {}(an ephemeral private key, the other "
                     "side's ephemeral public key)",
                     name(group)),
         "impossible: both public keys are in the recording, but the private keys were made "
         "fresh for this handshake, never sent, and erased once the premaster was computed. "
         "Recovering one from its public key means solving the elliptic-curve discrete "
         "logarithm",
         false);
    const std::vector<Bytes> client_records =
        split_records(seen_.protected_records[static_cast<size_t>(Side::client)]);
    const Bytes* data = first_application_data(client_records);
    step("Decrypt the client's recorded application data",
         fmt::format("no premaster, so no master secret and no record keys: its {}-byte record "
                     "{} stays ciphertext",
                     data != nullptr ? data->size() : 0,
                     data != nullptr ? to_hex(ByteView(*data).first(kShownBytes)) + "..."
                                     : std::string("(missing)")),
         false);
  }

  tls::Crypto crypto_;
  const PrivateKey& key_;
  PfsCase& case_;
  Eavesdropped seen_;
  tls::ClientHello client_hello_;
  tls::ServerHello server_hello_;
  const CipherSuiteInfo* suite_ = nullptr;
  bool extended_master_secret_ = false;
  std::unique_ptr<CertificateChain> chain_;
  std::unique_ptr<PublicKey> server_public_key_;
};

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
        "=> The attacker reads the whole recorded session: {} and {}. RSA key transport has no "
        "forward secrecy: one stolen key opens every session ever recorded with it.",
        in_quotes(c.recovered_client_data), in_quotes(c.recovered_server_data));
  } else if (c.forward_secret) {
    verdict =
        "=> Nothing decrypts. The stolen key only proves who signed; the secret came from "
        "ephemeral keys that no longer exist. That is forward secrecy.";
  } else {
    verdict = "=> The attack did not work here, which is unexpected: see the steps above.";
  }
  *out += "   " + wrap(verdict, 3, 6) + "\n";
}

nlohmann::ordered_json case_json(const PfsCase& c) {
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const AttackStep& s : c.attack) {
    steps.push_back({{"action", s.action}, {"outcome", s.outcome}, {"succeeded", s.succeeded}});
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

bool run_pfs_demo(Backend& backend, const std::string& pki_dir, PfsDemoResult* out,
                  std::string* out_error) {
  const Scenario* rsa = find_scenario(kRsaScenario);
  const Scenario* ecdhe = find_scenario(kEcdheScenario);
  if (rsa == nullptr || ecdhe == nullptr || rsa->cert != ecdhe->cert) {
    *out_error = "the demo's scenarios are missing from the scenario table";
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
  out->rsa.key_exchange = "RSA key transport";
  out->rsa.forward_secret = false;
  out->ecdhe.key_exchange = fmt::format("ECDHE ({})", name(ecdhe->group));
  out->ecdhe.forward_secret = true;
  if (!record_handshake(backend, *rsa, *creds, &out->rsa, out_error) ||
      !record_handshake(backend, *ecdhe, *creds, &out->ecdhe, out_error)) {
    return false;
  }

  // Later: the server's private key is stolen, as a file off its disk.
  auto stolen = backend.load_private_key(pki->key, out_error);
  if (stolen == nullptr) return false;
  Attacker(backend, *stolen, &out->rsa).attack();
  Attacker(backend, *stolen, &out->ecdhe).attack();
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
                    &error)) {
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
  return 0;
}

}  // namespace hsbench::demo
