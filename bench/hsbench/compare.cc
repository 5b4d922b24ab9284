// hsbench compare BASE.json NEW.json: result by result, with a verdict each.
#include "hsbench/compare.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "commands.h"
#include "hsbench/report.h"
#include "options.h"

namespace hsbench::cli {
namespace {

void add_compare_options(CLI::App* app, CompareArgs* o) {
  app->add_option("base", o->base_path, "The base run (hsbench --json)")->required();
  app->add_option("new", o->new_path, "The new run")->required();
  app->add_option("--threshold", o->threshold_pct,
                  "Percent change that counts, when the repetitions make it significant")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            if (end == s.c_str() || *end != '\0' || !std::isfinite(v) || v < 0)
              return "not a percentage of at least 0: " + s;
            return "";
          },
          "PCT"))
      ->capture_default_str();
  app->add_option("--metric", o->metric,
                  "hs_per_sec, cpu_us, icount or p99_us (handshake latency, lower is better)")
      ->check(CLI::IsMember({"hs_per_sec", "cpu_us", "icount", "p99_us"}).description(""))
      ->capture_default_str();
  app->add_option("--markdown", o->markdown_path, "Also write the table as markdown here");
  app->add_option("--json", o->json_path, "Also write the verdicts as JSON here");
}

}  // namespace

CLI::App* add_compare_command(CLI::App* app, CompareArgs* args) {
  auto* compare = app->add_subcommand(
      "compare", "Compare a run with a base run, result by result; exit 1 on a regression");
  add_compare_options(compare, args);
  return compare;
}

// 0: nothing regressed, 1: a regression, 2: unusable input.
int run_compare(const CompareArgs& o) {
  std::string error;
  for (const std::string* path : {&o.markdown_path, &o.json_path}) {
    if (!path->empty() && !check_file_writable(*path, &error)) {
      fmt::print(stderr, "hsbench compare: {}\n", error);
      return kExitBadInput;
    }
  }
  const CompareMetric metric = *parse_compare_metric(o.metric);
  CompareInput base, neu;
  if (!read_compare_input(o.base_path, metric, &base, &error) ||
      !read_compare_input(o.new_path, metric, &neu, &error)) {
    fmt::print(stderr, "hsbench compare: {}\n", error);
    return kExitBadInput;
  }
  const CompareReport report = compare_runs(base, neu, {o.threshold_pct, metric});
  if (report.rows.empty()) {
    fmt::print(stderr,
               "hsbench compare: {} and {} have no measured (scenario, backend, engine, threads) "
               "with {} in common\n",
               o.base_path, o.new_path, o.metric);
    return kExitBadInput;
  }
  write_compare_table(report, std::cout);
  std::cout.flush();
  auto write = [&](const std::string& path, void (*writer)(const CompareReport&, std::ostream&)) {
    if (path.empty()) return true;
    std::ostringstream text;
    writer(report, text);
    if (write_file_atomically(path, text.str(), &error)) return true;
    fmt::print(stderr, "hsbench compare: {}\n", error);
    return false;
  };
  if (!write(o.markdown_path, write_compare_markdown) || !write(o.json_path, write_compare_json))
    return kExitBadInput;
  return report.regressions > 0 ? kExitFailed : 0;
}

}  // namespace hsbench::cli
