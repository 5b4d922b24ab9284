#include "options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cluster.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/registry.h"
#include "hsbench/scenario.h"

namespace hsbench::cli {

void print_error(std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');
  // Under mpirun, the rank that says it (its lines interleave with the
  // others').
  if (const std::string self = cluster_self(); !self.empty()) {
    fmt::print(stderr, "hsbench: {}: {}\n", self, message);
  } else {
    fmt::print(stderr, "hsbench: {}\n", message);
  }
}

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

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

// Every plugin found, in the order of every list (registry.h); those that
// do not load last.
std::vector<std::string> backend_names() { return BackendRegistry::discover().names(); }

namespace {

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

}  // namespace

void add_bench_options(CLI::App* app, BenchOptions* o) {
  // The plugins found now (a directory listing; none is loaded), so the
  // help names the backends this installation has.
  std::string found;
  for (const std::string& name : available_backends()) found += (found.empty() ? "" : ", ") + name;
  app->add_option("--backend,-b", o->backends,
                  "Backends, comma-separated, or all (found: " +
                      (found.empty() ? std::string("none") : found) +
                      "; hsbench list backends says what each supports)")
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
  app->add_option("--rtt", o->rtt_ms,
                  "Model each handshake's time to complete at this round-trip time (ms): "
                  "both sides' CPU plus the round trips of a fresh TCP connection")
      ->check(CLI::PositiveNumber);
  app->add_flag("--callgrind", o->callgrind,
                "Under valgrind --tool=callgrind --instr-atstart=no: also count the "
                "instructions of --handshakes deterministic handshakes (natively: the "
                "library's own, whole) (scripts/icount.sh)");
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
    // "all": every plugin found, in the registry's order; one that does not
    // load is left out with a note.
    BackendRegistry registry = BackendRegistry::discover();
    if (!quiet) {
      for (const PluginFailure& f : registry.failures()) {
        fmt::print(stderr, "hsbench: leaving out {}: {}\n", f.name, f.error);
      }
    }
    out = registry.take_backends();
    names.clear();
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

}  // namespace hsbench::cli
