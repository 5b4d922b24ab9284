// Writes the seed corpora of the fuzz targets from genuine engine-to-engine
// handshakes (fuzz/README.md):
//
//   build/fuzz/bin/make_fuzz_corpus fuzz/corpus
//
// Before writing anything it replays every recorded flight against a fresh
// client and server, which must reach "done": the harness's framing and
// determinism are then faithful, and so each seed is a real handshake.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness.h"
#include "tls/protocol.h"

using namespace hsbench;
using namespace hsbench::tls;
namespace fs = std::filesystem;

namespace {

constexpr uint8_t kLast = 0x80;  // the selector bit for "the last such message"

class CorpusWriter {
 public:
  explicit CorpusWriter(fs::path root) : root_(std::move(root)) {}

  void write(const std::string& target, const std::string& name, ByteView data) {
    fs::path dir = root_ / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    if (!out) {
      std::fprintf(stderr, "make_fuzz_corpus: cannot write %s\n", (dir / name).c_str());
      std::exit(1);
    }
    files_++;
    bytes_ += data.size();
  }
  size_t files() const { return files_; }
  size_t bytes() const { return bytes_; }

 private:
  fs::path root_;
  size_t files_ = 0, bytes_ = 0;
};

const fuzz::FuzzScenario& scenario(uint8_t index) {
  const fuzz::FuzzScenario* s = fuzz::World::get().scenario(index);
  if (s == nullptr) {
    std::fprintf(stderr, "make_fuzz_corpus: no scenario %u\n", index);
    std::exit(1);
  }
  return *s;
}

// The genuine body of a handshake message, as a message target's seed.
bool message_body(const fuzz::Script& script, HandshakeType type, bool last, Bytes* out) {
  bool found = false;
  for (const fuzz::Flight& flight : script) {
    for (const fuzz::ScriptRecord& rec : flight) {
      if (rec.content == static_cast<uint8_t>(ContentType::handshake) && rec.payload.size() >= 4 &&
          rec.payload[0] == static_cast<uint8_t>(type) && (last || !found)) {
        out->assign(rec.payload.begin() + 4, rec.payload.end());
        found = true;
      }
    }
  }
  return found;
}

// One seed per scenario: selector, [prefix,] the genuine body.
void write_message_seeds(CorpusWriter& w, const std::string& target, Side reader,
                         HandshakeType type, std::initializer_list<uint8_t> selectors,
                         std::optional<uint8_t> prefix = std::nullopt) {
  for (uint8_t selector : selectors) {
    const fuzz::FuzzScenario& s = scenario(selector & 0x7f);
    Bytes body;
    if (!message_body(reader == Side::client ? s.to_client : s.to_server, type,
                      (selector & kLast) != 0, &body)) {
      std::fprintf(stderr, "make_fuzz_corpus: %s has no %s for %s\n", s.name.c_str(),
                   std::string(name(type)).c_str(), target.c_str());
      std::exit(1);
    }
    Bytes seed = {selector};
    if (prefix) seed.push_back(*prefix);
    seed.insert(seed.end(), body.begin(), body.end());
    std::string file = s.name;
    if (selector & kLast) file += "-last";
    if (prefix) file += *prefix ? "-server-reads" : "-client-reads";
    w.write(target, file, seed);
  }
}

// The raw records of a script's flights that carry one protection, framed,
// behind the fuzz_record mode byte.
void write_record_seed(CorpusWriter& w, uint8_t index, fuzz::Protection protection,
                       bool to_client) {
  const fuzz::FuzzScenario& s = scenario(index);
  fuzz::Flight flight;
  for (const fuzz::Flight& f : to_client ? s.to_client : s.to_server) {
    for (const fuzz::ScriptRecord& rec : f) {
      if (rec.protection == protection) flight.push_back(rec);
    }
  }
  Bytes seed = {static_cast<uint8_t>(protection)};
  fuzz::frame_flight(flight, &seed);
  static constexpr const char* kProtection[] = {"plain", "tls12", "tls13"};
  w.write(
      "record",
      s.name + (to_client ? "-server-" : "-client-") + kProtection[static_cast<int>(protection)],
      seed);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus CORPUS_DIR   (e.g. fuzz/corpus)\n");
    return 2;
  }
  fuzz::World& world = fuzz::World::get();

  // Every recorded handshake replays to the end against each side.
  for (uint8_t i = 0; i < world.scenario_count(); i++) {
    const fuzz::FuzzScenario& s = scenario(i);
    for (Side side : {Side::client, Side::server}) {
      auto status = world.replay(s, side, side == Side::client ? s.to_client : s.to_server);
      if (status != Connection::Status::done) {
        std::fprintf(stderr, "make_fuzz_corpus: %s: the %s does not replay to the end\n",
                     s.name.c_str(), std::string(name(side)).c_str());
        return 1;
      }
    }
  }

  CorpusWriter w{fs::path(argv[1])};
  // Indexes into the harness's scenario table (harness.cc, kScenarioIds).
  enum : uint8_t {
    t12_ecdhe_rsa = 0,
    t12_rsa = 1,
    t12_p256 = 2,
    t12_p384 = 3,
    t12_ed25519 = 4,
    t13_rsa = 5,
    t13_p256 = 6,
    t13_p384 = 7,
    t13_hrr = 8,
    t12_resume = 9,
    t12_rsa_resume = 10,
    t13_resume = 11,
    t13_psk = 12,
    t13_chacha = 13,
    t12_full = 14,
    t13_full = 15,
    t13_psk_full = 16,
  };

  for (uint8_t i : {t12_ecdhe_rsa, t12_rsa, t12_p256, t13_p256, t13_hrr, t12_resume, t13_resume,
                    t13_psk, t12_full, t13_full}) {
    const fuzz::FuzzScenario& s = scenario(i);
    for (Side side : {Side::client, Side::server}) {
      Bytes seed = {i};
      fuzz::serialize_script(side == Side::client ? s.to_client : s.to_server, &seed);
      w.write(side == Side::client ? "client" : "server", s.name, seed);
    }
  }

  write_record_seed(w, t12_ecdhe_rsa, fuzz::Protection::none, true);
  write_record_seed(w, t12_ecdhe_rsa, fuzz::Protection::tls12, true);
  write_record_seed(w, t12_ecdhe_rsa, fuzz::Protection::tls12, false);
  write_record_seed(w, t13_p256, fuzz::Protection::tls13, true);
  write_record_seed(w, t13_p256, fuzz::Protection::tls13, false);

  write_message_seeds(
      w, "client_hello", Side::server, HandshakeType::client_hello,
      {t12_ecdhe_rsa, t13_rsa, t13_hrr, t13_hrr | kLast, t12_rsa_resume, t13_resume});
  write_message_seeds(w, "server_hello", Side::client, HandshakeType::server_hello,
                      {t12_ecdhe_rsa, t13_p256, t13_hrr | kLast, t12_resume, t13_resume, t13_psk});
  write_message_seeds(w, "hello_retry_request", Side::client, HandshakeType::server_hello,
                      {t13_hrr});
  {
    // The retry request also as an unexpected one, in place of a ServerHello.
    Bytes body;
    (void)message_body(scenario(t13_hrr).to_client, HandshakeType::server_hello, false, &body);
    for (uint8_t i : {t13_p256, t13_resume}) {
      Bytes seed = {i};
      seed.insert(seed.end(), body.begin(), body.end());
      w.write("hello_retry_request", scenario(i).name + "-unexpected", seed);
    }
  }
  write_message_seeds(w, "certificate", Side::client, HandshakeType::certificate,
                      {t12_ecdhe_rsa, t12_p256, t12_ed25519, t13_p256, t13_p384});
  write_message_seeds(w, "server_key_exchange", Side::client, HandshakeType::server_key_exchange,
                      {t12_ecdhe_rsa, t12_p256, t12_p384, t12_ed25519});
  write_message_seeds(w, "client_key_exchange", Side::server, HandshakeType::client_key_exchange,
                      {t12_ecdhe_rsa, t12_rsa, t12_p256, t12_p384});
  write_message_seeds(w, "encrypted_extensions", Side::client, HandshakeType::encrypted_extensions,
                      {t13_rsa, t13_hrr, t13_resume, t13_psk});
  write_message_seeds(w, "certificate_verify", Side::client, HandshakeType::certificate_verify,
                      {t13_rsa, t13_p256, t13_p384, t13_chacha});
  write_message_seeds(w, "new_session_ticket", Side::client, HandshakeType::new_session_ticket,
                      {t12_full, t13_full, t13_resume, t13_psk_full});
  write_message_seeds(w, "finished", Side::client, HandshakeType::finished,
                      {t12_ecdhe_rsa, t13_p256, t12_resume, t13_resume}, 0);
  write_message_seeds(w, "finished", Side::server, HandshakeType::finished,
                      {t12_ecdhe_rsa, t13_p384, t12_resume, t13_psk}, 1);

  std::printf("make_fuzz_corpus: %zu seeds, %zu bytes, in %s\n", w.files(), w.bytes(), argv[1]);
  return 0;
}
