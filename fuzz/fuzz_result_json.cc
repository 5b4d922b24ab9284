// The result-JSON reader behind `hsbench compare` (parse_compare_input, for
// each metric), then a comparison of what it read against itself, written in
// every format. A document compared with itself has neither regressions nor
// improvements, and nothing only on one side (the reader refuses a result
// that appears twice). input = a JSON document; seeds are real hsbench
// runs on the null backend (make_corpus.cc).
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "hsbench/compare.h"

using namespace hsbench;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (CompareMetric metric :
       {CompareMetric::hs_per_sec, CompareMetric::cpu_us, CompareMetric::icount}) {
    CompareInput input;
    std::string error;
    if (!parse_compare_input(text, "fuzz.json", metric, &input, &error)) {
      // One line that names the file.
      if (error.rfind("fuzz.json: ", 0) != 0 || error.size() <= 11) {
        std::fprintf(stderr, "fuzz_result_json: bad error line: %s\n", error.c_str());
        std::abort();
      }
      continue;
    }
    CompareOptions options;
    options.metric = metric;
    CompareReport report = compare_runs(input, input, options);
    if (report.regressions != 0 || report.improvements != 0 ||
        report.rows.size() != input.results.size() || !report.only_in_base.empty() ||
        !report.only_in_new.empty()) {
      std::fprintf(stderr, "fuzz_result_json: a document differs from itself\n");
      std::abort();
    }
    std::ostringstream out;
    write_compare_table(report, out);
    write_compare_markdown(report, out);
    write_compare_json(report, out);
  }
  return 0;
}
