// hsbench-mpi under mpirun on this machine (--oversubscribe): three ranks
// against a server the test starts, one merged result. What it must hold:
// the merged count is the sum of the ranks' and what the server saw; the
// merged p99 is the p99 of every rank's handshakes put together (each
// rank's --latency-log); a rank that cannot reach the target, or is killed,
// ends the job with nothing written; SIGINT writes what completed, marked
// partial.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hsbench/loader.h"
#include "hsbench/scenario.h"
#include "net/serve_thread.h"
#include "net/servers.h"
#include "stats/histogram.h"

namespace hsbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::default_pki;
using test::find_tool;
using test::run_command;

constexpr char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
constexpr char kScenario[] = "tls13-x25519-ecdsa-p256";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Mpi : public ::testing::Test {
 protected:
  void SetUp() override {
    // mpirun refuses root unless told; Open MPI's own allocations outlive
    // MPI_Finalize, which is not this project's leak (sanitizer builds).
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
    mpirun_ = find_tool("mpirun");
    ASSERT_FALSE(mpirun_.empty()) << "mpirun is a test dependency (openmpi-bin)";
    char tmpl[] = "/tmp/hsbench-mpi-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    scenario_ = find_scenario(kScenario);
    ASSERT_NE(scenario_, nullptr);
    std::string error;
    backend_ = load_backend("openssl", &error);
    ASSERT_NE(backend_, nullptr) << error;
    pki_ = default_pki(scenario_->cert);
    ASSERT_NE(pki_, nullptr);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // mpirun, then for each group of ranks (np, target): hsbench-mpi connect.
  std::vector<std::string> argv_for(const std::vector<std::pair<int, std::string>>& groups,
                                    const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> argv = {mpirun_, "--oversubscribe", "--bind-to", "none"};
    for (size_t g = 0; g < groups.size(); g++) {
      if (g > 0) argv.push_back(":");
      for (const std::string& a : {std::string("-np"),
                                   std::to_string(groups[g].first),
                                   std::string(HSBENCH_MPI_BIN),
                                   std::string("connect"),
                                   groups[g].second,
                                   std::string("--backend"),
                                   std::string("openssl"),
                                   std::string("--scenario"),
                                   std::string(kScenario),
                                   std::string("--connections"),
                                   std::string("2"),
                                   std::string("--warmup"),
                                   std::string("0.2"),
                                   std::string("--duration"),
                                   std::string("0.4"),
                                   std::string("--repetitions"),
                                   std::string("2"),
                                   std::string("--json"),
                                   json_path(),
                                   std::string("--quiet")}) {
        argv.push_back(a);
      }
      argv.insert(argv.end(), extra.begin(), extra.end());
    }
    return argv;
  }
  std::string json_path() const { return (dir_ / "result.json").string(); }
  json result() const {
    json j = json::parse(read_file(json_path()), nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << read_file(json_path());
    return j;
  }

  std::string mpirun_;
  fs::path dir_;
  const Scenario* scenario_ = nullptr;
  std::unique_ptr<LoadedBackend> backend_;
  std::unique_ptr<Pki> pki_;
};

uint64_t sum_of_ranks(const json& network) {
  uint64_t n = 0;
  for (const json& row : network["mpi"]["per_rank"]) n += row["handshakes"].get<uint64_t>();
  return n;
}

// Three ranks against hsbench serve: one result whose count is every
// rank's and the server's, whose p99 is that of all their handshakes.
TEST_F(Mpi, ThreeRanksAreOneResult) {
  test::ServeThread server(*scenario_, backend_->backend(), *pki_, EngineKind::hsbench, kResponse);
  ASSERT_FALSE(server.address().empty());
  const std::string log = (dir_ / "latency").string();
  const auto run =
      run_command(argv_for({{3, server.address()}}, {"--latency-log", log}), "", 120'000);
  const Result& served = server.stop();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json j = result();
  ASSERT_EQ(j["results"].size(), 1u);
  const json& r = j["results"][0];
  ASSERT_EQ(r["status"], "ok") << r.dump();
  const json& n = r["network"];
  const uint64_t handshakes = r["handshakes"].get<uint64_t>();
  EXPECT_GT(handshakes, 0u);
  EXPECT_EQ(n["mpi"]["ranks"], 3);
  ASSERT_EQ(n["mpi"]["per_rank"].size(), 3u);
  EXPECT_EQ(sum_of_ranks(n), handshakes);
  EXPECT_EQ(n["load"]["connections"], 6) << "2 per rank";
  // The server saw every handshake any rank completed, warm-up included.
  EXPECT_EQ(n["completed"].get<uint64_t>(), served.handshakes);
  EXPECT_EQ(n["abandoned"], 0);
  for (const json& row : n["mpi"]["per_rank"]) {
    EXPECT_GT(row["handshakes"].get<uint64_t>(), 0u) << row.dump();
    EXPECT_GE(row["start_offset_us"].get<double>(), 0);
    EXPECT_LE(row["start_offset_us"].get<double>(), n["mpi"]["start_spread_us"].get<double>());
  }

  // Every rank's handshakes, put together: the merged histogram is theirs.
  std::vector<uint64_t> all;
  for (int rank = 0; rank < 3; rank++) {
    std::ifstream in(log + "." + std::to_string(rank));
    ASSERT_TRUE(in) << "no latency log of rank " << rank;
    uint64_t v = 0, lines = 0;
    while (in >> v) {
      all.push_back(v);
      lines++;
    }
    EXPECT_EQ(lines, n["mpi"]["per_rank"][rank]["handshakes"].get<uint64_t>()) << rank;
  }
  ASSERT_EQ(all.size(), handshakes);
  Histogram everything;
  for (uint64_t v : all) everything.record(v);
  auto us3 = [](double ns) { return std::round(ns) / 1e3; };  // as the JSON rounds
  EXPECT_DOUBLE_EQ(r["latency_us"]["p99"].get<double>(), us3(everything.percentile(99)));
  EXPECT_DOUBLE_EQ(r["latency_us"]["p50"].get<double>(), us3(everything.percentile(50)));
  // And the exact p99 of the samples (the same rank: the nearest) in the
  // bucket whose midpoint the histogram reports: within 1/128 of it.
  std::sort(all.begin(), all.end());
  const size_t rank =
      std::clamp<size_t>(static_cast<size_t>(0.99 * all.size() + 0.5), 1, all.size());
  const double exact = static_cast<double>(all[rank - 1]);
  EXPECT_NEAR(r["latency_us"]["p99"].get<double>() * 1e3, exact, exact / 128 + 1);
}

// Against nginx, each handshake carrying a request: nginx's access log
// has a line per handshake the ranks completed.
TEST_F(Mpi, NginxLogsEveryHandshakeTheRanksCompleted) {
  test::TlsServerSpec spec;
  spec.tool = "nginx";
  spec.pki_kind = scenario_->cert;
  spec.tls = "1.3";
  std::string error;
  auto nginx = test::ServerProcess::start(spec, &error);
  ASSERT_NE(nginx, nullptr) << error;
  const auto run =
      run_command(argv_for({{3, nginx->address()}}, {"--request", "http"}), "", 120'000);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json j = result();
  const json& r = j["results"][0];
  ASSERT_EQ(r["status"], "ok") << r.dump();
  const json& n = r["network"];
  EXPECT_EQ(sum_of_ranks(n), r["handshakes"].get<uint64_t>());
  EXPECT_EQ(n["failed"], 0) << n["errors"].dump();
  // nginx writes the line as it answers; the last may trail the client.
  const uint64_t completed = n["completed"].get<uint64_t>();
  for (int i = 0; i < 50 && nginx->handshakes_logged() < completed; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(nginx->handshakes_logged(), completed) << nginx->log();
}

// A free port: bound, then released.
std::string closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
}

TEST_F(Mpi, ARankThatCannotReachTheTargetEndsTheJob) {
  test::ServeThread server(*scenario_, backend_->backend(), *pki_, EngineKind::hsbench, kResponse);
  const std::string closed = closed_port();
  const auto t0 = std::chrono::steady_clock::now();
  const auto run = run_command(argv_for({{2, server.address()}, {1, closed}}), "", 120'000);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_FALSE(run.timed_out);
  const std::string line = "hsbench: rank 2 (";
  const size_t at = run.output.find(line);
  ASSERT_NE(at, std::string::npos) << run.output;
  const std::string said = run.output.substr(at, run.output.find('\n', at) - at);
  EXPECT_NE(said.find("cannot reach " + closed + ": ECONNREFUSED"), std::string::npos) << said;
  EXPECT_EQ(run.output.find(line, at + 1), std::string::npos) << "one line: " << run.output;
  EXPECT_FALSE(fs::exists(json_path())) << "a failed job writes nothing";
  // Before the start: not after the runs' 1 s.
  EXPECT_LT(took, 60) << run.output;
}

// mpirun in the background, its output to a file.
struct Job {
  pid_t pid = -1;
  fs::path output;
};

Job spawn(const std::vector<std::string>& argv, const fs::path& output) {
  Job job{-1, output};
  job.pid = fork();
  if (job.pid == 0) {
    const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return job;
}

// Its exit status, or -1 after timeout_s (then killed).
int wait_for(const Job& job, double timeout_s) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < end) {
    int status = 0;
    if (waitpid(job.pid, &status, WNOHANG) == job.pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(job.pid, SIGKILL);
  waitpid(job.pid, nullptr, 0);
  return -1;
}

// The ranks of a job: processes running hsbench-mpi with this job's JSON
// path on their command line.
std::vector<pid_t> ranks_of(const std::string& marker) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_file(e.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(HSBENCH_MPI_BIN) == 0 && cmdline.find(marker) != std::string::npos) {
      out.push_back(std::stoi(name));
    }
  }
  return out;
}

// Waits until n ranks run, at most 60 s.
bool ranks_up(const std::string& marker, size_t n) {
  for (int i = 0; i < 3000; i++) {
    if (ranks_of(marker).size() >= n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::vector<std::string> long_job(std::vector<std::string> argv) {
  // Many short repetitions: the run is still going when the test acts.
  auto it = std::find(argv.begin(), argv.end(), "--repetitions");
  *(it + 1) = "40";
  return argv;
}

TEST_F(Mpi, AKilledRankEndsTheJob) {
  test::ServeThread server(*scenario_, backend_->backend(), *pki_, EngineKind::hsbench, kResponse);
  const Job job = spawn(long_job(argv_for({{3, server.address()}})), dir_ / "out.txt");
  ASSERT_TRUE(ranks_up(json_path(), 3)) << read_file(job.output);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const std::vector<pid_t> ranks = ranks_of(json_path());
  ASSERT_FALSE(ranks.empty());
  kill(ranks.back(), SIGKILL);
  const int code = wait_for(job, 60);
  EXPECT_NE(code, -1) << "the job did not end: " << read_file(job.output);
  EXPECT_NE(code, 0) << read_file(job.output);
  EXPECT_FALSE(fs::exists(json_path())) << "a job with a dead rank writes nothing";
  for (int i = 0; i < 250 && !ranks_of(json_path()).empty(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(ranks_of(json_path()).empty()) << "ranks outlived the job";
}

TEST_F(Mpi, SigintWritesTheRepetitionsCompleteMarkedPartial) {
  test::ServeThread server(*scenario_, backend_->backend(), *pki_, EngineKind::hsbench, kResponse);
  const Job job = spawn(long_job(argv_for({{3, server.address()}})), dir_ / "out.txt");
  ASSERT_TRUE(ranks_up(json_path(), 3)) << read_file(job.output);
  // Past the warm-up and a few repetitions of 0.4 s.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  kill(job.pid, SIGINT);
  const int code = wait_for(job, 60);
  EXPECT_NE(code, -1) << "the job did not end: " << read_file(job.output);
  ASSERT_TRUE(fs::exists(json_path())) << read_file(job.output);
  const json j = result();
  EXPECT_EQ(j["context"]["partial"], true);
  ASSERT_EQ(j["results"].size(), 1u) << read_file(job.output);
  const json& r = j["results"][0];
  ASSERT_EQ(r["status"], "ok") << r.dump();
  const size_t reps = r["handshakes_per_sec"]["repetitions"].size();
  EXPECT_GE(reps, 1u);
  EXPECT_LT(reps, 40u);
  EXPECT_EQ(sum_of_ranks(r["network"]), r["handshakes"].get<uint64_t>());
}

}  // namespace
}  // namespace hsbench
