// A run session driven without the command line: small runs on the null
// backend, with a reporter that records what it is told and in which order.
// The tests that stop a run come last: a stop request lasts for the rest of
// the process (ctest runs each test in its own).
#include "hsbench/session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"

namespace hsbench {
namespace {

constexpr char kScenario[] = "tls13-x25519-ecdsa-p256";

// Every call, in order: "context", "result SCENARIO/BACKEND/ENGINE/THREADS",
// "finalize"; progress lines apart.
class RecordingReporter : public SessionReporter {
 public:
  void report_context(const ReportContext& c) override {
    calls.push_back("context");
    context = c;
  }
  void report_progress(std::string_view what) override {
    progress.emplace_back(what);
    if (on_progress) on_progress(what);
  }
  void report_result(const Result& r) override {
    calls.push_back("result " + key(r));
    results.push_back(r);
  }
  void finalize(const Report& report) override {
    calls.push_back("finalize");
    final_report = report;
  }

  static std::string key(const Result& r) {
    return r.scenario + "/" + r.backend + "/" + r.engine + "/" + std::to_string(r.threads);
  }

  std::vector<std::string> calls;
  std::vector<std::string> progress;
  std::function<void(std::string_view)> on_progress;
  ReportContext context;
  std::vector<Result> results;
  Report final_report;
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    null_ = load_backend("null", &error);
    ASSERT_NE(null_, nullptr) << error;
    scenario_ = find_scenario(kScenario);
    ASSERT_NE(scenario_, nullptr);
    ASSERT_TRUE(read_scenario_pkis(std::span(&scenario_, 1), default_pki_dir(), &pkis_, &error))
        << error;
    selection_.scenarios = {scenario_};
    selection_.backends = {&null_->backend()};
    options_.run.warmup_s = 0;
    options_.run.handshakes = 4;
    options_.run.repetitions = 3;
    options_.context.tool_version = "test-version";
    options_.context.command_line = "session_test";
  }

  Report run(RecordingReporter* reporter) {
    SessionReporter* const reporters[] = {reporter};
    return run_session(selection_, pkis_, options_, reporters);
  }

  std::unique_ptr<LoadedBackend> null_;
  const Scenario* scenario_ = nullptr;
  PkiByKind pkis_;
  SessionSelection selection_;
  SessionOptions options_;
};

TEST_F(SessionTest, ReadsEachPkiKindOnce) {
  const Scenario* scenarios[] = {scenario_, find_scenario("tls12-ecdhe-x25519-ecdsa-p256"),
                                 find_scenario("tls12-rsa-rsa2048")};
  ASSERT_NE(scenarios[1], nullptr);
  ASSERT_NE(scenarios[2], nullptr);
  PkiByKind pkis;
  std::string error;
  ASSERT_TRUE(read_scenario_pkis(scenarios, default_pki_dir(), &pkis, &error)) << error;
  EXPECT_EQ(pkis.size(), 2u);
  EXPECT_TRUE(pkis.count("ecdsa-p256"));
  EXPECT_TRUE(pkis.count("rsa2048"));

  PkiByKind none;
  EXPECT_FALSE(read_scenario_pkis(scenarios, "/nonexistent-pki-dir", &none, &error));
  EXPECT_FALSE(error.empty());
}

// Context once, then one result per threads x engine in the matrix's order
// (the null backend has no TLS stack of its own: its native runs are
// skipped, with why), then finalize once with the same results.
TEST_F(SessionTest, ReportsContextEachResultInOrderThenFinalize) {
  selection_.threads = {1, 2};
  selection_.engines = {EngineKind::hsbench, EngineKind::native};
  int before_runs = 0;
  options_.before_runs = [&](const Scenario& s, Backend& b, const Pki& pki) {
    EXPECT_EQ(&s, scenario_);
    EXPECT_EQ(b.name(), "null");
    EXPECT_EQ(pki.name, "ecdsa-p256");
    before_runs++;
  };
  RecordingReporter rep;
  const Report report = run(&rep);

  const std::string s = kScenario;
  const std::vector<std::string> want = {
      "context",
      "result " + s + "/null/hsbench/1",
      "result " + s + "/null/native/1",
      "result " + s + "/null/hsbench/2",
      "result " + s + "/null/native/2",
      "finalize",
  };
  EXPECT_EQ(rep.calls, want);
  EXPECT_EQ(before_runs, 1);  // once per (scenario, backend), not per thread count

  EXPECT_EQ(rep.context.tool_version, "test-version");
  EXPECT_EQ(rep.context.command_line, "session_test");
  EXPECT_FALSE(rep.context.date.empty());
  ASSERT_EQ(rep.context.backends.size(), 1u);
  EXPECT_EQ(rep.context.backends[0].name, "null");
  EXPECT_EQ(rep.context.settings.threads, (std::vector<int>{1, 2}));
  EXPECT_EQ(rep.context.settings.handshakes, 4u);
  EXPECT_EQ(rep.context.settings.duration_s, 0);  // a count, not a duration
  EXPECT_EQ(rep.context.settings.repetitions, 3);

  ASSERT_EQ(rep.results.size(), 4u);
  for (size_t i = 0; i < rep.results.size(); i++) {
    const Result& r = rep.results[i];
    if (r.engine == "hsbench") {
      ASSERT_FALSE(r.skipped) << r.skip_reason;
      EXPECT_FALSE(r.partial);
      EXPECT_EQ(r.repetitions.size(), 3u);
      EXPECT_EQ(r.handshakes, 3u * 4u * static_cast<uint64_t>(r.threads));
      // Reported after its lower bound, paired with its own handshakes.
      ASSERT_TRUE(r.crypto_lower_bound_us) << r.lower_bound_error;
      EXPECT_GT(*r.crypto_lower_bound_us, 0);
      ASSERT_TRUE(r.handshake_best_us);
      EXPECT_GT(*r.handshake_best_us, 0);
    } else {
      EXPECT_TRUE(r.skipped);
      EXPECT_NE(r.skip_reason.find("no TLS stack of its own"), std::string::npos) << r.skip_reason;
    }
  }

  EXPECT_FALSE(rep.final_report.context.partial);
  ASSERT_EQ(rep.final_report.results.size(), 4u);
  for (size_t i = 0; i < 4; i++) {
    EXPECT_EQ(RecordingReporter::key(rep.final_report.results[i]),
              RecordingReporter::key(rep.results[i]));
  }
  EXPECT_EQ(report.results.size(), 4u);

  // Progress names each run with its place in the matrix, then each lower
  // bound.
  auto shown = [&](const std::string& text) {
    for (const std::string& p : rep.progress) {
      if (p == text) return true;
    }
    return false;
  };
  EXPECT_TRUE(shown("[1/4] " + s + " on null, 1 thread: warm-up"));
  EXPECT_TRUE(shown("[1/4] " + s + " on null, 1 thread: repetition 3/3"));
  EXPECT_TRUE(shown("[3/4] " + s + " on null, 2 threads: repetition 1/3"));
  EXPECT_TRUE(shown(s + " on null, 2 threads: crypto lower bound"));
}

TEST_F(SessionTest, EveryReporterIsToldEverything) {
  RecordingReporter a, b;
  SessionReporter* const reporters[] = {&a, &b};
  options_.lower_bound = false;
  run_session(selection_, pkis_, options_, reporters);
  EXPECT_EQ(a.calls, b.calls);
  EXPECT_EQ(a.calls.size(), 3u);  // context, one result, finalize
  EXPECT_EQ(a.progress, b.progress);
}

TEST_F(SessionTest, NoLowerBoundWhenOff) {
  options_.lower_bound = false;
  RecordingReporter rep;
  run(&rep);
  ASSERT_EQ(rep.results.size(), 1u);
  ASSERT_FALSE(rep.results[0].skipped) << rep.results[0].skip_reason;
  EXPECT_FALSE(rep.results[0].crypto_lower_bound_us);
  EXPECT_FALSE(rep.results[0].handshake_best_us);
  for (const std::string& p : rep.progress) {
    EXPECT_EQ(p.find("crypto lower bound"), std::string::npos) << p;
  }
}

TEST_F(SessionTest, SkippedResultsAreReportedWithTheirReason) {
  selection_.engines = {EngineKind::native};
  RecordingReporter rep;
  run(&rep);
  ASSERT_EQ(rep.results.size(), 1u);
  EXPECT_TRUE(rep.results[0].skipped);
  EXPECT_EQ(rep.results[0].engine, "native");
  EXPECT_FALSE(rep.results[0].skip_reason.empty());
  EXPECT_EQ(rep.calls.back(), "finalize");
  EXPECT_FALSE(rep.final_report.context.partial);
}

// --- From here on a stop has been requested, for the rest of the process. ---

// Stopped during the first run: that run keeps the repetition it
// completed, marked partial, with no lower bound; no other run starts; the
// report is partial.
TEST_F(SessionTest, StopKeepsTheCompletedRepetitionsAndMarksThePartial) {
  selection_.threads = {1, 2};
  RecordingReporter rep;
  rep.on_progress = [](std::string_view what) {
    if (what.find("repetition 1/3") != std::string_view::npos) request_stop();
  };
  run(&rep);
  const std::vector<std::string> want = {
      "context", "result " + std::string(kScenario) + "/null/hsbench/1", "finalize"};
  EXPECT_EQ(rep.calls, want);
  ASSERT_EQ(rep.results.size(), 1u);
  const Result& r = rep.results[0];
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_TRUE(r.partial);
  EXPECT_EQ(r.repetitions.size(), 1u);
  EXPECT_FALSE(r.crypto_lower_bound_us);
  EXPECT_TRUE(rep.final_report.context.partial);
  for (const std::string& p : rep.progress) {
    EXPECT_EQ(p.find("crypto lower bound"), std::string::npos) << p;
  }
}

// Stopped before a repetition completes: the run's skipped result is
// dropped, not reported as a scenario the backend cannot run.
TEST_F(SessionTest, StoppedBeforeAnyRepetitionReportsNothing) {
  request_stop();
  RecordingReporter rep;
  const Report report = run(&rep);
  EXPECT_EQ(rep.calls, (std::vector<std::string>{"context", "finalize"}));
  EXPECT_TRUE(report.results.empty());
  EXPECT_TRUE(rep.final_report.context.partial);
}

// An interrupted native run is labelled native, like every other result of
// its run (it was once labelled hsbench).
TEST(InterruptedRun, KeepsItsEngine) {
#if HSBENCH_HAVE_OPENSSL
  std::string error;
  auto openssl = load_backend("openssl", &error);
  if (openssl == nullptr) GTEST_SKIP() << error;
  const Scenario* s = find_scenario(kScenario);
  ASSERT_NE(s, nullptr);
  auto pki = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
  ASSERT_NE(pki, nullptr) << error;
  request_stop();
  RunOptions o;
  o.engine = EngineKind::native;
  o.warmup_s = 0;
  o.handshakes = 4;
  o.repetitions = 2;
  const Result r = run_scenario(*s, openssl->backend(), *pki, o);
  ASSERT_TRUE(r.skipped);
  EXPECT_EQ(r.skip_reason, "interrupted before a repetition completed");
  EXPECT_EQ(r.engine, "native");
#else
  GTEST_SKIP() << "the openssl backend is not built";
#endif
}

}  // namespace
}  // namespace hsbench
