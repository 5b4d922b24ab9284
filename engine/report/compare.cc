// hsbench compare: reading two hsbench/v1 documents, matching their results,
// judging each pair, and writing the verdicts (compare.h).
#include "hsbench/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <tuple>

#include "hsbench/report.h"
#include "report/util.h"
#include "stats/stats.h"

namespace hsbench {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

bool higher_is_better(CompareMetric m) { return m == CompareMetric::hs_per_sec; }

std::string_view metric_unit(CompareMetric m) {
  switch (m) {
    case CompareMetric::hs_per_sec:
      return "handshakes/s";
    case CompareMetric::cpu_us:
      return "CPU µs per handshake";
    case CompareMetric::icount:
      return "instructions per handshake";
    case CompareMetric::p99_us:
      return "handshake latency p99 µs";
  }
  return "";
}

// What a step costs, in the metric's step unit.
std::string_view step_unit(CompareMetric m) { return m == CompareMetric::icount ? "instr" : "µs"; }
const char* step_field(CompareMetric m) {
  switch (m) {
    case CompareMetric::icount:
      return "icount";
    case CompareMetric::p99_us:
      return "p99_us";
    default:
      return "mean_us";
  }
}

bool is_number(const json& j) { return j.is_number() && std::isfinite(j.get<double>()); }

// A bad document: one line naming the file and the place.
struct Bad {
  std::string message;
};

const json& field(const json& obj, const char* name, const std::string& at) {
  auto it = obj.find(name);
  if (it == obj.end()) throw Bad{fmt::format("{}.{}: missing", at, name)};
  return *it;
}

std::string string_field(const json& obj, const char* name, const std::string& at) {
  const json& j = field(obj, name, at);
  if (!j.is_string() || j.get_ref<const std::string&>().empty())
    throw Bad{fmt::format("{}.{}: not a non-empty string", at, name)};
  return j.get<std::string>();
}

double number_field(const json& obj, const char* name, const std::string& at) {
  const json& j = field(obj, name, at);
  if (!is_number(j)) throw Bad{fmt::format("{}.{}: not a number", at, name)};
  return j.get<double>();
}

// "tls13-... on openssl (hsbench, 1 threads, client of 127.0.0.1:4433)"
std::string key_text(const CompareSample& s) {
  std::string text =
      fmt::format("{} on {} ({}, {} threads", s.scenario, s.backend, s.engine, s.threads);
  if (!s.role.empty())
    text += fmt::format(", {} {}", s.role == "client" ? "client of" : "server on", s.target);
  return text + ")";
}

std::vector<CompareStep> read_steps(const json& r, CompareMetric metric, const std::string& at) {
  std::vector<CompareStep> out;
  auto it = r.find("steps");
  if (it == r.end()) return out;
  if (!it->is_array()) throw Bad{at + ".steps: not a list"};
  std::map<std::tuple<int, std::string, std::string, std::string>, int> seen;
  for (size_t i = 0; i < it->size(); i++) {
    const json& s = (*it)[i];
    const std::string sat = fmt::format("{}.steps[{}]", at, i);
    if (!s.is_object()) throw Bad{sat + ": not an object"};
    CompareStep step;
    const json& us = field(s, "user_step", sat);
    if (!us.is_number_integer() || us.get<int>() < 0 || us.get<int>() > 8)
      throw Bad{sat + ".user_step: not an integer 0..8"};
    step.user_step = us.get<int>();
    if (auto n = s.find("user_step_name"); n != s.end() && n->is_string())
      step.user_step_name = n->get<std::string>();
    step.side = string_field(s, "side", sat);
    step.action = string_field(s, "action", sat);
    step.message = string_field(s, "message", sat);
    if (step.side != "client" && step.side != "server")
      throw Bad{sat + ".side: neither \"client\" nor \"server\""};
    // Per-step instruction counts may be absent (counted per side only).
    if (metric == CompareMetric::icount && s.find("icount") == s.end()) return {};
    step.value = number_field(s, step_field(metric), sat);
    step.occurrence = seen[std::make_tuple(step.user_step, step.side, step.action, step.message)]++;
    out.push_back(std::move(step));
  }
  return out;
}

void read_document(const json& doc, CompareMetric metric, CompareInput* out) {
  if (!doc.is_object()) throw Bad{"not a JSON object"};
  auto schema = doc.find("schema");
  if (schema == doc.end())
    throw Bad{fmt::format("no \"schema\" field, so not an hsbench result file (expected \"{}\")",
                          kSchemaVersion)};
  if (!schema->is_string() || schema->get<std::string>() != kSchemaVersion)
    throw Bad{fmt::format("schema is {}, expected \"{}\"", schema->dump(), kSchemaVersion)};
  if (auto c = doc.find("context"); c != doc.end() && c->is_object()) {
    if (auto g = c->find("git_commit"); g != c->end() && g->is_string()) out->git_commit = *g;
    if (auto d = c->find("date"); d != c->end() && d->is_string()) out->date = *d;
  }
  const json& results = field(doc, "results", "(top level)");
  if (!results.is_array()) throw Bad{"results: not a list"};
  std::map<std::tuple<std::string, std::string, std::string, int, std::string, std::string>, size_t>
      seen;
  for (size_t i = 0; i < results.size(); i++) {
    const json& r = results[i];
    const std::string at = fmt::format("results[{}]", i);
    if (!r.is_object()) throw Bad{at + ": not an object"};
    CompareSample s;
    s.scenario = string_field(r, "scenario", at);
    s.backend = string_field(r, "backend", at);
    s.engine = string_field(r, "engine", at);
    const json& threads = field(r, "threads", at);
    if (!threads.is_number_integer() || threads.get<int>() < 1)
      throw Bad{at + ".threads: not a positive integer"};
    s.threads = threads.get<int>();
    if (auto net = r.find("network"); net != r.end()) {
      if (!net->is_object()) throw Bad{at + ".network: not an object"};
      s.role = string_field(*net, "role", at + ".network");
      if (s.role != "client" && s.role != "server")
        throw Bad{at + ".network.role: neither \"client\" nor \"server\""};
      s.target = string_field(*net, "target", at + ".network");
    }
    const std::string status = string_field(r, "status", at);
    if (status != "ok") continue;
    auto [it, fresh] = seen.emplace(
        std::make_tuple(s.scenario, s.backend, s.engine, s.threads, s.role, s.target), i);
    if (!fresh)
      throw Bad{fmt::format("{}: {} again, after results[{}]", at, key_text(s), it->second)};
    switch (metric) {
      case CompareMetric::hs_per_sec: {
        const json& hps = field(r, "handshakes_per_sec", at);
        if (!hps.is_object()) throw Bad{at + ".handshakes_per_sec: not an object"};
        const json& reps = field(hps, "repetitions", at + ".handshakes_per_sec");
        if (!reps.is_array() || reps.empty() || !std::all_of(reps.begin(), reps.end(), is_number))
          throw Bad{at + ".handshakes_per_sec.repetitions: not a non-empty list of numbers"};
        for (const json& v : reps) s.values.push_back(v.get<double>());
        break;
      }
      case CompareMetric::cpu_us: {
        const json& cpu = field(r, "cpu_us_per_handshake", at);
        if (!cpu.is_object()) throw Bad{at + ".cpu_us_per_handshake: not an object"};
        s.values.push_back(number_field(cpu, "total", at + ".cpu_us_per_handshake"));
        break;
      }
      case CompareMetric::icount: {
        auto ic = r.find("icount");
        if (ic == r.end() || ic->is_null()) continue;  // not counted in this run
        if (!ic->is_object()) throw Bad{at + ".icount: not an object"};
        s.values.push_back(number_field(*ic, "total", at + ".icount"));
        break;
      }
      case CompareMetric::p99_us: {
        auto lat = r.find("latency_us");
        if (lat == r.end() || lat->is_null()) continue;  // untimed: no latency
        if (!lat->is_object()) throw Bad{at + ".latency_us: not an object"};
        s.values.push_back(number_field(*lat, "p99", at + ".latency_us"));
        break;
      }
    }
    s.steps = read_steps(r, metric, at);
    out->results.push_back(std::move(s));
  }
}

std::string key_label(const CompareSample& s) {
  std::string label = fmt::format("{} {} {} {}t", s.scenario, s.backend, s.engine, s.threads);
  if (!s.role.empty()) label += fmt::format(" {} {}", s.role, s.target);
  return label;
}

// The scenario as the verdict tables name it: a network result says where.
std::string scenario_label(const Comparison& c) {
  if (c.role.empty()) return c.scenario;
  return fmt::format("{} [{} {}]", c.scenario, c.role, c.target);
}

double mean(std::span<const double> v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double sample_variance(std::span<const double> v, double m) {
  if (v.size() < 2) return 0;
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return ss / static_cast<double>(v.size() - 1);
}

// The step of a regressed result whose cost rose most.
std::optional<StepChange> worst_step(const CompareSample& base, const CompareSample& neu) {
  std::optional<StepChange> worst;
  for (const CompareStep& b : base.steps) {
    for (const CompareStep& n : neu.steps) {
      if (n.user_step != b.user_step || n.side != b.side || n.action != b.action ||
          n.message != b.message || n.occurrence != b.occurrence)
        continue;
      const double delta = n.value - b.value;
      if (delta > 0 && (!worst || delta > worst->delta)) {
        worst = StepChange{b, n.value, delta, b.value > 0 ? delta / b.value * 100 : 0};
      }
      break;
    }
  }
  return worst;
}

// 1234567 -> "1234567", 1234.5 -> "1234", 12.345 -> "12.35".
std::string number(double v) {
  const double a = std::fabs(v);
  if (a >= 1000) return fmt::format("{:.0f}", v);
  if (a >= 100) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

std::string pct(double v) { return fmt::format("{:+.1f}%", v); }

std::string interval(const Change& c) {
  if (!c.lo_pct) return "n/a (one value)";
  return fmt::format("[{}, {}]", pct(*c.lo_pct), pct(*c.hi_pct));
}

std::string step_text(const StepChange& s, CompareMetric metric) {
  const std::string user =
      s.base.user_step == 0
          ? std::string("outside the 8 steps")
          : fmt::format("{} {}", s.base.user_step,
                        s.base.user_step_name.empty() ? "" : s.base.user_step_name);
  return fmt::format("{} {} {} (user step {}): {} -> {} {}, {}", s.base.side, s.base.action,
                     s.base.message, user, number(s.base.value), number(s.new_value),
                     step_unit(metric), pct(s.delta_pct));
}

std::string method_text(const CompareReport& r) {
  return fmt::format(
      "metric: {} ({} is better); threshold {:g}%; a change counts when it is beyond the "
      "threshold and its 95% interval (Welch's t over the repetitions) excludes zero{}",
      metric_unit(r.options.metric), higher_is_better(r.options.metric) ? "higher" : "lower",
      r.options.threshold_pct,
      r.options.metric == CompareMetric::hs_per_sec
          ? ""
          : " (one value per result: the threshold alone decides, unless both sides repeat "
            "exactly)");
}

std::string summary_text(const CompareReport& r) {
  const int unchanged = static_cast<int>(r.rows.size()) - r.regressions - r.improvements;
  return fmt::format("{} regression{}, {} improvement{}, {} no change ({} compared{}{})",
                     r.regressions, r.regressions == 1 ? "" : "s", r.improvements,
                     r.improvements == 1 ? "" : "s", unchanged, r.rows.size(),
                     r.only_in_base.empty()
                         ? std::string()
                         : fmt::format("; {} only in base", r.only_in_base.size()),
                     r.only_in_new.empty() ? std::string()
                                           : fmt::format("; {} only in new", r.only_in_new.size()));
}

}  // namespace

std::optional<CompareMetric> parse_compare_metric(std::string_view name) {
  if (name == "hs_per_sec") return CompareMetric::hs_per_sec;
  if (name == "cpu_us") return CompareMetric::cpu_us;
  if (name == "icount") return CompareMetric::icount;
  if (name == "p99_us") return CompareMetric::p99_us;
  return std::nullopt;
}

std::string_view compare_metric_name(CompareMetric m) {
  switch (m) {
    case CompareMetric::hs_per_sec:
      return "hs_per_sec";
    case CompareMetric::cpu_us:
      return "cpu_us";
    case CompareMetric::icount:
      return "icount";
    case CompareMetric::p99_us:
      return "p99_us";
  }
  return "";
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::no_change:
      return "no change";
    case Verdict::regression:
      return "regression";
    case Verdict::improvement:
      return "improvement";
  }
  return "";
}

bool parse_compare_input(std::string_view text, const std::string& path, CompareMetric metric,
                         CompareInput* out, std::string* out_error) {
  *out = CompareInput{};
  out->path = path;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    // A syntax error, or a number no double holds (out_of_range 406).
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at ..."
    std::string what = e.what();
    if (auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      what = what.substr(p + 2);
    *out_error = fmt::format("{}: not JSON: {}", path, what);
    return false;
  }
  try {
    read_document(doc, metric, out);
  } catch (const Bad& bad) {
    *out_error = fmt::format("{}: {}", path, bad.message);
    return false;
  } catch (const json::exception& e) {  // a type the checks above did not foresee
    *out_error = fmt::format("{}: {}", path, e.what());
    return false;
  }
  return true;
}

bool read_compare_input(const std::string& path, CompareMetric metric, CompareInput* out,
                        std::string* out_error) {
  std::string text;
  if (!read_text_file(path, &text, out_error)) return false;
  return parse_compare_input(text, path, metric, out, out_error);
}

Change welch_change(std::span<const double> base, std::span<const double> neu) {
  Change c;
  if (base.empty() || neu.empty()) return c;
  const double mb = mean(base), mn = mean(neu);
  if (mb == 0) return c;
  c.delta_pct = (mn - mb) / mb * 100;
  if (base.size() < 2 || neu.size() < 2) return c;  // no spread to judge by
  const double sb = sample_variance(base, mb) / static_cast<double>(base.size());
  const double sn = sample_variance(neu, mn) / static_cast<double>(neu.size());
  const double se = std::sqrt(sb + sn);
  if (se == 0) {  // neither varies (instruction counts): the change is exact
    c.lo_pct = c.hi_pct = c.delta_pct;
    return c;
  }
  // Welch-Satterthwaite degrees of freedom, rounded down (a wider interval).
  const double df = (sb + sn) * (sb + sn) /
                    (sb * sb / static_cast<double>(base.size() - 1) +
                     sn * sn / static_cast<double>(neu.size() - 1));
  const double half = student_t95(static_cast<int>(std::floor(df))) * se / mb * 100;
  c.lo_pct = c.delta_pct - half;
  c.hi_pct = c.delta_pct + half;
  return c;
}

Verdict judge(const Change& c, double threshold_pct, bool higher_better) {
  const double worse = higher_better ? -c.delta_pct : c.delta_pct;
  bool significant_worse = true, significant_better = true;  // no interval: threshold alone
  if (c.lo_pct && c.hi_pct) {
    significant_worse = higher_better ? *c.hi_pct < 0 : *c.lo_pct > 0;
    significant_better = higher_better ? *c.lo_pct > 0 : *c.hi_pct < 0;
  }
  if (worse > threshold_pct && significant_worse) return Verdict::regression;
  if (-worse > threshold_pct && significant_better) return Verdict::improvement;
  return Verdict::no_change;
}

CompareReport compare_runs(const CompareInput& base, const CompareInput& neu,
                           const CompareOptions& options) {
  CompareReport report;
  report.options = options;
  report.base_path = base.path;
  report.new_path = neu.path;
  report.base_commit = base.git_commit;
  report.new_commit = neu.git_commit;
  auto same = [](const CompareSample& a, const CompareSample& b) {
    return a.scenario == b.scenario && a.backend == b.backend && a.engine == b.engine &&
           a.threads == b.threads && a.role == b.role && a.target == b.target;
  };
  for (const CompareSample& b : base.results) {
    auto n = std::find_if(neu.results.begin(), neu.results.end(),
                          [&](const CompareSample& x) { return same(b, x); });
    if (n == neu.results.end()) {
      report.only_in_base.push_back(key_label(b));
      continue;
    }
    Comparison c;
    c.scenario = b.scenario;
    c.backend = b.backend;
    c.engine = b.engine;
    c.threads = b.threads;
    c.role = b.role;
    c.target = b.target;
    c.base_n = b.values.size();
    c.new_n = n->values.size();
    c.base_mean = mean(b.values);
    c.new_mean = mean(n->values);
    c.change = welch_change(b.values, n->values);
    c.verdict = judge(c.change, options.threshold_pct, higher_is_better(options.metric));
    if (c.verdict == Verdict::regression) {
      c.worst_step = worst_step(b, *n);
      report.regressions++;
    } else if (c.verdict == Verdict::improvement) {
      report.improvements++;
    }
    report.rows.push_back(std::move(c));
  }
  for (const CompareSample& n : neu.results) {
    if (std::none_of(base.results.begin(), base.results.end(),
                     [&](const CompareSample& x) { return same(n, x); }))
      report.only_in_new.push_back(key_label(n));
  }
  return report;
}

void write_compare_table(const CompareReport& r, std::ostream& out) {
  out << fmt::format("base {}{}\nnew  {}{}\n{}\n\n", r.base_path,
                     r.base_commit.empty() ? "" : " (" + r.base_commit + ")", r.new_path,
                     r.new_commit.empty() ? "" : " (" + r.new_commit + ")", method_text(r));
  size_t w = 8;
  size_t bw = 10;  // the backend column: its longest name (boringssl-a13, your own builds)
  for (const Comparison& c : r.rows) {
    w = std::max(w, scenario_label(c).size());
    bw = std::max(bw, c.backend.size());
  }
  out << fmt::format("{:<{}}  {:<{}} {:<8} {:>3} {:>12} {:>12} {:>8}  {:<20} {}\n", "scenario", w,
                     "backend", bw, "engine", "thr", "base", "new", "delta", "95% interval",
                     "verdict");
  for (const Comparison& c : r.rows) {
    out << fmt::format("{:<{}}  {:<{}} {:<8} {:>3} {:>12} {:>12} {:>8}  {:<20} {}\n",
                       scenario_label(c), w, c.backend, bw, c.engine, c.threads, number(c.base_mean),
                       number(c.new_mean), pct(c.change.delta_pct), interval(c.change),
                       verdict_name(c.verdict));
    if (c.worst_step)
      out << fmt::format("{:<{}}  step that rose most: {}\n", "", w,
                         step_text(*c.worst_step, r.options.metric));
  }
  for (const std::string& k : r.only_in_base) out << "only in base: " << k << "\n";
  for (const std::string& k : r.only_in_new) out << "only in new: " << k << "\n";
  out << "\n" << summary_text(r) << "\n";
}

void write_compare_markdown(const CompareReport& r, std::ostream& out) {
  out << fmt::format("### hsbench compare: {}\n\n",
                     r.regressions > 0 ? fmt::format("{} regression{}", r.regressions,
                                                     r.regressions == 1 ? "" : "s")
                                       : std::string("no regression"));
  out << fmt::format("Base `{}`{}, new `{}`{}. {}.\n\n", r.base_path,
                     r.base_commit.empty() ? "" : " (" + r.base_commit + ")", r.new_path,
                     r.new_commit.empty() ? "" : " (" + r.new_commit + ")", method_text(r));
  // Changes first; the unchanged rows folded away, so the comment stays short.
  auto rows = [&](bool changed) {
    out << "| scenario | backend | engine | threads | base | new | delta | 95% interval | "
           "verdict | step that rose most |\n";
    out << "|---|---|---|--:|--:|--:|--:|---|---|---|\n";
    for (const Comparison& c : r.rows) {
      if ((c.verdict != Verdict::no_change) != changed) continue;
      const std::string v = c.verdict == Verdict::regression ? "**regression**"
                                                             : std::string(verdict_name(c.verdict));
      out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", scenario_label(c),
                         c.backend, c.engine, c.threads, number(c.base_mean), number(c.new_mean),
                         pct(c.change.delta_pct), interval(c.change), v,
                         c.worst_step ? step_text(*c.worst_step, r.options.metric) : "");
    }
  };
  const size_t changed = static_cast<size_t>(r.regressions + r.improvements);
  if (changed > 0) rows(true);
  if (changed < r.rows.size()) {
    out << fmt::format("\n<details><summary>{} with no change</summary>\n\n",
                       r.rows.size() - changed);
    rows(false);
    out << "\n</details>\n";
  }
  if (!r.only_in_base.empty() || !r.only_in_new.empty()) {
    out << "\n";
    for (const std::string& k : r.only_in_base) out << "- only in base: " << k << "\n";
    for (const std::string& k : r.only_in_new) out << "- only in new: " << k << "\n";
  }
  out << "\n" << summary_text(r) << ".\n";
}

void write_compare_json(const CompareReport& r, std::ostream& out) {
  ordered_json list = ordered_json::array();
  auto round4 = [](double v) { return std::round(v * 1e4) / 1e4; };
  for (const Comparison& c : r.rows) {
    ordered_json ci = nullptr;
    if (c.change.lo_pct) ci = {round4(*c.change.lo_pct), round4(*c.change.hi_pct)};
    ordered_json step = nullptr;
    if (c.worst_step) {
      const StepChange& s = *c.worst_step;
      step = {{"user_step", s.base.user_step}, {"user_step_name", s.base.user_step_name},
              {"side", s.base.side},           {"action", s.base.action},
              {"message", s.base.message},     {"base", round4(s.base.value)},
              {"new", round4(s.new_value)},    {"delta_pct", round4(s.delta_pct)}};
    }
    ordered_json row = {{"scenario", c.scenario},
                        {"backend", c.backend},
                        {"engine", c.engine},
                        {"threads", c.threads}};
    if (!c.role.empty()) {
      row["role"] = c.role;
      row["target"] = c.target;
    }
    row.update(ordered_json{{"metric", compare_metric_name(r.options.metric)},
                            {"threshold_pct", r.options.threshold_pct},
                            {"base", round4(c.base_mean)},
                            {"new", round4(c.new_mean)},
                            {"base_repetitions", c.base_n},
                            {"new_repetitions", c.new_n},
                            {"delta_pct", round4(c.change.delta_pct)},
                            {"ci95_pct", ci},
                            {"verdict", verdict_name(c.verdict)},
                            {"step", step}});
    list.push_back(std::move(row));
  }
  out << list.dump(2) << "\n";
}

}  // namespace hsbench
