// The crypto lower bound bounds: for every scenario of the default matrix on
// each real backend, by instruction count (valgrind's callgrind, which does
// not depend on the machine's load), the bound (each primitive of the plan
// alone, on the sizes the traced handshake gave it, times its calls per
// handshake) is at most the same primitives run once each in handshake
// order, those at most the handshake's own crypto calls (counted alone
// inside traced handshakes), and those at most the whole handshake. The
// third count is the tight one: a plan on other sizes than the handshake's
// may still sit below the whole handshake, not below its crypto calls. The probe
// (lower_bound_icount_probe.cc) counts; one process per backend, both at once. Each gap is printed:
// in order over the bound is what running the crypto outside a loop adds (in instructions, only the
// loop between the calls), the handshake over in order is the engine's own work.
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

// Passes of the in-order primitives and whole handshakes per counted region
// (and calls of each public-key operation alone). Instruction counts repeat,
// so a few suffice.
constexpr int kPasses = 3;
// In instructions the bound and the same primitives in order differ only by
// the loop between the calls and by what depends on the heap's state (the
// allocator's own work, the certificate parser's allocations): here up to
// about 0.1% of a handshake either way. The bound may exceed the in-order
// count by this share of it, no more, and the in-order count the
// handshake's own crypto calls by as much. Those calls cost more than the
// same primitives in a loop by what a first use of a fresh key costs (the
// client parses the server's key anew each handshake).
constexpr double kHeapNoise = 0.0025;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Starts argv with stdout into out and stderr into err; its pid, or -1.
pid_t start(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  if (std::freopen(out.c_str(), "w", stdout) == nullptr ||
      std::freopen(err.c_str(), "w", stderr) == nullptr) {
    _exit(127);
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

int wait_for(pid_t pid) {
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// label -> instructions, from each callgrind dump in dir whose trigger was a
// client request labelled "lbprobe ...".
std::map<std::string, uint64_t> read_dumps(const fs::path& dir) {
  static const std::string kTrigger = "desc: Trigger: Client Request: lbprobe ";
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
    std::string pattern = (fs::path(tmp != nullptr ? tmp : "/tmp") / "hsbench-lbprobe.XXXXXX");
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

// One scenario on one backend, per handshake.
struct Counts {
  double bound = 0;
  double in_order = 0;
  double handshake = 0;
  double crypto = 0;  // the handshake's crypto calls alone
  size_t entries = 0;
};

// From a probe's stdout ("entry SCENARIO I CALLS NAME") and its dumps: the
// bound, the in-order primitives and the handshake per scenario, in the
// order the probe ran them. A missing dump is a failure.
std::vector<std::pair<std::string, Counts>> fold(const std::string& stdout_text,
                                                 const std::map<std::string, uint64_t>& dumps) {
  std::vector<std::pair<std::string, Counts>> out;
  std::istringstream lines(stdout_text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string tag, scenario;
    size_t index = 0;
    double calls = 0;
    if (!(words >> tag >> scenario >> index >> calls) || tag != "entry") continue;
    if (out.empty() || out.back().first != scenario) out.push_back({scenario, {}});
    Counts& c = out.back().second;
    const std::string prefix = "alone " + scenario + " " + std::to_string(index) + " ";
    auto it = dumps.lower_bound(prefix);
    if (it == dumps.end() || it->first.rfind(prefix, 0) != 0) {
      ADD_FAILURE() << "no dump for " << line;
      continue;
    }
    const double n = std::stod(it->first.substr(prefix.size()));
    c.bound += calls * static_cast<double>(it->second) / n;
    c.entries++;
  }
  for (auto& [scenario, c] : out) {
    for (auto [what, into] :
         {std::pair{"in_order", &c.in_order}, {"handshake", &c.handshake}, {"crypto", &c.crypto}}) {
      const std::string label = std::string(what) + " " + scenario + " " + std::to_string(kPasses);
      auto it = dumps.find(label);
      if (it == dumps.end()) {
        ADD_FAILURE() << "no dump " << label;
        continue;
      }
      *into = static_cast<double>(it->second) / kPasses;
    }
  }
  return out;
}

TEST(LowerBound, BoundsTheSamePrimitivesInOrderWhichBoundTheHandshake) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "valgrind cannot run a sanitizer build (the instruction counts need a release "
                  "build)";
#endif
  if (!on_path("valgrind")) GTEST_SKIP() << "valgrind is not installed (Debian package valgrind)";
  std::vector<std::string> backends;
  if (HSBENCH_HAVE_OPENSSL) backends.push_back("openssl");
  if (HSBENCH_HAVE_BORINGSSL) backends.push_back("boringssl");
  TempDir dir;
  ASSERT_FALSE(dir.path().empty()) << "cannot make a temporary directory";

  // Each backend in its own process, so that one cannot move the other's
  // counts, and both at once.
  std::vector<pid_t> pids;
  for (const std::string& b : backends) {
    const fs::path d = dir.path() / b;
    fs::create_directories(d);
    pids.push_back(start({"valgrind", "--tool=callgrind", "--instr-atstart=no",
                          "--callgrind-out-file=" + (d / "cg.%p").string(),
                          HSBENCH_LOWER_BOUND_PROBE, b, std::to_string(kPasses)},
                         d / "stdout", d / "stderr"));
  }
  for (size_t i = 0; i < backends.size(); i++) {
    const fs::path d = dir.path() / backends[i];
    const int rc = wait_for(pids[i]);
    ASSERT_EQ(rc, 0) << "lower_bound_icount_probe " << backends[i] << " under callgrind failed:\n"
                     << read_text(d / "stderr");
  }

  std::cout << "instructions per handshake: bound <= in order <= the handshake's crypto calls "
               "<= the handshake (each gap)\n";
  for (const std::string& b : backends) {
    const fs::path d = dir.path() / b;
    const auto counts = fold(read_text(d / "stdout"), read_dumps(d));
    EXPECT_FALSE(counts.empty()) << b << ": the probe counted no scenario\n"
                                 << read_text(d / "stderr");
    for (const auto& [scenario, c] : counts) {
      const std::string what = b + " " + scenario;
      std::cout << std::fixed << std::setprecision(0) << std::setw(10) << b << " " << std::setw(30)
                << scenario << "  " << c.bound << " <= " << c.in_order << " <= " << c.crypto
                << " <= " << c.handshake << "  (" << std::showpos << c.in_order - c.bound << ", "
                << c.crypto - c.in_order << ", " << c.handshake - c.crypto << std::noshowpos
                << ") over " << c.entries << " primitives\n";
      RecordProperty(what + " bound", std::to_string(c.bound));
      RecordProperty(what + " in_order", std::to_string(c.in_order));
      RecordProperty(what + " handshake", std::to_string(c.handshake));
      RecordProperty(what + " crypto", std::to_string(c.crypto));
      EXPECT_GT(c.bound, 0) << what;
      EXPECT_LE(c.bound, c.in_order * (1 + kHeapNoise))
          << what << ": the bound is above the same primitives run in handshake order";
      EXPECT_LE(c.in_order, c.handshake)
          << what << ": the primitives in handshake order cost more than the handshake";
      EXPECT_LE(c.in_order, c.crypto * (1 + kHeapNoise))
          << what << ": the primitives in handshake order cost more than the handshake's own "
          << "crypto calls (a primitive on other sizes than the handshake's?)";
      EXPECT_LE(c.crypto, c.handshake)
          << what << ": the handshake's crypto calls cost more than the handshake";
    }
  }
}

}  // namespace
}  // namespace hsbench
