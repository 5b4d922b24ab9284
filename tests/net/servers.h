// Servers for the network-mode tests, all on 127.0.0.1 at ports picked when
// they start: real TLS servers run as child processes (openssl s_server,
// BoringSSL's bssl-tool server, nginx), and misbehaving ones run in a thread
// of the test process. Each is stopped, reaped and cleaned up by its
// destructor, so a test that holds them in scope leaves no process, file or
// descriptor behind. Every wait is bounded; nothing here measures time.
// POSIX (Linux /proc) only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hsbench::test {

// A TCP port on 127.0.0.1 that was free just now (bound to port 0, read back
// and closed); someone else may take it before it is used, so callers that
// bind it retry with another.
uint16_t free_port();

// A port on 127.0.0.1 where nothing listens: connecting to it is refused.
uint16_t refused_port();

// Entries in /proc/self/fd, the descriptor that reads it not counted.
int open_fd_count();

// Processes whose parent is `parent`, zombies included (an unreaped child is
// a leak too), from /proc/*/stat.
std::vector<pid_t> child_pids_of(pid_t parent);

// Whether a process with this id runs: it exists and is not a zombie.
bool process_alive(pid_t pid);

// The absolute path of an executable found on PATH or in /usr/sbin and
// /usr/bin (nginx lives in /usr/sbin, often not on a user's PATH); empty
// when there is none.
std::string find_tool(std::string_view name);

// HSBENCH_SOURCE_DIR/pki/KIND/FILE, e.g. pki_file("rsa2048", "root.pem").
std::string pki_file(std::string_view kind, std::string_view file);

// A finished command: exit_code is its exit status, or -1 when a signal
// ended it, it ran out of time (timed_out) or it could not be started;
// output is its stdout and stderr interleaved as written.
struct CommandResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string output;
};

// Runs argv[0] (a path, or a name looked up with find_tool) with `input` on
// its stdin, which is closed after it, in a process group of its own. After
// timeout_ms the whole group is killed. Never leaves a process behind.
CommandResult run_command(const std::vector<std::string>& argv, std::string_view input,
                          int timeout_ms);

struct TlsServerSpec {
  std::string tool;                     // "openssl" | "bssl" | "nginx"
  std::string pki_kind = "ecdsa-p256";  // pki/KIND
  std::string tls = "1.3";              // "1.2" or "1.3": exactly this version
  // TLS 1.2 only, an RSA pki_kind only: the server accepts only RSA key
  // transport suites (AES128-GCM-SHA256, AES256-GCM-SHA384).
  bool rsa_key_transport = false;
  // Session tickets (RFC 5077; in TLS 1.3, RFC 8446 section 4.6.1).
  bool tickets = true;
  // The server's session cache: TLS 1.2 resumption by session id. In TLS
  // 1.3 OpenSSL-based servers with tickets off but the cache on still
  // resume, through stateful tickets that name a cache entry.
  bool session_cache = true;
  int workers = 1;  // nginx worker_processes; the other tools have one process
  // Mutual TLS: the server requires a client certificate. openssl and nginx
  // verify its chain against pki/KIND/client/root.pem; bssl-tool server can
  // only require one (and checks its CertificateVerify).
  bool client_auth = false;
};

// A real TLS server listening on 127.0.0.1 (bssl-tool: on all interfaces,
// see start()). Held by unique_ptr, so move-only; the destructor stops it
// (SIGTERM, a bounded wait, then SIGKILL to its process group), reaps it and
// removes its temporary directory. The server runs in a process group of its
// own, with a second child of this process, its guard, that kills the group
// if this process dies without stopping it: while it runs, child_pids_of
// this process lists both pid() and the guard. The server is also killed
// when the thread that started it ends (PR_SET_PDEATHSIG): start it from a
// thread that outlives it, such as the test's own.
class ServerProcess {
 public:
  // Starts the server at a free port and returns once it listens there (its
  // own socket in LISTEN state, read from /proc), retrying at another port
  // if it exited before (the port was taken). Null with a one-line
  // *out_error when the tool is missing, the spec asks for something the
  // tool cannot do, or the server did not come up within a few seconds (the
  // error then carries its log).
  //
  // bssl-tool server takes a port only and binds [::] (all interfaces, IPv4
  // mapped); given "127.0.0.1:PORT" it reads the port as 127. It serves one
  // connection at a time (-loop accepts the next after the last closed), and
  // has no switch to turn tickets or the session cache off: a spec with
  // either off is refused.
  static std::unique_ptr<ServerProcess> start(const TlsServerSpec& spec, std::string* out_error);

  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"
  pid_t pid() const { return pid_; }
  const TlsServerSpec& spec() const { return spec_; }

  // Where its listening socket is bound, from /proc/net/tcp and tcp6:
  // "127.0.0.1:PORT", "0.0.0.0:PORT" or "[::]:PORT"; empty if none.
  std::string listening_address() const;

  // nginx: its worker processes (the master's children); others: {pid()}.
  std::vector<pid_t> worker_pids() const;

  // nginx: lines in its access log, one per HTTP request (its log_format is
  // "$ssl_protocol $ssl_cipher $ssl_client_verify $ssl_session_reused"), so a
  // handshake that
  // carries no request is not counted; others: 0 (not supported).
  uint64_t handshakes_logged() const;
  // nginx: those lines whose handshake resumed a session; others: 0.
  uint64_t resumed_logged() const;
  // nginx: those lines whose client verification ($ssl_client_verify) was
  // `result`: "SUCCESS" (in this connection or, resumed, in the session's
  // first), "NONE" (no certificate) or "FAILED" (any reason); others: 0.
  uint64_t client_verify_logged(std::string_view result) const;

  // Its temporary directory (configuration, logs), removed with it.
  const std::string& temp_dir() const { return dir_; }

  // Its stdout and stderr (and nginx's error log), for failure messages.
  std::string log() const;

 private:
  ServerProcess() = default;
  void stop();
  int reap();  // kills what is left of the group, reaps it and the guard

  TlsServerSpec spec_;
  std::string dir_;  // its temporary directory
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  pid_t guard_pid_ = -1;
  int guard_fd_ = -1;
};

enum class Fault {
  silent,             // accepts, reads, never writes
  close_after_hello,  // reads the first TLS record (the ClientHello), then FIN
  reset_after_hello,  // reads the first TLS record, then RST (SO_LINGER 0)
  // answers the first record with bytes that are not TLS (a plain HTTP 400
  // response), then FIN
  garbage,
  // answers the first record with a fatal handshake_failure alert (RFC 8446
  // section 6): 15 03 03 00 02 02 28, then FIN
  alert,
  // a TCP proxy to `upstream` ("HOST:PORT", numeric IPv4) that holds every
  // chunk it reads, either way, for delay_ms before forwarding it
  slow,
};

// A misbehaving server on 127.0.0.1: one thread with its own listening
// socket, serving any number of connections with poll and bounded waits.
// The destructor stops and joins the thread and closes every descriptor.
class FaultServer {
 public:
  // Null with a one-line *out_error when the socket cannot be set up or a
  // slow proxy lacks a valid upstream.
  static std::unique_ptr<FaultServer> start(Fault fault, std::string* out_error,
                                            std::string upstream = "", int delay_ms = 0);

  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"
  Fault fault() const { return fault_; }
  // Connections accepted so far.
  uint64_t accepted() const { return accepted_.load(); }

 private:
  FaultServer() = default;
  void serve();

  Fault fault_ = Fault::silent;
  int delay_ms_ = 0;
  uint32_t upstream_ip_ = 0;  // network order
  uint16_t upstream_port_ = 0;
  int listen_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<uint64_t> accepted_{0};
  std::thread thread_;
};

}  // namespace hsbench::test
