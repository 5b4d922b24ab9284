#include "harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "drive/configs.h"
#include "drive/pair.h"
#include "drive/transport.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "tls/bytes.h"
#include "tls/client.h"
#include "tls/server.h"

namespace hsbench::fuzz {
namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "fuzz harness: %s\n", why.c_str());
  std::abort();
}

// The scenarios of World, by index. Append only (see harness.h). A
// resumption scenario is either its resumed handshake or, with
// resume = false, the full handshake that issues the ticket.
struct ScenarioEntry {
  std::string_view id;
  bool resume = true;
};
constexpr ScenarioEntry kScenarios[] = {
    {"tls12-ecdhe-x25519-rsa2048"},                // 0
    {"tls12-rsa-rsa2048"},                         // 1
    {"tls12-ecdhe-p256-ecdsa-p256"},               // 2
    {"tls12-ecdhe-p384-ecdsa-p384"},               // 3
    {"tls12-ecdhe-x25519-ed25519"},                // 4
    {"tls13-x25519-rsa2048"},                      // 5
    {"tls13-x25519-ecdsa-p256"},                   // 6
    {"tls13-p384-ecdsa-p384"},                     // 7
    {"tls13-p256-ecdsa-p256-hrr"},                 // 8
    {"tls12-ecdhe-x25519-rsa2048-resume"},         // 9
    {"tls12-rsa-rsa2048-resume"},                  // 10
    {"tls13-x25519-ecdsa-p256-resume"},            // 11
    {"tls13-psk-ecdsa-p256-resume"},               // 12
    {"tls13-x25519-ecdsa-p256-chacha20"},          // 13
    {"tls12-ecdhe-x25519-rsa2048-resume", false},  // 14
    {"tls13-x25519-ecdsa-p256-resume", false},     // 15
    {"tls13-psk-ecdsa-p256-resume", false},        // 16
};

constexpr uint8_t kZeroTag[kAeadTagLength] = {};

class TransparentAead final : public AeadContext {
 public:
  explicit TransparentAead(Aead aead) : aead_(aead) {}
  Aead aead() const override { return aead_; }
  bool seal(ByteView nonce, ByteView, ByteView plaintext, std::span<uint8_t> out) override {
    if (nonce.size() != kAeadNonceLength || out.size() != plaintext.size() + kAeadTagLength) {
      return false;
    }
    std::memmove(out.data(), plaintext.data(), plaintext.size());
    std::memset(out.data() + plaintext.size(), 0, kAeadTagLength);
    return true;
  }
  bool open(ByteView nonce, ByteView, ByteView ciphertext, std::span<uint8_t> out) override {
    if (nonce.size() != kAeadNonceLength || ciphertext.size() < kAeadTagLength ||
        out.size() != ciphertext.size() - kAeadTagLength ||
        std::memcmp(ciphertext.data() + out.size(), kZeroTag, kAeadTagLength) != 0) {
      return false;
    }
    std::memmove(out.data(), ciphertext.data(), out.size());
    return true;
  }

 private:
  Aead aead_;
};

// splitmix64 (Steele, Lea, Flood 2014): a counter in, well-mixed bits out.
uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint8_t kind_code(uint8_t content) {
  switch (content) {
    case static_cast<uint8_t>(tls::ContentType::change_cipher_spec):
      return 1;
    case static_cast<uint8_t>(tls::ContentType::alert):
      return 2;
    case static_cast<uint8_t>(tls::ContentType::handshake):
      return 3;
    case static_cast<uint8_t>(tls::ContentType::application_data):
      return 4;
    default:
      return 5;
  }
}

// Splits what one side wrote into script records, undoing the transparent
// AEAD. TLS 1.3 protects every application_data record; TLS 1.2 protects a
// direction from its ChangeCipherSpec on.
bool split_records(ByteView wire, bool tls13, bool* tls12_protected, Flight* out) {
  tls::Reader r(wire);
  while (!r.empty()) {
    uint8_t type;
    uint16_t version;
    ByteView body;
    if (!r.u8(&type) || !r.u16(&version) || !r.u16_prefixed(&body)) return false;
    ScriptRecord rec;
    if (tls13 && type == static_cast<uint8_t>(tls::ContentType::application_data)) {
      if (body.size() < kAeadTagLength + 1) return false;
      ByteView inner = body.first(body.size() - kAeadTagLength);
      while (!inner.empty() && inner.back() == 0) inner = inner.first(inner.size() - 1);
      if (inner.empty()) return false;
      rec.content = inner.back();
      rec.protection = Protection::tls13;
      inner = inner.first(inner.size() - 1);
      rec.payload.assign(inner.begin(), inner.end());
    } else if (!tls13 && *tls12_protected) {
      if (body.size() < 8 + kAeadTagLength) return false;
      ByteView inner = body.subspan(8, body.size() - 8 - kAeadTagLength);
      rec.content = type;
      rec.protection = Protection::tls12;
      rec.payload.assign(inner.begin(), inner.end());
    } else {
      rec.content = type;
      rec.payload.assign(body.begin(), body.end());
      if (!tls13 && type == static_cast<uint8_t>(tls::ContentType::change_cipher_spec)) {
        *tls12_protected = true;
      }
    }
    out->push_back(std::move(rec));
  }
  return true;
}

// The session to resume, as if its ticket had just arrived: the ticket age
// in the ClientHello is then 0 ms in every run, as in the genuine one.
std::shared_ptr<const tls::ClientSession> fresh_session(const tls::ClientSession& s) {
  auto copy = std::make_shared<tls::ClientSession>(s);
  copy->received = StepClock::now();
  return copy;
}

// Splits each flight one side sends into the script of that side, if it
// has one.
class ScriptRecorder final : public tls::FlightObserver {
 public:
  ScriptRecorder(bool tls13, Script* client_sent, Script* server_sent)
      : tls13_(tls13), sent_by_{client_sent, server_sent} {}
  void on_flight(Side from, ByteView bytes) override {
    const auto i = static_cast<size_t>(from);
    if (sent_by_[i] == nullptr) return;
    Flight flight;
    if (!split_records(bytes, tls13_, &tls12_protected_[i], &flight)) ok_ = false;
    sent_by_[i]->push_back(std::move(flight));
  }
  bool ok() const { return ok_; }

 private:
  bool tls13_;
  Script* sent_by_[2];
  bool tls12_protected_[2] = {false, false};
  bool ok_ = true;
};

// Runs a client and a server against each other, as the benchmark does
// (drive::run_pair), recording what each sends.
bool run_pair(tls::Connection& client, tls::Connection& server, bool tls13, Script* to_client,
              Script* to_server, std::string* out_error) {
  ScriptRecorder recorder(tls13, to_server, to_client);
  drive::MemoryLink link;
  link.set_observer(&recorder);
  drive::EngineEndpoint c(&client, &link.end(Side::client));
  drive::EngineEndpoint s(&server, &link.end(Side::server));
  c.begin(nullptr);
  s.begin(nullptr);
  const drive::PairOutcome outcome = drive::run_pair(c, s);
  c.end();
  s.end();
  if (!recorder.ok()) {
    *out_error = "cannot split the records of a flight";
    return false;
  }
  if (!outcome.ok) {
    *out_error = std::string(name(outcome.failed_side)) + " failed: " + outcome.error.reason;
    return false;
  }
  return true;
}

// A scripted peer as a transport: each time the connection waits for
// bytes, the next flight of the script arrives; what the connection sends
// is dropped, but whether it sent anything since the last flight is kept.
class ScriptTransport final : public drive::Transport {
 public:
  explicit ScriptTransport(const Script& peer) : peer_(peer) {}
  drive::Io send(Bytes* bytes) override {
    if (!bytes->empty()) sent_since_flight_ = true;
    bytes->clear();
    return drive::Io::ok;
  }
  drive::Io receive(ByteView* out_bytes) override {
    if (wire_.empty()) {
      if (next_ == peer_.size()) return drive::Io::would_block;
      frame_flight(peer_[next_++], &wire_);
      sent_since_flight_ = false;
    }
    *out_bytes = wire_;
    return wire_.empty() ? drive::Io::would_block : drive::Io::ok;
  }
  void consume(size_t) override { wire_.clear(); }
  bool sent_since_flight() const { return sent_since_flight_; }
  // Bytes are still to arrive.
  bool more() const { return !wire_.empty() || next_ < peer_.size(); }

 private:
  const Script& peer_;
  size_t next_ = 0;
  Bytes wire_;
  bool sent_since_flight_ = false;
};

}  // namespace

bool FuzzBackend::random(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i++) {
    if (i % 8 == 0) counter_ = splitmix64(counter_);
    out[i] = static_cast<uint8_t>(counter_ >> (8 * (i % 8)));
  }
  return true;
}

std::unique_ptr<AeadContext> FuzzBackend::new_aead(Aead aead, ByteView key) {
  if (key.size() != key_length(aead)) return nullptr;
  return transparent_aead(aead);
}

std::unique_ptr<KeyShare> FuzzBackend::generate_key_share(Group group) {
  uint8_t private_key[48];
  (void)random(private_key);
  return inner_->key_share_from_private(group, private_key);
}

std::unique_ptr<AeadContext> transparent_aead(Aead aead) {
  return std::make_unique<TransparentAead>(aead);
}

Script parse_script(ByteView in) {
  Script script;
  Flight flight;
  tls::Reader r(in);
  while (!r.empty()) {
    uint8_t kind;
    ByteView payload;
    if (!r.u8(&kind)) break;
    if (kind == 0) {
      script.push_back(std::move(flight));
      flight.clear();
      continue;
    }
    if (!r.u16_prefixed(&payload)) break;
    uint8_t content;
    switch (kind & 7) {
      case 1:
        content = static_cast<uint8_t>(tls::ContentType::change_cipher_spec);
        break;
      case 2:
        content = static_cast<uint8_t>(tls::ContentType::alert);
        break;
      case 3:
        content = static_cast<uint8_t>(tls::ContentType::handshake);
        break;
      case 4:
        content = static_cast<uint8_t>(tls::ContentType::application_data);
        break;
      case 5:
        content = kRawBytes;
        break;
      default:
        continue;
    }
    Protection protection = Protection::none;
    if (((kind >> 4) & 3) == 1) protection = Protection::tls12;
    if (((kind >> 4) & 3) == 2) protection = Protection::tls13;
    flight.push_back({content, protection, Bytes(payload.begin(), payload.end())});
  }
  if (!flight.empty()) script.push_back(std::move(flight));
  return script;
}

void serialize_script(const Script& script, Bytes* out) {
  tls::Writer w(out);
  for (const Flight& flight : script) {
    for (const ScriptRecord& rec : flight) {
      w.u8(
          static_cast<uint8_t>(kind_code(rec.content) | static_cast<uint8_t>(rec.protection) << 4));
      w.u16(static_cast<uint16_t>(std::min<size_t>(rec.payload.size(), 0xffff)));
      w.bytes(ByteView(rec.payload).first(std::min<size_t>(rec.payload.size(), 0xffff)));
    }
    w.u8(0);
  }
}

void frame_flight(const Flight& flight, Bytes* out) {
  tls::Writer w(out);
  for (const ScriptRecord& rec : flight) {
    if (rec.content == kRawBytes) {
      w.bytes(rec.payload);
      continue;
    }
    ByteView rest = rec.payload;
    do {
      const size_t n = std::min(rest.size(), tls::kMaxPlaintextLength);
      ByteView fragment = rest.first(n);
      rest = rest.subspan(n);
      switch (rec.protection) {
        case Protection::none:
          w.u8(rec.content);
          w.u16(tls::kRecordVersion);
          w.u16(static_cast<uint16_t>(n));
          w.bytes(fragment);
          break;
        case Protection::tls12:
          // explicit nonce || ciphertext || tag (RFC 5288 3)
          w.u8(rec.content);
          w.u16(tls::kRecordVersion);
          w.u16(static_cast<uint16_t>(8 + n + kAeadTagLength));
          (void)w.reserve(8);
          w.bytes(fragment);
          (void)w.reserve(kAeadTagLength);
          break;
        case Protection::tls13:
          // TLSInnerPlaintext, then the tag (RFC 8446 5.2)
          w.u8(static_cast<uint8_t>(tls::ContentType::application_data));
          w.u16(tls::kRecordVersion);
          w.u16(static_cast<uint16_t>(n + 1 + kAeadTagLength));
          w.bytes(fragment);
          w.u8(rec.content);
          (void)w.reserve(kAeadTagLength);
          break;
      }
    } while (!rest.empty());
  }
}

World& World::get() {
  static World* world = new World();  // never destroyed: the plugin stays loaded
  return *world;
}

World::World() {
  std::string error;
  null_ = load_backend("null", &error);
  if (null_ == nullptr) die("cannot load the null backend: " + error);
  client_backend_ = std::make_unique<FuzzBackend>(&null_->backend());
  server_backend_ = std::make_unique<FuzzBackend>(&null_->backend());

  std::vector<std::string> kinds;
  for (const ScenarioEntry& entry : kScenarios) {
    const std::string id(entry.id);
    const Scenario* scenario = find_scenario(id);
    if (scenario == nullptr) die("no scenario " + id);
    auto at = std::find(kinds.begin(), kinds.end(), scenario->cert);
    if (at == kinds.end()) {
      auto pki =
          read_pki(scenario->cert, default_pki_files(default_pki_dir(), scenario->cert), &error);
      if (pki == nullptr) die("cannot read the " + scenario->cert + " PKI: " + error);
      auto credentials = prepare_credentials(*client_backend_, *pki, kServerName, &error);
      if (credentials == nullptr) die("cannot prepare the " + scenario->cert + " PKI: " + error);
      kinds.push_back(scenario->cert);
      pkis_.push_back(std::move(pki));
      credentials_.push_back(std::move(credentials));
      at = kinds.end() - 1;
    }
    const Credentials* credentials = credentials_[at - kinds.begin()].get();
    auto s = std::make_unique<FuzzScenario>();
    s->scenario = scenario;
    s->name = entry.resume || !scenario->resumption ? id : id + "-full";
    s->resume = entry.resume && scenario->resumption;
    s->client_config = engine_client_config(*scenario, credentials->trust.get());
    s->server_config = engine_server_config(*scenario, credentials);
    s->server_config.ticket_key.fill(0x5a);
    if (!record_genuine(*s, &error)) die(s->name + ": " + error);
    scenarios_.push_back(std::move(s));
  }
}

bool World::record_genuine(FuzzScenario& s, std::string* out_error) {
  const bool tls13 = s.scenario->version == TlsVersion::tls13;
  if (s.resume) {
    client_backend_->restart_random();
    server_backend_->restart_random();
    tls::Client client(client_backend_.get(), &s.client_config);
    tls::Server server(server_backend_.get(), &s.server_config);
    if (!run_pair(client, server, tls13, nullptr, nullptr, out_error)) return false;
    if (client.new_session() == nullptr) {
      *out_error = "the full handshake gave no ticket";
      return false;
    }
    s.session = client.new_session();
  }
  client_backend_->restart_random();
  server_backend_->restart_random();
  tls::Client client(client_backend_.get(), &s.client_config);
  tls::Server server(server_backend_.get(), &s.server_config);
  if (s.session != nullptr) client.set_resumption(fresh_session(*s.session));
  if (!run_pair(client, server, tls13, &s.to_client, &s.to_server, out_error)) return false;
  if (s.resume && !(client.resumed() && server.resumed())) {
    *out_error = "the session was not resumed";
    return false;
  }
  if (s.scenario->resumption && !s.resume && client.new_session() == nullptr) {
    *out_error = "the full handshake gave no ticket";
    return false;
  }
  return true;
}

tls::Connection::Status World::replay(const FuzzScenario& s, Side side, const Script& peer) {
  std::unique_ptr<tls::Connection> connection;
  if (side == Side::client) {
    client_backend_->restart_random();
    auto client = std::make_unique<tls::Client>(client_backend_.get(), &s.client_config);
    if (s.session != nullptr) client->set_resumption(fresh_session(*s.session));
    connection = std::move(client);
  } else {
    server_backend_->restart_random();
    connection = std::make_unique<tls::Server>(server_backend_.get(), &s.server_config);
  }
  ScriptTransport transport(peer);
  drive::EngineEndpoint endpoint(connection.get(), &transport);
  endpoint.begin(nullptr);
  // Each time it waits, the next flight of the script arrives, until there
  // is none.
  drive::Endpoint::Progress progress;
  do {
    progress = endpoint.resume();
  } while (progress == drive::Endpoint::Progress::waiting && transport.more());
  endpoint.end();
  if (endpoint.runner().ran_away()) {
    die("a connection advanced 1000 times without waiting for its peer");
  }
  switch (progress) {
    case drive::Endpoint::Progress::waiting:
      return tls::Connection::Status::want_read;
    case drive::Endpoint::Progress::done:
      return tls::Connection::Status::done;
    case drive::Endpoint::Progress::failed:
      break;
  }
  // A connection that fails on its own account says why and sends an
  // alert (RFC 8446 6.2); one that failed on the peer's alert sends none.
  const tls::Error error = endpoint.error();
  if (error.reason == nullptr || *error.reason == 0) die("a failure without a reason");
  if (!error.received && !transport.sent_since_flight()) {
    die(std::string("failed without sending an alert: ") + error.reason);
  }
  return tls::Connection::Status::failed;
}

std::optional<Script> replace_message(const Script& script, tls::HandshakeType type,
                                      Occurrence which, ByteView body) {
  std::optional<std::pair<size_t, size_t>> found;
  for (size_t f = 0; f < script.size(); f++) {
    for (size_t r = 0; r < script[f].size(); r++) {
      const ScriptRecord& rec = script[f][r];
      if (rec.content == static_cast<uint8_t>(tls::ContentType::handshake) &&
          !rec.payload.empty() && rec.payload[0] == static_cast<uint8_t>(type) &&
          (which == Occurrence::last || !found)) {
        found = {f, r};
      }
    }
  }
  if (!found) return std::nullopt;
  Script out = script;
  Bytes& payload = out[found->first][found->second].payload;
  body = body.first(std::min<size_t>(body.size(), 0xffffff));
  payload.clear();
  tls::Writer w(&payload);
  w.u8(static_cast<uint8_t>(type));
  w.u24(static_cast<uint32_t>(body.size()));
  w.bytes(body);
  return out;
}

void run_message_target(ByteView input, Side reader, tls::HandshakeType type,
                        std::optional<Occurrence> fixed) {
  if (input.empty()) return;
  World& world = World::get();
  const FuzzScenario* s = world.scenario(input[0] & 0x7f);
  if (s == nullptr) return;
  Occurrence which = fixed ? *fixed : (input[0] & 0x80 ? Occurrence::last : Occurrence::first);
  const Script& genuine = reader == Side::client ? s->to_client : s->to_server;
  auto script = replace_message(genuine, type, which, input.subspan(1));
  if (script) world.replay(*s, reader, *script);
}

}  // namespace hsbench::fuzz
