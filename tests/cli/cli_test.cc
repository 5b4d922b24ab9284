// The hsbench command, run as a user runs it: bad input is one line on
// stderr and exit 2; a small run prints the table and writes valid JSON.
// Runs use the null backend and a few handshakes: these tests check shape,
// never speed.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_util.h"
#include "hsbench/scenario.h"
#include "hsbench/trace.h"

namespace hsbench {
namespace {

using test::Outcome;
using test::quote;
using test::slurp;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The words of a line (std::regex is avoided: GCC 12 warns inside it
// under the sanitizers).
std::vector<std::string> tokens(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// The hsbench executable counts its heap, except in sanitizer builds.
constexpr bool kCountsHeap = HSBENCH_COUNTING_MALLOC;

bool is_number(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789.") == std::string::npos;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tmp_.ok()) << "cannot make a temporary directory"; }

  Outcome run(const std::vector<std::string>& args) { return test::run_hsbench(dir_, args); }

  // A small, quick run on the null backend.
  std::vector<std::string> quick(std::vector<std::string> more) {
    std::vector<std::string> args = {"--backend",       "null", "--handshakes", "3",
                                     "--repetitions",   "2",    "--warmup",     "0",
                                     "--no-lower-bound"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  // Starts hsbench in dir_, sends it `sig` after `after`, waits; the exit
  // code, or -1 if a signal ended it.
  Outcome run_and_signal(const std::vector<std::string>& args, std::chrono::milliseconds after,
                         int sig) {
    test::Process p(dir_, test::hsbench_argv(args));
    if (!p.started()) return Outcome{};
    std::this_thread::sleep_for(after);
    p.signal(sig);
    return p.wait();
  }

  std::vector<std::string> files() { return tmp_.entries(); }

  nlohmann::json json_file(const std::string& name) {
    return nlohmann::json::parse(tmp_.read(name));
  }

  test::TempDir tmp_{"cli-test"};
  std::string dir_ = tmp_.path();
};

void expect_bad_input(const Outcome& o, const std::string& what) {
  EXPECT_EQ(o.rc, 2) << what << "\nstderr: " << o.err;
  EXPECT_TRUE(o.out.empty()) << what << "\nstdout: " << o.out;
  ASSERT_EQ(lines(o.err).size(), 1u) << what << "\nstderr: " << o.err;
  EXPECT_EQ(o.err.rfind("hsbench: ", 0), 0u) << what << ": " << o.err;
}

TEST_F(CliTest, BadInputIsOneLineAndExit2) {
  const std::vector<std::vector<std::string>> cases = {
      {"--frobnicate"},
      {"--backend", "nosuch"},
      {"--backend", ""},
      {"--backend", "null", "--scenario", "tls12-nosuch"},
      {"--backend", "null", "--threads", "0"},
      {"--backend", "null", "--threads", "1,x"},
      {"--backend", "null", "--duration", "-1"},
      {"--backend", "null", "--duration", "0"},
      {"--backend", "null", "--repetitions", "0"},
      {"--backend", "null", "--handshakes", "0"},
      {"--backend", "null", "--warmup", "-2"},
      {"--backend", "null", "--json", "/nonexistent-dir/x/out.json"},
      {"--backend", "null", "--json", "/tmp"},
      {"--backend", "null", "--format", "xml"},
      {"--backend", "null", "--json", "-", "--format", "csv"},
      {"--backend", "null", "--tls", "1.1"},
      {"--backend", "null", "--kx", "dh"},
      {"--backend", "null", "--cert", "rsa1024"},
      {"--backend", "null", "--tls", "1.2", "--cert", "ed25519", "--kx", "rsa"},
      {"--backend", "null", "--scenario", "tls12-rsa-rsa2048", "--tls", "1.2"},
      {"--backend", "null", "--duration", "1", "--handshakes", "5"},
      {"list", "nonsense"},
      {"--backend", "null", "--engine", "nope"},
      {"--backend", "null", "--engine", ""},
      {"--backend", "null", "--engine", "hsbench,native"},
      {"--backend", "null", "--engine"},
      {"--backend", "null", "--engine", "native", "--handshakes", "2", "--callgrind"},
  };
  for (const auto& args : cases) {
    std::string what;
    for (const auto& a : args) what += a + " ";
    expect_bad_input(run(args), what);
  }
  // Nothing was written where the runs were started.
  EXPECT_NE(access((dir_ + "/hsbench.json").c_str(), F_OK), 0);
}

TEST_F(CliTest, RunPrintsTableAndWritesJson) {
  const Outcome o = run(quick(
      {"--scenario", "tls12-rsa-rsa2048,tls12-ecdhe-x25519-ecdsa-p256", "--json", "out.json"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(o.err, "hsbench: wrote out.json\n");  // stderr is no terminal: no progress
  const auto l = lines(o.out);
  ASSERT_GT(l.size(), 8u) << o.out;
  EXPECT_EQ(l[0].rfind("hsbench ", 0), 0u) << l[0];
  EXPECT_EQ(l[1], "backends: null = null (no cryptography)");
  EXPECT_EQ(l[2],
            "run: 2 repetitions of 3 handshakes per thread after 0 s warm-up; ± is half the 95% "
            "confidence interval of hs/s");
  EXPECT_EQ(l[3], "");
  EXPECT_EQ(tokens(l[4]),
            (std::vector<std::string>{"scenario", "backend", "thr", "hs/s", "±", "client", "µs",
                                      "server", "µs", "lower", "µs", "overhead", "KiB/hs", "allocs",
                                      "peak", "KiB", "vs", "eng"}))
      << l[4];
  for (size_t i : {5, 6}) {
    const auto t = tokens(l[i]);
    ASSERT_EQ(t.size(), 13u) << l[i];
    EXPECT_TRUE(t[0] == "tls12-rsa-rsa2048" || t[0] == "tls12-ecdhe-x25519-ecdsa-p256") << l[i];
    EXPECT_EQ(t[1], "null");
    EXPECT_EQ(t[2], "1");
    EXPECT_TRUE(is_number(t[3])) << l[i];
    EXPECT_TRUE(t[4].back() == '%' && is_number(t[4].substr(0, t[4].size() - 1))) << l[i];
    EXPECT_TRUE(is_number(t[5]) && is_number(t[6])) << l[i];
    EXPECT_EQ(t[7], "-");  // --no-lower-bound
    EXPECT_EQ(t[8], "-");
    for (size_t k : {9, 10, 11}) {  // heap per handshake, when this build counts it
      EXPECT_TRUE(kCountsHeap ? is_number(t[k]) : t[k] == "-") << l[i];
    }
    EXPECT_EQ(t[12], "-");  // no native result beside it
  }
  EXPECT_NE(o.out.find("per step: µs per handshake, client | server"), std::string::npos);
  for (int step = 1; step <= kUserSteps; step++) {
    const std::string label = std::to_string(step) + " " + std::string(user_step_name(step));
    EXPECT_NE(o.out.find(label), std::string::npos) << label;
  }

  const auto doc = json_file("out.json");
  EXPECT_EQ(doc["schema"], "hsbench/v1");
  ASSERT_EQ(doc["results"].size(), 2u);
  for (const auto& r : doc["results"]) {
    EXPECT_EQ(r["status"], "ok");
    EXPECT_EQ(r["backend"], "null");
    EXPECT_EQ(r["handshakes"], 6);
    EXPECT_EQ(r["handshakes_per_sec"]["repetitions"].size(), 2u);
    EXPECT_FALSE(r["steps"].empty());
    EXPECT_EQ(r["crypto_lower_bound_us"], nullptr);
  }
  EXPECT_EQ(doc["context"]["backends"][0]["name"], "null");
  EXPECT_NE(doc["context"]["command_line"].get<std::string>().find("--no-lower-bound"),
            std::string::npos);
}

TEST_F(CliTest, DefaultMatrixAndDefaultJsonFile) {
  const Outcome o = run({"--backend", "null", "--handshakes", "1", "--repetitions", "1", "--warmup",
                         "0", "--no-lower-bound", "--quiet"});
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_TRUE(o.err.empty()) << o.err;
  const auto doc = json_file("hsbench.json");
  ASSERT_EQ(doc["results"].size(), default_scenarios().size());
  for (size_t i = 0; i < default_scenarios().size(); i++) {
    EXPECT_EQ(doc["results"][i]["scenario"], default_scenarios()[i]->id);
  }
}

TEST_F(CliTest, JsonToStdout) {
  const Outcome o = run(quick({"--scenario", "tls12-rsa-rsa2048", "--json", "-"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto doc = nlohmann::json::parse(o.out);
  EXPECT_EQ(doc["results"].size(), 1u);
  EXPECT_NE(access((dir_ + "/hsbench.json").c_str(), F_OK), 0);
}

TEST_F(CliTest, Formats) {
  Outcome o =
      run(quick({"--scenario", "tls12-rsa-rsa2048", "--format", "json", "--json", "a.json"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_EQ(nlohmann::json::parse(o.out)["schema"], "hsbench/v1");

  o = run(quick({"--scenario", "tls12-rsa-rsa2048", "--format", "csv", "--json", "b.json"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto l = lines(o.out);
  ASSERT_EQ(l.size(), 2u) << o.out;
  EXPECT_EQ(l[0].rfind("scenario,tls,kx,group,cert,cipher,backend,", 0), 0u);
  EXPECT_EQ(l[1].rfind("tls12-rsa-rsa2048,1.2,rsa,,rsa2048,", 0), 0u) << l[1];

  o = run(quick({"--scenario", "tls12-rsa-rsa2048", "--format", "gbench", "--json", "c.json"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto g = nlohmann::json::parse(o.out);
  ASSERT_EQ(g["benchmarks"].size(), 2u + 4);
  EXPECT_EQ(g["benchmarks"][0]["name"], "tls12-rsa-rsa2048/null/threads:1");
}

TEST_F(CliTest, ThreadsNoTimingAndSelection) {
  const Outcome o = run(quick({"--tls", "1.2", "--kx", "p256", "--cert", "ecdsa-p256", "--threads",
                               "1,2", "--no-timing", "--json", "t.json"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto doc = json_file("t.json");
  ASSERT_EQ(doc["results"].size(), 2u);
  EXPECT_EQ(doc["results"][0]["scenario"], "tls12-ecdhe-p256-ecdsa-p256");
  EXPECT_EQ(doc["results"][0]["threads"], 1);
  EXPECT_EQ(doc["results"][1]["threads"], 2);
  EXPECT_EQ(doc["results"][1]["handshakes"], 2 * 3 * 2);
  for (const auto& r : doc["results"]) {
    EXPECT_EQ(r["timing"], false);
    EXPECT_TRUE(r["steps"].empty());
    EXPECT_EQ(r["latency_us"], nullptr);
  }
  EXPECT_EQ(doc["context"]["settings"]["timing"], false);
}

TEST_F(CliTest, LowerBound) {
  const Outcome o =
      run({"--backend", "null", "--scenario", "tls12-ecdhe-x25519-ecdsa-p256", "--handshakes", "3",
           "--repetitions", "1", "--warmup", "0", "--json", "lb.json"});
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto r = json_file("lb.json")["results"][0];
  ASSERT_TRUE(r["crypto_lower_bound_us"].is_number()) << r.dump();
  EXPECT_GT(r["crypto_lower_bound_us"].get<double>(), 0);
  EXPECT_EQ(r["lower_bound_terms"].size(), r["crypto_ops"].size());
  // What the numbers are worth is checked against a backend of known cost
  // (tests/run/runner_test.cc, LowerBoundOfAKnownCost); here, that the
  // command reports them.
  EXPECT_TRUE(r["handshake_best_us"].is_number()) << r.dump();
  EXPECT_TRUE(r["crypto_in_order_us"].is_number()) << r.dump();
  EXPECT_TRUE(r["overhead_ratio"].is_number()) << r.dump();
}

// A PKI directory whose "rsa2048" holds an ECDSA chain: the RSA scenario
// cannot run and is skipped with its reason; with nothing else to run, that
// is an error.
TEST_F(CliTest, SkippedScenarios) {
  const std::string pki = dir_ + "/pki";
  const std::string src = std::string(HSBENCH_SOURCE_DIR) + "/pki/ecdsa-p256";
  ASSERT_EQ(std::system(("mkdir -p " + quote(pki) + " && cp -r " + quote(src) + " " +
                         quote(pki + "/rsa2048") + " && cp -r " + quote(src) + " " +
                         quote(pki + "/ecdsa-p256"))
                            .c_str()),
            0);
  Outcome o = run(quick({"--pki-dir", pki, "--scenario", "tls12-rsa-rsa2048", "--json", "s.json"}));
  expect_bad_input(o, "nothing to run");
  EXPECT_NE(o.err.find("tls12-rsa-rsa2048 on null"), std::string::npos) << o.err;

  o = run(quick({"--pki-dir", pki, "--scenario", "tls12-rsa-rsa2048,tls12-ecdhe-x25519-ecdsa-p256",
                 "--json", "s.json"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  bool found = false;
  for (const std::string& line : lines(o.out)) {
    const auto t = tokens(line);
    if (t.size() > 4 && t[0] == "tls12-rsa-rsa2048" && t[1] == "null" && t[2] == "1" &&
        t[3] == "skipped:") {
      found = true;
    }
  }
  EXPECT_TRUE(found) << o.out;
  const auto doc = json_file("s.json");
  EXPECT_EQ(doc["results"][0]["status"], "skipped");
  EXPECT_FALSE(doc["results"][0]["skip_reason"].get<std::string>().empty());
  EXPECT_EQ(doc["results"][1]["status"], "ok");
}

// Missing, corrupt or mismatched PKI files: one line, exit 2, no JSON.
TEST_F(CliTest, BadPkiIsOneLineAndExit2) {
  const std::string src = std::string(HSBENCH_SOURCE_DIR) + "/pki/rsa2048";
  const std::string ecdsa_key = std::string(HSBENCH_SOURCE_DIR) + "/pki/ecdsa-p256/key.pem";
  const std::string chain = slurp(src + "/chain.pem");
  ASSERT_FALSE(chain.empty());
  struct Case {
    const char* name;
    const char* file;     // replaced in the copy of pki/rsa2048
    std::string content;  // its new content
    bool remove = false;  // or: removed
  };
  const std::vector<Case> cases = {
      {"missing key", "key.pem", "", true},
      {"missing chain", "chain.pem", "", true},
      {"missing root", "root.pem", "", true},
      {"empty chain", "chain.pem", ""},
      {"garbage chain", "chain.pem",
       "-----BEGIN CERTIFICATE-----\nnot base64 !!\n"
       "-----END CERTIFICATE-----\n"},
      {"truncated chain", "chain.pem", chain.substr(0, chain.size() / 3)},
      {"binary key", "key.pem", std::string("\x30\x82\xff\xff\x00\x01", 6)},
      {"truncated root", "root.pem", slurp(src + "/root.pem").substr(0, 100)},
  };
  for (const Case& c : cases) {
    const std::string pki = dir_ + "/pki";
    ASSERT_EQ(std::system(("rm -rf " + quote(pki) + " && mkdir -p " + quote(pki) + " && cp -r " +
                           quote(src) + " " + quote(pki + "/rsa2048"))
                              .c_str()),
              0);
    const std::string path = pki + "/rsa2048/" + c.file;
    if (c.remove) {
      std::filesystem::remove(path);
    } else {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << c.content;
    }
    const Outcome o =
        run(quick({"--pki-dir", pki, "--scenario", "tls12-rsa-rsa2048", "--json", "out.json"}));
    expect_bad_input(o, c.name);
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/out.json")) << c.name;
  }
  // A key that is not the leaf's: only a real backend can tell.
  const std::string pki = dir_ + "/pki";
  ASSERT_EQ(std::system(("rm -rf " + quote(pki) + " && mkdir -p " + quote(pki) + " && cp -r " +
                         quote(src) + " " + quote(pki + "/rsa2048") + " && cp " + quote(ecdsa_key) +
                         " " + quote(pki + "/rsa2048/key.pem"))
                            .c_str()),
            0);
  Outcome o = run({"pki", "check", "--backend", "null", "--pki-dir", pki});
  EXPECT_EQ(o.rc, 1) << o.out << o.err;  // pki check: 1, the files do not fit together
  EXPECT_EQ(lines(o.err).size(), 1u) << o.err;
  EXPECT_NE(o.err.find("does not match the leaf"), std::string::npos) << o.err;
  o = run(quick({"--pki-dir", pki, "--scenario", "tls12-rsa-rsa2048", "--json", "out.json"}));
  expect_bad_input(o, "mismatched key");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/out.json"));
}

// SIGINT stops a run cleanly: exit 130, the JSON holds the repetitions that
// completed, marked partial, and no temporary file is left behind.
TEST_F(CliTest, InterruptWritesCompletedRepetitionsMarkedPartial) {
  const Outcome o = run_and_signal(
      {"--backend", "null", "--scenario", "tls12-rsa-rsa2048,tls13-x25519-ecdsa-p256", "--duration",
       "0.1", "--repetitions", "1000", "--warmup", "0", "--no-lower-bound", "--json", "p.json"},
      std::chrono::milliseconds(1500), SIGINT);
  ASSERT_EQ(o.rc, 130) << o.err;
  EXPECT_NE(o.err.find("hsbench: interrupted: 1 result written, marked partial"), std::string::npos)
      << o.err;
  EXPECT_EQ(files(), (std::vector<std::string>{"p.json", "stderr", "stdout"}));
  const auto doc = json_file("p.json");
  EXPECT_EQ(doc["context"]["partial"], true);
  ASSERT_EQ(doc["results"].size(), 1u);  // the second scenario was never reached
  const auto& r = doc["results"][0];
  EXPECT_EQ(r["scenario"], "tls12-rsa-rsa2048");
  EXPECT_EQ(r["partial"], true);
  const size_t reps = r["handshakes_per_sec"]["repetitions"].size();
  EXPECT_GE(reps, 1u);
  EXPECT_LT(reps, 1000u);
  EXPECT_NE(o.out.find("interrupted: 1 result hold only"), std::string::npos) << o.out;
}

TEST_F(CliTest, InterruptBeforeARepetitionWritesNothing) {
  const Outcome o = run_and_signal({"--backend", "null", "--scenario", "tls12-rsa-rsa2048",
                                    "--warmup", "30", "--no-lower-bound", "--json", "p.json"},
                                   std::chrono::milliseconds(500), SIGTERM);
  EXPECT_EQ(o.rc, 130) << o.err;
  EXPECT_EQ(lines(o.err).size(), 1u) << o.err;
  EXPECT_EQ(files(), (std::vector<std::string>{"stderr", "stdout"}));
}

// --engine both: the engine and the library's own stack side by side, the
// native result with the engine's lower bound and the ratio, and both with
// their heap use.
TEST_F(CliTest, EngineBothOnOpenssl) {
  if (!HSBENCH_HAVE_OPENSSL) GTEST_SKIP() << "no openssl backend in this build";
  const Outcome o =
      run({"--backend", "openssl", "--engine", "both", "--scenario", "tls13-x25519-ecdsa-p256",
           "--handshakes", "3", "--repetitions", "2", "--warmup", "0", "--json", "both.json"});
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto doc = json_file("both.json");
  ASSERT_EQ(doc["results"].size(), 2u);
  const auto& engine = doc["results"][0];
  const auto& native = doc["results"][1];
  EXPECT_EQ(engine["engine"], "hsbench");
  EXPECT_EQ(native["engine"], "native");
  ASSERT_EQ(native["status"], "ok") << native.dump();
  EXPECT_EQ(native["handshakes"], 6);
  EXPECT_FALSE(native["steps"].empty());
  for (const auto& step : native["steps"]) {
    EXPECT_TRUE(step["crypto"].empty());
    EXPECT_TRUE(step["boundary"] == "exact" || step["boundary"] == "approximate") << step.dump();
  }
  EXPECT_EQ(native["crypto_lower_bound_us"], engine["crypto_lower_bound_us"]);
  EXPECT_GT(native["overhead_ratio"].get<double>(), 0);
  for (const auto* r : {&engine, &native}) {
    if (kCountsHeap) {
      ASSERT_TRUE((*r)["memory"].is_object()) << r->dump();
      EXPECT_GT((*r)["memory"]["bytes_allocated_per_handshake"].get<double>(), 0);
      EXPECT_GT((*r)["memory"]["allocations_per_handshake"].get<double>(), 0);
      EXPECT_GT((*r)["memory"]["peak_live_bytes"].get<double>(), 0);
    } else {
      EXPECT_EQ((*r)["memory"], nullptr);
      EXPECT_FALSE((*r)["memory_note"].get<std::string>().empty());
    }
  }
  // The table: a row each, the native one with its ratio to the engine.
  bool native_row = false;
  for (const std::string& line : lines(o.out)) {
    const auto t = tokens(line);
    if (t.size() == 13 && t[0] == "tls13-x25519-ecdsa-p256" && t[1] == "openssl/native") {
      native_row = true;
      EXPECT_TRUE(is_number(t[12])) << line;
    }
  }
  EXPECT_TRUE(native_row) << o.out;
  EXPECT_NE(o.out.find("openssl/native"), std::string::npos);
}

// The null backend has no TLS stack of its own: natively, nothing runs.
TEST_F(CliTest, EngineNativeOnNullIsSkipped) {
  Outcome o = run(quick({"--scenario", "tls12-rsa-rsa2048", "--engine", "native"}));
  expect_bad_input(o, "--engine native on null");
  EXPECT_NE(o.err.find("no TLS stack of its own"), std::string::npos) << o.err;
  o = run(quick({"--scenario", "tls12-rsa-rsa2048", "--engine", "both", "--json", "n.json"}));
  ASSERT_EQ(o.rc, 0) << o.err;
  const auto doc = json_file("n.json");
  ASSERT_EQ(doc["results"].size(), 2u);
  EXPECT_EQ(doc["results"][0]["engine"], "hsbench");
  EXPECT_EQ(doc["results"][1]["engine"], "native");
  EXPECT_EQ(doc["results"][1]["status"], "skipped");
}

TEST_F(CliTest, Lists) {
  Outcome o = run({"list", "scenarios"});
  ASSERT_EQ(o.rc, 0) << o.err;
  for (const Scenario& s : all_scenarios()) EXPECT_NE(o.out.find(s.id), std::string::npos) << s.id;
  o = run({"list", "steps"});
  ASSERT_EQ(o.rc, 0) << o.err;
  EXPECT_NE(o.out.find("1 ClientHello"), std::string::npos);
  EXPECT_NE(o.out.find("8 Session established"), std::string::npos);
  EXPECT_NE(o.out.find("TLS 1.2: server ServerKeyExchange, server CertificateRequest*, "
                       "server ServerHelloDone"),
            std::string::npos)
      << o.out;
  // Mutual TLS: the client's certificate and signature are step 6 in both
  // versions; the server's request sits in its first flight.
  EXPECT_NE(o.out.find("TLS 1.2: client Certificate*, client ClientKeyExchange, "
                       "client CertificateVerify*"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("TLS 1.3: client Certificate*, client CertificateVerify*"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("TLS 1.3: server EncryptedExtensions, server CertificateRequest*, "
                       "server Certificate"),
            std::string::npos)
      << o.out;
  o = run({"list", "backends"});
  EXPECT_NE(o.out.find("null"), std::string::npos);
  // X25519MLKEM768 is in no backend: each lists it unsupported, with why.
  EXPECT_NE(o.out.find("hybrid      -x25519kyber768draft00 -x25519mlkem768"), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("  -x25519mlkem768: "), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find(" x25519mlkem768"), std::string::npos) << o.out;
  o = run({"version"});
  ASSERT_EQ(o.rc, 0);
  EXPECT_EQ(o.out.rfind("hsbench ", 0), 0u);
}

}  // namespace
}  // namespace hsbench
