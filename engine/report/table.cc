// The console table: one row per result, then the per-step breakdown by
// user step, client and server, one block per scenario.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hsbench/report.h"
#include "report/util.h"

namespace hsbench {
namespace {

// Microseconds with as many decimals as make sense at that size.
std::string fmt_us(double v) {
  if (v < 100) return fmt::format("{:.2f}", v);
  if (v < 10000) return fmt::format("{:.1f}", v);
  return fmt::format("{:.0f}", v);
}

std::string fmt_rate(double v) {
  if (v < 100) return fmt::format("{:.2f}", v);
  return fmt::format("{:.0f}", v);
}

std::string fmt_opt_us(const std::optional<double>& v) { return v ? fmt_us(*v) : "-"; }

void header(const Report& report, std::string* out) {
  const ReportContext& c = report.context;
  std::string git = c.git_commit.empty() ? "" : fmt::format(" ({})", c.git_commit);
  *out += fmt::format("hsbench {}{} · {} · {} · {} cores · {}\n", c.tool_version, git, c.date,
                      c.host.cpu_model, c.host.cores, c.host.kernel);
  if (!c.backends.empty()) {
    std::string list;
    for (const BackendInfo& b : c.backends) {
      list += fmt::format("{}{} = {}", list.empty() ? "" : "; ", b.name, b.version);
    }
    *out += fmt::format("backends: {}\n", list);
  }
  const RunSettings& s = c.settings;
  std::string per = s.handshakes > 0 ? fmt::format("{} handshakes per thread", s.handshakes)
                                     : fmt::format("{:g} s", s.duration_s);
  *out += fmt::format(
      "run: {} repetition{} of {} after {:g} s warm-up{}; ± is half the 95% "
      "confidence interval of hs/s\n",
      s.repetitions, s.repetitions == 1 ? "" : "s", per, s.warmup_s,
      s.timing ? "" : ", timing off (no traces)");
  if (c.partial) {
    size_t partial = 0;
    for (const Result& r : report.results) partial += r.partial ? 1 : 0;
    *out += fmt::format(
        "interrupted: {} result{} hold only the repetitions complete when the run stopped; "
        "scenarios not reached are absent\n",
        partial, partial == 1 ? "" : "s");
  }
}

// The engine's result beside a native one: same scenario, backend, threads
// and timing, measured.
const Result* engine_result_for(const Report& report, const Result& native) {
  for (const Result& r : report.results) {
    if (r.engine == "hsbench" && !r.skipped && r.scenario == native.scenario &&
        r.backend == native.backend && r.threads == native.threads && r.timing == native.timing) {
      return &r;
    }
  }
  return nullptr;
}

void results_table(const Report& report, std::string* out) {
  size_t scenario_w = 8;
  size_t backend_w = 7;
  for (const Result& r : report.results) {
    scenario_w = std::max(scenario_w, r.scenario.size());
    backend_w = std::max(backend_w, result_label(r, false).size());
  }
  *out += fmt::format(
      "{:<{}}  {:<{}}  {:>3}  {:>9}  {:>6}  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>7}  {:>8}  "
      "{:>6}\n",
      "scenario", scenario_w, "backend", backend_w, "thr", "hs/s", "±", "client µs", "server µs",
      "lower µs", "overhead", "KiB/hs", "allocs", "peak KiB", "vs eng");
  for (const Result& r : report.results) {
    std::string lead = fmt::format("{:<{}}  {:<{}}  {:>3}", r.scenario, scenario_w,
                                   result_label(r, false), backend_w, r.threads);
    if (r.skipped) {
      *out += fmt::format("{}  skipped: {}\n", lead, r.skip_reason);
      continue;
    }
    const Summary& hs = r.handshakes_per_sec;
    const double pm = hs.mean > 0 ? (hs.ci95_hi - hs.mean) / hs.mean * 100 : 0;
    std::string kib = "-", allocs = "-", peak = "-";
    if (r.memory) {
      kib = fmt::format("{:.1f}", r.memory->bytes_allocated / 1024);
      allocs = fmt::format("{:.0f}", r.memory->allocations);
      peak = fmt::format("{:.1f}", static_cast<double>(r.memory->peak_live_bytes) / 1024);
    }
    const Result* engine = r.engine == "native" ? engine_result_for(report, r) : nullptr;
    std::string vs = "-";
    if (engine != nullptr && engine->handshakes_per_sec.mean > 0) {
      vs = fmt::format("{:.2f}", hs.mean / engine->handshakes_per_sec.mean);
    }
    *out += fmt::format(
        "{}  {:>9}  {:>5.1f}%  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>7}  {:>8}  {:>6}\n", lead,
        fmt_rate(hs.mean), pm, fmt_opt_us(r.cpu_us_per_handshake.client_us),
        fmt_opt_us(r.cpu_us_per_handshake.server_us), fmt_opt_us(r.crypto_lower_bound_us),
        r.overhead_ratio ? fmt::format("{:.2f}", *r.overhead_ratio) : "-", kib, allocs, peak, vs);
  }
}

void steps_table(const Report& report, std::string* out) {
  // Scenarios in the order they first appear; a column per measured result.
  std::vector<std::string> scenarios;
  bool several_threads = false;
  for (const Result& r : report.results) {
    if (r.skipped || r.steps.empty()) continue;
    if (std::find(scenarios.begin(), scenarios.end(), r.scenario) == scenarios.end()) {
      scenarios.push_back(r.scenario);
    }
    if (r.threads != report.results.front().threads) several_threads = true;
  }
  if (scenarios.empty()) return;
  *out += "\nper step: µs per handshake, client | server (each side's wall time in its steps)\n";
  constexpr int kColW = 21;  // "{:>9} | {:>9}"
  int name_w = 26;           // "  8 Session established" and a gap
  for (const std::string& id : scenarios)
    name_w = std::max(name_w, static_cast<int>(id.size()) + 2);
  for (const std::string& id : scenarios) {
    std::vector<const Result*> cols;
    for (const Result& r : report.results) {
      if (r.scenario == id && !r.skipped && !r.steps.empty()) cols.push_back(&r);
    }
    std::vector<UserStepTimes> times;
    for (const Result* r : cols) times.push_back(user_step_times(*r));

    std::string line = fmt::format("{:<{}}", id, name_w);
    for (const Result* r : cols)
      line += fmt::format("  {:>{}}", result_label(*r, several_threads), kColW);
    *out += "\n" + line + "\n";
    std::vector<double> client_total(cols.size(), 0), server_total(cols.size(), 0);
    for (int step = 0; step <= kUserSteps; step++) {
      bool any = step != 0;
      for (const UserStepTimes& t : times) {
        if (t.client_us[static_cast<size_t>(step)] > 0 ||
            t.server_us[static_cast<size_t>(step)] > 0)
          any = true;
      }
      if (!any) continue;
      line = fmt::format("  {} {:<{}}", step, user_step_name(step), name_w - 4);
      for (size_t i = 0; i < cols.size(); i++) {
        const double c = times[i].client_us[static_cast<size_t>(step)];
        const double s = times[i].server_us[static_cast<size_t>(step)];
        client_total[i] += c;
        server_total[i] += s;
        line += fmt::format("  {:>9} | {:>9}", c > 0 ? fmt_us(c) : "-", s > 0 ? fmt_us(s) : "-");
      }
      *out += line + "\n";
    }
    line = fmt::format("    {:<{}}", "total", name_w - 4);
    for (size_t i = 0; i < cols.size(); i++) {
      line += fmt::format("  {:>9} | {:>9}", fmt_us(client_total[i]), fmt_us(server_total[i]));
    }
    *out += line + "\n";
  }
}

}  // namespace

void write_table(const Report& report, std::ostream& out) {
  std::string text;
  header(report, &text);
  text += "\n";
  results_table(report, &text);
  steps_table(report, &text);
  text +=
      "\nclient/server µs: CPU per handshake, split by each side's step time (one thread runs "
      "both); lower µs: the same crypto timed alone; overhead = whole handshakes timed beside the crypto / lower\n"
      "KiB/hs, allocs: heap bytes and allocations per handshake, client and server together; "
      "peak KiB: the most the live heap rose during one; vs eng: native hs/s / engine hs/s\n";
  const bool native_steps =
      std::any_of(report.results.begin(), report.results.end(),
                  [](const Result& r) { return r.engine == "native" && !r.steps.empty(); });
  if (native_steps) {
    text +=
        "native steps: the library's time between its message callbacks; where it hides a "
        "boundary the JSON step says \"boundary\": \"approximate\" (context.notes)\n";
  }
  out << text;
}

}  // namespace hsbench
