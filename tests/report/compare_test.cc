// hsbench compare (engine/report/compare.cc and the `compare` subcommand):
// synthetic pairs of runs give the right verdicts and exit codes (no change;
// noise only; a 20% slowdown in one step of one scenario), unusable input is
// one line and exit 2, and a real A/A (the same build run twice) passes.
#include "hsbench/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_util.h"

namespace hsbench {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// --- synthetic runs -----------------------------------------------------------

// One step of a synthetic result: (user step, side, action, message, µs).
struct Step {
  int user_step;
  const char* side;
  const char* action;
  const char* message;
  double us;
};

// A TLS 1.2 RSA handshake's big steps: the server's RSA decrypt dominates.
std::vector<Step> rsa_steps() {
  return {{1, "client", "write", "ClientHello", 8},
          {1, "server", "read", "ClientHello", 3},
          {3, "client", "read", "Certificate", 150},
          {6, "client", "write", "ClientKeyExchange", 60},
          {6, "server", "read", "ClientKeyExchange", 700},
          {7, "server", "read", "Finished", 20},
          {5, "client", "read", "Finished", 9}};
}

std::vector<Step> ecdhe_steps() {
  return {{1, "client", "write", "ClientHello", 40},
          {2, "client", "read", "ServerHello", 90},
          {3, "client", "read", "Certificate", 150},
          {4, "server", "write", "CertificateVerify", 60},
          {4, "client", "read", "CertificateVerify", 80},
          {5, "client", "read", "Finished", 10}};
}

double total_us(const std::vector<Step>& steps) {
  double t = 0;
  for (const Step& s : steps) t += s.us;
  return t;
}

// Deterministic noise in [-1, 1] (a small LCG: the same on every machine).
struct Noise {
  uint64_t state;
  double next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53) * 2 - 1;
  }
};

struct SyntheticResult {
  std::string scenario;
  std::string backend = "openssl";
  int threads = 1;
  std::vector<Step> steps;
};

// An hsbench/v1 document: handshakes/s per repetition = 1e6 / (sum of the
// steps) with relative noise of +-noise, 5 repetitions.
ordered_json document(const std::vector<SyntheticResult>& results, double noise, uint64_t seed,
                      int repetitions = 5) {
  Noise n{seed};
  ordered_json rs = ordered_json::array();
  for (const SyntheticResult& r : results) {
    const double hps = 1e6 / total_us(r.steps);
    ordered_json reps = ordered_json::array();
    for (int i = 0; i < repetitions; i++) reps.push_back(hps * (1 + noise * n.next()));
    ordered_json steps = ordered_json::array();
    for (const Step& s : r.steps) {
      steps.push_back({{"user_step", s.user_step},
                       {"user_step_name", "step"},
                       {"message", s.message},
                       {"side", s.side},
                       {"action", s.action},
                       {"mean_us", s.us},
                       {"p50_us", s.us},
                       {"p99_us", s.us},
                       {"share", 0},
                       {"crypto", ordered_json::array()}});
    }
    rs.push_back({{"scenario", r.scenario},
                  {"backend", r.backend},
                  {"engine", "hsbench"},
                  {"threads", r.threads},
                  {"status", "ok"},
                  {"handshakes_per_sec", {{"mean", hps}, {"repetitions", reps}}},
                  {"cpu_us_per_handshake", {{"total", total_us(r.steps)}}},
                  {"steps", steps}});
  }
  rs.push_back({{"scenario", "tls12-ecdhe-p256-ecdsa-p256"},
                {"backend", "boringssl"},
                {"engine", "hsbench"},
                {"threads", 1},
                {"status", "skipped"},
                {"skip_reason", "not built"}});
  return {{"schema", "hsbench/v1"},
          {"context", {{"git_commit", "0123456789ab"}, {"date", "2026-01-02T03:04:05Z"}}},
          {"results", rs}};
}

std::vector<SyntheticResult> matrix() {
  return {{"tls12-rsa-rsa2048", "openssl", 1, rsa_steps()},
          {"tls12-ecdhe-x25519-ecdsa-p256", "openssl", 1, ecdhe_steps()},
          {"tls12-rsa-rsa2048", "boringssl", 1, rsa_steps()},
          {"tls12-rsa-rsa2048", "openssl", 2, rsa_steps()}};
}

// The same matrix with one step of one scenario 20% slower: the server's
// ClientKeyExchange of tls12-rsa-rsa2048 on openssl, one thread.
std::vector<SyntheticResult> matrix_with_slow_step(double factor = 1.2) {
  std::vector<SyntheticResult> m = matrix();
  for (Step& s : m[0].steps) {
    if (std::string(s.message) == "ClientKeyExchange" && std::string(s.side) == "server")
      s.us *= factor;
  }
  return m;
}

CompareInput parse(const ordered_json& doc, CompareMetric metric = CompareMetric::hs_per_sec) {
  CompareInput in;
  std::string error;
  EXPECT_TRUE(parse_compare_input(doc.dump(), "doc.json", metric, &in, &error)) << error;
  return in;
}

std::string parse_error(const std::string& text, CompareMetric metric = CompareMetric::hs_per_sec) {
  CompareInput in;
  std::string error;
  EXPECT_FALSE(parse_compare_input(text, "doc.json", metric, &in, &error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  return error;
}

CompareReport compare(const ordered_json& base, const ordered_json& neu, double threshold = 5,
                      CompareMetric metric = CompareMetric::hs_per_sec) {
  return compare_runs(parse(base, metric), parse(neu, metric), {threshold, metric});
}

int count(const CompareReport& r, Verdict v) {
  int n = 0;
  for (const Comparison& c : r.rows) n += c.verdict == v;
  return n;
}

// --- the statistics ---------------------------------------------------------------

TEST(WelchChange, MatchesTheFormula) {
  const std::vector<double> base = {1000, 1010, 990, 1005, 995};
  std::vector<double> slow;
  for (double v : base) slow.push_back(v * 0.8);
  const Change c = welch_change(base, slow);
  EXPECT_NEAR(c.delta_pct, -20, 1e-9);
  // s^2 = 62.5 and 40 (x0.64); se = sqrt(62.5/5 + 40/5) = 4.5277; df = 7.56 -> 7, t = 2.365.
  const double half = 2.365 * std::sqrt(62.5 / 5 + 40.0 / 5) / 1000 * 100;
  ASSERT_TRUE(c.lo_pct && c.hi_pct);
  EXPECT_NEAR(*c.lo_pct, -20 - half, 1e-9);
  EXPECT_NEAR(*c.hi_pct, -20 + half, 1e-9);
  EXPECT_EQ(judge(c, 5, true), Verdict::regression);
  EXPECT_EQ(judge(welch_change(slow, base), 5, true), Verdict::improvement);
}

TEST(WelchChange, SameValuesAreNoChange) {
  const std::vector<double> base = {1000, 1010, 990};
  const Change c = welch_change(base, base);
  EXPECT_EQ(c.delta_pct, 0);
  EXPECT_LT(*c.lo_pct, 0);
  EXPECT_GT(*c.hi_pct, 0);
  EXPECT_EQ(judge(c, 0, true), Verdict::no_change);
}

TEST(WelchChange, BeyondTheThresholdButNotSignificantIsNoChange) {
  const Change c = welch_change(std::vector<double>{1000, 1010, 990, 1005, 995},
                                std::vector<double>{700, 1300, 600, 1200, 800});
  EXPECT_LT(c.delta_pct, -5);
  EXPECT_EQ(judge(c, 5, true), Verdict::no_change);
}

TEST(WelchChange, OneValueLeavesTheThresholdToDecide) {
  const Change c = welch_change(std::vector<double>{100}, std::vector<double>{110});
  EXPECT_FALSE(c.lo_pct);
  EXPECT_EQ(judge(c, 5, false), Verdict::regression);  // lower is better: +10% is worse
  EXPECT_EQ(judge(c, 5, true), Verdict::improvement);  // higher is better
  EXPECT_EQ(judge(c, 15, false), Verdict::no_change);
}

TEST(WelchChange, ExactRepeatsGiveAnExactChange) {
  // Instruction counts repeat exactly: any change beyond the threshold counts.
  const Change c = welch_change(std::vector<double>{5e6, 5e6}, std::vector<double>{5.1e6, 5.1e6});
  EXPECT_NEAR(*c.lo_pct, 2, 1e-9);
  EXPECT_NEAR(*c.hi_pct, 2, 1e-9);
  EXPECT_EQ(judge(c, 1, false), Verdict::regression);
  EXPECT_EQ(judge(c, 2.5, false), Verdict::no_change);
}

// --- synthetic pairs ----------------------------------------------------------------

TEST(Compare, NoChange) {
  const ordered_json base = document(matrix(), 0.01, 1);
  const CompareReport r = compare(base, base);
  ASSERT_EQ(r.rows.size(), 4u);  // the skipped result is not compared
  EXPECT_EQ(r.regressions, 0);
  EXPECT_EQ(r.improvements, 0);
  for (const Comparison& c : r.rows) EXPECT_EQ(c.change.delta_pct, 0);
}

TEST(Compare, NoiseOnlyIsNoChange) {
  // +-3% noise on every repetition, different on each side, across seeds.
  for (uint64_t seed = 1; seed <= 20; seed++) {
    const CompareReport r =
        compare(document(matrix(), 0.03, seed), document(matrix(), 0.03, seed + 1000));
    EXPECT_EQ(r.regressions, 0) << "seed " << seed;
    EXPECT_EQ(r.improvements, 0) << "seed " << seed;
  }
}

TEST(Compare, ASlowStepIsARegressionOfItsScenarioAndNamed) {
  const CompareReport r =
      compare(document(matrix(), 0.01, 1), document(matrix_with_slow_step(), 0.01, 2));
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.regressions, 1);
  EXPECT_EQ(r.improvements, 0);
  const Comparison& c = r.rows[0];
  EXPECT_EQ(c.scenario, "tls12-rsa-rsa2048");
  EXPECT_EQ(c.backend, "openssl");
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.verdict, Verdict::regression);
  // 700 µs of 950 µs 20% slower: 1/(1 + 140/950) - 1 = -12.8% handshakes/s.
  EXPECT_NEAR(c.change.delta_pct, -12.8, 1.5);
  ASSERT_TRUE(c.worst_step);
  EXPECT_EQ(c.worst_step->base.user_step, 6);
  EXPECT_EQ(c.worst_step->base.side, "server");
  EXPECT_EQ(c.worst_step->base.action, "read");
  EXPECT_EQ(c.worst_step->base.message, "ClientKeyExchange");
  EXPECT_NEAR(c.worst_step->delta_pct, 20, 1e-9);
  for (size_t i = 1; i < r.rows.size(); i++) {
    EXPECT_EQ(r.rows[i].verdict, Verdict::no_change) << r.rows[i].scenario;
    EXPECT_FALSE(r.rows[i].worst_step);
  }
}

TEST(Compare, AFasterStepIsAnImprovement) {
  const CompareReport r =
      compare(document(matrix_with_slow_step(), 0.01, 1), document(matrix(), 0.01, 2));
  EXPECT_EQ(r.regressions, 0);
  EXPECT_EQ(r.improvements, 1);
  EXPECT_EQ(r.rows[0].verdict, Verdict::improvement);
}

TEST(Compare, ASlowdownUnderTheThresholdIsNoChange) {
  const CompareReport r =
      compare(document(matrix(), 0.005, 1), document(matrix_with_slow_step(1.04), 0.005, 2), 5);
  EXPECT_EQ(r.regressions, 0);
  EXPECT_EQ(count(r, Verdict::no_change), 4);
}

TEST(Compare, CpuMetricIsLowerIsBetterAndThresholdOnly) {
  const CompareReport r =
      compare(document(matrix(), 0.01, 1), document(matrix_with_slow_step(), 0.01, 2), 5,
              CompareMetric::cpu_us);
  EXPECT_EQ(r.regressions, 1);
  EXPECT_FALSE(r.rows[0].change.lo_pct);
  EXPECT_NEAR(r.rows[0].change.delta_pct, 140.0 / 950 * 100, 1e-6);
}

TEST(Compare, ResultsInOneFileOnlyAreListed) {
  std::vector<SyntheticResult> fewer = matrix();
  fewer.pop_back();
  std::vector<SyntheticResult> more = matrix();
  more.push_back({"tls13-x25519-rsa2048", "openssl", 1, ecdhe_steps()});
  const CompareReport r = compare(document(fewer, 0.01, 1), document(more, 0.01, 2));
  EXPECT_EQ(r.rows.size(), 3u);
  EXPECT_TRUE(r.only_in_base.empty());
  ASSERT_EQ(r.only_in_new.size(), 2u);
  EXPECT_EQ(r.only_in_new[0], "tls12-rsa-rsa2048 openssl hsbench 2t");
}

TEST(Compare, IcountOnlyWhereCounted) {
  ordered_json base = document(matrix(), 0, 1, 1);
  ordered_json neu = document(matrix(), 0, 1, 1);
  base["results"][1]["icount"] = {{"total", 4000000}};
  neu["results"][1]["icount"] = {{"total", 4100000}};
  const CompareReport r = compare(base, neu, 1, CompareMetric::icount);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].scenario, "tls12-ecdhe-x25519-ecdsa-p256");
  EXPECT_EQ(r.rows[0].verdict, Verdict::regression);
  EXPECT_NEAR(r.rows[0].change.delta_pct, 2.5, 1e-9);
}

// --- network results (hsbench connect, hsbench serve) ---------------------------------

struct NetResult {
  std::string role;  // empty: an in-memory result
  std::string target;
  double hps;
  double p99_us;
};

// Network results of one scenario and backend, 3 repetitions each with
// +-0.5% spread, the handshake's p99 in latency_us.
ordered_json network_document(const std::vector<NetResult>& results) {
  ordered_json rs = ordered_json::array();
  for (const NetResult& r : results) {
    ordered_json j = {{"scenario", "tls13-x25519-ecdsa-p256"},
                      {"backend", "openssl"},
                      {"engine", "hsbench"},
                      {"threads", 1},
                      {"status", "ok"},
                      {"handshakes_per_sec",
                       {{"mean", r.hps}, {"repetitions", {r.hps * 0.995, r.hps, r.hps * 1.005}}}},
                      {"cpu_us_per_handshake", {{"total", 1e6 / r.hps}}},
                      {"latency_us", {{"p50", r.p99_us / 3}, {"p99", r.p99_us}}},
                      {"steps", ordered_json::array()}};
    if (!r.role.empty()) j["network"] = {{"role", r.role}, {"target", r.target}};
    rs.push_back(j);
  }
  return {{"schema", "hsbench/v1"}, {"context", {{"git_commit", "abc"}}}, {"results", rs}};
}

TEST(CompareNetwork, ResultsMatchOnRoleAndTarget) {
  const ordered_json base = network_document({{"client", "a:443", 1000, 9000},
                                              {"client", "b:443", 500, 9000},
                                              {"server", "a:443", 800, 4000},
                                              {"", "", 20000, 50}});
  const ordered_json neu = network_document({{"client", "a:443", 700, 9000},
                                             {"server", "a:443", 800, 4000},
                                             {"client", "c:443", 500, 9000},
                                             {"", "", 20000, 50}});
  const CompareReport r = compare(base, neu);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[0].role, "client");
  EXPECT_EQ(r.rows[0].target, "a:443");
  EXPECT_EQ(r.rows[0].verdict, Verdict::regression);
  EXPECT_NEAR(r.rows[0].change.delta_pct, -30, 1e-9);
  EXPECT_EQ(r.rows[1].role, "server");
  EXPECT_EQ(r.rows[1].verdict, Verdict::no_change);
  // The in-memory result of the same scenario matches only its own kind.
  EXPECT_EQ(r.rows[2].role, "");
  EXPECT_EQ(r.rows[2].base_mean, 20000);
  EXPECT_EQ(r.only_in_base,
            std::vector<std::string>{"tls13-x25519-ecdsa-p256 openssl hsbench 1t client b:443"});
  EXPECT_EQ(r.only_in_new,
            std::vector<std::string>{"tls13-x25519-ecdsa-p256 openssl hsbench 1t client c:443"});
  EXPECT_EQ(r.regressions, 1);
}

TEST(CompareNetwork, ATargetAlonePairsNothing) {
  const CompareReport r = compare(network_document({{"client", "a:443", 1000, 9000}}),
                                  network_document({{"client", "b:443", 1000, 9000}}));
  EXPECT_TRUE(r.rows.empty());
  EXPECT_EQ(r.only_in_base.size(), 1u);
  EXPECT_EQ(r.only_in_new.size(), 1u);
}

TEST(CompareNetwork, P99IsLowerIsBetter) {
  const ordered_json base = network_document(
      {{"client", "a:443", 1000, 9000}, {"client", "b:443", 1000, 9000}, {"", "", 1000, 50}});
  ordered_json neu = network_document(
      {{"client", "a:443", 1000, 12000}, {"client", "b:443", 1000, 6000}, {"", "", 1000, 50}});
  neu["results"][2]["latency_us"] = nullptr;  // untimed: left out
  const CompareReport r = compare(base, neu, 5, CompareMetric::p99_us);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].verdict, Verdict::regression);
  EXPECT_NEAR(r.rows[0].change.delta_pct, 100.0 / 3, 1e-9);
  EXPECT_FALSE(r.rows[0].change.lo_pct);  // one value per result
  EXPECT_EQ(r.rows[1].verdict, Verdict::improvement);
  EXPECT_EQ(r.only_in_base.size(), 1u);
  EXPECT_EQ(parse_compare_metric("p99_us"), CompareMetric::p99_us);
  EXPECT_EQ(compare_metric_name(CompareMetric::p99_us), "p99_us");

  std::ostringstream table;
  write_compare_table(r, table);
  EXPECT_NE(table.str().find("metric: handshake latency p99 µs (lower is better)"),
            std::string::npos)
      << table.str();
}

TEST(CompareNetwork, OutputNamesRoleAndTarget) {
  const CompareReport r =
      compare(network_document({{"client", "a:443", 1000, 9000}, {"", "", 20000, 50}}),
              network_document({{"client", "a:443", 700, 9000}, {"", "", 20000, 50}}));
  std::ostringstream table, markdown, js;
  write_compare_table(r, table);
  write_compare_markdown(r, markdown);
  write_compare_json(r, js);
  EXPECT_NE(table.str().find("tls13-x25519-ecdsa-p256 [client a:443]  openssl"), std::string::npos)
      << table.str();
  EXPECT_NE(markdown.str().find("| tls13-x25519-ecdsa-p256 [client a:443] | openssl |"),
            std::string::npos)
      << markdown.str();
  const json v = json::parse(js.str());
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0]["role"], "client");
  EXPECT_EQ(v[0]["target"], "a:443");
  EXPECT_EQ(v[0]["verdict"], "regression");
  EXPECT_FALSE(v[1].contains("role"));  // in memory: as before
}

TEST(CompareNetwork, BadNetworkObjectsAreOneLine) {
  ordered_json doc = network_document({{"client", "a:443", 1000, 9000}});
  doc["results"][0]["network"]["role"] = "proxy";
  EXPECT_EQ(parse_error(doc.dump()),
            "doc.json: results[0].network.role: neither \"client\" nor \"server\"");
  doc = network_document({{"client", "a:443", 1000, 9000}});
  doc["results"][0]["network"].erase("target");
  EXPECT_EQ(parse_error(doc.dump()), "doc.json: results[0].network.target: missing");
  doc = network_document({{"client", "a:443", 1000, 9000}, {"client", "a:443", 900, 9000}});
  EXPECT_EQ(parse_error(doc.dump()),
            "doc.json: results[1]: tls13-x25519-ecdsa-p256 on openssl (hsbench, 1 threads, "
            "client of a:443) again, after results[0]");
  // Two targets in one file are two results.
  doc = network_document({{"client", "a:443", 1000, 9000}, {"client", "b:443", 900, 9000}});
  EXPECT_EQ(parse(doc).results.size(), 2u);
}

// --- unusable input ------------------------------------------------------------------

TEST(CompareInput, UnusableInputIsOneLineNamingTheFile) {
  EXPECT_NE(parse_error("{\"schema\": ").find("doc.json: not JSON: "), std::string::npos);
  EXPECT_NE(parse_error("").find("not JSON"), std::string::npos);
  EXPECT_EQ(parse_error("[1]"), "doc.json: not a JSON object");
  EXPECT_EQ(parse_error(R"({"schema": "hsbench/v2", "results": []})"),
            "doc.json: schema is \"hsbench/v2\", expected \"hsbench/v1\"");
  EXPECT_NE(parse_error(R"({"benchmarks": []})").find("no \"schema\" field"), std::string::npos);
  EXPECT_EQ(parse_error(R"({"schema": "hsbench/v1", "results": {}})"),
            "doc.json: results: not a list");

  ordered_json doc = document(matrix(), 0.01, 1);
  doc["results"][0]["handshakes_per_sec"]["repetitions"] = "many";
  EXPECT_EQ(parse_error(doc.dump()),
            "doc.json: results[0].handshakes_per_sec.repetitions: not a non-empty list of numbers");
  doc = document(matrix(), 0.01, 1);
  doc["results"][1]["threads"] = 0;
  EXPECT_EQ(parse_error(doc.dump()), "doc.json: results[1].threads: not a positive integer");
  doc = document(matrix(), 0.01, 1);
  doc["results"][2]["steps"][0]["side"] = "middle";
  EXPECT_NE(parse_error(doc.dump()).find("results[2].steps[0].side"), std::string::npos);
  doc = document(matrix(), 0.01, 1);
  doc["results"].push_back(doc["results"][0]);
  EXPECT_NE(parse_error(doc.dump()).find("again, after results[0]"), std::string::npos);
}

TEST(CompareInput, AMissingFileIsOneLine) {
  CompareInput in;
  std::string error;
  EXPECT_FALSE(
      read_compare_input("/nonexistent/base.json", CompareMetric::hs_per_sec, &in, &error));
  EXPECT_EQ(error, "/nonexistent/base.json: cannot read: No such file or directory");
}

// --- what it writes ------------------------------------------------------------------

TEST(CompareOutput, TableMarkdownAndJson) {
  const CompareReport r =
      compare(document(matrix(), 0.01, 1), document(matrix_with_slow_step(), 0.01, 2));
  std::ostringstream table, markdown, js;
  write_compare_table(r, table);
  write_compare_markdown(r, markdown);
  write_compare_json(r, js);

  const std::string t = table.str();
  EXPECT_NE(t.find("base doc.json (0123456789ab)"), std::string::npos) << t;
  EXPECT_NE(t.find("threshold 5%"), std::string::npos);
  EXPECT_NE(t.find("step that rose most: server read ClientKeyExchange (user step 6 step): "
                   "700.0 -> 840.0 µs, +20.0%"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("1 regression, 0 improvements, 3 no change (4 compared)"), std::string::npos)
      << t;

  const std::string m = markdown.str();
  EXPECT_EQ(m.rfind("### hsbench compare: 1 regression\n", 0), 0u) << m;
  EXPECT_NE(m.find("| tls12-rsa-rsa2048 | openssl | hsbench | 1 |"), std::string::npos);
  EXPECT_NE(m.find("**regression**"), std::string::npos);
  EXPECT_NE(m.find("<details><summary>3 with no change</summary>"), std::string::npos);

  const json verdicts = json::parse(js.str());
  ASSERT_TRUE(verdicts.is_array());
  ASSERT_EQ(verdicts.size(), 4u);
  for (const json& v : verdicts) {
    for (const char* k : {"scenario", "backend", "engine", "threads", "delta_pct", "verdict"})
      EXPECT_TRUE(v.contains(k)) << k;
  }
  EXPECT_EQ(verdicts[0]["verdict"], "regression");
  EXPECT_EQ(verdicts[0]["step"]["message"], "ClientKeyExchange");
  EXPECT_EQ(verdicts[0]["ci95_pct"].size(), 2u);
  EXPECT_EQ(verdicts[1]["verdict"], "no change");
  EXPECT_TRUE(verdicts[1]["step"].is_null());
}

// --- the command ---------------------------------------------------------------------

using test::Outcome;
using test::slurp;

int line_count(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

class CompareCommand : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()) << "cannot make a temporary directory"; }

  std::string write(const std::string& name, const std::string& text) {
    return tmp_.write(name, text);
  }

  Outcome run(const std::vector<std::string>& args) { return test::run_hsbench(dir_, args); }

  bool exists(const std::string& name) { return tmp_.exists(name); }

  test::TempDir tmp_{"compare-test"};
  std::string dir_ = tmp_.path();
};

TEST_F(CompareCommand, ExitCodesOfTheSyntheticPairs) {
  const std::string base = write("base.json", document(matrix(), 0.01, 1).dump());
  const std::string same = write("same.json", document(matrix(), 0.01, 1).dump());
  const std::string noisy = write("noisy.json", document(matrix(), 0.03, 7).dump());
  const std::string slow = write("slow.json", document(matrix_with_slow_step(), 0.01, 2).dump());

  Outcome o = run({"compare", base, same});
  EXPECT_EQ(o.rc, 0) << o.out << o.err;
  EXPECT_NE(o.out.find("0 regressions, 0 improvements, 4 no change"), std::string::npos);
  o = run({"compare", base, noisy});
  EXPECT_EQ(o.rc, 0) << o.out << o.err;
  o = run({"compare", base, slow, "--markdown", "pr.md", "--json", "verdicts.json"});
  EXPECT_EQ(o.rc, 1) << o.out << o.err;
  EXPECT_TRUE(o.err.empty()) << o.err;
  EXPECT_NE(o.out.find("regression"), std::string::npos);
  EXPECT_NE(slurp(dir_ + "/pr.md").find("### hsbench compare: 1 regression"), std::string::npos);
  const json verdicts = json::parse(slurp(dir_ + "/verdicts.json"));
  EXPECT_EQ(verdicts[0]["verdict"], "regression");
  // The same slowdown, under a 20% threshold, is no regression.
  o = run({"compare", base, slow, "--threshold", "20"});
  EXPECT_EQ(o.rc, 0) << o.out << o.err;
}

TEST_F(CompareCommand, UnusableInputIsOneLineAndExit2) {
  const std::string base = write("base.json", document(matrix(), 0.01, 1).dump());
  write("bad.json", "{\"schema\": \"hsbench/v1\", ");
  write("v2.json", R"({"schema": "hsbench/v2", "context": {}, "results": []})");
  std::vector<SyntheticResult> other = {{"tls13-x25519-rsa2048", "null", 1, ecdhe_steps()}};
  write("other.json", document(other, 0.01, 1).dump());
  const std::vector<std::vector<std::string>> cases = {
      {"compare", base, "bad.json"},
      {"compare", "v2.json", base},
      {"compare", base, "other.json"},  // nothing in common
      {"compare", base, "missing.json"},
      {"compare", base},  // NEW missing
      {"compare", base, base, "--metric", "speed"},
      {"compare", base, base, "--threshold", "-1"},
      {"compare", base, base, "--metric", "icount"},  // no instruction counts in either
      {"compare", base, base, "--json", "/nonexistent/dir/v.json"},
  };
  for (const auto& args : cases) {
    const Outcome o = run(args);
    std::string what;
    for (const auto& a : args) what += a + " ";
    EXPECT_EQ(o.rc, 2) << what << o.err;
    EXPECT_EQ(line_count(o.err), 1) << what << o.err;
    EXPECT_EQ(o.err.rfind("hsbench", 0), 0u) << what << o.err;
    EXPECT_TRUE(o.out.empty()) << what << o.out;
  }
  EXPECT_FALSE(exists("v.json"));
}

// A real A/A: the same build, run twice, compares clean. Wall time on a
// shared machine drifts between runs by more than the repetitions inside
// one run show, so this checks the mechanics (the runs match pair for pair
// and nothing regresses) with a threshold wide enough for that drift; the
// tight gate is the instruction count, which the same build repeats exactly.
TEST_F(CompareCommand, RealRunsAreMatchedAndJudged) {
  const std::vector<std::string> run_args = {
      "--backend",        HSBENCH_HAVE_OPENSSL ? "openssl,null" : "null",
      "--scenario",       "tls12-rsa-rsa2048,tls13-x25519-ecdsa-p256",
      "--handshakes",     "30",
      "--repetitions",    "5",
      "--warmup",         "0.01",
      "--no-lower-bound", "--quiet"};
  for (const char* name : {"a1.json", "a2.json"}) {
    std::vector<std::string> args = run_args;
    args.push_back("--json");
    args.push_back(name);
    const Outcome o = run(args);
    ASSERT_EQ(o.rc, 0) << o.err;
  }
  // Two real runs are matched result by result and judged. Whether wall
  // time moved between them is the machine's business, not the test's (a
  // shared machine can slow one run by half): exit 0 or 1, never 2, and a
  // verdict for every result. The A/A check that holds on any machine is the
  // instruction-count gate's (scripts/gate.sh).
  Outcome o = run({"compare", "a1.json", "a2.json", "--threshold", "50", "--json", "v.json"});
  EXPECT_TRUE(o.rc == 0 || o.rc == 1) << o.rc << o.out << o.err;
  const json verdicts = json::parse(slurp(dir_ + "/v.json"));
  EXPECT_EQ(verdicts.size(), HSBENCH_HAVE_OPENSSL ? 4u : 2u);
  for (const json& v : verdicts) {
    EXPECT_TRUE(v["verdict"] == "regression" || v["verdict"] == "improvement" ||
                v["verdict"] == "no change")
        << v.dump();
  }
  // A run against itself: exactly no change, at any threshold.
  o = run({"compare", "a1.json", "a1.json", "--threshold", "0"});
  EXPECT_EQ(o.rc, 0) << o.out << o.err;
  EXPECT_NE(o.out.find(" 0 improvements"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace hsbench
