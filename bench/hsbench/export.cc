// hsbench export: a result file in a continuous-benchmarking format (Bencher
// Metric Format, github-action-benchmark), on stdout.
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "commands.h"
#include "hsbench/report.h"

namespace hsbench::cli {

CLI::App* add_export_command(CLI::App* app, ExportArgs* args) {
  auto* cmd = app->add_subcommand(
      "export", "Convert a result file to a continuous-benchmarking format, on stdout");
  cmd->add_option("RESULT", args->path, "An hsbench/v1 result file")->required();
  cmd->add_option("--format,-f", args->format, "bmf, github-benchmark or github-benchmark-bigger")
      ->check(CLI::IsMember({"bmf", "github-benchmark", "github-benchmark-bigger"}).description(""))
      ->capture_default_str();
  return cmd;
}

int run_export(const ExportArgs& args) {
  // Converted in full before anything is written: a refused file leaves
  // stdout empty.
  std::ostringstream converted;
  std::string error;
  if (!export_result_file(args.path, *parse_format(args.format), converted, &error)) {
    fmt::print(stderr, "hsbench export: {}\n", error);
    return kExitBadInput;
  }
  std::cout << converted.str() << std::flush;
  return std::cout ? 0 : kExitBadInput;
}

}  // namespace hsbench::cli
