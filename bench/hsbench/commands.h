// The commands of the hsbench command line, one file each: add_X_command
// declares the subcommand and its flags on the app, run_X runs it once
// parsed and returns the exit code (options.h). main.cc dispatches.
//
//   hsbench [benchmark flags]   run.cc (the default command; flags in options.cc)
//   hsbench list                list.cc
//   hsbench pki check           pki.cc
//   hsbench compare             compare.cc
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

CLI::App* add_pfs_demo_command(CLI::App* app, demo::PfsDemoOptions* options);
int run_pfs_demo(const demo::PfsDemoOptions& options);

}  // namespace hsbench::cli
