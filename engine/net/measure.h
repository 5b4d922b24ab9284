// What network runs share: the measured windows (warm-up, then
// repetitions, in absolute time so that threads agree without talking),
// errors by kind, and CPU time of this process and of others from /proc.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hsbench/result.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"
#include "stats/words.h"

namespace hsbench::net {

// Warm-up from start, then repetitions back to back.
struct Windows {
  uint64_t start_ns = 0;
  uint64_t warmup_ns = 0;
  uint64_t repetition_ns = 0;
  int repetitions = 0;

  uint64_t measure_start() const { return start_ns + warmup_ns; }
  uint64_t end() const {
    return measure_start() + repetition_ns * static_cast<uint64_t>(repetitions);
  }
  // The repetition t falls in, or -1 (warm-up, or after the end).
  int index(uint64_t t) const {
    if (t < measure_start() || repetition_ns == 0) return -1;
    const uint64_t i = (t - measure_start()) / repetition_ns;
    return i < static_cast<uint64_t>(repetitions) ? static_cast<int>(i) : -1;
  }
};

// Counts by (kind, detail); merged over threads after the run.
class ErrorCounts {
 public:
  void add(const std::string& kind, const std::string& detail) { counts_[{kind, detail}]++; }
  void merge(const ErrorCounts& other) {
    for (const auto& [key, n] : other.counts_) counts_[key] += n;
  }
  uint64_t total() const;
  void encode(WordWriter* out) const;
  bool decode(WordReader* in);  // adds what it reads
  // Most frequent first.
  std::vector<NetworkError> list() const;

 private:
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;
};

// What the server chose, merged into *into: the first one known, unless
// it shows no chain and other (a full handshake) does; "varied" when the
// two disagree on the version, the suite or (both full) the group.
void merge_negotiated(std::optional<Negotiated>* into, const Negotiated& other, bool other_resumed);

// "12 refused, 3 timeout (handshake)": for one-line messages.
std::string describe_errors(const std::vector<NetworkError>& errors);

// CLOCK_REALTIME in ns: comparable between hosts as far as their clocks
// agree.
uint64_t realtime_ns();
// gethostname's, or "unknown".
std::string host_name();

// This process's CPU time, all threads, user and system.
uint64_t process_cpu_ns();
// Another process's, summed over its threads (/proc/PID/task/*/schedstat,
// in ns; /proc/PID/stat's ticks where schedstat is missing). False if the
// process is not there.
bool other_process_cpu_ns(int pid, uint64_t* out_ns);

// Why backend cannot run scenario over TCP with engine, against a real
// peer (named in the reason: "server" or "client"): the engine lacks an
// algorithm, the library has no TLS stack, or its crypto is not real.
// Nothing when it can.
std::optional<Failure> unsupported_over_tcp(const Scenario& scenario, const Backend& backend,
                                            EngineKind engine, std::string_view peer);

// errno's name ("ECONNRESET"), or its number.
std::string errno_name(int e);

// "rsa2048", "ecdsa-p256", as the PKI kinds are named.
std::string key_name(KeyInfo key);

}  // namespace hsbench::net
