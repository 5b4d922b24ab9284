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
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "drive/configs.h"
#include "harness.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/report.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"
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

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "make_fuzz_corpus: %s\n", why.c_str());
  std::exit(1);
}

// Result files of real runs on the null backend (a few handshakes each, so
// the seeds stay small), with a fixed context. Unlike the other seeds they
// hold measured times, so they differ each time they are made.
void write_result_json_seeds(CorpusWriter& w) {
  std::string error;
  auto null = load_backend("null", &error);
  if (null == nullptr) die("cannot load the null backend: " + error);
  Report base;
  ReportContext& c = base.context;
  c.tool_version = "0.1.0";
  c.git_commit = "0123456789ab";
  c.date = "2026-01-02T03:04:05Z";
  c.host = {"fuzz seed CPU", 2, "Linux", "fuzz"};
  c.compiler = "clang";
  c.build_type = "RelWithDebInfo";
  c.command_line = "make_fuzz_corpus";
  c.backends = {{"null", std::string(null->backend().version())}};
  c.settings.handshakes = 2;
  c.settings.repetitions = 3;
  c.settings.threads = {1};

  auto run = [&](std::string_view id, bool timing) {
    const Scenario* s = find_scenario(id);
    if (s == nullptr) die("no scenario " + std::string(id));
    auto pki = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
    if (pki == nullptr) die("cannot read the " + s->cert + " PKI: " + error);
    RunOptions options;
    options.warmup_s = 0;
    options.handshakes = 2;
    options.repetitions = 3;
    options.timing = timing;
    Result r = run_scenario(*s, null->backend(), *pki, options);
    if (r.skipped) die(std::string(id) + " was skipped: " + r.skip_reason);
    return r;
  };
  auto write = [&](const std::string& name, std::vector<Result> results, bool timing) {
    Report report = base;
    report.context.settings.timing = timing;
    report.results = std::move(results);
    std::ostringstream out;
    write_json(report, out);
    // Without the indentation, which only makes the fuzzer's inputs longer.
    const std::string text = nlohmann::ordered_json::parse(out.str()).dump();
    w.write("result_json", name + ".json",
            ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  };
  write("tls13-psk-resume-timing", {run("tls13-psk-ecdsa-p256-resume", true)}, true);
  write("tls12-rsa-no-timing", {run("tls12-rsa-rsa2048", false)}, false);
  const Scenario* hrr = find_scenario("tls13-p256-ecdsa-p256-hrr");
  if (hrr == nullptr) die("no scenario tls13-p256-ecdsa-p256-hrr");
  write("two-results-one-skipped",
        {run("tls12-ecdhe-x25519-ecdsa-p256", false),
         skipped_result(*hrr, "null", 1, "a skipped result, for the fuzz seed")},
        false);
}

// The plugins whose worlds the seeds come from.
constexpr const char* kPlugins[] = {"null", "openssl", "boringssl", "wolfssl", "gnutls"};

// PKI files as they are (certificates, chains, PKCS#8 keys of each kind),
// and one with text around and between its blocks, which RFC 7468 5.2
// allows.
void write_pem_seeds(CorpusWriter& w) {
  const std::string dir = default_pki_dir();
  auto read = [&](const std::string& kind, const std::string& file) {
    std::ifstream in(fs::path(dir) / kind / file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) die("cannot read " + (fs::path(dir) / kind / file).string());
    if (text.empty()) die("empty " + (fs::path(dir) / kind / file).string());
    return text;
  };
  auto write = [&](const std::string& name, const std::string& text) {
    w.write("pem", name, ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  };
  write("ecdsa-p256-chain.pem", read("ecdsa-p256", "chain.pem"));
  write("ecdsa-p384-key.pem", read("ecdsa-p384", "key.pem"));
  write("ed25519-leaf.pem", read("ed25519", "leaf.pem"));
  write("ed25519-key.pem", read("ed25519", "key.pem"));
  write("explained.pem", "The leaf first:\n" + read("ed25519", "leaf.pem") + "\nthen its key.\n" +
                             read("ed25519", "key.pem") + "That is all.\n");
}

// CertificateRequest bodies as the engine's mutual TLS server writes them
// (RFC 5246 7.4.4; RFC 8446 4.3.2, without PKCS#1), and a TLS 1.3 one that
// also names a certificate authority. The selector's low bit is TLS 1.3.
void write_certificate_request_seeds(CorpusWriter& w) {
  auto u16 = [](Bytes* b, size_t v) {
    b->push_back(static_cast<uint8_t>(v >> 8));
    b->push_back(static_cast<uint8_t>(v));
  };
  auto prefixed = [&](Bytes* b, const Bytes& body) {
    u16(b, body.size());
    b->insert(b->end(), body.begin(), body.end());
  };
  Bytes schemes12, schemes13;
  for (SignatureScheme s : kClientSignatureSchemes) {
    u16(&schemes12, static_cast<uint16_t>(s));
    if (s != SignatureScheme::rsa_pkcs1_sha256 && s != SignatureScheme::rsa_pkcs1_sha384) {
      u16(&schemes13, static_cast<uint16_t>(s));
    }
  }
  Bytes tls12 = {0, 2, 1, 64};  // selector, certificate_types: rsa_sign, ecdsa_sign
  prefixed(&tls12, schemes12);
  u16(&tls12, 0);  // no certificate_authorities
  w.write("certificate_request", "tls12-engine", tls12);

  Bytes signature_algorithms;
  u16(&signature_algorithms, 13);
  Bytes list;
  prefixed(&list, schemes13);
  prefixed(&signature_algorithms, list);
  Bytes tls13 = {1, 0};  // selector, empty context
  prefixed(&tls13, signature_algorithms);
  w.write("certificate_request", "tls13-engine", tls13);

  // certificate_authorities (47): one DistinguishedName, whose bytes the
  // client does not read.
  Bytes extensions = signature_algorithms;
  u16(&extensions, 47);
  prefixed(&extensions, Bytes{0x00, 0x05, 0x30, 0x03, 0x31, 0x01, 0x00});
  Bytes with_ca = {1, 0};
  prefixed(&with_ca, extensions);
  w.write("certificate_request", "tls13-certificate-authorities", with_ca);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_corpus CORPUS_DIR   (e.g. fuzz/corpus)\n");
    return 2;
  }
  // The real plugins' outputs recorded with the seeds already there are
  // used again, so that an unchanged engine gives the same seeds.
  fuzz::World::set_corpus_dir(argv[1]);

  // Every recorded handshake replays to the end against each side, on
  // each plugin.
  int failures = 0;
  for (const char* backend : kPlugins) {
    fuzz::World& world = fuzz::World::get(backend);
    for (uint8_t i = 0; i < world.scenario_count(); i++) {
      if (world.scenario(i) == nullptr) continue;  // the plugin cannot run it
      const fuzz::FuzzScenario& s = *world.scenario(i);
      for (Side side : {Side::client, Side::server}) {
        std::string why;
        auto status = world.replay(s, side, side == Side::client ? s.to_client : s.to_server, &why);
        if (status != Connection::Status::done) {
          std::fprintf(stderr, "make_fuzz_corpus: %s: %s: the %s does not replay to the end: %s\n",
                       backend, s.name.c_str(), std::string(name(side)).c_str(), why.c_str());
          failures++;
        }
      }
    }
  }

  if (failures > 0) return 1;

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
    // 17-20: the hybrid scenarios, which the null backend cannot run
    t12_rsa_mtls = 21,
    t12_ecdhe_mtls = 22,
    t13_mtls = 23,
    t13_rsa_mtls = 24,
    t13_mtls_resume = 25,
    t13_mtls_full = 26,
  };

  for (uint8_t i : {t12_ecdhe_rsa, t12_rsa, t12_p256, t13_p256, t13_hrr, t12_resume, t13_resume,
                    t13_psk, t12_full, t13_full, t12_rsa_mtls, t12_ecdhe_mtls, t13_mtls,
                    t13_mtls_resume}) {
    const fuzz::FuzzScenario& s = scenario(i);
    for (Side side : {Side::client, Side::server}) {
      Bytes seed = {i};
      fuzz::serialize_script(side == Side::client ? s.to_client : s.to_server, &seed);
      w.write(side == Side::client ? "client" : "server", s.name, seed);
    }
  }

  // The real-plugin targets: both sides of every scenario, recorded on
  // that plugin (its key shares, signatures and RSA ciphertexts are its
  // own, so another plugin's seeds would stop at the first of them).
  for (const char* backend : kPlugins) {
    if (std::string_view(backend) == "null") continue;
    fuzz::World& world = fuzz::World::get(backend);
    for (uint8_t i = 0; i < world.scenario_count(); i++) {
      if (world.scenario(i) == nullptr) continue;
      const fuzz::FuzzScenario& s = *world.scenario(i);
      for (Side side : {Side::client, Side::server}) {
        Bytes seed = {static_cast<uint8_t>(i | (side == Side::server ? fuzz::kServerReads : 0))};
        fuzz::serialize_script(side == Side::client ? s.to_client : s.to_server, &seed);
        w.write(backend, std::string(name(side)) + "-" + s.name, seed);
      }
    }
  }

  for (const char* backend : kPlugins) {
    if (std::string_view(backend) == "null") continue;
    const Bytes recorded = fuzz::World::get(backend).client_backend().save_recorded();
    std::ofstream out(fuzz::World::recorded_path(backend), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(recorded.data()),
              static_cast<std::streamsize>(recorded.size()));
    if (!out) die("cannot write " + fuzz::World::recorded_path(backend));
  }

  write_pem_seeds(w);

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
                      {t12_ecdhe_rsa, t12_p256, t12_ed25519, t13_p256, t13_p384, t13_mtls});
  write_message_seeds(w, "server_key_exchange", Side::client, HandshakeType::server_key_exchange,
                      {t12_ecdhe_rsa, t12_p256, t12_p384, t12_ed25519});
  write_message_seeds(w, "client_key_exchange", Side::server, HandshakeType::client_key_exchange,
                      {t12_ecdhe_rsa, t12_rsa, t12_p256, t12_p384});
  write_message_seeds(w, "encrypted_extensions", Side::client, HandshakeType::encrypted_extensions,
                      {t13_rsa, t13_hrr, t13_resume, t13_psk});
  write_message_seeds(w, "certificate_verify", Side::client, HandshakeType::certificate_verify,
                      {t13_rsa, t13_p256, t13_p384, t13_chacha, t13_rsa_mtls});
  write_message_seeds(w, "new_session_ticket", Side::client, HandshakeType::new_session_ticket,
                      {t12_full, t13_full, t13_resume, t13_psk_full});
  write_message_seeds(w, "finished", Side::client, HandshakeType::finished,
                      {t12_ecdhe_rsa, t13_p256, t12_resume, t13_resume}, 0);
  write_message_seeds(w, "finished", Side::server, HandshakeType::finished,
                      {t12_ecdhe_rsa, t13_p384, t12_resume, t13_psk}, 1);

  write_certificate_request_seeds(w);
  write_result_json_seeds(w);

  std::printf("make_fuzz_corpus: %zu seeds, %zu bytes, in %s\n", w.files(), w.bytes(), argv[1]);
  return 0;
}
