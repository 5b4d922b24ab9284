// Reporters: they format a Report and do nothing else (Google Benchmark's
// ConsoleReporter / JSONReporter, writing to an injected stream).
//  - JSON: schema "hsbench/v1", described by results/schema.json.
//  - table: the console table (results, then the per-step breakdown).
//  - CSV: one row per result.
//  - gbench: Google Benchmark's JSON, so that its tools/compare.py and
//    continuous-benchmarking services read hsbench runs.
//  - bmf: Bencher Metric Format; github-benchmark, github-benchmark-bigger:
//    the JSON lists github-action-benchmark's customSmallerIsBetter and
//    customBiggerIsBetter tools read (ci_formats.cc).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "hsbench/result.h"

namespace hsbench {

inline constexpr std::string_view kSchemaVersion = "hsbench/v1";

enum class Format { table, json, csv, gbench, bmf, github_benchmark, github_benchmark_bigger };
std::optional<Format> parse_format(std::string_view name);

void write_json(const Report& report, std::ostream& out);
void write_table(const Report& report, std::ostream& out);
void write_csv(const Report& report, std::ostream& out);
void write_gbench(const Report& report, std::ostream& out);
void write_report(const Report& report, Format format, std::ostream& out);

// The continuous-benchmarking formats are made from the hsbench/v1 document,
// so that a run's stdout and `hsbench export` of its JSON are the same bytes,
// and a file with instruction counts (scripts/icount.sh) carries them over.
// For each measured result, named SCENARIO/BACKEND[/native][/no_timing]/threads:N
// as in gbench: handshakes/s with its 95% interval, µs per handshake (the
// interval inverted), CPU µs per handshake (total, client, server), latency
// p50/p99, instructions per handshake (total, client, server) and heap use
// where the document has them; and each step (NAME/step U SIDE ACTION
// MESSAGE) in µs and instructions. bmf holds them all; github-benchmark the
// lower-is-better ones, github-benchmark-bigger handshakes/s.
void write_bmf(const Report& report, std::ostream& out);
void write_github_benchmark(const Report& report, std::ostream& out);
void write_github_benchmark_bigger(const Report& report, std::ostream& out);
bool is_ci_format(Format format);

// Converts an hsbench/v1 document (text, read from path) to a format for
// which is_ci_format holds. The document is first read by compare's reader
// (read_compare_input), so what compare refuses is refused here: false and
// one line naming the file in out_error, nothing written to out. A document
// with no measured result is refused too.
bool export_result(std::string_view text, const std::string& path, Format format, std::ostream& out,
                   std::string* out_error);
bool export_result_file(const std::string& path, Format format, std::ostream& out,
                        std::string* out_error);

// Writes contents to path atomically: a temporary file in the same
// directory, flushed, then renamed over path, so a reader sees the old file
// or the new one, never half of one. False and one line in out_error.
bool write_file_atomically(const std::string& path, std::string_view contents,
                           std::string* out_error);

// Checks, before a long run, that write_file_atomically(path) can succeed:
// the directory exists and takes a new file, and path is not a directory.
bool check_file_writable(const std::string& path, std::string* out_error);

}  // namespace hsbench
