// hsbench: the command line. Errors are one line on stderr and exit code 2
// (bad input) or 1 (a check that ran and failed).
//
//   hsbench [--backend NAME|all[,...]] [--scenario ID,...|all |
//           --tls 1.2,1.3 --kx rsa,x25519,p256,p384 --cert rsa2048,...]
//           [--engine hsbench|native|both] [--threads 1,2,...]
//           [--duration S | --handshakes N] [--warmup S] [--repetitions R] [--json FILE|-]
//           [--format table|json|csv|gbench|bmf|github-benchmark|github-benchmark-bigger]
//           [--quiet] [--no-timing] [--no-lower-bound] [--rtt MS]
//   hsbench list [backends|scenarios|steps]
//   hsbench pki check
//   hsbench compare BASE.json NEW.json [--threshold PCT] [--metric hs_per_sec|cpu_us|icount]
//           [--markdown FILE] [--json FILE]        exit 0: no regression, 1: a regression
//   hsbench export RESULT.json [--format bmf|github-benchmark|github-benchmark-bigger]
//   hsbench connect HOST:PORT [--backend B,...] [--engine hsbench|native|both] [--scenario ID,...]
//           [--threads N] [--connections C | --rate R [--arrival uniform|poisson]]
//           [--duration S] [--warmup S] [--repetitions R] [--timeout S] [--root PEM] [--sni NAME]
//           [--no-verify-chain] [--request TEXT|http] [--close fin|rst] [--source-addresses N]
//           [--server-pid PID,...] [--latency-log PATH] [--json FILE|-] [--format ...]
//   mpirun -np N hsbench-mpi connect HOST:PORT ...   (the ranks are one run: cluster.h)
//   hsbench serve --listen ADDR:PORT [--backend B] [--engine hsbench|native] [--scenario ID]
//           [--threads N] [--duration S] [--response TEXT] [--json FILE|-]
//   hsbench version
//
// One file per command (commands.h); this one declares them and dispatches.
#include <CLI/CLI.hpp>
#include <string>

#include "cluster.h"
#include "commands.h"
#if HSBENCH_COUNTING_MALLOC
#include "counting_malloc.h"
#endif
#include "options.h"

namespace hsbench::cli {
namespace {

int run(int argc, char** argv) {
#if HSBENCH_COUNTING_MALLOC
  install_counting_malloc();
#endif
  CLI::App app{
      "hsbench: what a TLS handshake costs, step by step.\n"
      "With no subcommand, runs the benchmark: by default the RSA, ECDHE and hybrid post-quantum "
      "matrix on every backend, a table on stdout and hsbench.json."};
  app.set_version_flag("--version", std::string("hsbench ") + HSBENCH_VERSION);
  app.require_subcommand(0, 1);

  BenchOptions bench;
  add_bench_options(&app, &bench);
  auto* version = add_version_command(&app);
  ListArgs list_args;
  auto* list = add_list_command(&app, &list_args);
  PkiArgs pki_args;
  auto* pki = add_pki_command(&app, &pki_args);
  CompareArgs compare_args;
  auto* compare = add_compare_command(&app, &compare_args);
  ExportArgs export_args;
  auto* export_cmd = add_export_command(&app, &export_args);
  ConnectArgs connect_args;
  auto* connect = add_connect_command(&app, &connect_args);
  ServeArgs serve_args;
  auto* serve = add_serve_command(&app, &serve_args);
  demo::PfsDemoOptions pfs_options;
  auto* pfs = add_pfs_demo_command(&app, &pfs_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    return kExitBadInput;
  }

  // Under mpirun (hsbench-mpi), the ranks run one connect together;
  // anything else would run N times over.
  if (cluster_size() > 1 && !*connect) {
    if (cluster_rank() == 0) {
      print_error("hsbench-mpi: across ranks only `connect` runs; run other commands with hsbench");
    }
    return kExitBadInput;
  }
  if (*version) return run_version();
  if (*list) return run_list(list_args);
  if (*compare) return run_compare(compare_args);
  if (*export_cmd) return run_export(export_args);
  if (*pfs) return run_pfs_demo(pfs_options);
  if (*pki) return run_pki_check(pki_args);
  bench.format_given = app.get_option("--format")->count() > 0;
  try {
    if (*connect) {
      return run_connect_command(connect_args, argc, argv,
                                 connect->get_option("--format")->count() > 0);
    }
    if (*serve) {
      return run_serve_command(serve_args, argc, argv, serve->get_option("--format")->count() > 0);
    }
    return run_benchmark(bench, argc, argv);
  } catch (const BadInput& e) {
    print_error(e.message);
    return kExitBadInput;
  }
}

}  // namespace
}  // namespace hsbench::cli

int main(int argc, char** argv) {
  hsbench::cli::cluster_init(&argc, &argv);
  const int code = hsbench::cli::run(argc, argv);
  hsbench::cli::cluster_finish();
  return code;
}
