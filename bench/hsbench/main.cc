// hsbench: the command line. Errors are one line on stderr and exit code 2
// (bad input) or 1 (a check that ran and failed).
//
//   hsbench [--backend openssl|boringssl|null|all[,...]] [--scenario ID,...|all |
//           --tls 1.2,1.3 --kx rsa,x25519,p256,p384 --cert rsa2048,...]
//           [--engine hsbench|native|both] [--threads 1,2,...]
//           [--duration S | --handshakes N] [--warmup S] [--repetitions R] [--json FILE|-]
//           [--format table|json|csv|gbench|bmf|github-benchmark|github-benchmark-bigger]
//           [--quiet] [--no-timing] [--no-lower-bound]
//   hsbench list [backends|scenarios|steps]
//   hsbench pki check
//   hsbench compare BASE.json NEW.json [--threshold PCT] [--metric hs_per_sec|cpu_us|icount]
//           [--markdown FILE] [--json FILE]        exit 0: no regression, 1: a regression
//   hsbench export RESULT.json [--format bmf|github-benchmark|github-benchmark-bigger]
//   hsbench version
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "capture/scenario_capture.h"
#if HSBENCH_COUNTING_MALLOC
#include "counting_malloc.h"
#endif
#include "demo/pfs.h"
#include "run/native_pair.h"
#include "hsbench/backend.h"
#include "hsbench/compare.h"
#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/report.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"
#include "hsbench_git.h"
#include "primitives.h"

namespace hsbench {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

// SIGINT or SIGTERM during a run: stop after the handshake in progress and
// write what is complete. SA_RESETHAND: a second signal ends the process.
void on_stop_signal(int) { request_stop(); }

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Bad input, already explained on stderr in one line.
struct BadInput {
  std::string message;
};

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

template <typename T, size_t N>
std::string join_names(const std::vector<T>& supported, const T (&all)[N]) {
  std::string out;
  for (const T& a : all) {
    bool has = std::find(supported.begin(), supported.end(), a) != supported.end();
    out += fmt::format("{}{}{}", out.empty() ? "" : " ", has ? "" : "-", name(a));
  }
  return out;
}

// Every backend this build made, then any other plugin found on the path.
std::vector<std::string> backend_names() {
  std::vector<std::string> names = split_list(HSBENCH_BUILT_BACKENDS);
  for (const auto& n : available_backends()) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names;
}

// --- hsbench list ---

int list_backends() {
  int rc = 0;
  std::vector<std::string> built = split_list(HSBENCH_BUILT_BACKENDS);
  for (const auto& n : {std::string("openssl"), std::string("boringssl")}) {
    if (std::find(built.begin(), built.end(), n) == built.end()) {
      fmt::print(
          "{:<10} not built (disabled, or its library was not found when hsbench was configured)\n",
          n);
    }
  }
  for (const auto& n : backend_names()) {
    std::string error;
    auto lb = load_backend(n, &error);
    if (!lb) {
      fmt::print("{:<10} unavailable: {}\n", n, error);
      rc = kExitFailed;
      continue;
    }
    Backend& b = lb->backend();
    const Algorithms& a = b.algorithms();
    fmt::print("{:<10} {}\n", b.name(), b.version());
    fmt::print("           plugin      {}\n", lb->path());
    fmt::print("           hashes      {}\n", join_names(a.hashes, kAllHashes));
    fmt::print("           aeads       {}\n", join_names(a.aeads, kAllAeads));
    fmt::print("           groups      {}\n", join_names(a.groups, kAllGroups));
    fmt::print("           signatures  {}\n",
               join_names(a.signature_schemes, kAllSignatureSchemes));
    fmt::print("           other       {}hkdf {}tls12-prf {}rsa-pkcs1-encryption {}x509\n",
               a.hkdf ? "" : "-", a.tls12_prf ? "" : "-", a.rsa_pkcs1_encryption ? "" : "-",
               a.x509 ? "" : "-");
  }
  fmt::print("(a name marked '-' is unsupported by that backend)\n");
  return rc;
}

int list_scenarios() {
  const std::vector<const Scenario*> defaults = default_scenarios();
  fmt::print("{:<32} {:<4} {:<6} {:<10} {:<11} {:<40} {}\n", "scenario", "tls", "kx", "group",
             "cert", "cipher suite", "default");
  for (const Scenario& s : all_scenarios()) {
    const ScenarioConfig c = scenario_config(s);
    const bool is_default = std::find(defaults.begin(), defaults.end(), &s) != defaults.end();
    fmt::print("{:<32} {:<4} {:<6} {:<10} {:<11} {:<40} {}\n", s.id, c.tls, c.kx,
               c.group.empty() ? "-" : c.group, c.cert, c.cipher, is_default ? "yes" : "");
  }
  fmt::print(
      "(--scenario ID,... or --tls/--kx/--cert choose; with neither, the default ones run)\n");
  return 0;
}

// The messages each version's handshake carries, in the order they flow.
struct MessageSender {
  Message message;
  Side sender;
};
constexpr MessageSender kTls12Messages[] = {
    {Message::client_hello, Side::client},       {Message::server_hello, Side::server},
    {Message::certificate, Side::server},        {Message::server_key_exchange, Side::server},
    {Message::server_hello_done, Side::server},  {Message::client_key_exchange, Side::client},
    {Message::change_cipher_spec, Side::client}, {Message::finished, Side::client},
    {Message::new_session_ticket, Side::server}, {Message::change_cipher_spec, Side::server},
    {Message::finished, Side::server},           {Message::application_data, Side::client},
    {Message::application_data, Side::server},
};
constexpr MessageSender kTls13Messages[] = {
    {Message::client_hello, Side::client},         {Message::hello_retry_request, Side::server},
    {Message::server_hello, Side::server},         {Message::change_cipher_spec, Side::server},
    {Message::encrypted_extensions, Side::server}, {Message::certificate, Side::server},
    {Message::certificate_verify, Side::server},   {Message::finished, Side::server},
    {Message::change_cipher_spec, Side::client},   {Message::finished, Side::client},
    {Message::new_session_ticket, Side::server},   {Message::application_data, Side::client},
    {Message::application_data, Side::server},
};

template <size_t N>
std::string messages_of(int step, TlsVersion v, const MessageSender (&list)[N]) {
  std::vector<std::string> names;
  for (const MessageSender& m : list) {
    if (user_step(v, m.message, m.sender) != step) continue;
    std::string n = std::string(name(m.sender)) + " " + std::string(name(m.message));
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names.empty() ? "-" : join(names);
}

int list_steps() {
  fmt::print(
      "The 8 user steps and the messages each groups (a step's time is the writer's\n"
      "work to build and send it plus the reader's work to receive and process it):\n\n");
  for (int step = 1; step <= kUserSteps; step++) {
    fmt::print("{} {}\n", step, user_step_name(step));
    fmt::print("    TLS 1.2: {}\n", messages_of(step, TlsVersion::tls12, kTls12Messages));
    fmt::print("    TLS 1.3: {}\n", messages_of(step, TlsVersion::tls13, kTls13Messages));
  }
  fmt::print(
      "\nTLS 1.2 runs them in the order 1,2,3,4,6,7,5,8. In the JSON, each result's\n"
      "\"steps\" lists the engine's real steps (side, action, message) in wire order,\n"
      "each with its user_step; a native result (--engine native) lists the library's\n"
      "messages as its message callbacks report them, each with its \"boundary\".\n");
  return 0;
}

// --- hsbench pki check ---

struct PkiOptions {
  std::string dir;
  std::string kind = "rsa2048";
  PkiFiles files;
  std::string hostname = "localhost";
};

void add_pki_options(CLI::App* app, PkiOptions* o) {
  app->add_option("--pki-dir", o->dir, "Directory of the default test PKI");
  app->add_option("--cert", o->kind,
                  "Default PKI kind: rsa2048, rsa3072, rsa4096, ecdsa-p256, "
                  "ecdsa-p384 or ed25519");
  auto* chain =
      app->add_option("--chain", o->files.chain, "Your own certificate chain (PEM, leaf first)");
  auto* key = app->add_option("--key", o->files.key, "Your own leaf private key (PEM or DER)");
  auto* root = app->add_option("--root", o->files.root, "Your own trust anchor (PEM or DER)");
  chain->needs(key)->needs(root);
  key->needs(chain);
  root->needs(chain);
  app->add_option("--hostname", o->hostname, "Name the leaf must be valid for ('' for none)");
}

// Reads the PKI the options name: the user's files, or a default kind.
std::unique_ptr<Pki> read_pki_options(const PkiOptions& o, std::string* out_error) {
  if (!o.files.chain.empty()) return read_pki("custom", o.files, out_error);
  const auto& kinds = default_pki_kinds();
  if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) {
    *out_error = "unknown certificate kind '" + o.kind + "'";
    return nullptr;
  }
  std::string dir = o.dir.empty() ? default_pki_dir() : o.dir;
  return read_pki(o.kind, default_pki_files(dir, o.kind), out_error);
}

int pki_check(const std::vector<std::string>& backends, const PkiOptions& o) {
  std::string error;
  auto pki = read_pki_options(o, &error);
  if (!pki) {
    fmt::print(stderr, "hsbench: {}\n", error);
    return kExitBadInput;
  }
  int rc = 0;
  for (const auto& name : backends) {
    auto lb = load_backend(name, &error);
    if (!lb) {
      fmt::print(stderr, "hsbench: {}\n", error);
      return kExitBadInput;
    }
    auto creds = prepare_credentials(lb->backend(), *pki, o.hostname, &error);
    if (!creds) {
      fmt::print(stderr, "hsbench: {}: {}\n", name, error);
      rc = kExitFailed;
      continue;
    }
    fmt::print("{:<10} {}: chain of {} verifies, key {} {} matches the leaf\n", name, pki->name,
               creds->chain->size(), hsbench::name(creds->leaf.type), creds->leaf.bits);
  }
  return rc;
}

// --- hsbench compare ---

struct CompareArgs {
  std::string base_path;
  std::string new_path;
  double threshold_pct = 5;
  std::string metric = "hs_per_sec";
  std::string markdown_path;
  std::string json_path;
};

void add_compare_options(CLI::App* app, CompareArgs* o) {
  app->add_option("base", o->base_path, "The base run (hsbench --json)")->required();
  app->add_option("new", o->new_path, "The new run")->required();
  app->add_option("--threshold", o->threshold_pct,
                  "Percent change that counts, when the repetitions make it significant")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            if (end == s.c_str() || *end != '\0' || !std::isfinite(v) || v < 0)
              return "not a percentage of at least 0: " + s;
            return "";
          },
          "PCT"))
      ->capture_default_str();
  app->add_option("--metric", o->metric, "hs_per_sec, cpu_us or icount")
      ->check(CLI::IsMember({"hs_per_sec", "cpu_us", "icount"}).description(""))
      ->capture_default_str();
  app->add_option("--markdown", o->markdown_path, "Also write the table as markdown here");
  app->add_option("--json", o->json_path, "Also write the verdicts as JSON here");
}

// 0: nothing regressed, 1: a regression, 2: unusable input.
int run_compare(const CompareArgs& o) {
  std::string error;
  for (const std::string* path : {&o.markdown_path, &o.json_path}) {
    if (!path->empty() && !check_file_writable(*path, &error)) {
      fmt::print(stderr, "hsbench compare: {}\n", error);
      return kExitBadInput;
    }
  }
  const CompareMetric metric = *parse_compare_metric(o.metric);
  CompareInput base, neu;
  if (!read_compare_input(o.base_path, metric, &base, &error) ||
      !read_compare_input(o.new_path, metric, &neu, &error)) {
    fmt::print(stderr, "hsbench compare: {}\n", error);
    return kExitBadInput;
  }
  const CompareReport report = compare_runs(base, neu, {o.threshold_pct, metric});
  if (report.rows.empty()) {
    fmt::print(stderr,
               "hsbench compare: {} and {} have no measured (scenario, backend, engine, threads) "
               "with {} in common\n",
               o.base_path, o.new_path, o.metric);
    return kExitBadInput;
  }
  write_compare_table(report, std::cout);
  std::cout.flush();
  auto write = [&](const std::string& path, void (*writer)(const CompareReport&, std::ostream&)) {
    if (path.empty()) return true;
    std::ostringstream text;
    writer(report, text);
    if (write_file_atomically(path, text.str(), &error)) return true;
    fmt::print(stderr, "hsbench compare: {}\n", error);
    return false;
  };
  if (!write(o.markdown_path, write_compare_markdown) || !write(o.json_path, write_compare_json))
    return kExitBadInput;
  return report.regressions > 0 ? kExitFailed : 0;
}

// --- the benchmark ---

struct BenchOptions {
  std::string backends = "all";
  std::string scenarios;
  std::string tls, kx, cert;
  std::string engine = "hsbench";
  std::string threads = "1";
  double duration_s = 0.25;
  uint64_t handshakes = 0;
  double warmup_s = 0.1;
  int repetitions = 5;
  std::string json_path = "hsbench.json";
  std::string format = "table";
  bool format_given = false;
  std::string pki_dir;
  bool quiet = false;
  bool no_timing = false;
  bool no_lower_bound = false;
  bool callgrind = false;
  std::string pcap_path, keylog_path;
};

// A number of seconds, more than 0 (or at least 0 when zero_ok).
CLI::Validator seconds(bool zero_ok) {
  return CLI::Validator(
      [zero_ok](std::string& text) -> std::string {
        double v = 0;
        size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (...) {
          used = 0;
        }
        if (used != text.size() || !std::isfinite(v) || v < 0 || (v == 0 && !zero_ok)) {
          return fmt::format("'{}' is not a number of seconds {}", text,
                             zero_ok ? "(0 or more)" : "(more than 0)");
        }
        return "";
      },
      "");
}

void add_bench_options(CLI::App* app, BenchOptions* o) {
  app->add_option("--backend,-b", o->backends,
                  "Backends: openssl, boringssl, null, or all; a comma-separated list")
      ->capture_default_str();
  auto* scenario = app->add_option(
      "--scenario,-s", o->scenarios,
      "Scenario ids, comma-separated, or all (hsbench list scenarios); default: the RSA-versus-"
      "ECDHE matrix");
  auto* tls = app->add_option("--tls", o->tls, "Select scenarios by TLS version: 1.2,1.3");
  auto* kx = app->add_option("--kx", o->kx, "... by key exchange: rsa,x25519,p256,p384");
  auto* cert = app->add_option("--cert", o->cert, "... by certificate: rsa2048,ecdsa-p256,...");
  scenario->excludes(tls)->excludes(kx)->excludes(cert);
  app->add_option("--engine,-e", o->engine,
                  "Whose handshakes: hsbench (our engine on the backend's crypto), native (the "
                  "backend's own TLS stack) or both")
      ->check(CLI::IsMember({"hsbench", "native", "both"}).description(""))
      ->capture_default_str();
  app->add_option("--threads,-t", o->threads,
                  "Thread counts, comma-separated (each thread owns a client/server pair; one "
                  "result per count)")
      ->capture_default_str();
  auto* duration =
      app->add_option("--duration,-d", o->duration_s, "Seconds of handshakes per repetition")
          ->check(seconds(false))
          ->capture_default_str();
  auto* count = app->add_option("--handshakes,-n", o->handshakes,
                                "Handshakes per thread per repetition, instead of a duration")
                    ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 40).description(""));
  duration->excludes(count);
  app->add_option("--warmup", o->warmup_s, "Seconds of warm-up per run (at least one handshake)")
      ->check(seconds(true))
      ->capture_default_str();
  app->add_option("--repetitions,-r", o->repetitions, "Repetitions per run")
      ->check(CLI::Range(1, 1000).description(""))
      ->capture_default_str();
  app->add_option("--json", o->json_path, "Write the JSON results here; - for stdout")
      ->capture_default_str();
  app->add_option("--format,-f", o->format,
                  "What stdout shows: table, json, csv, gbench, bmf (Bencher), github-benchmark "
                  "or github-benchmark-bigger (github-action-benchmark)")
      ->check(CLI::IsMember({"table", "json", "csv", "gbench", "bmf", "github-benchmark",
                             "github-benchmark-bigger"})
                  .description(""))
      ->capture_default_str();
  app->add_option("--pki-dir", o->pki_dir, "Directory of the default test PKI");
  app->add_flag("--quiet,-q", o->quiet, "No progress and no notes on stderr");
  app->add_flag("--no-timing", o->no_timing,
                "Run handshakes with no trace (no steps, no latency): shows what timing costs");
  app->add_flag("--no-lower-bound", o->no_lower_bound,
                "Skip timing the crypto primitives alone (no crypto_lower_bound_us)");
  app->add_flag("--callgrind", o->callgrind,
                "Under valgrind --tool=callgrind --instr-atstart=no: also count the "
                "instructions of --handshakes deterministic handshakes (scripts/icount.sh)");
  app->add_option("--pcap", o->pcap_path,
                  "Also record one untimed handshake per scenario and backend as a pcap");
  app->add_option("--keylog", o->keylog_path,
                  "... and its secrets in the NSS key log format (Wireshark, tshark)");
}

std::vector<int> parse_threads(const std::string& list) {
  std::vector<int> out;
  for (const std::string& item : split_list(list)) {
    int v = 0;
    size_t used = 0;
    try {
      v = std::stoi(item, &used);
    } catch (...) {
      used = 0;
    }
    if (used != item.size() || v < 1 || v > 4096) {
      throw BadInput{fmt::format("--threads: '{}' is not a thread count (1 or more)", item)};
    }
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  if (out.empty()) throw BadInput{"--threads names no thread count"};
  return out;
}

std::vector<const Scenario*> select_scenarios(const BenchOptions& o) {
  std::vector<const Scenario*> out;
  if (!o.scenarios.empty()) {
    for (const std::string& id : split_list(o.scenarios)) {
      if (id == "all") {
        for (const Scenario& s : all_scenarios()) out.push_back(&s);
        continue;
      }
      const Scenario* s = find_scenario(id);
      if (s == nullptr) {
        throw BadInput{fmt::format("unknown scenario '{}' (hsbench list scenarios)", id)};
      }
      out.push_back(s);
    }
  } else if (!o.tls.empty() || !o.kx.empty() || !o.cert.empty()) {
    auto check = [](const std::string& flag, const std::vector<std::string>& values,
                    const std::vector<std::string>& allowed) {
      for (const std::string& v : values) {
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
          throw BadInput{fmt::format("{}: unknown value '{}' (one of {})", flag, v, join(allowed))};
        }
      }
    };
    const std::vector<std::string> tls = split_list(o.tls), kx = split_list(o.kx),
                                   cert = split_list(o.cert);
    check("--tls", tls, {"1.2", "1.3"});
    check("--kx", kx, {"rsa", "x25519", "p256", "p384"});
    check("--cert", cert, default_pki_kinds());
    auto ok = [](const std::vector<std::string>& want, std::string_view v) {
      return want.empty() || std::find(want.begin(), want.end(), v) != want.end();
    };
    for (const Scenario& s : all_scenarios()) {
      if (ok(tls, name(s.version)) && ok(kx, kx_name(s)) && ok(cert, s.cert)) out.push_back(&s);
    }
    if (out.empty())
      throw BadInput{"no scenario matches --tls/--kx/--cert (hsbench list scenarios)"};
  } else {
    out = default_scenarios();
  }
  // Each once, in the order given.
  std::vector<const Scenario*> unique;
  for (const Scenario* s : out) {
    if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(s);
  }
  if (unique.empty()) throw BadInput{"no scenario to run"};
  return unique;
}

std::vector<std::unique_ptr<LoadedBackend>> load_backends(const std::string& list, bool quiet) {
  std::vector<std::string> names = split_list(list);
  if (names.empty()) throw BadInput{"--backend names no backend"};
  std::vector<std::unique_ptr<LoadedBackend>> out;
  const bool all = std::find(names.begin(), names.end(), "all") != names.end();
  if (all) {
    // "all": every backend built, in the order openssl, boringssl, null;
    // one that does not load is left out with a note.
    std::vector<std::string> built = split_list(HSBENCH_BUILT_BACKENDS);
    names.clear();
    for (const char* n : {"openssl", "boringssl", "null"}) {
      if (std::find(built.begin(), built.end(), n) != built.end()) names.push_back(n);
    }
  }
  for (const std::string& n : names) {
    bool seen = false;
    for (const auto& lb : out) seen |= lb->backend().name() == n;
    if (seen) continue;
    std::string error;
    auto lb = load_backend(n, &error);
    if (lb == nullptr) {
      if (!all) throw BadInput{error};
      if (!quiet) fmt::print(stderr, "hsbench: leaving out {}: {}\n", n, error);
      continue;
    }
    out.push_back(std::move(lb));
  }
  if (out.empty()) throw BadInput{"no backend loads (hsbench list backends)"};
  return out;
}

std::string shell_quote(std::string_view arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                            "0123456789-_./=,:+@%") == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Progress on stderr, only when it is a terminal and not --quiet.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void show(const std::string& line) {
    if (!on_) return;
    fmt::print(stderr, "\r\033[K{}", line);
    std::fflush(stderr);
  }
  void clear() {
    if (!on_) return;
    fmt::print(stderr, "\r\033[K");
    std::fflush(stderr);
  }

 private:
  bool on_;
};

// The crypto lower bound of one (scenario, backend, threads): the engine's
// result's crypto operations, timed alone and in order, side by side with
// whole handshakes of each engine that ran (one thread, untraced). A native
// result takes the engine's bound: the same crypto, whichever stack calls
// it; with no engine result there is no list of operations to time.
void apply_lower_bound(micro::LowerBoundEstimator* estimator, const Scenario& s, Backend& b,
                       const Pki& pki, Result* engine, Result* native) {
  if (engine == nullptr) {
    if (native != nullptr) {
      native->lower_bound_error =
          "a native result takes the engine's lower bound for its scenario and backend: run "
          "with --engine both";
    }
    return;
  }
  std::string error;
  const std::unique_ptr<EnginePair> engine_pair = make_engine_pair(s, b, b, pki, &error);
  const std::unique_ptr<EnginePair> native_pair =
      native != nullptr ? make_native_pair(s, b, pki, &error) : nullptr;
  auto body = [](EnginePair* pair) -> micro::PrimitiveBody {
    if (pair == nullptr) return nullptr;
    return [pair] {
      std::string e;
      return pair->run(nullptr, &e);
    };
  };
  std::vector<micro::LowerBoundEstimator::Other> others;
  if (native_pair != nullptr) others.push_back({native, body(native_pair.get())});
  estimator->apply(b, pki, engine, body(engine_pair.get()), others);
  if (native != nullptr && !native->crypto_lower_bound_us) {
    native->lower_bound_error = !engine->lower_bound_error.empty()
                                    ? engine->lower_bound_error
                                    : "no native handshake to time: " + error;
  }
}

int run_benchmark(const BenchOptions& o, int argc, char** argv) {
  const std::vector<int> threads = parse_threads(o.threads);
  if (o.callgrind && !running_under_valgrind())
    throw BadInput{"--callgrind: not running under valgrind --tool=callgrind (scripts/icount.sh)"};
  if (o.callgrind && o.handshakes == 0)
    throw BadInput{"--callgrind needs --handshakes N: the handshakes to count"};
  if (o.callgrind && o.engine != "hsbench")
    throw BadInput{"--callgrind counts the engine's instructions only (--engine hsbench)"};
  std::vector<EngineKind> engines;
  if (o.engine != "native") engines.push_back(EngineKind::hsbench);
  if (o.engine != "hsbench") engines.push_back(EngineKind::native);
  const std::vector<const Scenario*> scenarios = select_scenarios(o);
  const std::optional<Format> format = parse_format(o.format);
  if (!format) throw BadInput{"--format: unknown format '" + o.format + "'"};
  const bool json_to_stdout = o.json_path == "-";
  if (json_to_stdout && o.format_given && *format != Format::json) {
    throw BadInput{"--json - and --format " + o.format + " would both write to stdout"};
  }
  if (!json_to_stdout) {
    std::string error;
    if (!check_file_writable(o.json_path, &error)) throw BadInput{"--json: " + error};
  }
  for (const auto& [flag, path] : {std::pair{"--pcap", o.pcap_path}, {"--keylog", o.keylog_path}}) {
    std::string error;
    if (!path.empty() && !check_file_writable(path, &error)) throw BadInput{flag + (": " + error)};
  }
  const auto backends = load_backends(o.backends, o.quiet);

  // The PKI of each certificate kind, read once.
  std::map<std::string, std::unique_ptr<Pki>> pkis;
  const std::string pki_dir = o.pki_dir.empty() ? default_pki_dir() : o.pki_dir;
  for (const Scenario* s : scenarios) {
    if (pkis.count(s->cert)) continue;
    std::string error;
    auto pki = read_pki(s->cert, default_pki_files(pki_dir, s->cert), &error);
    if (pki == nullptr) throw BadInput{error};
    pkis[s->cert] = std::move(pki);
  }

  Report report;
  ReportContext& c = report.context;
  c.tool_version = HSBENCH_VERSION;
  c.git_commit = HSBENCH_GIT_COMMIT;
  c.date = utc_now_iso8601();
  c.host = current_host();
  c.compiler = HSBENCH_COMPILER;
  c.build_type = HSBENCH_BUILD_TYPE;
  std::vector<std::string> args;
  for (int i = 0; i < argc; i++) args.push_back(shell_quote(argv[i]));
  c.command_line = join(args, " ");
  for (const auto& lb : backends) {
    c.backends.push_back({std::string(lb->backend().name()), std::string(lb->backend().version())});
  }
  c.settings.warmup_s = o.warmup_s;
  c.settings.duration_s = o.handshakes > 0 ? 0 : o.duration_s;
  c.settings.handshakes = o.handshakes;
  c.settings.repetitions = o.repetitions;
  c.settings.threads = threads;
  c.settings.timing = !o.no_timing;

  Progress progress(!o.quiet && isatty(STDERR_FILENO));
  install_stop_handlers();
  micro::LowerBoundEstimator lower_bound;
  capture::RunCapture capture;
  const size_t total = scenarios.size() * backends.size() * threads.size() * engines.size();
  size_t done = 0;
  for (const Scenario* s : scenarios) {
    for (const auto& lb : backends) {
      Backend& b = lb->backend();
      const Pki& pki = *pkis[s->cert];
      std::string capture_error;
      if ((!o.pcap_path.empty() || !o.keylog_path.empty()) &&
          !capture.add_scenario(*s, b, pki, &capture_error) && !o.quiet) {
        fmt::print(stderr, "hsbench: not captured: {}\n", capture_error);
      }
      for (int t : threads) {
        // This (scenario, backend, threads)'s results, by engine: the lower
        // bound times their handshakes side by side.
        std::optional<size_t> engine_result, native_result;
        for (EngineKind engine : engines) {
          RunOptions ro;
          ro.engine = engine;
          ro.threads = t;
          ro.warmup_s = o.warmup_s;
          ro.duration_s = o.duration_s;
          ro.handshakes = o.handshakes;
          ro.repetitions = o.repetitions;
          ro.count_instructions = o.callgrind;
          ro.timing = !o.no_timing;
          ro.memory_handshakes = o.callgrind ? 0 : ro.memory_handshakes;
          const std::string what =
              fmt::format("[{}/{}] {} on {}{}, {} thread{}", done + 1, total, s->id, b.name(),
                          engine == EngineKind::native ? " (native)" : "", t, t == 1 ? "" : "s");
          Result r = run_scenario(*s, b, pki, ro, [&](int rep, int reps) {
            progress.show(rep == 0 ? what + ": warm-up"
                                   : fmt::format("{}: repetition {}/{}", what, rep, reps));
          });
          // Interrupted: keep only what completed; no lower bound (it takes
          // seconds).
          if (stop_requested() && r.skipped) break;
          report.results.push_back(std::move(r));
          if (!report.results.back().skipped) {
            (engine == EngineKind::hsbench ? engine_result : native_result) =
                report.results.size() - 1;
          }
          done++;
          if (stop_requested()) break;
        }
        if (stop_requested()) break;
        if (!o.no_lower_bound) {
          progress.show(fmt::format("{} on {}, {} thread{}: crypto lower bound", s->id, b.name(), t,
                                    t == 1 ? "" : "s"));
          apply_lower_bound(&lower_bound, *s, b, pki,
                            engine_result ? &report.results[*engine_result] : nullptr,
                            native_result ? &report.results[*native_result] : nullptr);
        }
      }
      if (stop_requested()) break;
    }
    if (stop_requested()) break;
  }
  progress.clear();
  const bool interrupted = stop_requested();
  report.context.partial = interrupted;
  if (interrupted && report.results.empty()) {
    fmt::print(stderr, "hsbench: interrupted before any repetition completed; nothing written\n");
    return kExitInterrupted;
  }

  bool any = false;
  std::vector<std::string> reasons;
  for (const Result& r : report.results) {
    if (!r.skipped)
      any = true;
    else
      reasons.push_back(fmt::format("{} on {}: {}", r.scenario, r.backend, r.skip_reason));
  }
  if (!any && !interrupted) throw BadInput{"nothing could run: " + join(reasons, "; ")};

  if (json_to_stdout) {
    write_json(report, std::cout);
  } else {
    std::ostringstream json;
    write_json(report, json);
    std::string error;
    if (!write_file_atomically(o.json_path, json.str(), &error)) {
      fmt::print(stderr, "hsbench: {}\n", error);
      return kExitFailed;
    }
    write_report(report, *format, std::cout);
    std::cout.flush();
    if (!o.quiet) fmt::print(stderr, "hsbench: wrote {}\n", o.json_path);
  }
  if (std::string error; !capture.write(o.pcap_path, o.keylog_path, &error)) {
    fmt::print(stderr, "hsbench: {}\n", error);
    return kExitFailed;
  }
  std::cout.flush();
  if (interrupted) {
    fmt::print(stderr, "hsbench: interrupted: {} result{} written, marked partial\n",
               report.results.size(), report.results.size() == 1 ? "" : "s");
    return kExitInterrupted;
  }
  return 0;
}

int run(int argc, char** argv) {
#if HSBENCH_COUNTING_MALLOC
  install_counting_malloc();
#endif
  CLI::App app{
      "hsbench: what a TLS handshake costs, step by step.\n"
      "With no subcommand, runs the benchmark: by default the RSA-versus-ECDHE "
      "matrix on every backend, a table on stdout and hsbench.json."};
  app.set_version_flag("--version", std::string("hsbench ") + HSBENCH_VERSION);
  app.require_subcommand(0, 1);

  BenchOptions bench;
  add_bench_options(&app, &bench);

  auto* version = app.add_subcommand("version", "Print the version and build");

  auto* list = app.add_subcommand("list", "List backends, scenarios or steps");
  std::string what = "backends";
  list->add_option("what", what, "What to list: backends, scenarios or steps")
      ->check(CLI::IsMember({"backends", "scenarios", "steps"}).description(""));

  auto* pki = app.add_subcommand("pki", "Certificate chains and keys");
  pki->require_subcommand(1, 1);
  auto* check = pki->add_subcommand(
      "check", "Check that a chain verifies and its key signs, on each backend");
  PkiOptions pki_options;
  std::string backend_list = "all";
  check->add_option("--backend", backend_list, "Backends: a list of names, or all");
  add_pki_options(check, &pki_options);

  auto* compare = app.add_subcommand(
      "compare", "Compare a run with a base run, result by result; exit 1 on a regression");
  CompareArgs compare_args;
  add_compare_options(compare, &compare_args);

  auto* export_cmd = app.add_subcommand(
      "export", "Convert a result file to a continuous-benchmarking format, on stdout");
  std::string export_path, export_format = "bmf";
  export_cmd->add_option("RESULT", export_path, "An hsbench/v1 result file")->required();
  export_cmd
      ->add_option("--format,-f", export_format, "bmf, github-benchmark or github-benchmark-bigger")
      ->check(CLI::IsMember({"bmf", "github-benchmark", "github-benchmark-bigger"}).description(""))
      ->capture_default_str();

  auto* pfs = app.add_subcommand(
      "pfs-demo",
      "Forward secrecy, shown: record an RSA-key-transport and an ECDHE handshake, "
      "steal the server's key, and see which recording it opens");
  demo::PfsDemoOptions pfs_options;
  pfs->add_option("--backend", pfs_options.backend, "openssl or boringssl (default: openssl)");
  pfs->add_option("--json", pfs_options.json_path, "Also write the result as JSON; - for stdout");
  pfs->add_option("--pcap", pfs_options.pcap_path, "Write the two recorded handshakes as a pcap");
  pfs->add_option("--pki-dir", pfs_options.pki_dir, "Directory of the default test PKI");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    fmt::print(stderr, "hsbench: {}\n", message);
    return kExitBadInput;
  }

  if (*version) {
    fmt::print("hsbench {} (git {})\ncompiler {}\nbuild {}\nbackends built {}\n", HSBENCH_VERSION,
               HSBENCH_GIT_COMMIT, HSBENCH_COMPILER, HSBENCH_BUILD_TYPE, HSBENCH_BUILT_BACKENDS);
    return 0;
  }
  if (*list) {
    if (what == "scenarios") return list_scenarios();
    if (what == "steps") return list_steps();
    return list_backends();
  }
  if (*compare) return run_compare(compare_args);
  if (*export_cmd) {
    std::ostringstream converted;
    std::string error;
    if (!export_result_file(export_path, *parse_format(export_format), converted, &error)) {
      fmt::print(stderr, "hsbench export: {}\n", error);
      return kExitBadInput;
    }
    std::cout << converted.str() << std::flush;
    return std::cout ? 0 : kExitBadInput;
  }
  if (*pfs) return demo::pfs_demo_command(pfs_options, std::cout, std::cerr);
  if (*check) {
    std::vector<std::string> names =
        backend_list == "all" ? split_list(HSBENCH_BUILT_BACKENDS) : split_list(backend_list);
    if (names.empty()) {
      fmt::print(stderr, "hsbench: --backend names no backend\n");
      return kExitBadInput;
    }
    return pki_check(names, pki_options);
  }
  bench.format_given = app.get_option("--format")->count() > 0;
  try {
    return run_benchmark(bench, argc, argv);
  } catch (const BadInput& e) {
    std::string message = e.message;
    std::replace(message.begin(), message.end(), '\n', ' ');
    fmt::print(stderr, "hsbench: {}\n", message);
    return kExitBadInput;
  }
}

}  // namespace
}  // namespace hsbench

int main(int argc, char** argv) { return hsbench::run(argc, argv); }
