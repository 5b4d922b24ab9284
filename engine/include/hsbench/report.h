// Reporters: they format a Report and do nothing else (Google Benchmark's
// ConsoleReporter / JSONReporter, writing to an injected stream).
//  - JSON: schema "hsbench/v1", described by results/schema.json.
//  - table: the console table (results, then the per-step breakdown).
//  - CSV: one row per result.
//  - gbench: Google Benchmark's JSON, so that its tools/compare.py and
//    continuous-benchmarking services read hsbench runs.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "hsbench/result.h"

namespace hsbench {

inline constexpr std::string_view kSchemaVersion = "hsbench/v1";

enum class Format { table, json, csv, gbench };
std::optional<Format> parse_format(std::string_view name);

void write_json(const Report& report, std::ostream& out);
void write_table(const Report& report, std::ostream& out);
void write_csv(const Report& report, std::ostream& out);
void write_gbench(const Report& report, std::ostream& out);
void write_report(const Report& report, Format format, std::ostream& out);

// Writes contents to path atomically: a temporary file in the same
// directory, flushed, then renamed over path, so a reader sees the old file
// or the new one, never half of one. False and one line in out_error.
bool write_file_atomically(const std::string& path, std::string_view contents,
                           std::string* out_error);

// Checks, before a long run, that write_file_atomically(path) can succeed:
// the directory exists and takes a new file, and path is not a directory.
bool check_file_writable(const std::string& path, std::string* out_error);

}  // namespace hsbench
