#include "harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
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
    // Hybrid post-quantum key exchange: only on plugins with Kyber768.
    {"tls13-x25519kyber768-ecdsa-p256"},                  // 17
    {"tls13-x25519kyber768-ecdsa-p256-hrr"},              // 18
    {"tls13-x25519kyber768-ecdsa-p256-resume"},           // 19
    {"tls13-x25519kyber768-ecdsa-p256-resume", false},    // 20
    // Mutual TLS.
    {"tls12-rsa-rsa2048-mtls"},                           // 21
    {"tls12-ecdhe-x25519-ecdsa-p256-mtls"},               // 22
    {"tls13-x25519-ecdsa-p256-mtls"},                     // 23
    {"tls13-x25519-rsa2048-mtls"},                        // 24
    {"tls13-x25519-ecdsa-p256-mtls-resume"},              // 25
    {"tls13-x25519-ecdsa-p256-mtls-resume", false},       // 26
};

constexpr uint8_t kZeroTag[kAeadTagLength] = {};

// 2026-01-01T00:00:00Z.
constexpr uint64_t kTicketTime = 1767225600;

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
  size_t flights_sent() const { return next_; }

 private:
  const Script& peer_;
  size_t next_ = 0;
  Bytes wire_;
  bool sent_since_flight_ = false;
};

// The memo key of one operation (FuzzBackend::recalled): what it is, whose
// key, then its input.
Bytes memo_key(char operation, ByteView key_identity, uint16_t scheme, ByteView input) {
  Bytes k;
  tls::Writer w(&k);
  w.u8(static_cast<uint8_t>(operation));
  w.u24(static_cast<uint32_t>(key_identity.size()));
  w.bytes(key_identity);
  w.u16(scheme);
  w.bytes(input);
  return k;
}

bool give(const Bytes& recorded, std::span<uint8_t> out, size_t* out_len) {
  if (recorded.size() > out.size()) return false;
  std::copy(recorded.begin(), recorded.end(), out.begin());
  *out_len = recorded.size();
  return true;
}

// A private key that signs each message as it did while recording.
class RecordedPrivateKey final : public PrivateKey {
 public:
  RecordedPrivateKey(FuzzBackend* backend, std::unique_ptr<PrivateKey> inner)
      : backend_(backend), inner_(std::move(inner)) {
    const uint32_t id = backend->next_key_id();  // one of the few loaded keys
    tls::Writer(&identity_).u24(id);
  }
  KeyInfo info() const override { return inner_->info(); }
  bool sign(SignatureScheme scheme, ByteView message, std::span<uint8_t> out,
            size_t* out_len) const override {
    const Bytes key = memo_key('s', identity_, static_cast<uint16_t>(scheme), message);
    if (const Bytes* recorded = backend_->recalled(key)) return give(*recorded, out, out_len);
    if (!inner_->sign(scheme, message, out, out_len)) return false;
    backend_->remember(key, ByteView(out.data(), *out_len));
    return true;
  }
  bool rsa_decrypt_pkcs1(ByteView ciphertext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    return inner_->rsa_decrypt_pkcs1(ciphertext, out, out_len);
  }

 private:
  FuzzBackend* backend_;
  std::unique_ptr<PrivateKey> inner_;
  Bytes identity_;
};

// A certificate's public key that encrypts each plaintext as it did while
// recording; the certificate is its identity.
class RecordedPublicKey final : public PublicKey {
 public:
  RecordedPublicKey(FuzzBackend* backend, std::unique_ptr<PublicKey> inner, ByteView der_cert)
      : backend_(backend), inner_(std::move(inner)), identity_(der_cert.begin(), der_cert.end()) {}
  KeyInfo info() const override { return inner_->info(); }
  bool verify(SignatureScheme scheme, ByteView message, ByteView signature) const override {
    return inner_->verify(scheme, message, signature);
  }
  bool rsa_encrypt_pkcs1(ByteView plaintext, std::span<uint8_t> out,
                         size_t* out_len) const override {
    const Bytes key = memo_key('e', identity_, 0, plaintext);
    if (const Bytes* recorded = backend_->recalled(key)) return give(*recorded, out, out_len);
    if (!inner_->rsa_encrypt_pkcs1(plaintext, out, out_len)) return false;
    backend_->remember(key, ByteView(out.data(), *out_len));
    return true;
  }

 private:
  FuzzBackend* backend_;
  std::unique_ptr<PublicKey> inner_;
  Bytes identity_;
};

std::unique_ptr<PublicKey> recorded_public_key(FuzzBackend* backend,
                                               std::unique_ptr<PublicKey> inner,
                                               ByteView der_cert) {
  if (inner == nullptr) return nullptr;
  return std::make_unique<RecordedPublicKey>(backend, std::move(inner), der_cert);
}

class FuzzChain final : public CertificateChain {
 public:
  FuzzChain(FuzzBackend* backend, std::unique_ptr<CertificateChain> inner, ByteView leaf)
      : backend_(backend), inner_(std::move(inner)), leaf_(leaf.begin(), leaf.end()) {}
  size_t size() const override { return inner_->size(); }
  std::unique_ptr<PublicKey> leaf_public_key() const override {
    return recorded_public_key(backend_, inner_->leaf_public_key(), leaf_);
  }
  const CertificateChain& inner() const { return *inner_; }

 private:
  FuzzBackend* backend_;
  std::unique_ptr<CertificateChain> inner_;
  Bytes leaf_;
};

// The plugin's trust store, given the plugin's own chains.
class FuzzTrustStore final : public TrustStore {
 public:
  explicit FuzzTrustStore(std::unique_ptr<TrustStore> inner) : inner_(std::move(inner)) {}
  bool verify(const CertificateChain& chain, std::string_view hostname,
              std::string* out_error) const override {
    // Every chain the engine passes here came from FuzzBackend::parse_chain.
    return inner_->verify(static_cast<const FuzzChain&>(chain).inner(), hostname, out_error);
  }
  bool verify_client(const CertificateChain& chain, std::string* out_error) const override {
    return inner_->verify_client(static_cast<const FuzzChain&>(chain).inner(), out_error);
  }

 private:
  std::unique_ptr<TrustStore> inner_;
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
  if (is_kem(group)) {
    Bytes private_key(private_key_length(group));
    (void)random(private_key);
    return inner_->key_share_from_private(group, private_key);
  }
  uint8_t private_key[48];
  (void)random(private_key);
  // A real library takes a scalar of the field's size (backend.h); the
  // null backend hashes whatever it is given, and its committed seeds were
  // recorded with all 48 bytes.
  const size_t length = real_crypto() ? shared_secret_length(group) : sizeof(private_key);
  return inner_->key_share_from_private(group, ByteView(private_key, length));
}

bool FuzzBackend::encapsulate(Group group, ByteView client_share, ByteView entropy,
                              std::span<uint8_t> out_share, std::span<uint8_t> out_secret) {
  if (!entropy.empty()) {
    return inner_->encapsulate(group, client_share, entropy, out_share, out_secret);
  }
  Bytes drawn(encapsulation_entropy_length(group));
  (void)random(drawn);
  return inner_->encapsulate(group, client_share, drawn, out_share, out_secret);
}

std::unique_ptr<PrivateKey> FuzzBackend::load_private_key(ByteView pem_or_der,
                                                          std::string* out_error) {
  auto key = inner_->load_private_key(pem_or_der, out_error);
  if (key == nullptr) return nullptr;
  return std::make_unique<RecordedPrivateKey>(this, std::move(key));
}

std::unique_ptr<CertificateChain> FuzzBackend::parse_chain(std::span<const ByteView> der_certs) {
  auto chain = inner_->parse_chain(der_certs);
  if (chain == nullptr) return nullptr;
  return std::make_unique<FuzzChain>(this, std::move(chain), der_certs[0]);
}

std::unique_ptr<PublicKey> FuzzBackend::parse_certificate_key(ByteView der_cert) {
  return recorded_public_key(this, inner_->parse_certificate_key(der_cert), der_cert);
}

std::unique_ptr<TrustStore> FuzzBackend::new_trust_store(std::span<const ByteView> der_anchors,
                                                         std::string* out_error) {
  auto store = inner_->new_trust_store(der_anchors, out_error);
  if (store == nullptr) return nullptr;
  return std::make_unique<FuzzTrustStore>(std::move(store));
}

Bytes FuzzBackend::digest(ByteView memo_key) const {
  Bytes out(digest_length(Hash::sha256));
  auto hash = inner_->new_hash(Hash::sha256);
  if (hash == nullptr) die("the backend has no SHA-256");
  hash->update(memo_key);
  hash->current_digest(out);
  return out;
}

const Bytes* FuzzBackend::recalled(ByteView memo_key) {
  const Bytes d = digest(memo_key);
  if (auto it = used_.find(d); it != used_.end()) return &it->second;
  auto it = loaded_.find(d);
  if (it == loaded_.end()) return nullptr;
  if (!recording_) return &it->second;
  return &used_.emplace(d, it->second).first->second;
}

void FuzzBackend::remember(ByteView memo_key, ByteView output) {
  if (recording_) used_.emplace(digest(memo_key), Bytes(output.begin(), output.end()));
}

// The file: a magic line, then entries digest:u16-prefixed
// output:u16-prefixed.
constexpr std::string_view kRecordedMagic = "hsbench fuzz recorded outputs 1\n";

bool FuzzBackend::load_recorded(ByteView file) {
  const ByteView magic(reinterpret_cast<const uint8_t*>(kRecordedMagic.data()),
                       kRecordedMagic.size());
  if (file.size() < magic.size() || !std::equal(magic.begin(), magic.end(), file.begin())) {
    return false;
  }
  tls::Reader r(file.subspan(magic.size()));
  while (!r.empty()) {
    ByteView d, output;
    if (!r.u16_prefixed(&d) || !r.u16_prefixed(&output)) return false;
    loaded_.emplace(Bytes(d.begin(), d.end()), Bytes(output.begin(), output.end()));
  }
  return true;
}

Bytes FuzzBackend::save_recorded() const {
  Bytes out(kRecordedMagic.begin(), kRecordedMagic.end());
  tls::Writer w(&out);
  for (const auto& [d, output] : used_) {
    auto key = w.open_u16();
    w.bytes(d);
    (void)w.close(key);
    auto value = w.open_u16();
    w.bytes(output);
    (void)w.close(value);
  }
  return out;
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

namespace {
std::string& corpus_dir_setting() {
  static auto* dir = new std::string(HSBENCH_FUZZ_CORPUS_DIR);
  return *dir;
}
}  // namespace

void World::set_corpus_dir(std::string dir) { corpus_dir_setting() = std::move(dir); }
const std::string& World::corpus_dir() { return corpus_dir_setting(); }
std::string World::recorded_path(std::string_view backend) {
  return corpus_dir() + "/" + std::string(backend) + ".recorded";
}

World& World::get(std::string_view backend) {
  // Never destroyed: the plugins stay loaded.
  static auto* worlds = new std::map<std::string, World*, std::less<>>();
  auto it = worlds->find(backend);
  if (it == worlds->end()) {
    it = worlds->emplace(std::string(backend), new World(std::string(backend))).first;
  }
  return *it->second;
}

World::World(std::string backend) : backend_name_(std::move(backend)) {
  std::string error;
  plugin_ = load_backend(backend_name_, &error);
  if (plugin_ == nullptr) die("cannot load the " + backend_name_ + " backend: " + error);
  client_determinism_.ticket_age_ms = [] { return uint32_t{0}; };
  client_backend_ = std::make_unique<FuzzBackend>(&plugin_->backend());
  server_backend_ = std::make_unique<FuzzBackend>(&plugin_->backend());
  // Every key and chain is made by the client's backend (prepare_credentials
  // below), so its record holds every output. None yet is no error: the
  // seed generator records them.
  if (plugin_->backend().real_crypto()) {
    const std::string path = recorded_path(backend_name_);
    std::ifstream in(path, std::ios::binary);
    if (in) {
      const Bytes file{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      if (in.bad() || !client_backend_->load_recorded(file)) die("cannot read " + path);
    }
  }

  // Each PKI is prepared once, in the order of the table's first use of
  // it: the keys' identities in the recorded outputs follow that order
  // (RecordedPrivateKey), so appending scenarios leaves them as they were.
  // The client chains of the mutual TLS scenarios come after every server
  // key for the same reason.
  std::vector<const Scenario*> table;
  std::vector<std::string> kinds, client_kinds;
  for (const ScenarioEntry& entry : kScenarios) {
    const Scenario* scenario = find_scenario(entry.id);
    if (scenario == nullptr) die("no scenario " + std::string(entry.id));
    table.push_back(scenario);
    if (std::find(kinds.begin(), kinds.end(), scenario->cert) == kinds.end()) {
      kinds.push_back(scenario->cert);
    }
    if (!scenario->client_cert.empty() &&
        std::find(client_kinds.begin(), client_kinds.end(), scenario->cert) ==
            client_kinds.end()) {
      client_kinds.push_back(scenario->cert);
    }
  }
  for (const std::string& kind : kinds) {
    auto pki = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
    if (pki == nullptr) die("cannot read the " + kind + " PKI: " + error);
    auto credentials = prepare_credentials(*client_backend_, *pki, kServerName, &error);
    if (credentials == nullptr) die("cannot prepare the " + kind + " PKI: " + error);
    pkis_.push_back(std::move(pki));
    credentials_.push_back(std::move(credentials));
  }
  for (const std::string& kind : client_kinds) {
    const size_t i = std::find(kinds.begin(), kinds.end(), kind) - kinds.begin();
    credentials_[i]->client = prepare_client_credentials(*client_backend_, *pkis_[i], &error);
    if (credentials_[i]->client == nullptr) {
      die("cannot prepare the " + kind + " client chain: " + error);
    }
  }

  for (size_t index = 0; index < table.size(); index++) {
    const ScenarioEntry& entry = kScenarios[index];
    const Scenario* scenario = table[index];
    const std::string id(entry.id);
    // A scenario the plugin cannot run keeps its index, empty.
    if (engine_missing_algorithm(*scenario, plugin_->backend())) {
      scenarios_.push_back(nullptr);
      continue;
    }
    const size_t kind = std::find(kinds.begin(), kinds.end(), scenario->cert) - kinds.begin();
    const Credentials* credentials = credentials_[kind].get();
    auto s = std::make_unique<FuzzScenario>();
    s->scenario = scenario;
    s->name = entry.resume || !scenario->resumption ? id : id + "-full";
    s->resume = entry.resume && scenario->resumption;
    s->client_config =
        engine_client_config(*scenario, credentials->trust.get(), credentials->client.get());
    s->server_config = engine_server_config(*scenario, credentials);
    s->server_config.ticket_key.fill(0x5a);
    // Tickets hold the second they were sealed: a fixed one, so that a
    // resumption seed recorded on one day still replays on another.
    s->server_config.ticket_clock = [] { return kTicketTime; };
    if (!record_genuine(*s, &error)) die(backend_name_ + ": " + s->name + ": " + error);
    scenarios_.push_back(std::move(s));
  }
  client_backend_->stop_recording();
  server_backend_->stop_recording();
}

bool World::record_genuine(FuzzScenario& s, std::string* out_error) {
  const bool tls13 = s.scenario->version == TlsVersion::tls13;
  if (s.resume) {
    client_backend_->restart_random();
    server_backend_->restart_random();
    tls::Client client(client_backend_.get(), &s.client_config);
    client.crypto().set_determinism(&client_determinism_);
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
  client.crypto().set_determinism(&client_determinism_);
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

tls::Connection::Status World::replay(const FuzzScenario& s, Side side, const Script& peer,
                                      std::string* out_why) {
  std::unique_ptr<tls::Connection> connection;
  if (side == Side::client) {
    client_backend_->restart_random();
    auto client = std::make_unique<tls::Client>(client_backend_.get(), &s.client_config);
    client->crypto().set_determinism(&client_determinism_);
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
  const std::string flights =
      std::to_string(transport.flights_sent()) + " of " + std::to_string(peer.size()) + " flights";
  switch (progress) {
    case drive::Endpoint::Progress::waiting:
      if (out_why != nullptr) *out_why = "waits for more after " + flights;
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
  if (out_why != nullptr) {
    *out_why = "fails after " + flights + ": " + error.reason + " (" +
               (error.received ? "received " : "sent ") + std::string(tls::name(error.alert)) + ")";
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

int run_plugin_target(std::string_view backend, ByteView input) {
  if (input.empty()) return -1;
  World& world = World::get(backend);
  const FuzzScenario* s = world.scenario(input[0] & ~kServerReads);
  if (s == nullptr) return -1;
  world.replay(*s, (input[0] & kServerReads) != 0 ? Side::server : Side::client,
               parse_script(input.subspan(1)));
  return 0;
}

}  // namespace hsbench::fuzz
