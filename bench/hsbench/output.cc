#include "output.h"

#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <vector>

#include "hsbench/runner.h"
#include "options.h"

namespace hsbench::cli {
namespace {

void on_stop_signal(int) { request_stop(); }

}  // namespace

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void ProgressReporter::report_progress(std::string_view line) {
  if (!on_) return;
  fmt::print(stderr, "\r\033[K{}", line);
  std::fflush(stderr);
}

void ProgressReporter::finalize(const Report&) {
  if (!on_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
}

void ReportWriter::finalize(const Report& report) {
  const bool interrupted = report.context.partial;
  if (interrupted && report.results.empty()) {
    fmt::print(stderr, "hsbench: interrupted before any repetition completed; nothing written\n");
    exit_code_ = kExitInterrupted;
    return;
  }
  bool any = false;
  std::vector<std::string> reasons;
  for (const Result& r : report.results) {
    if (!r.skipped)
      any = true;
    else
      reasons.push_back(fmt::format("{} on {}: {}", r.scenario, r.backend, r.skip_reason));
  }
  if (!any && !interrupted) {
    print_error("nothing could run: " + join(reasons, "; "));
    exit_code_ = kExitBadInput;
    return;
  }
  if (outputs_.json_path == "-") {
    write_json(report, std::cout);
  } else {
    std::ostringstream json;
    write_json(report, json);
    std::string error;
    if (!write_file_atomically(outputs_.json_path, json.str(), &error)) {
      fmt::print(stderr, "hsbench: {}\n", error);
      exit_code_ = kExitFailed;
      return;
    }
    write_report(report, outputs_.format, std::cout);
    std::cout.flush();
    if (!outputs_.quiet) fmt::print(stderr, "hsbench: wrote {}\n", outputs_.json_path);
  }
  exit_code_ = 0;
}

}  // namespace hsbench::cli
