// A run session: a whole benchmark matrix (scenario x backend x threads x
// engine) run one result at a time, each result paired with its crypto
// lower bound, and handed to reporters in the shape of Google Benchmark's
// BenchmarkReporter: the context once, each result as it is complete, and
// the whole report at the end. The session prints nothing itself.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"

namespace hsbench {

// What a session tells its reporters, in this order: report_context once,
// then report_progress and report_result as the runs go, then finalize
// once. Every method has a default that does nothing, so a reporter
// overrides only what it uses.
class SessionReporter {
 public:
  virtual ~SessionReporter() = default;

  // Before the first run: the report's context (partial is set only in
  // finalize's copy, once the session knows whether it was stopped).
  virtual void report_context(const ReportContext& context);

  // What runs now, as one line ("[2/6] tls13-... on null, 1 thread:
  // repetition 3/5"), for a progress display.
  virtual void report_progress(std::string_view what);

  // Each result once it is complete, with its lower bound, in the
  // matrix's order; a skipped one with its skip_reason.
  virtual void report_result(const Result& result);

  // Once at the end, with every result reported; context.partial when the
  // session was stopped (request_stop).
  virtual void finalize(const Report& report);
};

// What a session runs: every scenario on every backend, for each thread
// count, each engine; in that nesting, the order of the results.
struct SessionSelection {
  std::vector<const Scenario*> scenarios;
  std::vector<Backend*> backends;
  std::vector<int> threads = {1};
  std::vector<EngineKind> engines = {EngineKind::hsbench};
};

struct SessionOptions {
  // Each run's options; its engine and threads come from the selection.
  RunOptions run;
  // Time each (scenario, backend, threads)'s crypto lower bound after its
  // runs (seconds each).
  bool lower_bound = true;
  // > 0: each engine result's wire gets a modelled time to complete at
  // this round-trip time (WireResult::modelled_ms).
  double rtt_ms = 0;
  // The tool, its build and the command line; the session sets the date,
  // the host, the backends, the settings and partial.
  ReportContext context;
  // Called before a scenario's runs on a backend (with the PKI it runs
  // with): what a run records beside the measurement, such as a capture.
  std::function<void(const Scenario&, Backend&, const Pki&)> before_runs;
};

// The PKI of each certificate kind the scenarios name, by kind.
using PkiByKind = std::map<std::string, std::unique_ptr<Pki>>;

// Reads, once each, the default PKIs the scenarios name from dir. False and
// one line in out_error when one cannot be read.
bool read_scenario_pkis(std::span<const Scenario* const> scenarios, const std::string& dir,
                        PkiByKind* out, std::string* out_error);

// Runs the selection, with the PKI of each scenario's certificate kind from
// pkis, telling each reporter in turn. A stop request (request_stop, from
// SIGINT's handler) ends the session after the handshake in progress: the
// results complete so far are reported, a skipped run of the interrupted
// result is dropped, no lower bound is timed, and the report is partial.
// Returns the report finalize was given.
Report run_session(const SessionSelection& selection, const PkiByKind& pkis,
                   const SessionOptions& options, std::span<SessionReporter* const> reporters);

}  // namespace hsbench
