// The continuous-benchmarking formats (Bencher Metric Format and
// github-action-benchmark's custom JSON): golden checks of hsbench export on
// the reporters' fixed JSON document (golden/report.json, kept by
// report_test.cc) with instruction counts added as scripts/icount.sh adds
// them, the shape each service reads, the refusals, and the command line.
// After an intended change, regenerate with HSBENCH_UPDATE_GOLDEN=1 and
// review the diff.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "hsbench/report.h"

namespace hsbench {
namespace {

using nlohmann::json;

const std::string kGoldenDir = std::string(HSBENCH_SOURCE_DIR) + "/tests/report/golden/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fixed report's JSON with icount on its first result and that result's
// steps, in the shape scripts/icount.py writes.
json counted_document() {
  json doc = json::parse(slurp(kGoldenDir + "report.json"));
  json& r = doc["results"][0];
  r["icount"] = {{"total", 11290000.5}, {"client", 4650000.25}, {"server", 6590000}};
  double instr = 100000;
  for (json& s : r["steps"]) {
    s["icount"] = instr;
    instr *= 3;
  }
  return doc;
}

std::string exported(const json& doc, Format format) {
  std::ostringstream out;
  std::string error;
  EXPECT_TRUE(export_result(doc.dump(), "counted.json", format, out, &error)) << error;
  return out.str();
}

void check_golden(const std::string& file, const std::string& actual) {
  const std::string path = kGoldenDir + file;
  if (std::getenv("HSBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "updated " << path;
  }
  const std::string expected = slurp(path);
  ASSERT_FALSE(expected.empty()) << "missing golden file " << path;
  EXPECT_EQ(actual, expected) << "output differs from " << path
                              << " (HSBENCH_UPDATE_GOLDEN=1 regenerates it)";
}

TEST(CiFormatsTest, BmfGolden) {
  check_golden("bmf.json", exported(counted_document(), Format::bmf));
}
TEST(CiFormatsTest, GithubBenchmarkGolden) {
  check_golden("github-benchmark.json", exported(counted_document(), Format::github_benchmark));
}
TEST(CiFormatsTest, GithubBenchmarkBiggerGolden) {
  check_golden("github-benchmark-bigger.json",
               exported(counted_document(), Format::github_benchmark_bigger));
}

// The github-action-benchmark golden files read back, against the document
// they were exported from: each time's range is half its interval, the
// rate's interval inverted (threads * 1e6 / rate); each rate's range is half
// the rate's interval.
// An entry's "± X" is want, to the digits X shows.
::testing::AssertionResult range_is(const json& entry, double want) {
  const std::string range = entry.value("range", std::string());
  const std::string prefix = "± ";
  if (range.rfind(prefix, 0) != 0) return ::testing::AssertionFailure() << entry.dump();
  const std::string x = range.substr(prefix.size());
  const size_t point = x.find('.');
  const int decimals = point == std::string::npos ? 0 : static_cast<int>(x.size() - point - 1);
  // The exporter rounds the bounds to 1e-3 before halving their distance.
  const double got = std::stod(x), tolerance = 0.5 * std::pow(10.0, -decimals) + 1e-3;
  if (std::fabs(got - want) <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << range << " is not ± " << want;
}
::testing::AssertionResult about(double a, double b, double tolerance) {
  if (std::fabs(a - b) <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " is not " << b << " within " << tolerance;
}

TEST(CiFormatsTest, GithubBenchmarkGoldensHoldTheDocument) {
  const json doc = counted_document();
  const json smaller = json::parse(slurp(kGoldenDir + "github-benchmark.json"));
  const json bigger = json::parse(slurp(kGoldenDir + "github-benchmark-bigger.json"));
  auto find = [](const json& entries, const std::string& name) -> const json* {
    for (const json& e : entries) {
      if (e["name"] == name) return &e;
    }
    return nullptr;
  };
  size_t measured = 0;
  for (const json& r : doc["results"]) {
    if (r["status"] != "ok") continue;
    measured++;
    const std::string id =
        r["scenario"].get<std::string>() + "/" + r["backend"].get<std::string>() +
        (r["engine"] == "native" ? "/native" : "") + (r["timing"] == false ? "/no_timing" : "") +
        "/threads:" + std::to_string(r["threads"].get<int>());
    SCOPED_TRACE(id);
    const double threads = r["threads"];
    const double lo = r["handshakes_per_sec"]["ci95"][0], hi = r["handshakes_per_sec"]["ci95"][1];
    const json* time = find(smaller, id + " us-per-handshake");
    ASSERT_NE(time, nullptr);
    EXPECT_TRUE(about((*time)["value"], r["us_per_handshake"], 5e-4));
    EXPECT_TRUE(range_is(*time, (threads * 1e6 / lo - threads * 1e6 / hi) / 2));
    const json* cpu = find(smaller, id + " cpu-us-per-handshake");
    ASSERT_NE(cpu, nullptr);
    EXPECT_TRUE(about((*cpu)["value"], r["cpu_us_per_handshake"]["total"], 5e-4));
    EXPECT_EQ(find(smaller, id + " client-cpu-us-per-handshake") != nullptr,
              !r["cpu_us_per_handshake"]["client"].is_null());
    const json* rate = find(bigger, id + " handshakes-per-second");
    ASSERT_NE(rate, nullptr);
    EXPECT_TRUE(about((*rate)["value"], r["handshakes_per_sec"]["mean"], 5e-3));
    EXPECT_TRUE(range_is(*rate, (hi - lo) / 2));
  }
  EXPECT_EQ(measured, 4u);
  EXPECT_EQ(bigger.size(), measured);
}

TEST(CiFormatsTest, BmfShape) {
  const json doc = counted_document();
  const json bmf = json::parse(exported(doc, Format::bmf));
  ASSERT_TRUE(bmf.is_object());
  for (const auto& [name, measures] : bmf.items()) {
    ASSERT_TRUE(measures.is_object()) << name;
    ASSERT_FALSE(measures.empty()) << name;
    for (const auto& [slug, m] : measures.items()) {
      ASSERT_TRUE(m.contains("value")) << name << " " << slug;
      const double v = m["value"];
      if (m.contains("lower_value")) {
        EXPECT_LE(m["lower_value"].get<double>(), v) << name;
      }
      if (m.contains("upper_value")) {
        EXPECT_GE(m["upper_value"].get<double>(), v) << name;
      }
    }
  }
  // The rate and its interval as the document has them; the time's interval
  // is the rate's, inverted.
  const json& r = doc["results"][0];
  const json& first = bmf["tls12-rsa-rsa2048/openssl/threads:1"];
  EXPECT_EQ(first["handshakes-per-second"]["value"], r["handshakes_per_sec"]["mean"]);
  EXPECT_EQ(first["handshakes-per-second"]["lower_value"], r["handshakes_per_sec"]["ci95"][0]);
  EXPECT_EQ(first["handshakes-per-second"]["upper_value"], r["handshakes_per_sec"]["ci95"][1]);
  EXPECT_EQ(first["us-per-handshake"]["value"], r["us_per_handshake"]);
  EXPECT_NEAR(first["us-per-handshake"]["upper_value"].get<double>(),
              1e6 / r["handshakes_per_sec"]["ci95"][0].get<double>(), 1e-3);
  EXPECT_EQ(first["cpu-us-per-handshake"]["value"], r["cpu_us_per_handshake"]["total"]);
  EXPECT_EQ(first["client-cpu-us-per-handshake"]["value"], r["cpu_us_per_handshake"]["client"]);
  EXPECT_EQ(first["instructions-per-handshake"]["value"], 11290000.5);
  EXPECT_EQ(first["server-instructions-per-handshake"]["value"], 6590000);
  EXPECT_EQ(first["bytes-allocated-per-handshake"]["value"], 20480.5);
  // Every step of the counted result, in µs and instructions.
  const json& step =
      bmf["tls12-rsa-rsa2048/openssl/threads:1/step 6 server read ClientKeyExchange"];
  EXPECT_EQ(step["step-us"]["value"], r["steps"][3]["mean_us"]);
  EXPECT_EQ(step["step-instructions"]["value"], r["steps"][3]["icount"]);
  // The native result is its own benchmark, without instruction counts.
  const json& native = bmf["tls12-rsa-rsa2048/openssl/native/threads:1"];
  EXPECT_TRUE(native.contains("handshakes-per-second"));
  EXPECT_FALSE(native.contains("instructions-per-handshake"));
  // The untimed run has no per-side CPU time; skipped results are absent.
  const json& untimed = bmf["tls12-ecdhe-x25519-ecdsa-p256/openssl/no_timing/threads:1"];
  EXPECT_TRUE(untimed.contains("cpu-us-per-handshake"));
  EXPECT_FALSE(untimed.contains("client-cpu-us-per-handshake"));
  for (const auto& [name, measures] : bmf.items()) {
    EXPECT_EQ(name.find("boringssl"), std::string::npos) << name;
  }
}

// One repetition (scripts/icount.sh's runs): the interval is the mean
// twice, so no bounds and no range.
TEST(CiFormatsTest, OneRepetitionHasNoBounds) {
  json doc = counted_document();
  json& hps = doc["results"][0]["handshakes_per_sec"];
  hps["repetitions"] = {35.6};
  hps["mean"] = 35.6;
  hps["ci95"] = {35.6, 35.6};
  doc["results"][0]["us_per_handshake"] = 28090.607;
  const json bmf = json::parse(exported(doc, Format::bmf));
  const json& first = bmf["tls12-rsa-rsa2048/openssl/threads:1"];
  EXPECT_FALSE(first["handshakes-per-second"].contains("lower_value"));
  EXPECT_FALSE(first["us-per-handshake"].contains("upper_value"));
  const json bigger = json::parse(exported(doc, Format::github_benchmark_bigger));
  EXPECT_FALSE(bigger[0].contains("range"));
}

TEST(CiFormatsTest, GithubBenchmarkSplitsByDirection) {
  const json doc = counted_document();
  const json smaller = json::parse(exported(doc, Format::github_benchmark));
  const json bigger = json::parse(exported(doc, Format::github_benchmark_bigger));
  ASSERT_TRUE(smaller.is_array());
  ASSERT_TRUE(bigger.is_array());
  size_t measured = 0;
  for (const json& r : doc["results"]) measured += r["status"] == "ok";
  EXPECT_EQ(bigger.size(), measured);  // one handshakes/s entry per measured result
  for (const json& e : bigger) {
    EXPECT_EQ(e["unit"], "handshakes/s");
    EXPECT_TRUE(e["range"].get<std::string>().starts_with("± ")) << e.dump();
  }
  EXPECT_EQ(bigger[0]["name"], "tls12-rsa-rsa2048/openssl/threads:1 handshakes-per-second");
  EXPECT_NE(bigger[0]["extra"].get<std::string>().find("OpenSSL 3.0.0"), std::string::npos);
  bool has_instructions = false;
  for (const json& e : smaller) {
    EXPECT_TRUE(e.contains("name") && e.contains("unit") && e.contains("value")) << e.dump();
    EXPECT_NE(e["unit"], "handshakes/s");
    has_instructions |=
        e["name"] == "tls12-rsa-rsa2048/openssl/threads:1 instructions-per-handshake";
  }
  EXPECT_TRUE(has_instructions);
}

TEST(CiFormatsTest, RefusesWhatCompareRefuses) {
  const json good = counted_document();
  json wrong_schema = good;
  wrong_schema["schema"] = "hsbench/v0";
  json no_results = good;
  no_results.erase("results");
  json bad_rate = good;
  bad_rate["results"][0]["handshakes_per_sec"]["repetitions"] = "fast";
  json all_skipped = good;
  json kept = json::array();
  for (const json& r : good["results"]) {
    if (r["status"] != "ok") kept.push_back(r);
  }
  all_skipped["results"] = kept;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"schema\": \"hsbench/v1\", ", "not JSON"},
      {"[]", "not a JSON object"},
      {wrong_schema.dump(), "schema is \"hsbench/v0\""},
      {no_results.dump(), "results: missing"},
      {bad_rate.dump(), "results[0].handshakes_per_sec.repetitions"},
      {all_skipped.dump(), "no measured result"},
  };
  for (const auto& [text, says] : cases) {
    std::ostringstream out;
    std::string error;
    EXPECT_FALSE(export_result(text, "x.json", Format::bmf, out, &error)) << says;
    EXPECT_TRUE(out.str().empty()) << says;
    EXPECT_EQ(error.rfind("x.json: ", 0), 0u) << error;
    EXPECT_NE(error.find(says), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  std::ostringstream out;
  std::string error;
  EXPECT_FALSE(export_result(good.dump(), "x.json", Format::csv, out, &error));
}

TEST(CiFormatsTest, ParseFormat) {
  EXPECT_EQ(parse_format("bmf"), Format::bmf);
  EXPECT_EQ(parse_format("github-benchmark"), Format::github_benchmark);
  EXPECT_EQ(parse_format("github-benchmark-bigger"), Format::github_benchmark_bigger);
  EXPECT_FALSE(parse_format("bencher"));
  EXPECT_TRUE(is_ci_format(Format::bmf));
  EXPECT_FALSE(is_ci_format(Format::gbench));
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Outcome {
  int rc = -1;
  std::string out, err;
};

Outcome run_hsbench(const std::string& dir, const std::string& args) {
  const std::string cmd = quote(HSBENCH_BIN) + " " + args + " >" + quote(dir + "/stdout") + " 2>" +
                          quote(dir + "/stderr") + " </dev/null";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir + "/stdout"),
          slurp(dir + "/stderr")};
}

TEST(CiFormatsTest, ExportCommand) {
  char templ[] = "/tmp/hsbench-export-test-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const std::string dir = templ;
  const std::string good = dir + "/counted.json", corrupt = dir + "/corrupt.json";
  std::ofstream(good) << counted_document().dump();
  std::ofstream(corrupt) << "{\"schema\": \"hsbench/v1\", \"results\": [";

  Outcome o = run_hsbench(dir, "export " + quote(good) + " --format bmf");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(o.out, exported(counted_document(), Format::bmf));
  o = run_hsbench(dir, "export " + quote(good) + " --format github-benchmark");
  EXPECT_EQ(o.rc, 0) << o.err;
  EXPECT_TRUE(json::parse(o.out).is_array());

  for (const std::string& args :
       {"export " + quote(corrupt), "export " + quote(dir + "/missing.json"),
        "export " + quote(good) + " --format csv"}) {
    o = run_hsbench(dir, args);
    EXPECT_EQ(o.rc, 2) << args;
    EXPECT_TRUE(o.out.empty()) << args;
    ASSERT_FALSE(o.err.empty()) << args;
    EXPECT_EQ(o.err.find('\n'), o.err.size() - 1) << args << ": " << o.err;
  }
  std::system(("rm -rf " + quote(dir)).c_str());
}

}  // namespace
}  // namespace hsbench
