// The process side of servers.h: helpers over /proc, running commands, and
// the real TLS servers.
#include "net/servers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace hsbench::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kStartTimeoutMs = 10000;  // generous: the machine may be loaded
constexpr int kStopTimeoutMs = 5000;
constexpr int kStartAttempts = 3;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

void sleep_ms(int ms) { poll(nullptr, 0, ms); }

// Whether the child has exited, without reaping it: an unreaped child keeps
// its pid and process group id reserved, so the group can still be killed
// safely afterwards.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return errno == ECHILD;
  return info.si_pid == pid;
}

bool wait_exited(pid_t pid, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!has_exited(pid)) {
    if (Clock::now() >= deadline) return false;
    sleep_ms(10);
  }
  return true;
}

// Kills whatever is left of the child's process group, then reaps the child.
// Returns its wait status.
int reap_group(pid_t pid) {
  kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Kills the child's whole process group and reaps the child.
int kill_and_reap(pid_t pid) {
  kill(-pid, SIGKILL);
  wait_exited(pid, kStopTimeoutMs);
  return reap_group(pid);
}

// Starts argv (argv[0] an absolute path) in a process group of its own with
// the given descriptors as stdin, stdout and stderr, and nothing else open.
// It is killed if this thread ends first (PR_SET_PDEATHSIG), so a crashing
// test leaves no server behind. Everything the child needs is prepared
// before fork: the parent may have threads, so the child only makes
// async-signal-safe calls.
pid_t spawn(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd,
            std::string* out_error) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int report[2];  // the child writes errno here if exec fails
  if (pipe2(report, O_CLOEXEC) != 0) {
    *out_error = fmt::format("pipe: {}", std::strerror(errno));
    return -1;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    *out_error = fmt::format("fork: {}", std::strerror(errno));
    close(report[0]);
    close(report[1]);
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, nullptr);
    // fds 0-2 first, the report pipe at 3, then nothing else stays open.
    int fds[3] = {in_fd, out_fd, err_fd};
    int moved[3];
    for (int i = 0; i < 3; ++i) moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
    int rep = fcntl(report[1], F_DUPFD_CLOEXEC, 10);
    for (int i = 0; i < 3; ++i) dup2(moved[i], i);
    dup2(rep, 3);
    fcntl(3, F_SETFD, FD_CLOEXEC);
    close_range(4, ~0U, 0);
    execv(args[0], args.data());
    int err = errno;
    ssize_t ignored = write(3, &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so that kill(-pid) works whoever runs first
  close(report[1]);
  int err = 0;
  ssize_t n;
  while ((n = read(report[0], &err, sizeof err)) < 0 && errno == EINTR) {
  }
  close(report[0]);
  if (n > 0) {
    reap_group(pid);
    *out_error = fmt::format("cannot run {}: {}", argv[0], std::strerror(err));
    return -1;
  }
  return pid;
}

// A process that kills the process group `group` once the returned
// descriptor (a pipe's write end, close-on-exec) is closed: by
// ServerProcess::reap, which first writes one byte, or by the kernel when
// this process dies in any way (a crash, a test runner's kill), and then it
// also removes `dir`, the server's temporary directory. PR_SET_PDEATHSIG
// reaches only the server's own process, not the workers nginx forks. The
// guard has a process group of its own so that a kill aimed at the test's
// group spares it.
pid_t spawn_guard(pid_t group, const std::string& dir, int* out_fd, std::string* out_error) {
  std::string rm = find_tool("rm");
  std::vector<std::string> argv = {rm, "-rf", "--", dir};
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    *out_error = fmt::format("pipe: {}", std::strerror(errno));
    return -1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    *out_error = fmt::format("fork: {}", std::strerror(errno));
    close(p[0]);
    close(p[1]);
    return -1;
  }
  if (pid == 0) {
    setpgid(0, 0);
    dup2(p[0], 0);
    close_range(1, ~0U, 0);
    char c;
    ssize_t n;
    while ((n = read(0, &c, 1)) < 0 && errno == EINTR) {
    }
    kill(-group, SIGKILL);
    if (n == 0 && !rm.empty()) execv(args[0], args.data());
    _exit(0);
  }
  close(p[0]);
  *out_fd = p[1];
  return pid;
}

// Socket inodes among a process's descriptors.
std::set<unsigned long> socket_inodes(pid_t pid) {
  std::set<unsigned long> inodes;
  std::string dir = fmt::format("/proc/{}/fd", pid);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return inodes;
  while (dirent* e = readdir(d)) {
    char target[64];
    std::string link = dir + "/" + e->d_name;
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    unsigned long inode = 0;
    if (std::sscanf(target, "socket:[%lu]", &inode) == 1) inodes.insert(inode);
  }
  closedir(d);
  return inodes;
}

// The address of a listening socket on `port` that `pid` holds, from
// /proc/net/tcp and tcp6 (whose addresses are 32-bit words in host order).
std::string listening_address_of(pid_t pid, uint16_t port) {
  std::set<unsigned long> mine = socket_inodes(pid);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::istringstream lines(read_file(table));
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream f(line);
      std::string slot, local, remote, state, queues, timer, retr, uid, timeout;
      unsigned long inode = 0;
      if (!(f >> slot >> local >> remote >> state >> queues >> timer >> retr >> uid >> timeout >>
            inode))
        continue;
      size_t colon = local.find(':');
      if (state != "0A" || colon == std::string::npos) continue;  // 0A: TCP_LISTEN
      if (std::stoul(local.substr(colon + 1), nullptr, 16) != port || !mine.count(inode)) continue;
      std::string hex = local.substr(0, colon);
      char text[INET6_ADDRSTRLEN] = {};
      if (hex.size() == 8) {
        in_addr a{};
        a.s_addr = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
        inet_ntop(AF_INET, &a, text, sizeof text);
        return fmt::format("{}:{}", text, port);
      }
      if (hex.size() == 32) {
        in6_addr a{};
        for (int w = 0; w < 4; ++w) {
          uint32_t word = static_cast<uint32_t>(std::stoul(hex.substr(8 * w, 8), nullptr, 16));
          std::memcpy(&a.s6_addr[4 * w], &word, 4);
        }
        inet_ntop(AF_INET6, &a, text, sizeof text);
        return fmt::format("[{}]:{}", text, port);
      }
    }
  }
  return "";
}

std::string last_lines(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  return "..." + text.substr(text.size() - max_chars);
}

// One line for an error message: newlines become " | ".
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += " | ";
    else if (c != '\r')
      out += c;
  }
  return out;
}

bool is_rsa_kind(const std::string& kind) { return kind.rfind("rsa", 0) == 0; }

// OpenSSL cipher strings (BoringSSL reads them too) for TLS 1.2.
std::string tls12_ciphers(const TlsServerSpec& spec) {
  return spec.rsa_key_transport ? "AES128-GCM-SHA256:AES256-GCM-SHA384"
                                : "ECDHE+AESGCM:ECDHE+CHACHA20";
}

std::string nginx_config(const TlsServerSpec& spec, const std::string& dir, uint16_t port) {
  std::string chain = pki_file(spec.pki_kind, "chain.pem");
  std::string key = pki_file(spec.pki_kind, "key.pem");
  std::string c;
  c += "daemon off;\nmaster_process on;\n";
  // As root, nginx would run its workers as nobody; root keeps them able to
  // use the temporary directory (mode 0700) and the files in it.
  if (geteuid() == 0) c += "user root;\n";
  c += fmt::format("worker_processes {};\n", spec.workers);
  c += fmt::format("pid {0}/nginx.pid;\nlock_file {0}/nginx.lock;\n", dir);
  c += fmt::format("error_log {}/error.log notice;\n", dir);
  c += "events { worker_connections 1024; }\n";
  c += "http {\n";
  c += "  default_type text/plain;\n";
  c += "  log_format hsbench '$ssl_protocol $ssl_cipher $ssl_client_verify $ssl_session_reused';\n";
  c += fmt::format("  access_log {}/access.log hsbench;\n", dir);
  for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    c += fmt::format("  {0}_temp_path {1}/{0}_temp;\n", t, dir);
  c += "  keepalive_timeout 30s;\n";
  c += "  server {\n";
  c += fmt::format("    listen 127.0.0.1:{} ssl;\n", port);
  c += fmt::format("    ssl_certificate {};\n    ssl_certificate_key {};\n", chain, key);
  c += fmt::format("    ssl_protocols TLSv{};\n", spec.tls);
  if (spec.tls == "1.2") c += fmt::format("    ssl_ciphers {};\n", tls12_ciphers(spec));
  c += fmt::format("    ssl_session_tickets {};\n", spec.tickets ? "on" : "off");
  c += fmt::format("    ssl_session_cache {};\n", spec.session_cache ? "shared:hsbench:1m" : "off");
  if (spec.client_auth) {
    c += fmt::format("    ssl_verify_client on;\n    ssl_client_certificate {};\n",
                     pki_file(spec.pki_kind, "client/root.pem"));
  }
  c += "    location / { return 200 \"hello from nginx\\n\"; }\n";
  c += "  }\n}\n";
  return c;
}

// The command line for one attempt, writing nginx's configuration if needed.
std::vector<std::string> server_argv(const TlsServerSpec& spec, const std::string& tool_path,
                                     const std::string& dir, uint16_t port) {
  std::string key = pki_file(spec.pki_kind, "key.pem");
  if (spec.tool == "openssl") {
    // s_server's -cert reads only the first certificate of a file; the
    // intermediate comes from -cert_chain. -www keeps stdin unread: without
    // it, s_server with stdin at EOF shuts down on its first connection.
    std::vector<std::string> a = {tool_path,
                                  "s_server",
                                  "-accept",
                                  fmt::format("127.0.0.1:{}", port),
                                  "-www",
                                  "-cert",
                                  pki_file(spec.pki_kind, "leaf.pem"),
                                  "-cert_chain",
                                  pki_file(spec.pki_kind, "intermediate.pem"),
                                  "-key",
                                  key,
                                  spec.tls == "1.2" ? "-tls1_2" : "-tls1_3"};
    if (spec.tls == "1.2") a.insert(a.end(), {"-cipher", tls12_ciphers(spec)});
    if (!spec.tickets) a.push_back("-no_ticket");
    if (!spec.session_cache) a.push_back("-no_cache");
    if (spec.client_auth) {
      a.insert(a.end(), {"-Verify", "2", "-verify_return_error", "-CAfile",
                         pki_file(spec.pki_kind, "client/root.pem")});
    }
    return a;
  }
  if (spec.tool == "bssl") {
    std::string version = spec.tls == "1.2" ? "tls1.2" : "tls1.3";
    std::vector<std::string> a = {tool_path,      "server",
                                  "-accept",      std::to_string(port),
                                  "-loop",        "-www",
                                  "-key",         key,
                                  "-cert",        pki_file(spec.pki_kind, "chain.pem"),
                                  "-min-version", version,
                                  "-max-version", version};
    if (spec.tls == "1.2") a.insert(a.end(), {"-cipher", tls12_ciphers(spec)});
    if (spec.client_auth) a.push_back("-require-any-client-cert");
    return a;
  }
  write_file(dir + "/nginx.conf", nginx_config(spec, dir, port));
  return {tool_path, "-p", dir + "/", "-c", dir + "/nginx.conf", "-e", dir + "/error.log"};
}

std::string check_spec(const TlsServerSpec& spec) {
  if (spec.tool != "openssl" && spec.tool != "bssl" && spec.tool != "nginx")
    return fmt::format("unknown server tool '{}' (openssl, bssl or nginx)", spec.tool);
  if (spec.tls != "1.2" && spec.tls != "1.3")
    return fmt::format("unknown TLS version '{}' (1.2 or 1.3)", spec.tls);
  if (!std::filesystem::exists(pki_file(spec.pki_kind, "key.pem")))
    return fmt::format("no key for pki kind '{}' ({})", spec.pki_kind,
                       pki_file(spec.pki_kind, "key.pem"));
  if (spec.rsa_key_transport && spec.tls != "1.2")
    return "RSA key transport exists only up to TLS 1.2";
  if (spec.rsa_key_transport && !is_rsa_kind(spec.pki_kind))
    return fmt::format("RSA key transport needs an RSA key, not pki kind '{}'", spec.pki_kind);
  if (spec.tool == "bssl" && (!spec.tickets || !spec.session_cache))
    return "bssl-tool server cannot turn session tickets or its session cache off";
  if (spec.client_auth && !std::filesystem::exists(pki_file(spec.pki_kind, "client/root.pem")))
    return fmt::format("pki kind '{}' has no client chain for client_auth", spec.pki_kind);
  if (spec.workers < 1) return "workers must be at least 1";
  if (spec.tool != "nginx" && spec.workers != 1)
    return fmt::format("{} runs one process: workers must be 1", spec.tool);
  return "";
}

}  // namespace

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

uint16_t refused_port() {
  // A port bound without listening refuses connections; once closed, it
  // stays refused unless someone else binds it meanwhile.
  return free_port();
}

int open_fd_count() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // opendir's own descriptor
}

std::vector<pid_t> child_pids_of(pid_t parent) {
  std::vector<pid_t> children;
  DIR* d = opendir("/proc");
  if (d == nullptr) return children;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    std::string stat = read_file(fmt::format("/proc/{}/stat", pid));
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    size_t close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(stat.c_str() + close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == parent)
      children.push_back(static_cast<pid_t>(pid));
  }
  closedir(d);
  return children;
}

bool process_alive(pid_t pid) {
  std::string stat = read_file(fmt::format("/proc/{}/stat", pid));
  size_t close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() &&
         stat[close_paren + 2] != 'Z';
}

std::string find_tool(std::string_view name) {
  if (name.find('/') != std::string_view::npos)
    return access(std::string(name).c_str(), X_OK) == 0 ? std::string(name) : "";
  std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
  dirs += ":/usr/sbin:/usr/bin";
  std::istringstream s(dirs);
  std::string dir;
  while (std::getline(s, dir, ':')) {
    if (dir.empty()) continue;
    std::string path = dir + "/" + std::string(name);
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0)
      return path;
  }
  return "";
}

std::string pki_file(std::string_view kind, std::string_view file) {
  return fmt::format("{}/pki/{}/{}", HSBENCH_SOURCE_DIR, kind, file);
}

CommandResult run_command(const std::vector<std::string>& argv, std::string_view input,
                          int timeout_ms) {
  CommandResult result;
  if (argv.empty()) {
    result.output = "run_command: no command";
    return result;
  }
  std::vector<std::string> args = argv;
  args[0] = find_tool(argv[0]);
  if (args[0].empty()) {
    result.output = fmt::format("{}: not found", argv[0]);
    return result;
  }
  // stdin is a socket so that writing to a command that stopped reading
  // fails with EPIPE (MSG_NOSIGNAL) instead of raising SIGPIPE here.
  int in[2], out[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    result.output = fmt::format("socketpair: {}", std::strerror(errno));
    return result;
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    result.output = fmt::format("pipe: {}", std::strerror(errno));
    close(in[0]);
    close(in[1]);
    return result;
  }
  std::string error;
  pid_t pid = spawn(args, in[1], out[1], out[1], &error);
  close(in[1]);
  close(out[1]);
  if (pid < 0) {
    close(in[0]);
    close(out[0]);
    result.output = error;
    return result;
  }
  fcntl(in[0], F_SETFL, O_NONBLOCK);
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t written = 0;
  int to_child = in[0];
  if (input.empty()) {
    shutdown(to_child, SHUT_WR);
  }
  bool output_open = true;
  while (output_open) {
    int left = ms_left(deadline);
    if (left == 0) {
      result.timed_out = true;
      break;
    }
    pollfd fds[2] = {{out[0], POLLIN, 0}, {to_child, POLLOUT, 0}};
    bool writing = written < input.size();
    int n = poll(fds, writing ? 2 : 1, left);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (writing && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t w = send(to_child, input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();  // it stopped reading
      if (written == input.size()) shutdown(to_child, SHUT_WR);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      ssize_t r = read(out[0], buf, sizeof buf);
      if (r > 0)
        result.output.append(buf, static_cast<size_t>(r));
      else if (r == 0 || errno != EINTR)
        output_open = false;
    }
  }
  close(to_child);
  close(out[0]);
  // Its output ended when it exited or closed stdout; either way, it gets
  // until the deadline to exit.
  if (!result.timed_out && !wait_exited(pid, ms_left(deadline))) result.timed_out = true;
  int status = result.timed_out ? kill_and_reap(pid) : reap_group(pid);
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

std::unique_ptr<ServerProcess> ServerProcess::start(const TlsServerSpec& spec,
                                                    std::string* out_error) {
  const char* tool_name =
      spec.tool == "bssl" ? "bssl-tool" : (spec.tool == "nginx" ? "nginx" : "openssl");
  if (std::string bad = check_spec(spec); !bad.empty()) {
    *out_error = bad;
    return nullptr;
  }
  std::string tool_path = find_tool(tool_name);
  if (tool_path.empty()) {
    *out_error = fmt::format("{} not found (on PATH, /usr/sbin or /usr/bin)", tool_name);
    return nullptr;
  }
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->spec_ = spec;
  std::string pattern = (std::filesystem::temp_directory_path() / "hsbench-net-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    *out_error = fmt::format("mkdtemp: {}", std::strerror(errno));
    return nullptr;
  }
  server->dir_ = pattern;  // from here on, the destructor removes it
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    uint16_t port = free_port();
    if (port == 0) {
      *out_error = "no free port on 127.0.0.1";
      return nullptr;
    }
    std::vector<std::string> argv = server_argv(spec, tool_path, server->dir_, port);
    std::string log_path = server->dir_ + "/server.log";
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    std::string error;
    pid_t pid = log_fd >= 0 && null_fd >= 0 ? spawn(argv, null_fd, log_fd, log_fd, &error) : -1;
    if (log_fd < 0 || null_fd < 0) error = fmt::format("open: {}", std::strerror(errno));
    if (log_fd >= 0) close(log_fd);
    if (null_fd >= 0) close(null_fd);
    if (pid < 0) {
      *out_error = error;
      return nullptr;
    }
    server->pid_ = pid;
    server->port_ = port;
    server->guard_pid_ = spawn_guard(pid, server->dir_, &server->guard_fd_, &error);
    if (server->guard_pid_ < 0) {
      server->reap();
      *out_error = error;
      return nullptr;
    }
    auto deadline = Clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
    bool exited = false;
    bool listening = false;
    while (Clock::now() < deadline) {
      if (has_exited(pid)) {
        exited = true;
        break;
      }
      if (!listening) listening = !listening_address_of(pid, port).empty();
      // nginx listens before its workers run; they are what serves.
      if (listening &&
          (spec.tool != "nginx" || static_cast<int>(server->worker_pids().size()) >= spec.workers))
        return server;
      sleep_ms(10);
    }
    std::string log = server->log();
    if (exited) {
      int status = server->reap();
      // A taken port is known by the log: s_server even exits with 0 when
      // its bind fails.
      bool port_taken =
          log.find("in use") != std::string::npos || log.find("bind") != std::string::npos;
      if (port_taken && attempt < kStartAttempts) continue;
      *out_error = fmt::format("{} exited (status {}) before listening on {}: {}", tool_name,
                               status, port, one_line(last_lines(log, 1500)));
      return nullptr;
    }
    server->stop();
    *out_error = fmt::format("{} was not listening on {} after {} ms: {}", tool_name, port,
                             kStartTimeoutMs, one_line(last_lines(log, 1500)));
    return nullptr;
  }
  *out_error = "unreachable";
  return nullptr;
}

ServerProcess::~ServerProcess() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;  // cleanup never throws
    std::filesystem::remove_all(dir_, ec);
  }
}

void ServerProcess::stop() {
  if (pid_ <= 0) return;
  // nginx's master stops its workers on SIGTERM and exits after them.
  kill(pid_, SIGTERM);
  if (!wait_exited(pid_, kStopTimeoutMs)) {
    kill(-pid_, SIGKILL);
    wait_exited(pid_, kStopTimeoutMs);
  }
  reap();
}

int ServerProcess::reap() {
  // The server is not reaped yet, so its process group id still names its
  // group: what is left in it is killed, by the guard too (closing its pipe),
  // before the id can be reused.
  kill(-pid_, SIGKILL);
  if (guard_fd_ >= 0) {
    char stopped = 1;  // the directory stays: the destructor removes it
    ssize_t ignored = write(guard_fd_, &stopped, 1);
    (void)ignored;
    close(guard_fd_);
  }
  guard_fd_ = -1;
  if (guard_pid_ > 0) {
    while (waitpid(guard_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  guard_pid_ = -1;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

std::string ServerProcess::address() const { return fmt::format("127.0.0.1:{}", port_); }

std::string ServerProcess::listening_address() const {
  return pid_ > 0 ? listening_address_of(pid_, port_) : "";
}

std::vector<pid_t> ServerProcess::worker_pids() const {
  if (pid_ <= 0) return {};
  if (spec_.tool != "nginx") return {pid_};
  return child_pids_of(pid_);
}

uint64_t ServerProcess::handshakes_logged() const {
  if (spec_.tool != "nginx") return 0;
  std::string log = read_file(dir_ + "/access.log");
  uint64_t lines = 0;
  for (char c : log) lines += c == '\n';
  return lines;
}

uint64_t ServerProcess::resumed_logged() const {
  if (spec_.tool != "nginx") return 0;
  std::istringstream log(read_file(dir_ + "/access.log"));
  uint64_t resumed = 0;
  std::string line;
  while (std::getline(log, line)) resumed += line.size() >= 2 && line.ends_with(" r");
  return resumed;
}

uint64_t ServerProcess::client_verify_logged(std::string_view result) const {
  if (spec_.tool != "nginx") return 0;
  std::istringstream log(read_file(dir_ + "/access.log"));
  uint64_t n = 0;
  std::string line;
  // "$ssl_protocol $ssl_cipher $ssl_client_verify $ssl_session_reused":
  // the third field (FAILED:REASON may hold spaces).
  while (std::getline(log, line)) {
    const size_t first = line.find(' ');
    const size_t second = first == std::string::npos ? first : line.find(' ', first + 1);
    if (second == std::string::npos) continue;
    n += line.compare(second + 1, result.size(), result) == 0;
  }
  return n;
}

std::string ServerProcess::log() const {
  std::string text = read_file(dir_ + "/server.log");
  if (spec_.tool == "nginx") text += read_file(dir_ + "/error.log");
  return text;
}

}  // namespace hsbench::test
