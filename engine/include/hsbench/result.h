// What a run measured, as plain records (Google Benchmark's `Run`): the
// runner fills them, the reporters (report.h) only format them. Times are in
// microseconds unless a name says otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/scenario.h"
#include "hsbench/trace.h"

namespace hsbench {

// A statistic over the repetitions of one run.
struct Summary {
  double mean = 0;
  double median = 0;
  double stddev = 0;   // sample standard deviation (n - 1); 0 for one value
  double ci95_lo = 0;  // 95% confidence interval of the mean (Student t)
  double ci95_hi = 0;
  std::vector<double> values;  // one per repetition, in run order
};

// The scenario, as the JSON "config" object spells it.
struct ScenarioConfig {
  std::string tls;     // "1.2", "1.3"
  std::string kx;      // "rsa" or "ecdhe"
  std::string group;   // "x25519", ...; empty for RSA key transport
  std::string cert;    // "rsa2048", ...
  std::string cipher;  // IANA name of the cipher suite
  bool resumption = false;
};

ScenarioConfig scenario_config(const Scenario& s);

// One kind of crypto operation inside a step (or a handshake).
struct OpResult {
  CryptoOp op;
  std::string name;    // op_name(op)
  double count = 0;    // per handshake
  double mean_us = 0;  // per call
};

// One (side, action, message) of the engine's step list, per handshake.
struct StepResult {
  int user_step = 0;  // 1..8 (0: outside the 8, see trace.h)
  Side side = Side::client;
  Action action = Action::write;
  Message message = Message::client_hello;
  double mean_us = 0;
  double p50_us = 0;
  double p99_us = 0;
  double share = 0;  // of the summed step time of a handshake
  std::vector<OpResult> crypto;
  // Native steps only: a boundary of the step is hidden inside the library
  // (Step::approximate, run/native_pair.cc).
  bool approximate = false;
};

// The heap a handshake uses, client and server together, counted by the
// hsbench executable's malloc interposer over a few untimed handshakes
// after the measurement (hsbench/heap.h).
struct MemoryPerHandshake {
  double bytes_allocated = 0;    // bytes asked of malloc and friends, per handshake
  double allocations = 0;        // calls that allocated, per handshake
  uint64_t peak_live_bytes = 0;  // the most the live heap rose above its level at a
                                 // handshake's start, over the counted handshakes
  int handshakes = 0;            // how many were counted
};

// CPU time per handshake. Both sides run on one thread, so the thread's CPU
// time (CLOCK_THREAD_CPUTIME_ID, read around each repetition, never inside
// the timed loop) is split between client and server in proportion to each
// side's summed step wall time; without timing the split is unknown.
struct CpuPerHandshake {
  std::optional<double> client_us;
  std::optional<double> server_us;
  double total_us = 0;
};

struct LatencyUs {
  double mean = 0;
  double p50 = 0;
  double p90 = 0;
  double p99 = 0;
  double max = 0;
  double p999 = 0;  // network mode only, where the handshakes are there to tell it
};

// --- Network mode (hsbench connect, hsbench serve): what the wire adds. ---

// One phase of a connection, from the ClientHello sent (connect: from the
// connect call), over the measured connections that reached it.
struct NetworkPhase {
  std::string name;  // connect, first_flight, server_finished, handshake, first_byte
  uint64_t count = 0;
  LatencyUs latency;
};

// Failed connections of one kind: refused, reset, timeout, closed (the peer
// closed mid-handshake), alert (the peer's, detail its description),
// certificate (the peer's chain was rejected), protocol (this side's alert,
// detail its description), connect (another connect error, detail errno's
// name), address (no source port left).
struct NetworkError {
  std::string kind;
  std::string detail;
  uint64_t count = 0;
};

// What the server chose, from the first completed handshake (a real
// server decides within what the client offers). A library's own client
// reports the version and suite only: the rest is "unknown".
struct Negotiated {
  std::string version;           // "1.2", "1.3"
  std::string cipher;            // IANA name
  std::string group;             // empty: no (EC)DHE (RSA key transport, psk_ke)
  std::string signature_scheme;  // empty: none (RSA key transport, resumption)
  std::string server_key;        // the leaf's: "rsa2048", "ecdsa-p256", ...
  int chain_certificates = 0;
  uint64_t chain_bytes = 0;  // DER, summed over the chain
  // Not every handshake agreed (a server that changes its mind, or a farm
  // of unlike servers behind one address).
  bool varied = false;
};

// The CPU a process on this machine spent per handshake (--server-pid),
// from /proc, over the measured repetitions.
struct ProcessCpu {
  int pid = 0;
  double cpu_us_per_handshake = 0;
  double utilization = 0;  // of one core, over the measured wall time
};

// One rank of a connect run spread over MPI ranks: its own figures,
// beside the merged ones.
struct RankResult {
  int rank = 0;
  std::string host;
  uint64_t handshakes = 0;
  double handshakes_per_sec = 0;  // mean over the repetitions
  uint64_t failed = 0;
  std::vector<NetworkError> errors;
  double client_cpu_us_per_handshake = 0;
  double client_utilization = 0;
  double start_offset_us = 0;  // its warm-up's start after the earliest rank's
};

struct NetworkResult {
  std::string role = "client";  // "client" (connect) or "server" (serve)
  std::string target;           // as given: HOST:PORT (client) or the listen address
  std::string address;          // as resolved
  std::string load_model;       // "closed" or "open" (client)
  int connections = 0;          // closed loop: in flight, over all threads
  double rate = 0;              // open loop: new handshakes per second, over all threads
  std::string arrival;          // open loop: "uniform" or "poisson"
  bool verify_chain = true;
  std::string close_mode;      // "fin" or "rst"
  int source_addresses = 0;    // loopback sources the connections spread over (0: the kernel's)
  uint64_t request_bytes = 0;  // client: the request sent after each handshake (0: none)
  uint64_t requests = 0;       // server: requests answered

  // Connections that ended in the measured repetitions, completed or
  // failed: attempted = handshakes + failed, each counted where it ended.
  uint64_t attempted = 0;
  uint64_t failed = 0;
  std::vector<NetworkError> errors;
  std::optional<Negotiated> negotiated;
  std::vector<NetworkPhase> phases;
  // Open loop: from each handshake's intended start (coordinated omission
  // corrected), and from its actual start, to its completion, TCP connect
  // included.
  std::optional<LatencyUs> corrected_us;
  std::optional<LatencyUs> uncorrected_us;
  uint64_t resumption_offered = 0;
  uint64_t resumption_accepted = 0;
  double bytes_sent_per_handshake = 0;
  double bytes_received_per_handshake = 0;

  // This process's CPU (all threads, user and system) per handshake, and
  // how busy its threads' cores were: near 1, the load generator itself
  // was the limit.
  double client_cpu_us_per_handshake = 0;
  double client_utilization = 0;
  std::vector<ProcessCpu> server_cpu;
  std::vector<std::string> warnings;

  // Every handshake completed, the warm-up's and the end's included (what
  // the server saw), and the connections still in flight when the run
  // ended, closed unfinished (client).
  uint64_t completed = 0;
  uint64_t abandoned = 0;
  // An MPI run (hsbench-mpi connect): the ranks merged into this result,
  // the spread of their start times (clock offsets between hosts
  // included), and each rank's row. Empty rows: one process.
  int ranks = 1;
  double start_spread_us = 0;
  std::vector<RankResult> rank_results;
};

// One size of a lower bound term: the calls of the operation that were
// given these sizes (OpSize, trace.h), and what one costs timed alone on
// inputs of these sizes.
struct LowerBoundSize {
  OpSize size;
  double count = 0;  // per handshake
  double us = 0;     // per call, in isolation
};

// One term of the crypto lower bound: an operation the handshake calls,
// how often, and what it costs timed alone (the mean over its sizes,
// weighted by their counts: count * us is the term's share of the bound).
struct LowerBoundTerm {
  std::string op;
  double count = 0;  // per handshake
  double us = 0;     // per call, in isolation
  std::vector<LowerBoundSize> sizes = {};
};

// Bytes on the wire, from one traced handshake of the engine: each flight
// (what one side sends before it waits for the other), what it holds, and
// what TCP makes of it on a fresh connection.
struct WireMessage {
  Message message = Message::client_hello;
  uint64_t bytes = 0;  // its records whole: headers, padding and AEAD tags included
};

struct WireFlight {
  Side side = Side::client;
  uint64_t bytes = 0;
  int segments = 0;  // TCP segments at WireResult::kMss
  // Sent at once by a fresh connection: segments <= kInitialWindow
  // (RFC 6928); otherwise it waits for acknowledgements, a round trip each
  // time slow start's window runs out.
  bool fits_initial_window = true;
  // false: after the handshake only (tickets, application data).
  bool handshake = true;
  std::vector<WireMessage> messages;
};

struct WireResult {
  static constexpr int kMss = 1460;
  static constexpr int kInitialWindow = 10;
  std::vector<WireFlight> flights;
  // From the client's SYN to the client holding the server's Finished, on
  // a fresh TCP connection: TCP's own round trip, one per server flight up
  // to that Finished, and one per window a large flight waits for.
  int round_trips = 0;
  // --rtt: the steps' compute (both sides' CPU per handshake) plus
  // round_trips x rtt. A model: it leaves out bandwidth, delayed ACKs,
  // loss, and any overlap of one side's compute with the other's.
  std::optional<double> rtt_ms;
  std::optional<double> modelled_ms;
};

// One repetition, over all threads.
struct RepetitionResult {
  uint64_t handshakes = 0;
  double wall_s = 0;  // the longest thread's
  double cpu_us_per_handshake = 0;
};

struct Result {
  std::string scenario;
  ScenarioConfig config;
  std::string backend;
  std::string engine = "hsbench";
  int threads = 1;
  bool timing = true;  // false: run with --no-timing (no trace, no steps)

  // A scenario the backend cannot run is skipped, with its reason and
  // whether that is because the library lacks what it needs (unsupported)
  // or because something failed.
  bool skipped = false;
  std::string skip_reason;
  FailureKind skip_kind = FailureKind::failed;

  // Stopped (request_stop) after some repetitions: only those complete are
  // here, fewer than the settings asked for.
  bool partial = false;

  uint64_t handshakes = 0;     // measured, over all threads and repetitions
  double duration_s = 0;       // measured wall time, summed over repetitions
  Summary handshakes_per_sec;  // summed over threads, one value per repetition
  std::vector<RepetitionResult> repetitions;
  double us_per_handshake = 0;  // wall time per handshake per thread: threads * 1e6 / mean hs/s
  CpuPerHandshake cpu_us_per_handshake;
  std::optional<LatencyUs> latency_us;  // from the trace; absent without timing
  std::vector<StepResult> steps;        // in wire order

  // Every crypto operation of one handshake (from one traced handshake run
  // outside the measurement), for the lower bound.
  std::vector<OpResult> ops_per_handshake;
  // The crypto operations of one handshake in the order the handshake
  // calls them, with the sizes each was given (from the same traced
  // handshake).
  std::vector<OpSample> op_sequence;
  std::optional<double> crypto_lower_bound_us;
  // The handshake's CPU time per handshake in the lower bound's rounds
  // (its fastest batch, untraced), measured side by side with the
  // primitives; overhead_ratio = handshake_best_us / crypto_lower_bound_us.
  std::optional<double> handshake_best_us;
  std::optional<double> overhead_ratio;
  std::vector<LowerBoundTerm> lower_bound_terms;
  std::string lower_bound_error;  // why there is no lower bound, if there is none
  // The same primitives run back to back in handshake order, once each,
  // with no engine between them (CPU us, in the same rounds). Above the
  // lower bound: what the crypto loses outside a hot loop (caches, branch
  // predictors); below handshake_best_us: the engine's own share.
  std::optional<double> crypto_in_order_us;

  // Absent when the process does not count its heap; memory_note says why.
  std::optional<MemoryPerHandshake> memory;
  std::string memory_note;

  // The engine only (a library's own stack shows no message boundaries).
  std::optional<WireResult> wire;

  // Network mode only.
  std::optional<NetworkResult> network;
};

struct BackendInfo {
  std::string name;
  std::string version;
};

struct HostInfo {
  std::string cpu_model;
  unsigned cores = 0;
  std::string kernel;
  std::string hostname;
};

// How the results were measured.
struct RunSettings {
  double warmup_s = 0;
  double duration_s = 0;    // per repetition; 0 when handshakes is set
  uint64_t handshakes = 0;  // per thread per repetition; 0 when duration is set
  int repetitions = 1;
  std::vector<int> threads;
  bool timing = true;
};

struct ReportContext {
  std::string tool_version;
  std::string git_commit;
  std::string date;  // ISO 8601, UTC
  HostInfo host;
  std::string compiler;
  std::string build_type;
  std::string command_line;
  std::vector<BackendInfo> backends;
  RunSettings settings;
  // The run was interrupted (SIGINT): the results are those complete when
  // it stopped; scenarios not reached are absent.
  bool partial = false;
};

struct Report {
  ReportContext context;
  std::vector<Result> results;
};

// The host this runs on: /proc/cpuinfo's model name, online cores, uname.
HostInfo current_host();
// Now, as "2026-11-29T18:15:34Z".
std::string utc_now_iso8601();

}  // namespace hsbench
