#include "hsbench/report.h"

namespace hsbench {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::table;
  if (name == "json") return Format::json;
  if (name == "csv") return Format::csv;
  if (name == "gbench") return Format::gbench;
  if (name == "bmf") return Format::bmf;
  if (name == "github-benchmark") return Format::github_benchmark;
  if (name == "github-benchmark-bigger") return Format::github_benchmark_bigger;
  return std::nullopt;
}

void write_report(const Report& report, Format format, std::ostream& out) {
  switch (format) {
    case Format::table:
      return write_table(report, out);
    case Format::json:
      return write_json(report, out);
    case Format::csv:
      return write_csv(report, out);
    case Format::gbench:
      return write_gbench(report, out);
    case Format::bmf:
      return write_bmf(report, out);
    case Format::github_benchmark:
      return write_github_benchmark(report, out);
    case Format::github_benchmark_bigger:
      return write_github_benchmark_bigger(report, out);
  }
}

}  // namespace hsbench
