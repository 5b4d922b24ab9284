// The commands of the hsbench command line, one file each: add_X_command
// declares the subcommand and its flags on the app, run_X runs it once
// parsed and returns the exit code (options.h). main.cc dispatches.
//
//   hsbench [benchmark flags]   run.cc (the default command; flags in options.cc)
//   hsbench list                list.cc
//   hsbench pki check           pki.cc
//   hsbench compare             compare.cc
//   hsbench connect / serve     connect.cc (network mode)
//   hsbench pfs-demo            pfs_demo.cc
//   hsbench version             version.cc
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "demo/pfs.h"
#include "hsbench/pki.h"
#include "options.h"

namespace hsbench::cli {

// The benchmark: BenchOptions, validated, run as one session.
int run_benchmark(const BenchOptions& o, int argc, char** argv);

CLI::App* add_version_command(CLI::App* app);
int run_version();

struct ListArgs {
  std::string what = "backends";
};
CLI::App* add_list_command(CLI::App* app, ListArgs* args);
int run_list(const ListArgs& args);

struct PkiOptions {
  std::string dir;
  std::string kind = "rsa2048";
  PkiFiles files;
  std::string hostname = "localhost";
};
struct PkiArgs {
  PkiOptions options;
  std::string backend_list = "all";
};
// `pki`, which takes one subcommand: `check`.
CLI::App* add_pki_command(CLI::App* app, PkiArgs* args);
int run_pki_check(const PkiArgs& args);

struct CompareArgs {
  std::string base_path;
  std::string new_path;
  double threshold_pct = 5;
  std::string metric = "hs_per_sec";
  std::string markdown_path;
  std::string json_path;
};
CLI::App* add_compare_command(CLI::App* app, CompareArgs* args);
// 0: nothing regressed, 1: a regression, 2: unusable input.
int run_compare(const CompareArgs& o);

struct ExportArgs {
  std::string path;
  std::string format = "bmf";
};
CLI::App* add_export_command(CLI::App* app, ExportArgs* args);
int run_export(const ExportArgs& args);

// What connect and serve write.
struct NetOutputArgs {
  std::string json_path = "hsbench.json";
  std::string format = "table";
  bool quiet = false;
  bool no_timing = false;
};

struct ConnectArgs {
  std::string target;
  std::string backends = "openssl";
  std::string engine = "hsbench";
  std::string scenarios = "tls13-x25519-ecdsa-p256";
  int threads = 1;
  int connections = 0;  // 0: 16 in a closed loop, at most 1024 in flight in an open one
  double rate = 0;
  std::string arrival = "uniform";
  double duration_s = 5;
  double warmup_s = 1;
  int repetitions = 3;
  double timeout_s = 10;
  std::string root;
  std::string client_chain;  // mutual TLS: what the client presents
  std::string client_key;
  std::string pki_dir;
  std::string sni;
  bool no_verify_chain = false;
  std::string request;
  std::string close = "fin";
  int source_addresses = -1;  // -1: 16 for an IPv4 loopback target, else 0
  std::string server_pids;
  std::string latency_log;
  NetOutputArgs output;
};
CLI::App* add_connect_command(CLI::App* app, ConnectArgs* args);
int run_connect_command(const ConnectArgs& args, int argc, char** argv, bool format_given);

struct ServeArgs {
  std::string listen;
  std::string backend = "openssl";
  std::string engine = "hsbench";
  std::string scenario = "tls13-x25519-ecdsa-p256";
  int threads = 1;
  double duration_s = 0;
  double timeout_s = 10;
  std::string response = "HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nConnection: close\\r\\n\\r\\nok\\n";
  std::string pki_dir;
  std::string client_root;  // mutual TLS: what clients are checked against
  NetOutputArgs output;
};
CLI::App* add_serve_command(CLI::App* app, ServeArgs* args);
int run_serve_command(const ServeArgs& args, int argc, char** argv, bool format_given);

CLI::App* add_pfs_demo_command(CLI::App* app, demo::PfsDemoOptions* options);
int run_pfs_demo(const demo::PfsDemoOptions& options);

}  // namespace hsbench::cli
