// Running a program as a user runs it, for the command-line tests: in a
// temporary directory of its own, stdin from /dev/null, stdout and stderr
// captured (to the files "stdout" and "stderr" in that directory, where a
// failing test's output can still be read), and the exit code. The
// directory and everything in it go when the TempDir does, unless kept.
// POSIX only; no shell stands between a test and the program unless the
// test asks for one (run_shell), so arguments need no quoting.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace hsbench::test {

// How a run ended. rc is the exit code, or -1 when a signal ended the
// program or it could not be started.
struct Outcome {
  int rc = -1;
  std::string out;
  std::string err;
};

// The whole of a file; empty when it cannot be read.
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// s as one word for /bin/sh, for tests that build shell commands.
inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

// A fresh directory under the system's temporary directory, named
// hsbench-<name>-XXXXXX, removed with all it holds on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view name) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("hsbench-" + std::string(name) + "-XXXXXX"))
            .string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    if (path_.empty() || keep_) return;
    if (keep_if_failed_ && ::testing::Test::HasFailure()) {
      std::printf("kept %s\n", path_.c_str());
      return;
    }
    std::error_code ec;  // a test's cleanup never throws
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // False when the directory could not be made; tests assert on it.
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }
  // Leaves the directory in place, for a person to look at: always, or
  // only if the running test has failed by the time the TempDir goes.
  void keep() { keep_ = true; }
  void keep_if_failed() { keep_if_failed_ = true; }

  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }
  std::string read(std::string_view name) const { return slurp(file(name)); }
  // Writes text to a file in the directory; its path.
  std::string write(std::string_view name, std::string_view text) const {
    const std::string p = file(name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  bool exists(std::string_view name) const {
    std::error_code ec;
    return std::filesystem::exists(file(name), ec);
  }
  // The names in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(path_, ec)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
  bool keep_ = false;
  bool keep_if_failed_ = false;
};

// A program running in dir: argv[0] is its path (no PATH search), stdin is
// /dev/null, stdout and stderr go to dir/stdout and dir/stderr. wait()
// collects it; a Process not waited for is killed and reaped.
class Process {
 public:
  Process(const std::string& dir, const std::vector<std::string>& argv) : dir_(dir) {
    if (argv.empty()) return;
    // Everything the child needs is made before fork: after it, only
    // async-signal-safe calls.
    std::vector<std::string> args = argv;
    std::vector<char*> c_argv;
    for (std::string& a : args) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    const std::string out = dir + "/stdout", err = dir + "/stderr";
    pid_ = fork();
    if (pid_ == 0) {
      const int in = open("/dev/null", O_RDONLY);
      const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0 ||
          chdir(dir.c_str()) != 0) {
        _exit(126);
      }
      execv(c_argv[0], c_argv.data());
      _exit(127);  // as a shell reports a command it cannot run
    }
  }
  ~Process() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  void signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }
  Outcome wait() {
    Outcome o;
    if (pid_ <= 0) return o;
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = 0;
    o.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.out = slurp(dir_ + "/stdout");
    o.err = slurp(dir_ + "/stderr");
    return o;
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

// Runs argv in dir to the end.
inline Outcome run_in(const std::string& dir, const std::vector<std::string>& argv) {
  Process p(dir, argv);
  return p.wait();
}

// Runs a /bin/sh command line in dir, for tests of other tools whose
// arguments are written as shell words.
inline Outcome run_shell(const std::string& dir, const std::string& command) {
  return run_in(dir, {"/bin/sh", "-c", command});
}

#ifdef HSBENCH_BIN
// The hsbench executable of this build (HSBENCH_BIN, set by the test's
// CMakeLists.txt), with args.
inline std::vector<std::string> hsbench_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {HSBENCH_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

inline Outcome run_hsbench(const std::string& dir, const std::vector<std::string>& args) {
  return run_in(dir, hsbench_argv(args));
}
#endif

}  // namespace hsbench::test
