// hsbench serve: the engine (or the library's own stack) as a TLS server
// under someone else's load. One thread per listening socket, all on one
// address (SO_REUSEPORT: the kernel spreads connections among them), each
// an event loop over its connections: the handshake, a request if one
// comes, the fixed response, close. Every handshake's server steps, with
// the crypto inside, go into the same per-step histograms as in memory.
#include "tls/server.h"

#include <errno.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drive/configs.h"
#include "drive/runner.h"
#include "hsbench/network.h"
#include "net/address.h"
#include "net/measure.h"
#include "net/poller.h"
#include "net/socket.h"
#include "run/steps.h"
#include "stats/histogram.h"
#include "stats/stats.h"

namespace hsbench {
namespace {

using net::now_ns;

// A connection beyond this many per thread is closed at once: memory stays
// bounded under any load.
constexpr size_t kMaxConnectionsPerThread = 16384;

enum class Stage : uint8_t { idle, handshake, request, closing };

struct Conn {
  Stage stage = Stage::idle;
  int fd = -1;
  bool watching_write = false;
  net::SocketTransport transport;
  std::unique_ptr<tls::Server> server;
  std::unique_ptr<drive::Runner> runner;
  HandshakeTrace trace;
  std::unique_ptr<NativeConnection> native;
  Bytes native_out, native_plain;
  uint64_t accepted_ns = 0;
  uint64_t deadline_ns = 0;
};

struct Worker {
  int listen_fd = -1;
  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<Conn*> idle;
  StepAggregator steps;
  bool steps_prepared = false;
  Histogram handshake;  // accept to handshake complete
  net::ErrorCounts errors;
  uint64_t handshakes = 0, resumed = 0, requests = 0;
  uint64_t first_ns = 0, last_ns = 0;
  TlsVersion version = TlsVersion::tls13;
  std::unique_ptr<NativeContext> native_context;
  std::string fatal;
};

class ServeRun {
 public:
  ServeRun(Backend& backend, const ServeOptions& options, tls::Config config,
           NativeConfig native_config, uint64_t end_ns)
      : backend_(backend),
        options_(options),
        config_(std::move(config)),
        native_config_(std::move(native_config)),
        native_(options.engine == EngineKind::native),
        end_ns_(end_ns),
        response_(options.response.begin(), options.response.end()) {}

  bool prepare(Worker& w) {
    if (native_) {
      Failure why;
      w.native_context = backend_.new_native_context(native_config_, &why);
      if (w.native_context == nullptr) {
        w.fatal = why.reason;
        return false;
      }
    }
    return true;
  }

  void thread_main(Worker& w) {
    net::Poller poller;
    if (!poller.ok()) {
      w.fatal = fmt::format("epoll: {}", std::strerror(errno));
      return;
    }
    poller_ = &poller;
    poller.add(w.listen_fd, false, nullptr);
    epoll_event events[256];
    uint64_t next_scan = 0;
    for (;;) {
      const uint64_t now = now_ns();
      if ((end_ns_ != 0 && now >= end_ns_) || stop_requested() || stop_.load() ||
          (options_.stop != nullptr && options_.stop->load())) {
        break;
      }
      if (now >= next_scan) {
        expire(w, now);
        next_scan = now + 10'000'000;
      }
      const int n = poller.wait(events, 10);
      for (int i = 0; i < n; i++) {
        if (events[i].data.ptr == nullptr) {
          accept_all(w);
          continue;
        }
        // An event of this batch may be for a connection an earlier one
        // ended: its socket is closed, and it is idle.
        Conn& c = *static_cast<Conn*>(events[i].data.ptr);
        if (c.stage != Stage::idle) advance(w, c);
      }
    }
    for (auto& c : w.conns) {
      if (c->stage != Stage::idle) release(w, *c, net::CloseMode::rst);
    }
    poller_ = nullptr;
  }

  void stop() { stop_.store(true); }

 private:
  void accept_all(Worker& w) {
    for (;;) {
      const int fd = ::accept4(w.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // EAGAIN, or out of descriptors: the backlog waits
      }
      Conn* c = take(w);
      if (c == nullptr) {
        net::close_socket(fd, net::CloseMode::rst);
        w.errors.add("overload", "too many connections");
        continue;
      }
      const int one = 1;
      (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      c->fd = fd;
      c->transport.attach(fd);
      c->accepted_ns = now_ns();
      c->deadline_ns = c->accepted_ns + static_cast<uint64_t>(options_.timeout_s * 1e9);
      c->stage = Stage::handshake;
      c->watching_write = false;
      if (native_) {
        c->native = w.native_context->new_connection(nullptr);
        c->native_out.clear();
      } else {
        c->server->reset();
        c->trace.clear();
        c->runner->begin(options_.timing ? &c->trace : nullptr);
      }
      poller_->add(fd, false, c);
      advance(w, *c);
    }
  }

  Conn* take(Worker& w) {
    if (w.idle.empty()) {
      if (w.conns.size() >= kMaxConnectionsPerThread) return nullptr;
      auto c = std::make_unique<Conn>();
      if (!native_) {
        c->server = std::make_unique<tls::Server>(&backend_, &config_);
        c->runner = std::make_unique<drive::Runner>(c->server.get(), &c->transport);
      }
      w.idle.push_back(c.get());
      w.conns.push_back(std::move(c));
    }
    Conn* c = w.idle.back();
    w.idle.pop_back();
    return c;
  }

  void advance(Worker& w, Conn& c) {
    if (native_) return advance_native(w, c);
    drive::Runner& r = *c.runner;
    for (;;) {
      drive::Runner::Result result = drive::Runner::Result::done;
      switch (c.stage) {
        case Stage::handshake:
          result = r.handshake();
          if (result == drive::Runner::Result::done) {
            established(w, c, c.server->resumed(), c.server->version());
            c.stage = Stage::request;
            continue;
          }
          break;
        case Stage::request:
          result = r.read();
          if (result == drive::Runner::Result::done) {
            w.requests++;
            if (r.write(response_) != drive::Runner::Result::done) {
              return fail_engine(w, c);
            }
            c.stage = Stage::closing;
            result = r.close();
            if (result == drive::Runner::Result::done) return release(w, c, net::CloseMode::fin);
          } else if (result == drive::Runner::Result::closed ||
                     (result == drive::Runner::Result::failed && c.transport.peer_closed())) {
            // The client closed without a request: its handshake counted.
            return release(w, c, net::CloseMode::fin);
          }
          break;
        case Stage::closing:
          result = r.flush();
          if (result == drive::Runner::Result::done) return release(w, c, net::CloseMode::fin);
          break;
        case Stage::idle:
          return;
      }
      switch (result) {
        case drive::Runner::Result::would_block:
          return watch(c, r.wants_write());
        case drive::Runner::Result::closed:
          return fail(w, c, "closed", "handshake");
        case drive::Runner::Result::failed:
          return fail_engine(w, c);
        case drive::Runner::Result::done:
          return;
      }
    }
  }

  void advance_native(Worker& w, Conn& c) {
    for (;;) {
      ByteView in;
      const drive::Io io = c.transport.receive(&in);
      if (io == drive::Io::failed) return fail_socket(w, c);
      if (io == drive::Io::would_block) return watch(c, !c.native_out.empty());
      if (io == drive::Io::closed) {
        if (c.stage == Stage::handshake) return fail(w, c, "closed", "handshake");
        return release(w, c, net::CloseMode::fin);
      }
      if (c.stage == Stage::handshake) {
        const NativeConnection::Status st = c.native->handshake(in, &c.native_out);
        c.transport.consume(in.size());
        if (!send_native(w, c)) return;
        if (st == NativeConnection::Status::failed) {
          return fail(w, c, "protocol", c.native->error());
        }
        if (st != NativeConnection::Status::established) continue;
        established(w, c, c.native->resumed(), native_config_.version);
        c.stage = Stage::request;
        // The request may have come with the client's Finished and wait
        // inside the library.
        in = {};
      }
      const bool ok = read_native(w, c, in);
      c.transport.consume(in.size());
      if (!ok) return;
      if (c.stage == Stage::closing && c.native_out.empty()) {
        return release(w, c, net::CloseMode::fin);
      }
    }
  }

  // Reads records into the library and answers a request. False once the
  // connection is gone.
  bool read_native(Worker& w, Conn& c, ByteView in) {
    c.native_plain.clear();
    if (!c.native->read(in, &c.native_plain, &c.native_out)) {
      fail(w, c, "protocol", c.native->error());
      return false;
    }
    if (!c.native_plain.empty() && c.stage == Stage::request) {
      w.requests++;
      if (!c.native->write(response_, &c.native_out)) {
        fail(w, c, "protocol", c.native->error());
        return false;
      }
      c.stage = Stage::closing;
      (void)c.native->close(&c.native_out);  // close_notify, where the library can
    }
    return send_native(w, c);
  }

  bool send_native(Worker& w, Conn& c) {
    if (c.native_out.empty()) return true;
    const drive::Io io = c.transport.send(&c.native_out);
    if (io == drive::Io::ok || io == drive::Io::would_block) return true;
    fail_socket(w, c);
    return false;
  }

  void established(Worker& w, Conn& c, bool resumed, TlsVersion version) {
    const uint64_t now = now_ns();
    if (w.first_ns == 0) w.first_ns = now;
    w.last_ns = now;
    w.handshakes++;
    if (resumed) w.resumed++;
    w.version = version;
    w.handshake.record(now - c.accepted_ns);
    if (!native_ && options_.timing) {
      if (!w.steps_prepared) {
        w.steps.prepare(c.trace);
        w.steps_prepared = true;
      }
      w.steps.add(c.trace);
    }
  }

  void watch(Conn& c, bool want_write) {
    if (want_write != c.watching_write) {
      c.watching_write = want_write;
      poller_->modify(c.fd, want_write, &c);
    }
  }

  void fail_socket(Worker& w, Conn& c) {
    const int e = c.transport.error();
    if (e == ECONNRESET) return fail(w, c, "reset", "handshake");
    if (e == EPIPE || e == 0) return fail(w, c, "closed", "handshake");
    fail(w, c, "socket", net::errno_name(e));
  }

  void fail_engine(Worker& w, Conn& c) {
    const tls::Error& e = c.runner->error();
    if (e.received) return fail(w, c, "alert", std::string(tls::name(e.alert)));
    if (c.transport.error() != 0 || c.transport.peer_closed()) return fail_socket(w, c);
    fail(w, c, "protocol", fmt::format("{}: {}", tls::name(e.alert), e.reason));
  }

  void fail(Worker& w, Conn& c, const std::string& kind, const std::string& detail) {
    w.errors.add(kind, detail);
    release(w, c, net::CloseMode::rst);
  }

  void expire(Worker& w, uint64_t now) {
    for (auto& c : w.conns) {
      if (c->stage != Stage::idle && c->deadline_ns <= now) fail(w, *c, "timeout", "idle");
    }
  }

  void release(Worker& w, Conn& c, net::CloseMode mode) {
    if (c.stage == Stage::idle) return;  // once: it is on the idle list already
    if (!native_ && c.runner != nullptr) c.runner->end();
    net::close_socket(c.fd, mode);
    c.fd = -1;
    c.native.reset();
    c.stage = Stage::idle;
    w.idle.push_back(&c);
  }

  Backend& backend_;
  const ServeOptions& options_;
  tls::Config config_;
  NativeConfig native_config_;
  bool native_;
  uint64_t end_ns_;
  Bytes response_;
  std::atomic<bool> stop_{false};
  static thread_local net::Poller* poller_;
};

thread_local net::Poller* ServeRun::poller_ = nullptr;

}  // namespace

Result run_serve(const Scenario& scenario, Backend& backend, const Pki& pki,
                 const ServeOptions& options) {
  const int threads = std::max(1, options.threads);
  const bool native = options.engine == EngineKind::native;
  auto skipped = [&](Failure why) {
    return skipped_result(scenario, backend.name(), threads, std::move(why), options.engine);
  };
  if (auto why = net::unsupported_over_tcp(scenario, backend, options.engine, "client")) {
    return skipped(std::move(*why));
  }
  net::Address address;
  std::string error;
  if (!net::parse_address(options.listen, &address, &error, /*allow_port_zero=*/true))
    return skipped({FailureKind::failed, error});

  if (!scenario.client_cert.empty() && pki.client_roots.empty()) {
    return skipped({FailureKind::failed, scenario.id + " is mutual TLS: no client root given"});
  }
  std::unique_ptr<Credentials> credentials;
  if (!native) {
    credentials = prepare_credentials(backend, pki, "", &error);
    if (credentials == nullptr) return skipped({FailureKind::failed, error});
    if (!scenario.client_cert.empty()) {
      // What clients' chains are checked against: the client roots alone
      // (a server holds no client chain of its own).
      std::vector<ByteView> roots(pki.client_roots.begin(), pki.client_roots.end());
      credentials->client = std::make_unique<Credentials>();
      credentials->client->trust = backend.new_trust_store(roots, &error);
      if (credentials->client->trust == nullptr) {
        return skipped({FailureKind::failed, "client roots: " + error});
      }
    }
  }
  tls::Config config = engine_server_config(scenario, credentials.get());
  // One ticket key for every thread: a ticket from one resumes on another.
  if (!backend.random(config.ticket_key)) return skipped({FailureKind::failed, "no randomness"});
  NativeConfig native_config = native_server_config(scenario, pki);

  const uint64_t start = now_ns();
  const uint64_t end =
      options.duration_s > 0 ? start + static_cast<uint64_t>(options.duration_s * 1e9) : 0;
  ServeRun run(backend, options, std::move(config), std::move(native_config), end);
  std::vector<Worker> workers(static_cast<size_t>(threads));
  // Every socket on the bound address: the first picks the port when it
  // is 0, the others join it.
  for (Worker& w : workers) {
    w.listen_fd = net::listen_on(address, /*reuse_port=*/true, &error);
    if (w.listen_fd < 0) {
      for (Worker& x : workers) ::close(x.listen_fd);
      return skipped({FailureKind::failed, error});
    }
    if (address.port() == 0) {
      socklen_t len = sizeof(address.storage);
      getsockname(w.listen_fd, reinterpret_cast<sockaddr*>(&address.storage), &len);
    }
    if (!run.prepare(w)) {
      for (Worker& x : workers) ::close(x.listen_fd);
      return skipped({FailureKind::failed, w.fatal});
    }
  }
  const uint64_t cpu0 = net::process_cpu_ns();
  {
    std::vector<std::thread> pool;
    for (Worker& w : workers) pool.emplace_back([&run, &w] { run.thread_main(w); });
    if (options.on_listening) options.on_listening(address.text());
    for (auto& t : pool) t.join();
  }
  const uint64_t cpu1 = net::process_cpu_ns();
  const uint64_t stop = now_ns();
  for (Worker& w : workers) ::close(w.listen_fd);

  Result result = skipped({FailureKind::failed, ""});
  result.skipped = false;
  result.skip_reason.clear();
  result.timing = options.timing && !native;
  Worker& first = workers[0];
  uint64_t first_ns = 0, last_ns = 0, requests = 0, resumed = 0;
  for (size_t i = 0; i < workers.size(); i++) {
    Worker& w = workers[i];
    if (i > 0) {
      first.steps.merge(w.steps);
      first.handshake.merge(w.handshake);
      first.errors.merge(w.errors);
    }
    result.handshakes += w.handshakes;
    requests += w.requests;
    resumed += w.resumed;
    if (w.first_ns != 0 && (first_ns == 0 || w.first_ns < first_ns)) first_ns = w.first_ns;
    last_ns = std::max(last_ns, w.last_ns);
    if (w.handshakes > 0) first.version = w.version;
  }
  // The rate over the time handshakes were served: first to last.
  const double served_s = last_ns > first_ns ? static_cast<double>(last_ns - first_ns) / 1e9 : 0;
  RepetitionResult rep;
  rep.handshakes = result.handshakes;
  rep.wall_s = served_s;
  const double n = static_cast<double>(std::max<uint64_t>(result.handshakes, 1));
  rep.cpu_us_per_handshake = static_cast<double>(cpu1 - cpu0) / n / 1e3;
  result.repetitions.push_back(rep);
  result.duration_s = static_cast<double>(stop - start) / 1e9;
  const double rate = served_s > 0 ? static_cast<double>(result.handshakes) / served_s : 0;
  result.handshakes_per_sec = summarize(std::vector<double>{rate});
  if (rate > 0) result.us_per_handshake = threads * 1e6 / rate;
  result.cpu_us_per_handshake.server_us = rep.cpu_us_per_handshake;
  result.cpu_us_per_handshake.total_us = rep.cpu_us_per_handshake;
  if (first.handshake.count() > 0) result.latency_us = latency_of(first.handshake);
  if (result.timing) {
    result.steps = first.steps.results(first.version);
    result.ops_per_handshake = first.steps.op_totals();
  }
  result.lower_bound_error = "not timed in network mode";
  result.memory_note = "not measured in network mode";

  NetworkResult net;
  net.role = "server";
  net.target = options.listen;
  net.address = address.text();
  net.requests = requests;
  net.attempted = result.handshakes + first.errors.total();
  net.failed = first.errors.total();
  net.errors = first.errors.list();
  net.resumption_accepted = resumed;
  net.phases.push_back({"handshake", first.handshake.count(), latency_of(first.handshake)});
  result.network = std::move(net);
  return result;
}

}  // namespace hsbench
