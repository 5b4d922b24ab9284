// hsbench (no subcommand): the benchmark. The flags (options.cc), validated,
// become a session's selection (hsbench/session.h); two reporters show its
// progress and write its report.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "capture/scenario_capture.h"
#include "commands.h"
#include "hsbench/report.h"
#include "hsbench/runner.h"
#include "hsbench/session.h"
#include "hsbench_git.h"
#include "options.h"
#include "output.h"

namespace hsbench::cli {

int run_benchmark(const BenchOptions& o, int argc, char** argv) {
  const std::vector<int> threads = parse_threads(o.threads);
  if (o.callgrind && !running_under_valgrind())
    throw BadInput{"--callgrind: not running under valgrind --tool=callgrind (scripts/icount.sh)"};
  if (o.callgrind && o.handshakes == 0)
    throw BadInput{"--callgrind needs --handshakes N: the handshakes to count"};
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

  PkiByKind pkis;
  if (std::string error; !read_scenario_pkis(
          scenarios, o.pki_dir.empty() ? default_pki_dir() : o.pki_dir, &pkis, &error)) {
    throw BadInput{error};
  }

  SessionSelection selection;
  selection.scenarios = scenarios;
  for (const auto& lb : backends) selection.backends.push_back(&lb->backend());
  selection.threads = threads;
  selection.engines = engines;

  SessionOptions so;
  so.run.warmup_s = o.warmup_s;
  so.run.duration_s = o.duration_s;
  so.run.handshakes = o.handshakes;
  so.run.repetitions = o.repetitions;
  so.run.count_instructions = o.callgrind;
  so.run.timing = !o.no_timing;
  if (o.callgrind) so.run.memory_handshakes = 0;
  so.lower_bound = !o.no_lower_bound;
  so.rtt_ms = o.rtt_ms;
  ReportContext& c = so.context;
  c.tool_version = HSBENCH_VERSION;
  c.git_commit = HSBENCH_GIT_COMMIT;
  c.compiler = HSBENCH_COMPILER;
  c.build_type = HSBENCH_BUILD_TYPE;
  std::vector<std::string> args;
  for (int i = 0; i < argc; i++) args.push_back(shell_quote(argv[i]));
  c.command_line = join(args, " ");

  capture::RunCapture capture;
  if (!o.pcap_path.empty() || !o.keylog_path.empty()) {
    so.before_runs = [&](const Scenario& s, Backend& b, const Pki& pki) {
      std::string capture_error;
      if (!capture.add_scenario(s, b, pki, &capture_error) && !o.quiet) {
        fmt::print(stderr, "hsbench: not captured: {}\n", capture_error);
      }
    };
  }

  ProgressReporter progress(!o.quiet && isatty(STDERR_FILENO));
  ReportWriter writer({o.json_path, *format, o.quiet});
  SessionReporter* const reporters[] = {&progress, &writer};
  install_stop_handlers();
  const Report report = run_session(selection, pkis, so, reporters);
  if (writer.exit_code() != 0) return writer.exit_code();

  if (std::string error; !capture.write(o.pcap_path, o.keylog_path, &error)) {
    fmt::print(stderr, "hsbench: {}\n", error);
    return kExitFailed;
  }
  std::cout.flush();
  if (report.context.partial) {
    fmt::print(stderr, "hsbench: interrupted: {} result{} written, marked partial\n",
               report.results.size(), report.results.size() == 1 ? "" : "s");
    return kExitInterrupted;
  }
  return 0;
}

}  // namespace hsbench::cli
