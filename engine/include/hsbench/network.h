// Network mode: the engine (or a library's own TLS stack) over TCP. connect
// is a load generator against a real server; serve is a TLS server under
// someone else's load. Both measure what the in-memory runner measures
// (per-step times with the crypto inside, handshakes/s, CPU, latency) plus
// what the wire adds (phases, errors by kind, negotiated parameters), into
// the same Result (Result::network).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"

namespace hsbench {

enum class ArrivalModel : uint8_t { uniform, poisson };
enum class NetCloseMode : uint8_t { fin, rst };

struct ConnectOptions {
  std::string target;       // HOST:PORT
  std::string server_name;  // SNI and the name the leaf must carry; empty: none sent, not checked
  EngineKind engine = EngineKind::hsbench;
  int threads = 1;
  // Closed loop: this many connections in flight over all threads, each
  // replaced as it ends. Open loop (rate > 0): at most this many in flight.
  int connections = 16;
  double rate = 0;  // open loop: new handshakes per second over all threads
  ArrivalModel arrival = ArrivalModel::uniform;
  double warmup_s = 1;
  double duration_s = 5;  // per repetition
  int repetitions = 3;
  double timeout_s = 10;  // per connection, from its start
  // Checks the server's chain against the trust anchors. Off: the server's
  // signature is still checked with the leaf's key, so the server does the
  // same work (the engine only).
  bool verify_chain = true;
  std::string request;  // sent after each handshake; the first response byte ends it
  NetCloseMode close = NetCloseMode::fin;
  // Loopback targets: spread connections over this many source addresses
  // (127.0.0.1, .2, ...), each with its own ephemeral port range, so a long
  // run does not run out of ports to TIME_WAIT. 0: the kernel's choice.
  int source_addresses = 0;
  std::vector<int> server_pids;  // processes whose CPU per handshake to report
  bool timing = true;            // per-step trace of each handshake

  // For a run that is one of several (the ranks of an MPI job): called
  // once the run is set up, before any connection, it sets when the
  // warm-up starts (steady clock, net::now_ns) or says false, and the run
  // ends skipped, its setup undone. Unset: the run starts at once.
  std::function<bool(uint64_t* out_start_ns)> before_start;
  // Open loop: where in the gap between arrivals this run's first one
  // falls, in [0, 1), so that several runs' arrivals interleave.
  double arrival_phase = 0;
  // Keeps every measured handshake's latency (net::ConnectTally), to
  // check percentiles against.
  bool keep_latencies = false;
};

// Runs the scenario's client (what it offers: version, suite, groups,
// tickets) against options.target, trusting trust's roots. A setup that
// cannot run comes back skipped with its reason; connection failures are
// counted in Result::network, and a run where none succeeded has
// handshakes == 0.
Result run_connect(const Scenario& scenario, Backend& backend, const Pki& trust,
                   const ConnectOptions& options, const ProgressFn& progress = nullptr);

struct ServeOptions {
  std::string listen;  // ADDR:PORT
  EngineKind engine = EngineKind::hsbench;
  int threads = 1;        // one listening socket each (SO_REUSEPORT)
  double duration_s = 0;  // 0: until request_stop (SIGINT, SIGTERM)
  double timeout_s = 10;  // per connection, idle
  std::string response;   // sent when a request arrives
  bool timing = true;
  // Called once every thread listens (tests and scripts wait for it).
  std::function<void(const std::string& address)> on_listening;
  // Serving ends when this becomes true (or the duration passes, or
  // request_stop); for a caller that runs the server on a thread of its own.
  const std::atomic<bool>* stop = nullptr;
};

// Serves the scenario (its certificate from pki, its version and suite)
// until the duration passes or request_stop, then returns what it served.
Result run_serve(const Scenario& scenario, Backend& backend, const Pki& pki,
                 const ServeOptions& options);

}  // namespace hsbench
