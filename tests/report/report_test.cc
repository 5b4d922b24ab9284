// Golden checks of every reporter on a fixed report (Google Benchmark's
// test/reporter_output_test.cc): the table, JSON, CSV and gbench output of
// the same records, byte for byte. After an intended change, regenerate
// with HSBENCH_UPDATE_GOLDEN=1 and review the diff. The golden files being
// the reporters' own output, each is also read back and its numbers checked
// against the fixed report's, or against what the test works out from them
// (shares, per-repetition times, aggregates, percentages, KiB, ratios).
#include "hsbench/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "hsbench/runner.h"
#include "hsbench/scenario.h"

namespace hsbench {
namespace {

const std::string kGoldenDir = std::string(HSBENCH_SOURCE_DIR) + "/tests/report/golden/";

Summary summary(std::vector<double> v, double mean, double median, double stddev, double lo,
                double hi) {
  Summary s;
  s.values = std::move(v);
  s.mean = mean;
  s.median = median;
  s.stddev = stddev;
  s.ci95_lo = lo;
  s.ci95_hi = hi;
  return s;
}

StepResult step(int user, Side side, Action action, Message m, double mean,
                std::vector<OpResult> crypto = {}) {
  StepResult s;
  s.user_step = user;
  s.side = side;
  s.action = action;
  s.message = m;
  s.mean_us = mean;
  s.p50_us = mean * 0.98;
  s.p99_us = mean * 1.5;
  s.crypto = std::move(crypto);
  return s;
}

// By name: the order of LatencyUs's fields is no business of the fixture.
LatencyUs latency_of(double mean, double p50, double p90, double p99, double max) {
  LatencyUs l;
  l.mean = mean;
  l.p50 = p50;
  l.p90 = p90;
  l.p99 = p99;
  l.max = max;
  return l;
}

Result measured(const std::string& scenario, const std::string& backend, double scale) {
  Result r;
  r.scenario = scenario;
  r.config = scenario_config(*find_scenario(scenario));
  r.backend = backend;
  r.threads = 1;
  r.handshakes = 1500;
  r.duration_s = 1.25;
  r.handshakes_per_sec =
      summary({1190, 1205, 1200, 1210, 1195}, 1200, 1200, 7.905694, 1190.18, 1209.82);
  r.handshakes_per_sec.mean *= scale;
  r.handshakes_per_sec.median *= scale;
  r.handshakes_per_sec.stddev *= scale;
  r.handshakes_per_sec.ci95_lo *= scale;
  r.handshakes_per_sec.ci95_hi *= scale;
  for (double& v : r.handshakes_per_sec.values) v *= scale;
  r.repetitions.assign(r.handshakes_per_sec.values.size(), {300, 0.25, 820.5 / scale});
  r.us_per_handshake = 1e6 / r.handshakes_per_sec.mean;
  r.cpu_us_per_handshake.client_us = 120.25 / scale;
  r.cpu_us_per_handshake.server_us = 700.25 / scale;
  r.cpu_us_per_handshake.total_us = 820.5 / scale;
  r.latency_us =
      latency_of(830.0 / scale, 825.5 / scale, 850.0 / scale, 990.125 / scale, 2500.0 / scale);
  const OpResult decrypt{{OpKind::rsa_decrypt, 0, 2048}, "decrypt:rsa2048-pkcs1", 1, 650.0 / scale};
  const OpResult verify_chain{{OpKind::verify_chain}, "verify_chain", 1, 60.0 / scale};
  const OpResult hash{{OpKind::hash, 4}, "hash:sha256", 1, 0.5 / scale};
  r.steps = {
      step(1, Side::client, Action::write, Message::client_hello, 3.5 / scale),
      step(1, Side::server, Action::read, Message::client_hello, 2.25 / scale, {hash}),
      step(3, Side::client, Action::read, Message::certificate, 70.5 / scale, {verify_chain}),
      step(6, Side::server, Action::read, Message::client_key_exchange, 660.0 / scale, {decrypt}),
      step(8, Side::client, Action::read, Message::application_data, 1.125 / scale),
  };
  double total = 0;
  for (const StepResult& s : r.steps) total += s.mean_us;
  for (StepResult& s : r.steps) s.share = s.mean_us / total;
  r.ops_per_handshake = {hash, verify_chain, decrypt};
  r.lower_bound_terms = {{"hash:sha256", 1, 0.4 / scale},
                         {"verify_chain", 1, 55.0 / scale},
                         {"decrypt:rsa2048-pkcs1", 1, 640.0 / scale}};
  r.crypto_lower_bound_us = (0.4 + 55.0 + 640.0) / scale;
  r.overhead_ratio = r.cpu_us_per_handshake.total_us / *r.crypto_lower_bound_us;
  return r;
}

Report fixed_report() {
  Report report;
  ReportContext& c = report.context;
  c.tool_version = "0.1.0";
  c.git_commit = "0123456789ab";
  c.date = "2026-01-02T03:04:05Z";
  c.host = {"Test CPU @ 3.00GHz", 2, "Linux 6.1.0", "testhost"};
  c.compiler = "GNU 12.2.0";
  c.build_type = "Release";
  c.command_line = "hsbench --backend openssl,null";
  c.backends = {{"openssl", "OpenSSL 3.0.0 7 sep 2021"}, {"null", "null (no cryptography)"}};
  c.settings = {0.1, 0.25, 0, 5, {1}, true};
  report.results.push_back(measured("tls12-rsa-rsa2048", "openssl", 1));
  report.results.back().memory = MemoryPerHandshake{20480.5, 210.25, 9216, 8};
  {
    // A server flight beyond the initial window (11 segments): a round
    // trip more, modelled at 20 ms.
    WireResult w;
    auto flight = [&](Side side, std::vector<WireMessage> messages, int segments, bool hs) {
      WireFlight f;
      f.side = side;
      for (const WireMessage& m : messages) f.bytes += m.bytes;
      f.messages = std::move(messages);
      f.segments = segments;
      f.fits_initial_window = segments <= WireResult::kInitialWindow;
      f.handshake = hs;
      w.flights.push_back(std::move(f));
    };
    flight(Side::client, {{Message::client_hello, 117}}, 1, true);
    flight(Side::server,
           {{Message::server_hello, 58},
            {Message::certificate, 15900},
            {Message::server_hello_done, 9}},
           11, true);
    flight(Side::client,
           {{Message::client_key_exchange, 267},
            {Message::change_cipher_spec, 6},
            {Message::finished, 45}},
           1, true);
    flight(Side::server, {{Message::change_cipher_spec, 6}, {Message::finished, 45}}, 1, true);
    flight(Side::client, {{Message::application_data, 93}}, 1, false);
    w.round_trips = 4;
    w.rtt_ms = 20;
    w.modelled_ms = 80.9;
    report.results.back().wire = w;
  }
  // The library's own stack beside it: no crypto inside its steps, a hidden
  // boundary, the engine's lower bound.
  Result native = measured("tls12-rsa-rsa2048", "openssl", 0.8);
  native.engine = "native";
  for (StepResult& s : native.steps) s.crypto.clear();
  native.steps[1].approximate = true;
  native.ops_per_handshake.clear();
  native.memory = MemoryPerHandshake{61440, 640, 40960, 8};
  report.results.push_back(native);
  report.results.push_back(measured("tls12-rsa-rsa2048", "null", 20));
  report.results.back().memory_note = "this process does not count its heap";
  Result untimed = measured("tls12-ecdhe-x25519-ecdsa-p256", "openssl", 2);
  untimed.timing = false;
  untimed.steps.clear();
  untimed.latency_us.reset();
  untimed.cpu_us_per_handshake.client_us.reset();
  untimed.cpu_us_per_handshake.server_us.reset();
  untimed.crypto_lower_bound_us.reset();
  untimed.overhead_ratio.reset();
  untimed.lower_bound_terms.clear();
  untimed.lower_bound_error = "verify_chain: the operation failed";
  report.results.push_back(untimed);
  report.results.push_back(skipped_result(*find_scenario("tls12-ecdhe-p256-ecdsa-p256"),
                                          "boringssl", 1, "client failed: no shared group"));
  report.results.push_back(skipped_result(
      *find_scenario("tls13-psk-ecdsa-p256-resume"), "boringssl", 1,
      Failure{FailureKind::unsupported, "native client: psk_ke unsupported"}, EngineKind::native));
  return report;
}

// --- network mode (hsbench connect, hsbench serve) ---------------------------

LatencyUs latency(double p50) {
  LatencyUs l = latency_of(p50 * 1.1, p50, p50 * 1.6, p50 * 2.5, p50 * 4);
  l.p999 = p50 * 3.25;
  return l;
}

// A connect result: the client's steps only, the wire's phases, what the
// server chose, errors of two kinds and a --server-pid.
Result network_client(const std::string& backend, double scale) {
  Result r = measured("tls13-x25519-ecdsa-p256", backend, scale);
  r.cpu_us_per_handshake.client_us = 310.5 / scale;
  r.cpu_us_per_handshake.server_us = 420.25 / scale;
  r.cpu_us_per_handshake.total_us = 730.75 / scale;
  r.latency_us = latency(2400 / scale);
  std::erase_if(r.steps, [](const StepResult& s) { return s.side == Side::server; });
  r.crypto_lower_bound_us.reset();
  r.overhead_ratio.reset();
  r.lower_bound_terms.clear();
  r.lower_bound_error = "not timed in network mode";
  r.memory_note = "not measured in network mode";
  NetworkResult n;
  n.role = "client";
  n.target = "localhost:4433";
  n.address = "127.0.0.1:4433";
  n.load_model = "closed";
  n.connections = 8;
  n.close_mode = "fin";
  n.source_addresses = 16;
  n.request_bytes = 54;
  n.attempted = 1512;
  n.failed = 12;
  n.errors = {{"timeout", "", 2}, {"refused", "", 9}, {"alert", "handshake_failure", 1}};
  n.negotiated = Negotiated{
      "1.3", "TLS_AES_128_GCM_SHA256", "x25519", "ecdsa_secp256r1_sha256", "ecdsa-p256", 2, 957,
      false};
  n.phases = {{"connect", 1500, latency(150 / scale)},
              {"first_flight", 1500, latency(1900 / scale)},
              {"server_finished", 1500, latency(1950 / scale)},
              {"handshake", 1500, latency(2400 / scale)},
              {"first_byte", 1500, latency(2900 / scale)}};
  n.resumption_offered = 0;
  n.bytes_sent_per_handshake = 319;
  n.bytes_received_per_handshake = 5826.03;
  n.client_cpu_us_per_handshake = 310.5 / scale;
  n.client_utilization = 0.4611;
  n.server_cpu = {{4242, 420.25 / scale, 0.5125}};
  r.network = n;
  return r;
}

Report network_report() {
  Report report = fixed_report();
  report.context.command_line = "hsbench connect localhost:4433 --backend openssl,boringssl";
  report.results.clear();
  report.results.push_back(network_client("openssl", 1));
  {
    // Two MPI ranks merged into it, each with its row.
    NetworkResult& m = *report.results.back().network;
    m.completed = m.attempted + 37;
    m.abandoned = 2;
    m.ranks = 2;
    m.start_spread_us = 412.5;
    m.rank_results = {
        {0, "load-a", 1250, 416.67, 3, {{"timeout", "handshake", 3}}, 610.25, 0.52, 412.5},
        {1, "load-b", 1150, 383.33, 0, {}, 640.5, 0.55, 0}};
  }
  // Open loop, resumption on, no request, the chain unchecked and a warning.
  Result open = network_client("boringssl", 1.25);
  NetworkResult& n = *open.network;
  n.load_model = "open";
  n.rate = 1000;
  n.arrival = "poisson";
  n.connections = 1024;
  n.verify_chain = false;
  n.request_bytes = 0;
  n.failed = 0;
  n.errors.clear();
  n.phases.pop_back();
  n.corrected_us = latency(3100);
  n.uncorrected_us = latency(2000);
  n.resumption_offered = 1400;
  n.resumption_accepted = 1399;
  n.negotiated->varied = true;
  n.server_cpu.clear();
  open.cpu_us_per_handshake.server_us.reset();
  n.warnings = {"the load generator's threads were 97% busy: the client may be the limit"};
  report.results.push_back(open);
  report.results.push_back(skipped_result(*find_scenario("tls13-x25519-rsa2048"), "null", 1,
                                          "client failed: no certificate"));
  report.results.back().network = NetworkResult{};
  report.results.back().network->target = "localhost:4433";
  return report;
}

// A serve result: the server's steps only, one phase, its own CPU.
Report serve_report() {
  Report report = fixed_report();
  report.context.command_line = "hsbench serve --listen 127.0.0.1:0";
  report.context.settings = {0, 3, 0, 1, {2}, true};
  report.results.clear();
  Result r = measured("tls13-x25519-ecdsa-p256", "openssl", 1);
  r.threads = 2;
  r.handshakes_per_sec = summary({812.25}, 812.25, 812.25, 0, 812.25, 812.25);
  std::erase_if(r.steps, [](const StepResult& s) { return s.side == Side::client; });
  r.cpu_us_per_handshake.client_us.reset();
  r.cpu_us_per_handshake.server_us = 650.5;
  r.cpu_us_per_handshake.total_us = 650.5;
  r.latency_us = latency(820);
  r.crypto_lower_bound_us.reset();
  r.overhead_ratio.reset();
  r.lower_bound_terms.clear();
  NetworkResult n;
  n.role = "server";
  n.target = "127.0.0.1:0";
  n.address = "127.0.0.1:38211";
  n.requests = 2400;
  n.attempted = 2440;
  n.failed = 40;
  n.errors = {{"closed", "", 40}};
  n.phases = {{"handshake", 2400, latency(820)}};
  n.resumption_accepted = 600;
  r.network = n;
  report.results.push_back(r);
  return report;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void check_golden(const std::string& file, const std::string& actual) {
  const std::string path = kGoldenDir + file;
  if (std::getenv("HSBENCH_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
    GTEST_SKIP() << "updated " << path;
  }
  const std::string expected = read_file(path);
  ASSERT_FALSE(expected.empty()) << "missing golden file " << path;
  EXPECT_EQ(actual, expected) << "output differs from " << path
                              << " (HSBENCH_UPDATE_GOLDEN=1 regenerates it)";
}

std::string render(Format f) {
  std::ostringstream out;
  write_report(fixed_report(), f, out);
  return out.str();
}

std::string render(const Report& report, Format f) {
  std::ostringstream out;
  write_report(report, f, out);
  return out.str();
}

std::string line_with(const std::string& text, const std::string& what) {
  const size_t at = text.find(what);
  if (at == std::string::npos) return "";
  const size_t start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

TEST(ReportTest, TableGolden) { check_golden("table.txt", render(Format::table)); }
TEST(ReportTest, JsonGolden) { check_golden("report.json", render(Format::json)); }
TEST(ReportTest, CsvGolden) { check_golden("report.csv", render(Format::csv)); }
TEST(ReportTest, GbenchGolden) { check_golden("gbench.json", render(Format::gbench)); }

// ---- The golden files read back. ----

// a is b as printed with `decimals` digits after the point.
::testing::AssertionResult shown_as(double a, double b, int decimals) {
  const double tolerance = 0.5 * std::pow(10.0, -decimals) + 1e-9 * std::fabs(b);
  if (std::fabs(a - b) <= tolerance) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << a << " is not " << b << " to " << decimals << " decimals";
}
// A printed cell (a trailing % dropped) is b, to the digits it shows.
::testing::AssertionResult cell_is(const std::string& cell, double b) {
  std::string text = cell;
  if (!text.empty() && text.back() == '%') text.pop_back();
  char* end = nullptr;
  const double a = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') {
    return ::testing::AssertionFailure() << "\"" << cell << "\" is not a number (want " << b << ")";
  }
  const size_t point = text.find('.');
  const int decimals = point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
  return shown_as(a, b, decimals) << " (cell \"" << cell << "\")";
}

double mean_of(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}
double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
double sample_stddev_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double ss = 0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back().push_back(c);
    }
  }
  return out;
}
std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

TEST(ReportTest, GoldenJsonHoldsTheReport) {
  const Report report = fixed_report();
  const auto doc = nlohmann::json::parse(read_file(kGoldenDir + "report.json"));
  ASSERT_EQ(doc["results"].size(), report.results.size());
  for (size_t i = 0; i < report.results.size(); i++) {
    const Result& r = report.results[i];
    const auto& j = doc["results"][i];
    SCOPED_TRACE("result " + std::to_string(i));
    EXPECT_EQ(j["scenario"], r.scenario);
    EXPECT_EQ(j["backend"], r.backend);
    EXPECT_EQ(j["engine"], r.engine);
    EXPECT_EQ(j["threads"], r.threads);
    if (r.skipped) {
      EXPECT_EQ(j["status"], "skipped");
      EXPECT_EQ(j["skip_reason"], r.skip_reason);
      continue;
    }
    EXPECT_EQ(j["status"], "ok");
    EXPECT_EQ(j["handshakes"], r.handshakes);
    EXPECT_TRUE(shown_as(j["duration_s"], r.duration_s, 6));
    const Summary& h = r.handshakes_per_sec;
    const auto& jh = j["handshakes_per_sec"];
    EXPECT_TRUE(shown_as(jh["mean"], mean_of(h.values), 2));
    EXPECT_TRUE(shown_as(jh["median"], median_of(h.values), 2));
    EXPECT_TRUE(shown_as(jh["stddev"], sample_stddev_of(h.values), 2));
    EXPECT_TRUE(shown_as(jh["ci95"][0], h.ci95_lo, 2));
    EXPECT_TRUE(shown_as(jh["ci95"][1], h.ci95_hi, 2));
    ASSERT_EQ(jh["repetitions"].size(), h.values.size());
    for (size_t k = 0; k < h.values.size(); k++) {
      EXPECT_TRUE(shown_as(jh["repetitions"][k], h.values[k], 2));
    }
    // Time per handshake: threads over the mean rate.
    EXPECT_TRUE(shown_as(j["us_per_handshake"], r.threads * 1e6 / mean_of(h.values), 3));
    const auto& cpu = j["cpu_us_per_handshake"];
    EXPECT_TRUE(shown_as(cpu["total"], r.cpu_us_per_handshake.total_us, 3));
    if (r.cpu_us_per_handshake.client_us) {
      EXPECT_TRUE(shown_as(cpu["client"], *r.cpu_us_per_handshake.client_us, 3));
      EXPECT_TRUE(shown_as(cpu["server"], *r.cpu_us_per_handshake.server_us, 3));
    } else {
      EXPECT_TRUE(cpu["client"].is_null());
    }
    if (r.latency_us) {
      const auto& l = j["latency_us"];
      EXPECT_TRUE(shown_as(l["mean"], r.latency_us->mean, 3));
      EXPECT_TRUE(shown_as(l["p50"], r.latency_us->p50, 3));
      EXPECT_TRUE(shown_as(l["p90"], r.latency_us->p90, 3));
      EXPECT_TRUE(shown_as(l["p99"], r.latency_us->p99, 3));
      EXPECT_TRUE(shown_as(l["max"], r.latency_us->max, 3));
    } else {
      EXPECT_TRUE(j["latency_us"].is_null());
    }
    // Steps: each one's share is its mean over the sum of the means.
    ASSERT_EQ(j["steps"].size(), r.steps.size());
    double step_total = 0;
    for (const StepResult& st : r.steps) step_total += st.mean_us;
    for (size_t k = 0; k < r.steps.size(); k++) {
      const auto& js = j["steps"][k];
      EXPECT_EQ(js["side"], r.steps[k].side == Side::client ? "client" : "server");
      EXPECT_EQ(js["user_step"], r.steps[k].user_step);
      EXPECT_TRUE(shown_as(js["mean_us"], r.steps[k].mean_us, 3));
      EXPECT_TRUE(shown_as(js["p50_us"], r.steps[k].p50_us, 3));
      EXPECT_TRUE(shown_as(js["p99_us"], r.steps[k].p99_us, 3));
      EXPECT_TRUE(shown_as(js["share"], r.steps[k].mean_us / step_total, 4));
      ASSERT_EQ(js["crypto"].size(), r.steps[k].crypto.size());
    }
    // The lower bound is the sum of its terms, count times time alone.
    if (r.crypto_lower_bound_us) {
      double bound = 0;
      for (const LowerBoundTerm& t : r.lower_bound_terms) bound += t.count * t.us;
      EXPECT_TRUE(shown_as(j["crypto_lower_bound_us"], bound, 3));
      EXPECT_TRUE(shown_as(j["overhead_ratio"], *r.overhead_ratio, 4));
      ASSERT_EQ(j["lower_bound_terms"].size(), r.lower_bound_terms.size());
    } else {
      EXPECT_TRUE(j["crypto_lower_bound_us"].is_null());
    }
    if (r.memory) {
      const auto& m = j["memory"];
      EXPECT_TRUE(shown_as(m["bytes_allocated_per_handshake"], r.memory->bytes_allocated, 2));
      EXPECT_TRUE(shown_as(m["allocations_per_handshake"], r.memory->allocations, 2));
      EXPECT_EQ(m["peak_live_bytes"], r.memory->peak_live_bytes);
      EXPECT_EQ(m["handshakes_counted"], r.memory->handshakes);
    } else {
      EXPECT_TRUE(j["memory"].is_null());
    }
  }
}

TEST(ReportTest, GoldenCsvHoldsTheReport) {
  const Report report = fixed_report();
  std::istringstream in(read_file(kGoldenDir + "report.csv"));
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  std::map<std::string, size_t> column;
  const std::vector<std::string> header = split(line, ',');
  for (size_t c = 0; c < header.size(); c++) column[header[c]] = c;
  for (size_t i = 0; i < report.results.size(); i++) {
    ASSERT_TRUE(std::getline(in, line)) << "row " << i;
    const std::vector<std::string> row = split(line, ',');
    ASSERT_EQ(row.size(), header.size()) << line;
    auto cell = [&](const char* name) {
      EXPECT_EQ(column.count(name), 1u) << name;
      return row[column[name]];
    };
    const Result& r = report.results[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": " + line);
    EXPECT_EQ(cell("scenario"), r.scenario);
    EXPECT_EQ(cell("backend"), r.backend);
    EXPECT_EQ(cell("engine"), r.engine);
    if (r.skipped) {
      EXPECT_EQ(cell("status"), "skipped");
      EXPECT_EQ(cell("skip_reason"), r.skip_reason);
      EXPECT_EQ(cell("hs_per_sec_mean"), "");
      continue;
    }
    EXPECT_EQ(cell("status"), "ok");
    EXPECT_TRUE(cell_is(cell("handshakes"), static_cast<double>(r.handshakes)));
    const Summary& h = r.handshakes_per_sec;
    EXPECT_TRUE(cell_is(cell("hs_per_sec_mean"), mean_of(h.values)));
    EXPECT_TRUE(cell_is(cell("hs_per_sec_median"), median_of(h.values)));
    EXPECT_TRUE(cell_is(cell("hs_per_sec_stddev"), sample_stddev_of(h.values)));
    EXPECT_TRUE(cell_is(cell("hs_per_sec_ci95_lo"), h.ci95_lo));
    EXPECT_TRUE(cell_is(cell("hs_per_sec_ci95_hi"), h.ci95_hi));
    EXPECT_TRUE(cell_is(cell("us_per_handshake"), r.threads * 1e6 / mean_of(h.values)));
    EXPECT_TRUE(cell_is(cell("cpu_total_us"), r.cpu_us_per_handshake.total_us));
    if (r.cpu_us_per_handshake.client_us) {
      EXPECT_TRUE(cell_is(cell("cpu_client_us"), *r.cpu_us_per_handshake.client_us));
      EXPECT_TRUE(cell_is(cell("cpu_server_us"), *r.cpu_us_per_handshake.server_us));
    } else {
      EXPECT_EQ(cell("cpu_client_us"), "");
    }
    if (r.latency_us) {
      EXPECT_TRUE(cell_is(cell("latency_p50_us"), r.latency_us->p50));
      EXPECT_TRUE(cell_is(cell("latency_p99_us"), r.latency_us->p99));
      EXPECT_TRUE(cell_is(cell("latency_max_us"), r.latency_us->max));
    } else {
      EXPECT_EQ(cell("latency_p50_us"), "");
    }
    if (r.crypto_lower_bound_us) {
      double bound = 0;
      for (const LowerBoundTerm& t : r.lower_bound_terms) bound += t.count * t.us;
      EXPECT_TRUE(cell_is(cell("crypto_lower_bound_us"), bound));
      EXPECT_TRUE(cell_is(cell("overhead_ratio"), *r.overhead_ratio));
    } else {
      EXPECT_EQ(cell("crypto_lower_bound_us"), "");
    }
    if (r.memory) {
      EXPECT_TRUE(cell_is(cell("bytes_allocated_per_handshake"), r.memory->bytes_allocated));
      EXPECT_TRUE(cell_is(cell("allocations_per_handshake"), r.memory->allocations));
      EXPECT_TRUE(cell_is(cell("peak_live_bytes"), static_cast<double>(r.memory->peak_live_bytes)));
    } else {
      EXPECT_EQ(cell("bytes_allocated_per_handshake"), "");
    }
  }
  EXPECT_FALSE(std::getline(in, line)) << "a row too many: " << line;
}

// Google Benchmark's shape: per repetition, real_time is the time per
// handshake (threads over that repetition's rate), cpu_time its CPU per
// handshake; the aggregates are those of the repetitions' values.
TEST(ReportTest, GoldenGbenchHoldsTheReport) {
  const Report report = fixed_report();
  const auto doc = nlohmann::json::parse(read_file(kGoldenDir + "gbench.json"));
  const auto& benchmarks = doc["benchmarks"];
  size_t at = 0;
  for (const Result& r : report.results) {
    if (r.skipped) continue;
    const std::vector<double>& rates = r.handshakes_per_sec.values;
    std::vector<double> times, cpu;
    for (size_t k = 0; k < rates.size(); k++) {
      times.push_back(r.threads * 1e6 / rates[k]);
      cpu.push_back(r.repetitions[k].cpu_us_per_handshake);
    }
    const std::string name =
        r.scenario + "/" + r.backend + (r.engine == "native" ? "/native" : "") +
        (r.timing ? "" : "/no_timing") + "/threads:" + std::to_string(r.threads);
    SCOPED_TRACE(name);
    ASSERT_LE(at + rates.size() + 4, benchmarks.size());
    for (size_t k = 0; k < rates.size(); k++) {
      const auto& b = benchmarks[at++];
      EXPECT_EQ(b["name"], name);
      EXPECT_EQ(b["run_type"], "iteration");
      EXPECT_EQ(b["repetition_index"], k);
      EXPECT_EQ(b["iterations"], r.repetitions[k].handshakes);
      EXPECT_TRUE(shown_as(b["real_time"], times[k], 9));
      EXPECT_TRUE(shown_as(b["cpu_time"], cpu[k], 9));
      EXPECT_TRUE(shown_as(b["items_per_second"], rates[k], 9));
    }
    const double time_mean = mean_of(times), time_sd = sample_stddev_of(times);
    const double rate_mean = mean_of(rates), rate_sd = sample_stddev_of(rates);
    const struct {
      const char* aggregate;
      double real_time, cpu_time, items_per_second;
    } aggregates[] = {
        {"mean", time_mean, mean_of(cpu), rate_mean},
        {"median", median_of(times), median_of(cpu), median_of(rates)},
        {"stddev", time_sd, sample_stddev_of(cpu), rate_sd},
        {"cv", time_sd / time_mean, sample_stddev_of(cpu) / mean_of(cpu), rate_sd / rate_mean},
    };
    for (const auto& a : aggregates) {
      const auto& b = benchmarks[at++];
      EXPECT_EQ(b["name"], name + "_" + a.aggregate);
      EXPECT_EQ(b["aggregate_name"], a.aggregate);
      EXPECT_TRUE(shown_as(b["real_time"], a.real_time, 9)) << a.aggregate;
      EXPECT_TRUE(shown_as(b["cpu_time"], a.cpu_time, 9)) << a.aggregate;
      EXPECT_TRUE(shown_as(b["items_per_second"], a.items_per_second, 9)) << a.aggregate;
    }
  }
  EXPECT_EQ(at, benchmarks.size());
}

// The table's derived columns: ± is half the confidence interval as a
// percentage of the mean, KiB are bytes over 1024, "vs eng" the native rate
// over the engine's; per step, each side's time is the sum of that side's
// steps of that user step, and the totals the sums of the sides.
TEST(ReportTest, GoldenTableHoldsTheReport) {
  const Report report = fixed_report();
  std::istringstream in(read_file(kGoldenDir + "table.txt"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const Result* engine_openssl = &report.results[0];
  size_t checked = 0;
  for (const Result& r : report.results) {
    if (r.skipped) continue;
    const std::string backend = r.backend + (r.engine == "native" ? "/native" : "");
    const std::vector<std::string>* row = nullptr;
    std::vector<std::string> w;
    for (const std::string& line : lines) {
      w = words(line);
      if (w.size() == 13 && w[0] == r.scenario && w[1] == backend) {
        row = &w;
        break;
      }
    }
    ASSERT_NE(row, nullptr) << r.scenario << " " << backend;
    SCOPED_TRACE(r.scenario + " " + backend);
    const Summary& h = r.handshakes_per_sec;
    EXPECT_EQ(w[2], std::to_string(r.threads));
    EXPECT_TRUE(cell_is(w[3], mean_of(h.values)));
    EXPECT_TRUE(cell_is(w[4], (h.ci95_hi - h.ci95_lo) / 2 / mean_of(h.values) * 100));
    if (r.cpu_us_per_handshake.client_us) {
      EXPECT_TRUE(cell_is(w[5], *r.cpu_us_per_handshake.client_us));
      EXPECT_TRUE(cell_is(w[6], *r.cpu_us_per_handshake.server_us));
    } else {
      EXPECT_EQ(w[5], "-");
    }
    if (r.crypto_lower_bound_us) {
      EXPECT_TRUE(cell_is(w[7], *r.crypto_lower_bound_us));
      EXPECT_TRUE(cell_is(w[8], *r.overhead_ratio));
    } else {
      EXPECT_EQ(w[7], "-");
    }
    if (r.memory) {
      EXPECT_TRUE(cell_is(w[9], r.memory->bytes_allocated / 1024));
      EXPECT_TRUE(cell_is(w[10], r.memory->allocations));
      EXPECT_TRUE(cell_is(w[11], static_cast<double>(r.memory->peak_live_bytes) / 1024));
    } else {
      EXPECT_EQ(w[9], "-");
    }
    if (r.engine == "native") {
      EXPECT_TRUE(
          cell_is(w[12], mean_of(h.values) / mean_of(engine_openssl->handshakes_per_sec.values)));
    } else {
      EXPECT_EQ(w[12], "-");
    }
    checked++;
  }
  EXPECT_EQ(checked, 4u);

  // Per step: the timed results, in report order, are the table's columns.
  std::vector<const Result*> timed;
  for (const Result& r : report.results) {
    if (!r.skipped && !r.steps.empty()) timed.push_back(&r);
  }
  auto side_sum = [](const Result& r, int user_step, Side side) {
    double sum = 0;
    bool any = false;
    for (const StepResult& st : r.steps) {
      if ((user_step == 0 || st.user_step == user_step) && st.side == side) {
        sum += st.mean_us;
        any = true;
      }
    }
    return any ? std::optional<double>(sum) : std::nullopt;
  };
  size_t step_rows = 0;
  for (const std::string& line : lines) {
    std::vector<std::string> w = words(line);
    // "N Name words... c | s c | s ...", or "total c | s ...".
    int user_step = -1;
    if (!w.empty() && w[0] == "total") {
      user_step = 0;
    } else if (!w.empty() && w[0].size() == 1 &&
               std::isdigit(static_cast<unsigned char>(w[0][0])) && line.rfind("  ", 0) == 0) {
      user_step = w[0][0] - '0';
    } else {
      continue;
    }
    std::vector<std::string> cells;
    for (const std::string& x : w) {
      if (x == "-" || std::isdigit(static_cast<unsigned char>(x[0]))) cells.push_back(x);
    }
    if (user_step > 0) cells.erase(cells.begin());  // the step's number
    ASSERT_EQ(cells.size(), 2 * timed.size()) << line;
    for (size_t k = 0; k < timed.size(); k++) {
      for (Side side : {Side::client, Side::server}) {
        const std::string& c = cells[2 * k + (side == Side::client ? 0 : 1)];
        const std::optional<double> want = side_sum(*timed[k], user_step, side);
        if (want) {
          EXPECT_TRUE(cell_is(c, *want)) << line;
        } else {
          EXPECT_EQ(c, "-") << line;
        }
      }
    }
    step_rows++;
  }
  EXPECT_EQ(step_rows, 9u);  // user steps 1 to 8 and the total
}

TEST(ReportTest, JsonShape) {
  const auto doc = nlohmann::json::parse(render(Format::json));
  EXPECT_EQ(doc["schema"], "hsbench/v1");
  ASSERT_EQ(doc["results"].size(), 6u);
  const auto& r = doc["results"][0];
  for (const char* key : {"scenario", "config", "backend", "engine", "threads", "handshakes",
                          "duration_s", "handshakes_per_sec", "cpu_us_per_handshake", "latency_us",
                          "steps", "crypto_lower_bound_us", "overhead_ratio"}) {
    EXPECT_TRUE(r.contains(key)) << key;
  }
  EXPECT_EQ(r["handshakes_per_sec"]["ci95"].size(), 2u);
  EXPECT_EQ(r["handshakes_per_sec"]["repetitions"].size(), 5u);
  EXPECT_EQ(r["steps"][3]["crypto"][0]["op"], "decrypt:rsa2048-pkcs1");
  EXPECT_EQ(r["config"]["group"], nullptr);
  EXPECT_EQ(doc["results"][3]["latency_us"], nullptr);
  EXPECT_EQ(doc["results"][3]["cpu_us_per_handshake"]["client"], nullptr);
  EXPECT_EQ(doc["results"][4]["status"], "skipped");
  EXPECT_EQ(doc["results"][4]["skip_reason"], "client failed: no shared group");
  EXPECT_FALSE(doc["results"][4].contains("handshakes"));
}

TEST(ReportTest, JsonNativeAndMemory) {
  const auto doc = nlohmann::json::parse(render(Format::json));
  const auto& engine = doc["results"][0];
  const auto& native = doc["results"][1];
  EXPECT_EQ(engine["engine"], "hsbench");
  EXPECT_FALSE(engine["steps"][0].contains("boundary"));
  EXPECT_EQ(engine["memory"]["bytes_allocated_per_handshake"], 20480.5);
  EXPECT_EQ(engine["memory"]["allocations_per_handshake"], 210.25);
  EXPECT_EQ(engine["memory"]["peak_live_bytes"], 9216);
  EXPECT_EQ(native["engine"], "native");
  EXPECT_EQ(native["steps"][0]["boundary"], "exact");
  EXPECT_EQ(native["steps"][1]["boundary"], "approximate");
  EXPECT_TRUE(native["steps"][1]["crypto"].empty());
  EXPECT_EQ(native["memory"]["peak_live_bytes"], 40960);
  EXPECT_EQ(doc["results"][2]["memory"], nullptr);
  EXPECT_EQ(doc["results"][2]["memory_note"], "this process does not count its heap");
  EXPECT_EQ(doc["results"][5]["engine"], "native");
  EXPECT_EQ(doc["results"][5]["status"], "skipped");
}

TEST(ReportTest, TableShowsNativeBesideEngineWithRatio) {
  const std::string table = render(Format::table);
  EXPECT_NE(table.find("openssl/native"), std::string::npos);
  // 960 native hs/s over 1200 engine hs/s.
  const size_t row = table.find("openssl/native");
  ASSERT_NE(row, std::string::npos);
  const std::string line = table.substr(row, table.find('\n', row) - row);
  EXPECT_NE(line.find("  0.80"), std::string::npos) << line;
  EXPECT_NE(line.find("60.0"), std::string::npos) << line;  // KiB per handshake
}

TEST(ReportTest, CsvHasOneRowPerResultAndEqualColumns) {
  std::istringstream in(render(Format::csv));
  std::string line;
  std::vector<size_t> commas;
  while (std::getline(in, line)) commas.push_back(std::count(line.begin(), line.end(), ','));
  ASSERT_EQ(commas.size(), 7u);
  for (size_t c : commas) EXPECT_EQ(c, commas[0]);
}

TEST(ReportTest, GbenchShapeForCompareTool) {
  const auto doc = nlohmann::json::parse(render(Format::gbench));
  ASSERT_TRUE(doc.contains("context"));
  // 4 measured results x (5 repetitions + mean, median, stddev, cv).
  ASSERT_EQ(doc["benchmarks"].size(), 4u * 9);
  const auto& first = doc["benchmarks"][0];
  EXPECT_EQ(first["name"], "tls12-rsa-rsa2048/openssl/threads:1");
  EXPECT_EQ(first["run_type"], "iteration");
  EXPECT_EQ(first["time_unit"], "us");
  EXPECT_TRUE(first.contains("real_time"));
  EXPECT_TRUE(first.contains("cpu_time"));
  EXPECT_EQ(doc["benchmarks"][5]["name"], "tls12-rsa-rsa2048/openssl/threads:1_mean");
  EXPECT_EQ(doc["benchmarks"][5]["aggregate_name"], "mean");
  EXPECT_EQ(first["bytes_allocated_per_handshake"], 20480.5);
  EXPECT_EQ(doc["benchmarks"][9]["name"], "tls12-rsa-rsa2048/openssl/native/threads:1");
}

// A run's --format bmf / github-benchmark output is hsbench export of the
// same run's JSON, byte for byte (ci_formats_test.cc has their goldens).
TEST(ReportTest, CiFormatsOfARunAreTheExportOfItsJson) {
  const std::string doc = render(Format::json);
  for (Format f : {Format::bmf, Format::github_benchmark, Format::github_benchmark_bigger}) {
    std::ostringstream out;
    std::string error;
    ASSERT_TRUE(export_result(doc, "run.json", f, out, &error)) << error;
    EXPECT_EQ(render(f), out.str());
  }
}

TEST(ReportTest, ParseFormat) {
  EXPECT_EQ(parse_format("table"), Format::table);
  EXPECT_EQ(parse_format("gbench"), Format::gbench);
  EXPECT_FALSE(parse_format("xml"));
}

}  // namespace
}  // namespace hsbench

namespace hsbench {
namespace {

// The network goldens also feed tests/python/test_schema.py, which checks
// the JSON against results/schema.json.
TEST(NetworkReportTest, Goldens) {
  check_golden("network_table.txt", render(network_report(), Format::table));
  check_golden("network.json", render(network_report(), Format::json));
  check_golden("serve_table.txt", render(serve_report(), Format::table));
  check_golden("serve.json", render(serve_report(), Format::json));
  check_golden("network.csv", render(network_report(), Format::csv));
}

TEST(NetworkReportTest, TableHasTheWireColumnsAndNoInMemoryOnes) {
  const std::string t = render(network_report(), Format::table);
  const std::string head = line_with(t, "scenario ");
  for (const char* col : {"hs ms p50", "p99", "p99.9", "conn p50", "client µs", "util", "server µs",
                          "resumed", "errors"})
    EXPECT_NE(head.find(col), std::string::npos) << col << "\n" << head;
  EXPECT_EQ(head.find("lower µs"), std::string::npos) << head;
  EXPECT_EQ(head.find("KiB/hs"), std::string::npos) << head;

  // openssl: handshake p50/p99/p99.9 2.40/6.00/7.80 ms, connect p50 0.15 ms,
  // 310.5 client µs at 46%, 420.2 server µs, 12 failed of 1512, refused first.
  const std::string row = line_with(t, "tls13-x25519-ecdsa-p256  openssl ");
  EXPECT_NE(row.find("client"), std::string::npos) << row;
  for (const char* cell : {" 2.40 ", " 6.00 ", " 7.80 ", " 0.15 ", " 310.5 ", " 46% ", " 420.2 ",
                           "12 (0.8%): refused 9, timeout 2, ..."})
    EXPECT_NE(row.find(cell), std::string::npos) << cell << "\n" << row;
  const std::string open = line_with(t, "tls13-x25519-ecdsa-p256  boringssl ");
  EXPECT_NE(open.find("1399/1400"), std::string::npos) << open;
  EXPECT_NE(line_with(t, "tls13-x25519-rsa2048").find("skipped: client failed"), std::string::npos);

  // The per-result blocks.
  EXPECT_NE(t.find("connect to localhost:4433 (127.0.0.1:4433): closed loop, 8 connections, 16 "
                   "source addresses, chain verified, close fin, 54 B request"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("open loop at 1000 hs/s (poisson arrivals)"), std::string::npos) << t;
  EXPECT_NE(t.find("chain not verified"), std::string::npos);
  EXPECT_NE(t.find("negotiated: TLS 1.3 TLS_AES_128_GCM_SHA256, group x25519, signature "
                   "ecdsa_secp256r1_sha256, server key ecdsa-p256, chain 2 certs 957 B\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("(not every handshake agreed)"), std::string::npos);
  for (const char* phase :
       {"connect", "first_flight", "server_finished", "handshake", "first_byte"})
    EXPECT_NE(line_with(t, std::string("  ") + phase + "   ").find("1500"), std::string::npos)
        << phase;
  // Open loop: corrected p99 3100 * 2.5 = 7.75 ms, uncorrected 5.00 ms.
  EXPECT_NE(t.find("open loop p99: 7.75 ms from the intended start (corrected), 5.00 ms from "
                   "the actual start"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("failed: 12 of 1512 attempted: timeout 2, refused 9, alert "
                   "handshake_failure 1"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("server pid 4242: 420.2 CPU µs per handshake, 51% of a core"),
            std::string::npos);
  EXPECT_NE(t.find("  warning: the load generator's threads were 97% busy"), std::string::npos);
  // Only the client measured its steps: one column each, no server half.
  EXPECT_NE(t.find("per step: µs per handshake, client side only"), std::string::npos) << t;
  EXPECT_EQ(t.find(" | "), std::string::npos) << t;
  EXPECT_EQ(t.find("lower µs: the same crypto"), std::string::npos);
  EXPECT_NE(t.find("network: hs ms p50/p99/p99.9"), std::string::npos);
}

TEST(NetworkReportTest, ServeTableShowsTheServerSide) {
  const std::string t = render(serve_report(), Format::table);
  const std::string row = line_with(t, "tls13-x25519-ecdsa-p256  openssl ");
  // One repetition: no interval. The server's own CPU, nothing of a client.
  for (const char* cell :
       {" server ", "  2  ", " 812 ", " 650.5 ", " 600 ", "40 (1.6%): closed 40"})
    EXPECT_NE(row.find(cell), std::string::npos) << cell << "\n" << row;
  EXPECT_NE(t.find("serve on 127.0.0.1:0 (127.0.0.1:38211): served 2400 requests"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("negotiated: -"), std::string::npos);
  EXPECT_NE(t.find("per step: µs per handshake, server side only"), std::string::npos) << t;
  EXPECT_EQ(t.find("bytes per handshake"), std::string::npos);
  // Sub-millisecond handshakes read in µs.
  EXPECT_NE(line_with(t, "scenario ").find("hs µs p50"), std::string::npos) << t;
  EXPECT_NE(row.find(" 820.0 "), std::string::npos) << row;
}

std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  for (char c : line) {
    if (c == ',') {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// p99.9 and the failed connections come after every column that was there
// before them; in-memory rows leave them empty.
TEST(NetworkReportTest, CsvAddsP999AndFailuresAtTheEnd) {
  std::istringstream in(render(network_report(), Format::csv));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(csv_cells(line));
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size());
  const size_t n = rows[0].size();
  EXPECT_EQ(rows[0][n - 3], "skip_reason");
  EXPECT_EQ(rows[0][n - 2], "latency_p999_us");
  EXPECT_EQ(rows[0][n - 1], "network_failed");
  EXPECT_EQ(rows[1][n - 2], "7800");  // 2400 * 3.25
  EXPECT_EQ(rows[1][n - 1], "12");
  EXPECT_EQ(rows[2][n - 1], "0");
  EXPECT_EQ(rows[3][n - 3], "client failed: no certificate");

  std::istringstream mem(render(Format::csv));
  std::string header, first;
  std::getline(mem, header);
  std::getline(mem, first);
  const std::vector<std::string> cells = csv_cells(first);
  EXPECT_EQ(cells[cells.size() - 2], "");
  EXPECT_EQ(cells.back(), "");
}

}  // namespace
}  // namespace hsbench
