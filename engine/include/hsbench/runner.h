// The benchmark runner: warm-up, then handshakes for a duration or a count,
// repeated, on one or more threads, each thread with its own client/server
// pair. It measures and returns a Result; it prints nothing (reporters do).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/scenario.h"

namespace hsbench {

// Whose handshakes: our engine on the backend's crypto, or the backend's
// own TLS stack (its libssl).
enum class EngineKind { hsbench, native };
std::string_view name(EngineKind engine);

struct RunOptions {
  EngineKind engine = EngineKind::hsbench;
  int threads = 1;
  double warmup_s = 0.1;     // per thread, before the first repetition (at least 1 handshake)
  double duration_s = 0.25;  // per repetition, when handshakes is 0
  uint64_t handshakes = 0;   // per thread per repetition; overrides duration_s when > 0
  int repetitions = 5;
  // Trace every handshake (step times, crypto ops, latency). Off: the
  // engine runs with no trace at all, so timing on versus off shows what
  // the measurement itself costs.
  bool timing = true;
  // Under valgrind's callgrind (scripts/icount.sh): after the run, count
  // the instructions of `handshakes` more handshakes on the first thread's
  // pair, made deterministic, step by step (run/icount.h); natively, the
  // library's own handshakes as a whole.
  bool count_instructions = false;
  // Untimed handshakes after the measurement whose heap use is counted
  // (Result::memory), when the process counts its heap; 0: none.
  int memory_handshakes = 8;
};

// Called from the runner's own thread between repetitions (never inside the
// timed loop): repetition is 0 during warm-up, then 1..repetitions.
using ProgressFn = std::function<void(int repetition, int repetitions)>;

// Runs one scenario on one backend (client and server both) with the
// default PKI kind the scenario names in pki. A scenario the backend cannot
// run comes back skipped, with the reason.
Result run_scenario(const Scenario& scenario, Backend& backend, const Pki& pki,
                    const RunOptions& options, const ProgressFn& progress = nullptr);

// Asks every run in progress to stop: each thread finishes the handshake
// it is in, the repetition in progress is dropped, and run_scenario returns
// the repetitions already complete (Result::partial), or a skipped result
// when none is. Async-signal-safe (a lock-free atomic store): SIGINT's
// handler calls it. Nothing clears it; later runs stop at once.
void request_stop() noexcept;
bool stop_requested() noexcept;

// True when this process runs under valgrind (count_instructions needs
// callgrind).
bool running_under_valgrind();

// A Result for a scenario that was not run, with why; a bare reason is a
// failure (FailureKind::failed).
Result skipped_result(const Scenario& scenario, std::string_view backend, int threads, Failure why,
                      EngineKind engine = EngineKind::hsbench);
Result skipped_result(const Scenario& scenario, std::string_view backend, int threads,
                      std::string reason, EngineKind engine = EngineKind::hsbench);

}  // namespace hsbench
