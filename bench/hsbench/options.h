// What the commands of the hsbench command line share: exit codes, the
// one-line error, list parsing, the backends, and the benchmark's flags and
// their validation (the benchmark is the default command; its flags live on
// the top-level app).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/loader.h"
#include "hsbench/scenario.h"

namespace hsbench::cli {

constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

// Bad input, already explained on stderr in one line.
struct BadInput {
  std::string message;
};

// "hsbench: MESSAGE" on stderr, on one line (newlines become spaces).
void print_error(std::string message);

std::vector<std::string> split_list(std::string_view s);
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");

// Every backend this build made, then any other plugin found on the path.
std::vector<std::string> backend_names();

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
  double rtt_ms = 0;
  bool callgrind = false;
  std::string pcap_path, keylog_path;
};

void add_bench_options(CLI::App* app, BenchOptions* o);

// Validation of the benchmark's flags; each throws BadInput.
std::vector<int> parse_threads(const std::string& list);
std::vector<const Scenario*> select_scenarios(const BenchOptions& o);
std::vector<std::unique_ptr<LoadedBackend>> load_backends(const std::string& list, bool quiet);

// arg as a POSIX shell reads it back (for the report's command line).
std::string shell_quote(std::string_view arg);

}  // namespace hsbench::cli
