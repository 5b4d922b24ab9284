// hsbench compare: a new run against a base run, result by result.
//
// Results are matched by (scenario, backend, engine, threads), and network
// results (hsbench connect, hsbench serve) also by their role and target: a
// client's result compares only with a client's against the same target. A
// pair is a
// regression when the metric moved the wrong way by more than the threshold
// and the 95% interval of the change (Welch's t, from the per-repetition
// values) excludes zero; an improvement is the same the other way; anything
// else is no change. scripts/hsbench_results.py (welch, verdict) reaches the
// same verdicts for scripts/plot.py.
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hsbench {

enum class CompareMetric {
  hs_per_sec,  // handshakes_per_sec.repetitions: higher is better
  cpu_us,      // cpu_us_per_handshake.total (one value per run): lower is better
  icount,      // icount.total, instructions per handshake (one value, exact): lower is better
  p99_us,      // latency_us.p99, the handshake's 99th percentile (one value): lower is better
};
std::optional<CompareMetric> parse_compare_metric(std::string_view name);
std::string_view compare_metric_name(CompareMetric m);

enum class Verdict { no_change, regression, improvement };
std::string_view verdict_name(Verdict v);  // "no change", "regression", "improvement"

// One step of one result as compare sees it: the engine's (user step, side,
// action, message), the how-many-th such step it is, and its cost per
// handshake in the metric's step unit (µs; instructions for icount).
struct CompareStep {
  int user_step = 0;
  std::string user_step_name;
  std::string side;
  std::string action;
  std::string message;
  int occurrence = 0;
  double value = 0;
};

// One measured result of a file.
struct CompareSample {
  std::string scenario;
  std::string backend;
  std::string engine;
  int threads = 1;
  std::string role;    // network results: "client" or "server"; empty in memory
  std::string target;  // network results: network.target

  std::vector<double> values;  // per repetition; one value where the file has only one
  std::vector<CompareStep> steps;
};

struct CompareInput {
  std::string path;
  std::string git_commit;
  std::string date;
  std::vector<CompareSample> results;  // "ok" results only, in file order
};

// Reads one hsbench/v1 document for a metric. Results without the metric
// (skipped ones; icount where it was not counted) are left out. False, and
// one line naming the file in out_error, when the text is not JSON, is
// another schema, or lacks what compare reads.
bool parse_compare_input(std::string_view text, const std::string& path, CompareMetric metric,
                         CompareInput* out, std::string* out_error);
bool read_compare_input(const std::string& path, CompareMetric metric, CompareInput* out,
                        std::string* out_error);

// The change from base to new in percent of the base mean, and its 95%
// interval from Welch's t (no interval when either side has one value;
// a point when neither side varies).
struct Change {
  double delta_pct = 0;
  std::optional<double> lo_pct;
  std::optional<double> hi_pct;
};
Change welch_change(std::span<const double> base, std::span<const double> neu);
Verdict judge(const Change& c, double threshold_pct, bool higher_is_better);

struct StepChange {
  CompareStep base;
  double new_value = 0;
  double delta = 0;      // new - base, in the step unit
  double delta_pct = 0;  // of the base step
};

struct Comparison {
  std::string scenario;
  std::string backend;
  std::string engine;
  int threads = 1;
  std::string role;  // network results only
  std::string target;
  size_t base_n = 0;
  size_t new_n = 0;
  double base_mean = 0;
  double new_mean = 0;
  Change change;
  Verdict verdict = Verdict::no_change;
  // For a regression: the step whose cost rose most (absent when the
  // results have no steps or none rose).
  std::optional<StepChange> worst_step;
};

struct CompareOptions {
  double threshold_pct = 5;
  CompareMetric metric = CompareMetric::hs_per_sec;
};

struct CompareReport {
  CompareOptions options;
  std::string base_path, new_path;
  std::string base_commit, new_commit;
  std::vector<Comparison> rows;           // in the base file's order
  std::vector<std::string> only_in_base;  // "scenario backend engine Nt" (+ " role target")
  std::vector<std::string> only_in_new;
  int regressions = 0;
  int improvements = 0;
};

CompareReport compare_runs(const CompareInput& base, const CompareInput& neu,
                           const CompareOptions& options);

// The console table; the same for a pull-request comment (GitHub markdown);
// and the verdicts as a JSON list of objects (scenario, backend, engine,
// threads, metric, base, new, delta_pct, ci95_pct, verdict, step; role and
// target for network results).
void write_compare_table(const CompareReport& report, std::ostream& out);
void write_compare_markdown(const CompareReport& report, std::ostream& out);
void write_compare_json(const CompareReport& report, std::ostream& out);

}  // namespace hsbench
