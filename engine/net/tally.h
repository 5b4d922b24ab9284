// What a connect run measured, before it becomes a Result: every figure in
// a form that merges (the threads of one run, then the ranks of an MPI run:
// counts summed, histograms bucket by bucket) and travels (as words,
// stats/words.h). connect_result turns one, merged or not, into the Result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/network.h"
#include "hsbench/result.h"
#include "hsbench/scenario.h"
#include "net/measure.h"
#include "run/steps.h"
#include "stats/histogram.h"
#include "stats/words.h"

namespace hsbench::net {

// Phases from the ClientHello sent, but connect, which is from the connect
// call to the socket being connected.
enum PhaseIndex : size_t {
  kConnect,
  kFirstFlight,     // to the first bytes of the server's first flight
  kServerFinished,  // to the bytes that held the server's Finished (engine only)
  kHandshake,       // to the handshake's completion
  kFirstByte,       // to the first byte of the response (--request)
  kPhases,
};
inline constexpr const char* kPhaseNames[kPhases] = {"connect", "first_flight", "server_finished",
                                                     "handshake", "first_byte"};

struct RepetitionTally {
  uint64_t handshakes = 0;
  uint64_t attempted = 0;
  uint64_t failed = 0;
  uint64_t cpu_ns = 0;  // this process's CPU over the repetition
};

// A --server-pid's CPU over the measured repetitions.
struct ServerCpuTally {
  int pid = 0;
  bool seen = true;
  uint64_t ns = 0;
};

struct ConnectTally {
  std::string host;  // where it ran
  int ranks = 1;     // processes merged into it
  int threads = 0;
  int connections = 0;  // in flight at most, over the threads
  uint64_t repetition_ns = 0;
  std::vector<RepetitionTally> repetitions;  // the complete ones
  std::vector<ServerCpuTally> servers;
  Histogram phases[kPhases];
  Histogram corrected, uncorrected;  // open loop: from the intended start, from the actual one
  StepAggregator steps;
  ErrorCounts errors;
  ErrorCounts unmeasured_errors;  // in the warm-up or the drain: why nothing worked, if nothing did
  uint64_t resumption_offered = 0, resumption_accepted = 0;
  uint64_t tickets_missed = 0;  // TLS 1.3 handshakes closed with no ticket read
  uint64_t bytes_sent = 0, bytes_received = 0;
  // Every handshake completed, the warm-up's and the drain's included:
  // what the server saw complete. Abandoned: still in flight when the
  // drain ended.
  uint64_t completed = 0, abandoned = 0;
  std::optional<Negotiated> negotiated;
  TlsVersion version = TlsVersion::tls13;
  // CLOCK_REALTIME when the warm-up began: the ranks' start spread.
  uint64_t started_real_ns = 0;
  // Every measured handshake's phase "handshake", in ns, when
  // ConnectOptions::keep_latencies asked for it; appended by merge, not
  // encoded.
  std::vector<uint64_t> handshake_ns;

  // Adds other's figures to these: counts summed, histograms and steps
  // merged, the repetitions both completed kept, the server CPU of the
  // first that measured one (a server pid is read on one host), the
  // earliest start.
  void merge(const ConnectTally& other);

  // Without the phase and latency histograms when !histograms (an MPI
  // run reduces those separately).
  void encode(WordWriter* out, bool histograms) const;
  // Into a fresh tally; false on words that do not describe one.
  bool decode(WordReader* in, bool histograms);

  // The histograms phases..uncorrected, in that order, for a reduction.
  static constexpr size_t kHistograms = kPhases + 2;
  Histogram& histogram(size_t i) {
    return i < kPhases ? phases[i] : i == kPhases ? corrected : uncorrected;
  }
  const Histogram& histogram(size_t i) const {
    return i < kPhases ? phases[i] : i == kPhases ? corrected : uncorrected;
  }
};

// run_connect (hsbench/network.h) before its Result: the load is run and
// measured into *out, and *out_address says what the target resolved to.
// A run that cannot start comes back as its skipped Result instead.
std::optional<Result> run_connect_tally(const Scenario& scenario, Backend& backend,
                                        const Pki& trust, const ConnectOptions& options,
                                        const ProgressFn& progress, ConnectTally* out,
                                        std::string* out_address);

// The Result of a tally: the run's figures (handshakes/s per repetition,
// phases and latency from the histograms, errors, CPU per handshake,
// warnings). A tally with no complete repetition is a skipped result.
Result connect_result(const Scenario& scenario, std::string_view backend,
                      const ConnectOptions& options, const std::string& address,
                      const ConnectTally& tally);

// How long a TLS 1.3 client waits for a ticket after the handshake, when
// it resumes and sends no request.
inline constexpr uint64_t kTicketWaitNs = 250'000'000;

}  // namespace hsbench::net
