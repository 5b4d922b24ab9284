// Continuous-benchmarking formats, made from the hsbench/v1 document:
//  - Bencher Metric Format (bmf): {"benchmark": {"measure": {"value": v,
//    "lower_value": l, "upper_value": u}}}, one object per benchmark, the
//    bounds only where the run has an interval.
//  - github-action-benchmark's custom tools: a list of {"name", "unit",
//    "value", "range", "extra"}. A file is read by one tool, which decides
//    the direction for every entry: github-benchmark is for
//    customSmallerIsBetter (times, instructions, heap), github-benchmark-bigger
//    for customBiggerIsBetter (handshakes/s).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "hsbench/compare.h"
#include "hsbench/report.h"
#include "report/util.h"

namespace hsbench {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// What one result or step is measured at, in the order written.
struct Measure {
  std::string slug;  // bmf measure name
  std::string unit;  // github-action-benchmark unit
  bool higher_is_better = false;
  double value = 0;
  std::optional<double> lower, upper;
  std::string extra;
};

struct Benchmark {
  std::string name;
  std::vector<Measure> measures;
};

std::optional<double> number_at(const json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return v;
}

const json& object_at(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string string_at(const json& obj, const char* key) {
  const json& j = object_at(obj, key);
  return j.is_string() ? j.get<std::string>() : std::string();
}

// Rounded as the JSON report rounds (json.cc): µs to the nanosecond, rates
// to 0.01.
double round_to(double v, double per_unit) { return std::round(v * per_unit) / per_unit; }

std::string benchmark_name(const json& r) {
  std::string n = string_at(r, "scenario") + "/" + string_at(r, "backend");
  if (const std::string e = string_at(r, "engine"); e != "hsbench") n += "/" + e;
  if (const json& t = object_at(r, "timing"); t.is_boolean() && !t.get<bool>()) n += "/no_timing";
  const json& threads = object_at(r, "threads");
  return n + "/threads:" + std::to_string(threads.is_number_integer() ? threads.get<int>() : 1);
}

std::string count_text(double v) { return fmt::format("{:.0f}", v); }

std::vector<Benchmark> collect(const json& doc) {
  std::map<std::string, std::string> versions;
  for (const json& b : object_at(object_at(doc, "context"), "backends")) {
    versions[string_at(b, "name")] = string_at(b, "version");
  }
  const std::string commit = string_at(object_at(doc, "context"), "git_commit");
  std::vector<Benchmark> out;
  for (const json& r : object_at(doc, "results")) {
    if (string_at(r, "status") != "ok") continue;
    Benchmark b{benchmark_name(r), {}};
    const json& hps = object_at(r, "handshakes_per_sec");
    const json& ci = object_at(hps, "ci95");
    std::optional<double> lo, hi;
    // One repetition has no spread: its "interval" is the mean twice, no bound.
    if (ci.is_array() && ci.size() == 2 && ci[0].is_number() && ci[1].is_number() &&
        ci[0].get<double>() < ci[1].get<double>()) {
      lo = ci[0].get<double>();
      hi = ci[1].get<double>();
    }
    const json& reps = object_at(hps, "repetitions");
    const size_t n_reps = reps.is_array() ? reps.size() : 0;
    const json& threads_j = object_at(r, "threads");
    const int threads = threads_j.is_number_integer() ? threads_j.get<int>() : 1;
    std::string about = versions.count(string_at(r, "backend")) ? versions[string_at(r, "backend")]
                                                                : string_at(r, "backend");
    if (!commit.empty()) about += "; hsbench " + commit;

    if (auto mean = number_at(hps, "mean")) {
      Measure m{"handshakes-per-second", "handshakes/s", true, *mean, lo, hi, ""};
      m.extra =
          lo ? fmt::format("{} repetitions, 95% interval [{}, {}]; {}", n_reps, *lo, *hi, about)
             : fmt::format("{} repetitions; {}", n_reps, about);
      b.measures.push_back(std::move(m));
    }
    if (auto us = number_at(r, "us_per_handshake")) {
      Measure m{"us-per-handshake", "us", false, *us, std::nullopt, std::nullopt, about};
      // The wall time of one handshake on one thread is threads * 1e6 / rate,
      // so the rate's interval, inverted, is the time's.
      // The time is rounded apart from the rate, so the bounds are widened
      // to hold it.
      if (lo && hi && *lo > 0) {
        m.lower = std::min(*us, round_to(threads * 1e6 / *hi, 1e3));
        m.upper = std::max(*us, round_to(threads * 1e6 / *lo, 1e3));
      }
      b.measures.push_back(std::move(m));
    }
    const json& cpu = object_at(r, "cpu_us_per_handshake");
    const std::optional<double> client_cpu = number_at(cpu, "client");
    const std::optional<double> server_cpu = number_at(cpu, "server");
    if (auto total = number_at(cpu, "total")) {
      b.measures.push_back({"cpu-us-per-handshake", "us", false, *total, std::nullopt, std::nullopt,
                            client_cpu && server_cpu ? fmt::format("client {} us, server {} us; {}",
                                                                   *client_cpu, *server_cpu, about)
                                                     : about});
    }
    if (client_cpu)
      b.measures.push_back({"client-cpu-us-per-handshake", "us", false, *client_cpu, std::nullopt,
                            std::nullopt, about});
    if (server_cpu)
      b.measures.push_back({"server-cpu-us-per-handshake", "us", false, *server_cpu, std::nullopt,
                            std::nullopt, about});
    const json& latency = object_at(r, "latency_us");
    for (const char* p : {"p50", "p99"}) {
      if (auto v = number_at(latency, p))
        b.measures.push_back(
            {fmt::format("latency-{}-us", p), "us", false, *v, std::nullopt, std::nullopt, about});
    }
    const json& icount = object_at(r, "icount");
    const std::optional<double> client_ic = number_at(icount, "client");
    const std::optional<double> server_ic = number_at(icount, "server");
    if (auto total = number_at(icount, "total")) {
      b.measures.push_back(
          {"instructions-per-handshake", "instructions", false, *total, std::nullopt, std::nullopt,
           client_ic && server_ic ? fmt::format("client {}, server {}; {}", count_text(*client_ic),
                                                count_text(*server_ic), about)
                                  : about});
    }
    if (client_ic)
      b.measures.push_back({"client-instructions-per-handshake", "instructions", false, *client_ic,
                            std::nullopt, std::nullopt, about});
    if (server_ic)
      b.measures.push_back({"server-instructions-per-handshake", "instructions", false, *server_ic,
                            std::nullopt, std::nullopt, about});
    const json& memory = object_at(r, "memory");
    if (auto v = number_at(memory, "bytes_allocated_per_handshake"))
      b.measures.push_back(
          {"bytes-allocated-per-handshake", "bytes", false, *v, std::nullopt, std::nullopt, about});
    if (auto v = number_at(memory, "allocations_per_handshake"))
      b.measures.push_back({"allocations-per-handshake", "allocations", false, *v, std::nullopt,
                            std::nullopt, about});
    const std::string result_name = b.name;
    out.push_back(std::move(b));

    // Steps: a result may hold the same (user step, side, action, message)
    // more than once (compare tells them apart by occurrence the same way),
    // so a repeat's name gets " #2" and on.
    std::map<std::string, int> seen;
    for (const json& s : object_at(r, "steps")) {
      const json& user = object_at(s, "user_step");
      std::string step = fmt::format(
          "{}/step {} {} {} {}", result_name, user.is_number_integer() ? user.get<int>() : 0,
          string_at(s, "side"), string_at(s, "action"), string_at(s, "message"));
      if (const int k = ++seen[step]; k > 1) step += fmt::format(" #{}", k);
      Benchmark sb{step, {}};
      if (auto v = number_at(s, "mean_us")) {
        const auto p50 = number_at(s, "p50_us"), p99 = number_at(s, "p99_us");
        sb.measures.push_back(
            {"step-us", "us", false, *v, std::nullopt, std::nullopt,
             p50 && p99 ? fmt::format("p50 {} us, p99 {} us; {}", *p50, *p99, about) : about});
      }
      if (auto v = number_at(s, "icount"))
        sb.measures.push_back(
            {"step-instructions", "instructions", false, *v, std::nullopt, std::nullopt, about});
      if (!sb.measures.empty()) out.push_back(std::move(sb));
    }
  }
  return out;
}

void write_bmf_doc(const std::vector<Benchmark>& benchmarks, std::ostream& out) {
  ordered_json doc = ordered_json::object();
  for (const Benchmark& b : benchmarks) {
    ordered_json measures = ordered_json::object();
    for (const Measure& m : b.measures) {
      ordered_json v = {{"value", m.value}};
      if (m.lower) v["lower_value"] = *m.lower;
      if (m.upper) v["upper_value"] = *m.upper;
      measures[m.slug] = std::move(v);
    }
    doc[b.name] = std::move(measures);
  }
  out << doc.dump(2) << '\n';
}

// The measures of one direction; the entry's name says which measure it is,
// since the action draws one chart per name.
void write_github_doc(const std::vector<Benchmark>& benchmarks, bool higher_is_better,
                      std::ostream& out) {
  ordered_json list = ordered_json::array();
  for (const Benchmark& b : benchmarks) {
    for (const Measure& m : b.measures) {
      if (m.higher_is_better != higher_is_better) continue;
      ordered_json e = {{"name", b.name + " " + m.slug}, {"unit", m.unit}, {"value", m.value}};
      if (m.lower && m.upper) {
        e["range"] = fmt::format("± {}", round_to((*m.upper - *m.lower) / 2, 1e3));
      }
      if (!m.extra.empty()) e["extra"] = m.extra;
      list.push_back(std::move(e));
    }
  }
  out << list.dump(2) << '\n';
}

void write_doc(const json& doc, Format format, std::ostream& out) {
  const std::vector<Benchmark> benchmarks = collect(doc);
  switch (format) {
    case Format::bmf:
      return write_bmf_doc(benchmarks, out);
    case Format::github_benchmark:
      return write_github_doc(benchmarks, false, out);
    case Format::github_benchmark_bigger:
      return write_github_doc(benchmarks, true, out);
    default:
      return;
  }
}

void write_from_report(const Report& report, Format format, std::ostream& out) {
  std::ostringstream text;
  write_json(report, text);
  write_doc(json::parse(text.str()), format, out);
}

}  // namespace

bool is_ci_format(Format format) {
  return format == Format::bmf || format == Format::github_benchmark ||
         format == Format::github_benchmark_bigger;
}

void write_bmf(const Report& report, std::ostream& out) {
  write_from_report(report, Format::bmf, out);
}
void write_github_benchmark(const Report& report, std::ostream& out) {
  write_from_report(report, Format::github_benchmark, out);
}
void write_github_benchmark_bigger(const Report& report, std::ostream& out) {
  write_from_report(report, Format::github_benchmark_bigger, out);
}

bool export_result(std::string_view text, const std::string& path, Format format, std::ostream& out,
                   std::string* out_error) {
  if (!is_ci_format(format)) {
    *out_error = "export writes bmf, github-benchmark or github-benchmark-bigger";
    return false;
  }
  CompareInput checked;
  if (!parse_compare_input(text, path, CompareMetric::hs_per_sec, &checked, out_error))
    return false;
  if (checked.results.empty()) {
    *out_error = fmt::format("{}: no measured result (every result was skipped)", path);
    return false;
  }
  write_doc(json::parse(text.begin(), text.end()), format, out);
  return true;
}

bool export_result_file(const std::string& path, Format format, std::ostream& out,
                        std::string* out_error) {
  std::string text;
  if (!read_text_file(path, &text, out_error)) return false;
  return export_result(text, path, format, out, out_error);
}

}  // namespace hsbench
