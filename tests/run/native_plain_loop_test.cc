// Native mode adds nothing that shows to the library's own handshakes: the
// instructions per handshake of hsbench's runner in native mode (timing on,
// as hsbench runs by default) against a plain loop of SSL_do_handshake pairs,
// both counted by valgrind's callgrind in one process (native_icount_probe),
// with the handshakes' randomness fixed. Instruction counts do not depend on
// the machine's load, so the bound can be tight; the same comparison by time
// is a benchmark (bench/transparency), not a test.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace hsbench {
namespace {

namespace fs = std::filesystem;

// At most this much more per handshake through the runner than in the plain
// loop. The harness's own work (moving bytes, the message callbacks, the
// clock readings and the trace folded into histograms) fits under it, with
// little to spare; a harness that did 2% more work per handshake fails.
constexpr double kMaxRatio = 1.01;
// And at least this much: the runner cannot make the library's own
// handshakes cheaper, so fewer instructions than the plain loop mean that
// the two no longer run the same handshake (a configuration that drifted
// apart), and the comparison means nothing.
constexpr double kMinRatio = 0.99;
// Handshakes per counted region (the runner: this many, and twice as many).
constexpr int kHandshakes = 6;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Runs argv with stdout and stderr into log; its exit status, or -1.
int run(const std::vector<std::string>& argv, const fs::path& log) {
  const pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    FILE* out = std::freopen(log.c_str(), "w", stdout);
    if (out == nullptr || dup2(fileno(stdout), STDERR_FILENO) < 0) _exit(127);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// label -> instructions, from each callgrind dump in dir whose trigger was a
// client request labelled "transparency ...".
std::map<std::string, uint64_t> read_dumps(const fs::path& dir) {
  static const std::string kTrigger = "desc: Trigger: Client Request: transparency ";
  std::map<std::string, uint64_t> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("cg.", 0) != 0) continue;
    std::ifstream in(entry.path());
    std::string label;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(kTrigger, 0) == 0) {
        label = line.substr(kTrigger.size());
      } else if (line.rfind("summary:", 0) == 0) {
        if (!label.empty()) out[label] = std::stoull(line.substr(8));
        break;
      }
    }
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = (fs::path(tmp != nullptr ? tmp : "/tmp") / "hsbench-icount.XXXXXX");
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(NativeRunner, CostsAtMostOnePercentMoreInstructionsThanAPlainLoop) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "valgrind cannot run a sanitizer build (the instruction counts need a release "
                  "build)";
#endif
  if (!on_path("valgrind")) GTEST_SKIP() << "valgrind is not installed (Debian package valgrind)";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty()) << "cannot make a temporary directory";
  const fs::path log = dir.path() / "probe.log";
  const int rc = run({"valgrind", "--tool=callgrind", "--instr-atstart=no",
                      "--callgrind-out-file=" + (dir.path() / "cg.%p").string(),
                      HSBENCH_NATIVE_ICOUNT_PROBE, std::to_string(kHandshakes)},
                     log);
  ASSERT_EQ(rc, 0) << "native_icount_probe under callgrind failed:\n" << read_text(log);

  const auto dumps = read_dumps(dir.path());
  const std::string n = std::to_string(kHandshakes), n2 = std::to_string(2 * kHandshakes);
  ASSERT_EQ(dumps.count("plain " + n), 1u) << read_text(log);
  ASSERT_EQ(dumps.count("runner " + n), 1u) << read_text(log);
  ASSERT_EQ(dumps.count("runner " + n2), 1u) << read_text(log);
  const uint64_t plain_total = dumps.at("plain " + n);
  const uint64_t runner_short = dumps.at("runner " + n);
  const uint64_t runner_long = dumps.at("runner " + n2);
  ASSERT_GT(plain_total, 0u);
  ASSERT_GT(runner_long, runner_short) << "the runner's count did not grow with its handshakes";
  // The two runner calls differ only in their measured handshakes: their
  // set-up (contexts, the check and warm-up handshakes, the thread) cancels.
  const double plain = static_cast<double>(plain_total) / kHandshakes;
  const double runner = static_cast<double>(runner_long - runner_short) / kHandshakes;
  const double ratio = runner / plain;
  RecordProperty("plain_instructions_per_handshake", std::to_string(plain));
  RecordProperty("runner_instructions_per_handshake", std::to_string(runner));
  RecordProperty("ratio", std::to_string(ratio));
  std::cout << std::fixed << std::setprecision(0) << "instructions per handshake: plain loop "
            << plain << ", runner (native) " << runner << ", ratio " << std::setprecision(4)
            << ratio << "\n";
  EXPECT_GE(ratio, kMinRatio) << "the runner's native handshakes cost " << runner
                              << " instructions each, fewer than the plain loop's " << plain
                              << ": not the same handshake (bench/transparency/plain_loop.cc)";
  EXPECT_LE(ratio, kMaxRatio) << "the runner's native handshakes cost " << runner
                              << " instructions each, the plain loop's " << plain;
}

}  // namespace
}  // namespace hsbench
