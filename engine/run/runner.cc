#include "hsbench/runner.h"

#include <time.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "hsbench/engine.h"
#include "hsbench/heap.h"
#include "drive/configs.h"
#include "stats/histogram.h"
#include "run/icount.h"
#include "run/native_pair.h"
#include "run/steps.h"
#include "run/wire.h"
#include "stats/stats.h"

namespace hsbench {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t ns_between(Clock::time_point from, Clock::time_point to) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

// This thread's CPU time. A system call on most kernels, so it is read only
// around a whole repetition, never per handshake.
uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "request_stop runs in a signal handler");

struct Repetition {
  bool complete = false;  // ran to its end (not stopped midway)
  uint64_t handshakes = 0;
  uint64_t wall_ns = 0;
  uint64_t cpu_ns = 0;
};

// One thread's pair and everything it measures. Threads share nothing while
// they run; their records are merged afterwards.
struct Worker {
  std::unique_ptr<EnginePair> pair;
  HandshakeTrace trace;
  StepAggregator steps;
  Histogram latency;
  std::vector<Repetition> repetitions;
  std::string error;
};

class Run {
 public:
  Run(const RunOptions& options, std::vector<Worker>* workers, const ProgressFn& progress)
      : options_(options),
        workers_(*workers),
        progress_(progress),
        sync_(static_cast<std::ptrdiff_t>(workers->size()), Snapshot{this}) {}

  void thread_main(size_t index) {
    Worker& w = workers_[index];
    w.repetitions.resize(static_cast<size_t>(options_.repetitions));
    HandshakeTrace* trace = options_.timing ? &w.trace : nullptr;

    if (index == 0 && progress_) progress_(0, options_.repetitions);
    warm_up(w, trace);
    for (int r = 0; r < options_.repetitions; r++) {
      // stopped_ is read only between barriers, where every thread sees
      // the same value (the barrier's completion sets it), so all threads
      // leave the loop together.
      sync_.arrive_and_wait();
      if (stopped_) break;
      if (!failed_.load(std::memory_order_relaxed)) measure(w, trace, &w.repetitions[r]);
      sync_.arrive_and_wait();
      if (stopped_) break;
      if (index == 0 && progress_) progress_(r + 1, options_.repetitions);
    }
  }

  bool failed() const { return failed_.load(); }

 private:
  void fail(Worker& w, const std::string& error) {
    w.error = error;
    failed_.store(true);
  }

  void warm_up(Worker& w, HandshakeTrace* trace) {
    std::string error;
    const auto start = Clock::now();
    const auto until = start + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(options_.warmup_s));
    do {
      if (!w.pair->run(trace, &error)) return fail(w, error);
    } while (Clock::now() < until && !failed_.load(std::memory_order_relaxed) &&
             !stop_requested());
    if (trace != nullptr) w.steps.prepare(*trace);
  }

  // The timed loop: a handshake, then (with timing) folding its trace into
  // the aggregates, which allocates nothing and makes no system call. The
  // CPU clock is read only before and after.
  void measure(Worker& w, HandshakeTrace* trace, Repetition* rep) {
    std::string error;
    uint64_t n = 0;
    const uint64_t count = options_.handshakes;
    const uint64_t cpu0 = thread_cpu_ns();
    const auto t0 = Clock::now();
    const auto until = t0 + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(options_.duration_s));
    for (;;) {
      if (!w.pair->run(trace, &error)) {
        fail(w, error);
        break;
      }
      n++;
      if (trace != nullptr) {
        w.steps.add(*trace);
        w.latency.record(trace->total_ns);
      }
      if (count > 0 ? n >= count : Clock::now() >= until) {
        rep->complete = true;
        break;
      }
      if (stop_requested()) break;
    }
    const auto t1 = Clock::now();
    const uint64_t cpu1 = thread_cpu_ns();
    rep->handshakes = n;
    rep->wall_ns = ns_between(t0, t1);
    rep->cpu_ns = cpu1 - cpu0;
  }

  // The barrier's completion step: runs once per phase, while every
  // thread waits.
  struct Snapshot {
    Run* run;
    void operator()() noexcept { run->stopped_ = stop_requested(); }
  };

  const RunOptions& options_;
  std::vector<Worker>& workers_;
  const ProgressFn& progress_;
  std::barrier<Snapshot> sync_;
  std::atomic<bool> failed_{false};
  bool stopped_ = false;  // written only by Snapshot
};

std::vector<OpResult> ops_of_trace(const HandshakeTrace& t) {
  std::vector<OpResult> out;
  for (size_t i = 0; i < t.op_count; i++) {
    const OpSample& s = t.ops[i];
    auto it = std::find_if(out.begin(), out.end(), [&](const OpResult& o) { return o.op == s.op; });
    if (it == out.end()) {
      out.push_back({s.op, op_name(s.op), 0, 0});
      it = out.end() - 1;
    }
    it->count += 1;
    it->mean_us += static_cast<double>(s.ns) / 1e3;  // summed for now
  }
  for (OpResult& o : out) o.mean_us /= o.count;
  return out;
}

// Heap use of `count` untimed handshakes on pair, on this thread (see
// MemoryPerHandshake). False with a reason when the process does not count
// its heap or a handshake fails.
bool measure_memory(EnginePair& pair, int count, MemoryPerHandshake* out, std::string* out_why) {
  const HeapCounterHooks* hooks = heap_counter_hooks();
  if (hooks == nullptr) {
    *out_why =
        "this process does not count its heap (only the hsbench executable does, and not in "
        "sanitizer builds)";
    return false;
  }
  if (count <= 0) {
    *out_why = "memory not measured";
    return false;
  }
  std::string error;
  hooks->set_counting(true);
  const HeapCounters before = hooks->read();
  int64_t peak = 0;
  bool ok = true;
  for (int i = 0; i < count && ok; i++) {
    const int64_t start = hooks->read().live;
    hooks->reset_peak();
    ok = pair.run(nullptr, &error);
    peak = std::max(peak, hooks->read().peak - start);
  }
  const HeapCounters after = hooks->read();
  hooks->set_counting(false);
  if (!ok) {
    *out_why = "a counted handshake failed: " + error;
    return false;
  }
  const double n = static_cast<double>(count);
  out->bytes_allocated = static_cast<double>(after.bytes - before.bytes) / n;
  out->allocations = static_cast<double>(after.allocations - before.allocations) / n;
  out->peak_live_bytes = static_cast<uint64_t>(std::max<int64_t>(peak, 0));
  out->handshakes = count;
  return true;
}

}  // namespace

void request_stop() noexcept { g_stop.store(true, std::memory_order_relaxed); }

bool stop_requested() noexcept { return g_stop.load(std::memory_order_relaxed); }

std::string_view name(EngineKind engine) {
  return engine == EngineKind::native ? "native" : "hsbench";
}

ScenarioConfig scenario_config(const Scenario& s) {
  ScenarioConfig c;
  c.tls = std::string(name(s.version));
  c.kx = s.kx == KxMode::rsa ? "rsa" : is_kem(s.group) ? "hybrid" : "ecdhe";
  if (s.kx != KxMode::rsa) c.group = std::string(name(s.group));
  c.cert = s.cert;
  const CipherSuiteInfo* suite = cipher_suite_info(s.suite);
  c.cipher = suite != nullptr ? std::string(suite->name) : "unknown";
  c.resumption = s.resumption;
  return c;
}

Result skipped_result(const Scenario& scenario, std::string_view backend, int threads,
                      std::string reason, EngineKind engine) {
  return skipped_result(scenario, backend, threads, Failure{FailureKind::failed, std::move(reason)},
                        engine);
}

Result skipped_result(const Scenario& scenario, std::string_view backend, int threads, Failure why,
                      EngineKind engine) {
  Result r;
  r.scenario = scenario.id;
  r.config = scenario_config(scenario);
  r.backend = std::string(backend);
  r.engine = std::string(name(engine));
  r.threads = threads;
  r.skipped = true;
  r.skip_reason = std::move(why.reason);
  r.skip_kind = why.kind;
  return r;
}

Result run_scenario(const Scenario& scenario, Backend& backend, const Pki& pki,
                    const RunOptions& options, const ProgressFn& progress) {
  const int threads = std::max(1, options.threads);
  const EngineKind engine = options.engine;
  const bool native = engine == EngineKind::native;
  auto skipped = [&](Failure why) {
    return skipped_result(scenario, backend.name(), threads, std::move(why), engine);
  };
  auto failed = [&](std::string reason) {
    return skipped({FailureKind::failed, std::move(reason)});
  };
  Result result = failed("");
  result.skipped = false;
  result.timing = options.timing;
  if (!native) {
    if (auto missing = engine_missing_algorithm(scenario, backend)) {
      return skipped({FailureKind::unsupported, std::move(*missing)});
    }
  }

  // Each thread its own pair: for the engine, a client and a server on the
  // backend's crypto; natively, a client and a server context (SSL_CTX) of
  // the backend's own TLS stack.
  std::vector<Worker> workers(static_cast<size_t>(threads));
  for (Worker& w : workers) {
    Failure why;
    w.pair = native ? make_native_pair(scenario, backend, pki, &why)
                    : make_engine_pair(scenario, backend, backend, pki, &why.reason);
    if (w.pair == nullptr) return skipped(std::move(why));
  }

  // One traced handshake outside the measurement: it checks that the
  // backend can run the scenario at all, and lists the crypto operations
  // of a handshake (for the lower bound), whether or not the run is timed.
  {
    std::string error;
    Worker& w = workers[0];
    if (!w.pair->run(&w.trace, &error)) return skipped({w.pair->failure_kind(), error});
    result.ops_per_handshake = ops_of_trace(w.trace);
    result.op_sequence.assign(w.trace.ops.begin(), w.trace.ops.begin() + w.trace.op_count);
    if (!native) result.wire = wire_of(w.trace);
  }
  const TlsVersion version = workers[0].trace.version;

  Run run(options, &workers, progress);
  {
    std::vector<std::thread> pool;
    pool.reserve(workers.size());
    for (size_t i = 0; i < workers.size(); i++)
      pool.emplace_back([&run, i] { run.thread_main(i); });
    for (auto& t : pool) t.join();
  }
  if (run.failed()) {
    for (const Worker& w : workers) {
      if (!w.error.empty()) return failed(w.error);
    }
  }

  // The repetitions every thread completed: all of them, unless the run
  // was stopped.
  int complete = 0;
  while (complete < options.repetitions &&
         std::all_of(workers.begin(), workers.end(), [complete](const Worker& w) {
           return w.repetitions[static_cast<size_t>(complete)].complete;
         })) {
    complete++;
  }
  if (complete == 0) return failed("interrupted before a repetition completed");
  result.partial = complete < options.repetitions;

  // Merge the threads.
  std::vector<double> per_rep(static_cast<size_t>(complete), 0.0);
  uint64_t cpu_ns = 0;
  for (int r = 0; r < complete; r++) {
    uint64_t max_wall = 0;
    RepetitionResult rr;
    uint64_t rep_cpu_ns = 0;
    for (const Worker& w : workers) {
      const Repetition& rep = w.repetitions[static_cast<size_t>(r)];
      if (rep.wall_ns > 0) {
        per_rep[static_cast<size_t>(r)] +=
            static_cast<double>(rep.handshakes) * 1e9 / static_cast<double>(rep.wall_ns);
      }
      rr.handshakes += rep.handshakes;
      rep_cpu_ns += rep.cpu_ns;
      max_wall = std::max(max_wall, rep.wall_ns);
    }
    rr.wall_s = static_cast<double>(max_wall) / 1e9;
    if (rr.handshakes > 0) {
      rr.cpu_us_per_handshake =
          static_cast<double>(rep_cpu_ns) / static_cast<double>(rr.handshakes) / 1e3;
    }
    result.repetitions.push_back(rr);
    result.handshakes += rr.handshakes;
    cpu_ns += rep_cpu_ns;
    result.duration_s += rr.wall_s;
  }
  result.handshakes_per_sec = summarize(per_rep);
  if (result.handshakes_per_sec.mean > 0) {
    result.us_per_handshake = threads * 1e6 / result.handshakes_per_sec.mean;
  }
  const double n = static_cast<double>(std::max<uint64_t>(result.handshakes, 1));
  result.cpu_us_per_handshake.total_us = static_cast<double>(cpu_ns) / n / 1e3;

  if (options.count_instructions) {
    std::string error;
    const uint64_t counted = std::max<uint64_t>(options.handshakes, 1);
    if (!count_instructions(*workers[0].pair, options.engine, scenario.id, backend.name(), counted,
                            &error)) {
      return failed(error);
    }
  }

  // After the measurement, so the pair is in its steady state (buffers and
  // tickets as the timed handshakes left them), and on this thread alone.
  {
    MemoryPerHandshake memory;
    if (measure_memory(*workers[0].pair, options.memory_handshakes, &memory, &result.memory_note)) {
      result.memory = memory;
    }
  }

  if (options.timing) {
    StepAggregator& steps = workers[0].steps;
    Histogram& latency = workers[0].latency;
    for (size_t i = 1; i < workers.size(); i++) {
      steps.merge(workers[i].steps);
      latency.merge(workers[i].latency);
    }
    result.latency_us = latency_of(latency);
    result.steps = steps.results(version);
    const double client = static_cast<double>(steps.side_ns(Side::client));
    const double server = static_cast<double>(steps.side_ns(Side::server));
    if (client + server > 0) {
      const double total = result.cpu_us_per_handshake.total_us;
      result.cpu_us_per_handshake.client_us = total * client / (client + server);
      result.cpu_us_per_handshake.server_us = total * server / (client + server);
    }
    // Per-call times of the measured handshakes are better than the
    // profile's single sample; the counts are the same.
    for (const OpResult& o : steps.op_totals()) {
      for (OpResult& p : result.ops_per_handshake) {
        if (p.op == o.op) p.mean_us = o.mean_us;
      }
    }
  }
  return result;
}

}  // namespace hsbench
