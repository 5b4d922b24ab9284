// What the commands that run something share: stopping on SIGINT or
// SIGTERM, a progress line, and the writer of the report (the JSON to its
// file, atomically, and stdout's format).
#pragma once

#include <string>
#include <string_view>

#include "hsbench/report.h"
#include "hsbench/session.h"

namespace hsbench::cli {

// SIGINT or SIGTERM: request_stop(), so a run ends after what is in
// progress and writes what is complete. A second signal ends the process.
void install_stop_handlers();

// Progress on stderr, only when it is a terminal and not --quiet: each line
// over the last, cleared at the end.
class ProgressReporter : public SessionReporter {
 public:
  explicit ProgressReporter(bool on) : on_(on) {}
  void report_progress(std::string_view line) override;
  void finalize(const Report&) override;

 private:
  bool on_;
};

// Where the report goes: the JSON to its file (or stdout), and stdout's
// format.
struct Outputs {
  std::string json_path;  // "-": stdout, instead of format
  Format format = Format::table;
  bool quiet = false;
};

// Writes the whole document at finalize, and says there how it went as an
// exit code.
class ReportWriter : public SessionReporter {
 public:
  explicit ReportWriter(Outputs outputs) : outputs_(std::move(outputs)) {}
  void finalize(const Report& report) override;
  // After finalize: 0 when the report was written.
  int exit_code() const { return exit_code_; }

 private:
  Outputs outputs_;
  int exit_code_ = 1;
};

}  // namespace hsbench::cli
