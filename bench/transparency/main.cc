// hsbench-transparency: native handshakes/sec from hsbench's runner (timing
// on, as hsbench runs by default) against a plain loop of SSL_do_handshake
// pairs (plain_loop.h), on tls12-ecdhe-x25519-ecdsa-p256, in this process.
// It prints the ratio and asserts nothing: a machine's speed is not a test
// (tests/run/native_plain_loop_test.cc bounds the same comparison by
// instruction count).
//
//   hsbench-transparency [--rounds R] [--handshakes N]
//
// A machine's speed drifts from one second to the next, so the two run in
// turn, in short rounds of N handshakes each, and what is printed is, over
// the rounds, the median and the quartiles of each round's ratio (a
// disturbance spoils a few rounds, not the median), both per CPU second of
// the measuring thread (which other processes taking the CPU leave alone)
// and per wall second. A ratio of 1 means the harness costs nothing; below 1,
// the runner is slower.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"
#include "plain_loop.h"

namespace hsbench {
namespace {

constexpr const char kProg[] = "hsbench-transparency";

uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

struct Rates {
  double wall = 0;  // handshakes per second of wall time
  double cpu = 0;   // handshakes per second of this thread's CPU time
};

// n handshakes of the plain loop; zero rates if one fails.
Rates plain_rates(transparency::PlainPair& pair, uint64_t n) {
  using Clock = std::chrono::steady_clock;
  const uint64_t cpu0 = thread_cpu_ns();
  const auto t0 = Clock::now();
  for (uint64_t i = 0; i < n; i++) {
    if (!pair.handshake()) return {};
  }
  const auto t1 = Clock::now();
  const double cpu_s = static_cast<double>(thread_cpu_ns() - cpu0) / 1e9;
  return {static_cast<double>(n) / std::chrono::duration<double>(t1 - t0).count(),
          static_cast<double>(n) / cpu_s};
}

// The p-th quantile (0..1) of v, by linear interpolation.
double quantile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double at = p * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(at);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (at - static_cast<double>(lo));
}

int die(const std::string& line, int code) {
  std::fprintf(stderr, "%s: %s\n", kProg, line.c_str());
  return code;
}

bool parse_count(std::string_view text, uint64_t max, uint64_t* out_value) {
  if (text.empty() || text.size() > 9) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v == 0 || v > max) return false;
  *out_value = v;
  return true;
}

int run(uint64_t rounds, uint64_t handshakes) {
  std::string error;
  auto backend = load_backend("openssl", &error);
  if (backend == nullptr) return die(error, 1);
  const Scenario* s = find_scenario(transparency::kScenario);
  if (s == nullptr) return die(std::string("no scenario ") + transparency::kScenario, 1);
  auto pki = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
  if (pki == nullptr) return die("cannot read the " + s->cert + " PKI: " + error, 2);

  RunOptions o;
  o.engine = EngineKind::native;
  o.warmup_s = 0;
  o.handshakes = handshakes;
  o.repetitions = 1;
  o.memory_handshakes = 0;
  std::vector<double> cpu_ratios, wall_ratios;
  for (uint64_t round = 0; round < rounds; round++) {
    // As the runner does each round: on a thread of its own, with fresh
    // contexts and two handshakes before the measured ones.
    Rates p;
    std::thread([&] {
      transparency::PlainPair fresh(*pki);
      if (fresh.handshake() && fresh.handshake()) p = plain_rates(fresh, handshakes);
    }).join();
    if (p.cpu <= 0) {
      return die(std::string("plain loop handshake failed: ") + transparency::last_openssl_error(),
                 1);
    }
    Result r = run_scenario(*s, backend->backend(), *pki, o);
    if (r.skipped) return die("native run skipped: " + r.skip_reason, 1);
    if (r.repetitions.size() != 1 || r.repetitions[0].cpu_us_per_handshake <= 0) {
      return die("native run measured no CPU time", 1);
    }
    cpu_ratios.push_back(1e6 / r.repetitions[0].cpu_us_per_handshake / p.cpu);
    wall_ratios.push_back(r.handshakes_per_sec.mean / p.wall);
  }
  std::printf(
      "%s: runner (native, timing on) over plain loop, handshakes/s, %s, %llu rounds of "
      "%llu handshakes each\n",
      kProg, transparency::kScenario, static_cast<unsigned long long>(rounds),
      static_cast<unsigned long long>(handshakes));
  std::printf("  per CPU second:  median %.3f  (quartiles %.3f .. %.3f)\n",
              quantile(cpu_ratios, 0.5), quantile(cpu_ratios, 0.25), quantile(cpu_ratios, 0.75));
  std::printf("  per wall second: median %.3f  (quartiles %.3f .. %.3f)\n",
              quantile(wall_ratios, 0.5), quantile(wall_ratios, 0.25), quantile(wall_ratios, 0.75));
  return 0;
}

}  // namespace
}  // namespace hsbench

int main(int argc, char** argv) {
  using hsbench::die;
  uint64_t rounds = 41, handshakes = 10;
  for (int i = 1; i < argc; i++) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::printf("usage: %s [--rounds R] [--handshakes N]\n", hsbench::kProg);
      return 0;
    }
    uint64_t* target = arg == "--rounds" ? &rounds : arg == "--handshakes" ? &handshakes : nullptr;
    if (target == nullptr) return die("unknown argument '" + std::string(arg) + "'", 2);
    if (i + 1 == argc) return die(std::string(arg) + " needs a count", 2);
    if (!hsbench::parse_count(argv[++i], 1'000'000, target)) {
      return die(std::string(arg) + ": '" + argv[i] + "' is not a count (1 to 1000000)", 2);
    }
  }
  return hsbench::run(rounds, handshakes);
}
