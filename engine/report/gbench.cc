// Google Benchmark's JSON output format (src/json_reporter.cc), so that its
// tools/compare.py and continuous-benchmarking services read hsbench runs:
// one "iteration" entry per repetition and mean/median/stddev/cv
// "aggregate" entries, with times in microseconds per handshake.
//   real_time: wall time of one handshake on one thread
//   cpu_time:  the thread CPU time of one handshake (client and server)
//   items_per_second: handshakes per second, summed over threads
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

#include "hsbench/report.h"
#include "stats/stats.h"

namespace hsbench {
namespace {

using nlohmann::ordered_json;

std::string benchmark_name(const Result& r) {
  std::string n = r.scenario + "/" + r.backend;
  if (r.engine != "hsbench") n += "/" + r.engine;
  if (!r.timing) n += "/no_timing";
  return n + "/threads:" + std::to_string(r.threads);
}

}  // namespace

void write_gbench(const Report& report, std::ostream& out) {
  const ReportContext& c = report.context;
  std::string build = c.build_type;
  for (char& ch : build) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  ordered_json context = {
      {"date", c.date},
      {"host_name", c.host.hostname},
      {"executable", "hsbench"},
      {"num_cpus", c.host.cores},
      {"mhz_per_cpu", 0},
      {"cpu_scaling_enabled", false},
      {"caches", ordered_json::array()},
      {"load_avg", ordered_json::array()},
      {"library_build_type", build == "debug" ? "debug" : "release"},
      {"hsbench_version", c.tool_version},
      {"hsbench_git_commit", c.git_commit},
      {"hsbench_command_line", c.command_line},
  };
  ordered_json benchmarks = ordered_json::array();
  int family = 0;
  for (const Result& r : report.results) {
    if (r.skipped || r.repetitions.empty()) continue;
    const std::string name = benchmark_name(r);
    const int reps = static_cast<int>(r.repetitions.size());
    auto entry = [&](const std::string& entry_name, double real_us, double cpu_us,
                     double items_per_second, uint64_t iterations) {
      return ordered_json{{"name", entry_name},
                          {"family_index", family},
                          {"per_family_instance_index", 0},
                          {"run_name", name},
                          {"run_type", "iteration"},
                          {"repetitions", reps},
                          {"threads", r.threads},
                          {"iterations", iterations},
                          {"real_time", real_us},
                          {"cpu_time", cpu_us},
                          {"time_unit", "us"},
                          {"items_per_second", items_per_second}};
    };
    std::vector<double> real, cpu, rate;
    for (int i = 0; i < reps; i++) {
      const RepetitionResult& rep = r.repetitions[static_cast<size_t>(i)];
      const double hs = r.handshakes_per_sec.values.size() > static_cast<size_t>(i)
                            ? r.handshakes_per_sec.values[static_cast<size_t>(i)]
                            : 0;
      real.push_back(hs > 0 ? r.threads * 1e6 / hs : 0);
      cpu.push_back(rep.cpu_us_per_handshake);
      rate.push_back(hs);
      ordered_json e = entry(name, real.back(), cpu.back(), hs, rep.handshakes);
      e["repetition_index"] = i;
      // User counters (Google Benchmark's state.counters), the same in
      // every repetition: heap use per handshake, counted once per run.
      if (r.memory) {
        e["bytes_allocated_per_handshake"] = r.memory->bytes_allocated;
        e["allocations_per_handshake"] = r.memory->allocations;
        e["peak_live_bytes"] = r.memory->peak_live_bytes;
      }
      benchmarks.push_back(std::move(e));
    }
    const Summary sr = summarize(real), sc = summarize(cpu), sh = summarize(rate);
    auto aggregate = [&](const char* agg, double real_us, double cpu_us, double hs,
                         const char* unit) {
      ordered_json e = entry(name + "_" + agg, real_us, cpu_us, hs, static_cast<uint64_t>(reps));
      e["run_type"] = "aggregate";
      e["aggregate_name"] = agg;
      e["aggregate_unit"] = unit;
      benchmarks.push_back(std::move(e));
    };
    aggregate("mean", sr.mean, sc.mean, sh.mean, "time");
    aggregate("median", sr.median, sc.median, sh.median, "time");
    aggregate("stddev", sr.stddev, sc.stddev, sh.stddev, "time");
    aggregate("cv", sr.mean > 0 ? sr.stddev / sr.mean : 0, sc.mean > 0 ? sc.stddev / sc.mean : 0,
              sh.mean > 0 ? sh.stddev / sh.mean : 0, "percentage");
    family++;
  }
  ordered_json doc = {{"context", context}, {"benchmarks", benchmarks}};
  out << doc.dump(2) << '\n';
}

}  // namespace hsbench
