// hsbench connect: a TLS load generator. Each thread is one event loop
// (epoll) over its share of the connections, each connection a small state
// machine: TCP connect, the handshake (the engine through the driver core's
// Runner, or the library's own stack), an optional request until the first
// response byte, close. Nothing is shared between threads while they run;
// their records are merged afterwards, as the in-memory runner's are.
#include "tls/client.h"

#include <errno.h>
#include <fmt/format.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
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
#include "net/tally.h"
#include "run/steps.h"
#include "stats/histogram.h"
#include "stats/stats.h"

namespace hsbench {
namespace {

using net::now_ns;

using net::kConnect;
using net::kFirstByte;
using net::kFirstFlight;
using net::kHandshake;
using net::kPhases;
using net::kServerFinished;
using net::kTicketWaitNs;

// How long, at most, connections in flight at the end may take to finish
// (so that the client's count of completed handshakes is the server's).
constexpr uint64_t kDrainNs = 1'000'000'000;

// How far a connection is.
enum class Stage : uint8_t { idle, connecting, handshake, request, response, tickets };

struct Conn {
  Stage stage = Stage::idle;
  int fd = -1;
  bool watching_write = false;
  net::SocketTransport transport;
  // The engine.
  std::unique_ptr<tls::Client> client;
  std::unique_ptr<drive::Runner> runner;
  HandshakeTrace trace;
  size_t steps_seen = 0;
  // The library's own stack.
  std::unique_ptr<NativeConnection> native;
  Bytes native_out, native_plain;
  bool native_started = false;

  // Resumption: the newest session this connection slot got. Each slot
  // resumes its own, so no session is in two handshakes at once (a
  // library may retire a session while another connection holds it).
  std::shared_ptr<const tls::ClientSession> session;
  std::unique_ptr<NativeSession> native_session;
  bool got_session = false;    // in this connection
  bool native_unread = false;  // records may wait inside the library
  bool offered_resumption = false;
  uint64_t intended_ns = 0, start_ns = 0, connected_ns = 0, hello_ns = 0, first_rx_ns = 0,
           server_finished_ns = 0, done_ns = 0;
  uint64_t deadline_ns = 0;
};

// One thread's connections and what it measured.
struct Worker {
  std::vector<std::unique_ptr<Conn>> conns;
  std::vector<Conn*> idle;
  net::ConnectTally t;  // what it measured
  bool steps_prepared = false;
  std::unique_ptr<NativeContext> native_context;
  uint32_t next_source = 0;
  std::string fatal;  // setup failure
};

class ConnectRun {
 public:
  ConnectRun(const Scenario& scenario, Backend& backend, const ConnectOptions& options,
             const net::Address& target, tls::Config config, NativeConfig native_config,
             net::Windows windows)
      : scenario_(scenario),
        backend_(backend),
        options_(options),
        target_(target),
        config_(std::move(config)),
        native_config_(std::move(native_config)),
        windows_(windows),
        native_(options.engine == EngineKind::native),
        resume_(scenario.resumption),
        close_(options.close == NetCloseMode::rst ? net::CloseMode::rst : net::CloseMode::fin),
        request_(options.request.begin(), options.request.end()) {}

  // Makes the worker's connections; false with worker.fatal on failure.
  bool prepare(Worker& w, int connections) {
    w.t.repetitions.resize(static_cast<size_t>(windows_.repetitions));
    if (native_) {
      Failure why;
      w.native_context = backend_.new_native_context(native_config_, &why);
      if (w.native_context == nullptr) {
        w.fatal = why.reason;
        return false;
      }
    }
    for (int i = 0; i < connections; i++) {
      auto c = std::make_unique<Conn>();
      if (!native_) {
        c->client = std::make_unique<tls::Client>(&backend_, &config_);
        c->runner = std::make_unique<drive::Runner>(c->client.get(), &c->transport);
      }
      w.idle.push_back(c.get());
      w.conns.push_back(std::move(c));
    }
    return true;
  }

  void thread_main(Worker& w, size_t index, int threads) {
    net::Poller poller;
    if (!poller.ok()) {
      w.fatal = fmt::format("epoll: {}", std::strerror(errno));
      return;
    }
    poller_ = &poller;
    std::mt19937_64 rng(0x9e3779b97f4a7c15ull * (index + 1) ^ now_ns());
    const bool open = options_.rate > 0;
    const double per_thread_rate = options_.rate / threads;
    const double mean_gap_ns = open ? 1e9 / per_thread_rate : 0;
    std::exponential_distribution<double> poisson(1.0);
    auto gap = [&]() -> uint64_t {
      if (options_.arrival == ArrivalModel::poisson) {
        return static_cast<uint64_t>(poisson(rng) * mean_gap_ns);
      }
      return static_cast<uint64_t>(mean_gap_ns);
    };
    // Threads' arrivals interleave rather than coincide (and, by
    // arrival_phase, several runs' threads).
    uint64_t next_arrival =
        windows_.start_ns + static_cast<uint64_t>(mean_gap_ns *
                                                  (static_cast<double>(index) +
                                                   std::clamp(options_.arrival_phase, 0.0, 1.0)) /
                                                  std::max(threads, 1));
    // Nothing starts before the warm-up does.
    while (now_ns() < windows_.start_ns && !stop_.load(std::memory_order_relaxed) &&
           !stop_requested()) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<uint64_t>(
          windows_.start_ns - std::min(windows_.start_ns, now_ns()), 1'000'000)));
    }
    uint64_t next_scan = 0;
    epoll_event events[256];
    for (;;) {
      uint64_t now = now_ns();
      if (now >= windows_.end() || stop_.load(std::memory_order_relaxed) || stop_requested()) break;
      if (open) {
        while (next_arrival <= now && !w.idle.empty()) {
          start(w, next_arrival, now);
          next_arrival += std::max<uint64_t>(gap(), 1);
        }
      } else {
        while (!w.idle.empty()) start(w, now, now);
      }
      if (now >= next_scan) {
        expire(w, now);
        next_scan = now + 5'000'000;
      }
      uint64_t wake = std::min(windows_.end(), next_scan);
      if (open && !w.idle.empty()) wake = std::min(wake, next_arrival);
      now = now_ns();
      const int timeout_ms =
          wake <= now
              ? 0
              : static_cast<int>(std::min<uint64_t>((wake - now + 999'999) / 1'000'000, 100));
      const int n = poller.wait(events, timeout_ms);
      for (int i = 0; i < n; i++) {
        on_event(w, *static_cast<Conn*>(events[i].data.ptr), events[i].events);
      }
    }
    // Connections in flight finish (out of the windows: they count in
    // completed only), for at most kDrainNs or their own timeout; the rest
    // are abandoned.
    const uint64_t drain_end = now_ns() + kDrainNs;
    for (;;) {
      const uint64_t now = now_ns();
      if (w.idle.size() == w.conns.size() || now >= drain_end) break;
      expire(w, now);
      const int n = poller.wait(events, 5);
      for (int i = 0; i < n; i++) {
        on_event(w, *static_cast<Conn*>(events[i].data.ptr), events[i].events);
      }
    }
    for (auto& c : w.conns) {
      if (c->stage == Stage::idle) continue;
      w.t.abandoned++;
      release(w, *c, net::CloseMode::rst);
    }
    poller_ = nullptr;
  }

  void stop() { stop_.store(true); }
  // The windows, once the start is known (before thread_main).
  void set_windows(net::Windows windows) { windows_ = windows; }

 private:
  void start(Worker& w, uint64_t intended, uint64_t now) {
    Conn& c = *w.idle.back();
    w.idle.pop_back();
    c.intended_ns = intended;
    c.start_ns = now;
    c.connected_ns = c.hello_ns = c.first_rx_ns = c.server_finished_ns = c.done_ns = 0;
    c.deadline_ns = now + static_cast<uint64_t>(options_.timeout_s * 1e9);
    c.offered_resumption = false;
    net::Address source;
    const net::Address* from = nullptr;
    if (options_.source_addresses > 0) {
      source =
          net::loopback_source(w.next_source++ % static_cast<uint32_t>(options_.source_addresses));
      from = &source;
    }
    c.fd = net::start_connect(target_, from);
    if (c.fd < 0) {
      const int e = errno;
      c.stage = Stage::connecting;
      fail(w, c, connect_error_kind(e), e == EADDRNOTAVAIL ? "" : net::errno_name(e));
      return;
    }
    c.transport.attach(c.fd);
    c.stage = Stage::connecting;
    c.watching_write = true;
    poller_->add(c.fd, true, &c);
  }

  static const char* connect_error_kind(int e) {
    switch (e) {
      case ECONNREFUSED:
        return "refused";
      case ECONNRESET:
        return "reset";
      case ETIMEDOUT:
        return "timeout";
      case EADDRNOTAVAIL:
      case EADDRINUSE:
        return "address";
      default:
        return "connect";
    }
  }

  void on_event(Worker& w, Conn& c, uint32_t events) {
    if (c.stage == Stage::idle) return;
    if (c.stage == Stage::connecting) {
      const int e = net::connect_result(c.fd);
      if (e != 0)
        return fail(w, c, connect_error_kind(e), e == ECONNREFUSED ? "" : net::errno_name(e));
      if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
      c.connected_ns = now_ns();
      begin_tls(w, c);
    }
    advance(w, c);
  }

  void begin_tls(Worker& w, Conn& c) {
    c.stage = Stage::handshake;
    if (native_) {
      c.native = w.native_context->new_connection(resume_ ? c.native_session.get() : nullptr);
      c.offered_resumption = resume_ && c.native_session != nullptr;
      c.got_session = false;
      c.native_started = false;
      c.native_out.clear();
      c.native_plain.clear();
      return;
    }
    c.client->reset();
    if (resume_) c.client->set_resumption(c.session);
    c.offered_resumption =
        resume_ && c.session != nullptr && c.session->version == scenario_.version;
    c.trace.clear();
    c.steps_seen = 0;
    c.runner->begin(options_.timing ? &c.trace : nullptr);
  }

  // Runs the connection until it waits for the socket, ends or fails.
  void advance(Worker& w, Conn& c) {
    for (;;) {
      bool again = native_ ? advance_native(w, c) : advance_engine(w, c);
      if (!again) return;
    }
  }

  // One stage of an engine connection; true to run the next at once.
  bool advance_engine(Worker& w, Conn& c) {
    drive::Runner& r = *c.runner;
    drive::Runner::Result result = drive::Runner::Result::done;
    switch (c.stage) {
      case Stage::handshake:
        result = r.handshake();
        if (c.hello_ns == 0) c.hello_ns = now_ns();
        note_arrivals(c);
        if (result == drive::Runner::Result::done) {
          c.done_ns = now_ns();
          on_established(w, c);
          return c.stage != Stage::idle;
        }
        break;
      case Stage::request:
        result = r.write(request_);
        if (result == drive::Runner::Result::done) {
          c.stage = Stage::response;
          return true;
        }
        break;
      case Stage::response:
        result = r.read();
        if (result == drive::Runner::Result::done) {
          keep_session(c);
          succeed(w, c, c.transport.received_ns());
          return false;
        }
        break;
      case Stage::tickets:
        result = r.read();
        keep_session(c);
        if (c.client->new_session() != nullptr || result == drive::Runner::Result::done) {
          succeed(w, c, c.done_ns);
          return false;
        }
        break;
      case Stage::idle:
      case Stage::connecting:
        return false;
    }
    switch (result) {
      case drive::Runner::Result::would_block:
        watch(c, r.wants_write());
        return false;
      case drive::Runner::Result::closed:
        fail(w, c, "closed", stage_name(c.stage));
        return false;
      case drive::Runner::Result::failed:
        fail_engine(w, c);
        return false;
      case drive::Runner::Result::done:
        return false;
    }
    return false;
  }

  // The first bytes of the server's answer, and the one that held its
  // Finished, from the steps the trace gained.
  void note_arrivals(Conn& c) {
    if (c.first_rx_ns == 0 && c.transport.bytes_received() > 0) {
      c.first_rx_ns = c.transport.received_ns();
    }
    for (; c.steps_seen < c.trace.step_count; c.steps_seen++) {
      const Step& s = c.trace.steps[c.steps_seen];
      if (s.side == Side::client && s.action == Action::read && s.message == Message::finished) {
        c.server_finished_ns = c.transport.received_ns();
      }
    }
  }

  void on_established(Worker& w, Conn& c) {
    c.native_unread = native_;
    if (!request_.empty()) {
      c.stage = Stage::request;
      return;
    }
    // TLS 1.3 tickets come after the handshake: read them before closing,
    // or there is nothing to resume.
    const bool tls13 =
        native_ ? scenario_.version == TlsVersion::tls13 : c.client->version() == TlsVersion::tls13;
    if (resume_ && tls13) {
      // A server may send none, or only once it writes (BoringSSL's
      // does): the handshake counts, and the wait for a ticket is short.
      c.stage = Stage::tickets;
      c.deadline_ns = std::min(c.deadline_ns, now_ns() + kTicketWaitNs);
      return;
    }
    keep_session(c);
    succeed(w, c, c.done_ns);
  }

  void keep_session(Conn& c) {
    if (!resume_) return;
    if (native_) {
      if (auto s = c.native->session()) {
        c.native_session = std::move(s);
        c.got_session = true;
      }
      return;
    }
    if (auto s = c.client->new_session()) c.session = std::move(s);
  }

  // One stage of a native connection; true to run the next at once.
  bool advance_native(Worker& w, Conn& c) {
    ByteView in;
    const drive::Io io = c.transport.receive(&in);
    if (io == drive::Io::failed) {
      fail_socket(w, c);
      return false;
    }
    if (c.first_rx_ns == 0 && io == drive::Io::ok) c.first_rx_ns = c.transport.received_ns();
    // Bytes that came with the last flight may wait inside the library:
    // read once on entering a stage that reads, new bytes or not.
    const bool fresh = io == drive::Io::ok || std::exchange(c.native_unread, false);
    switch (c.stage) {
      case Stage::handshake: {
        if (!fresh && c.native_started) break;
        c.native_started = true;
        const NativeConnection::Status st = c.native->handshake(in, &c.native_out);
        c.transport.consume(in.size());
        if (!send_native(w, c)) return false;
        if (c.hello_ns == 0) c.hello_ns = now_ns();
        if (st == NativeConnection::Status::failed) {
          fail(w, c, "protocol", c.native->error());
          return false;
        }
        if (st == NativeConnection::Status::established) {
          c.done_ns = now_ns();
          on_established(w, c);
          return c.stage != Stage::idle;
        }
        break;
      }
      case Stage::request:
        if (!c.native->write(request_, &c.native_out)) {
          fail(w, c, "protocol", c.native->error());
          return false;
        }
        c.stage = Stage::response;
        c.native_unread = true;
        if (!send_native(w, c)) return false;
        return true;
      case Stage::response:
      case Stage::tickets:
        if (fresh) {
          c.native_plain.clear();
          const bool ok = c.native->read(in, &c.native_plain, &c.native_out);
          c.transport.consume(in.size());
          if (!ok) {
            fail(w, c, "protocol", c.native->error());
            return false;
          }
          if (!send_native(w, c)) return false;
          keep_session(c);
          if (!c.native_plain.empty() || (c.stage == Stage::tickets && c.got_session)) {
            succeed(w, c, c.stage == Stage::response ? c.transport.received_ns() : c.done_ns);
            return false;
          }
        }
        break;
      case Stage::idle:
      case Stage::connecting:
        return false;
    }
    if (io == drive::Io::closed) {
      fail(w, c, "closed", stage_name(c.stage));
      return false;
    }
    watch(c, !c.native_out.empty());
    return false;
  }

  bool send_native(Worker& w, Conn& c) {
    if (c.native_out.empty()) return true;
    const drive::Io io = c.transport.send(&c.native_out);
    if (io == drive::Io::ok || io == drive::Io::would_block) return true;
    fail_socket(w, c);
    return false;
  }

  void watch(Conn& c, bool want_write) {
    if (want_write != c.watching_write) {
      c.watching_write = want_write;
      poller_->modify(c.fd, want_write, &c);
    }
  }

  static const char* stage_name(Stage s) {
    switch (s) {
      case Stage::connecting:
        return "connect";
      case Stage::handshake:
        return "handshake";
      case Stage::request:
      case Stage::response:
        return "response";
      case Stage::tickets:
        return "tickets";
      case Stage::idle:
        break;
    }
    return "";
  }

  void succeed(Worker& w, Conn& c, uint64_t end_ns) {
    w.t.completed++;
    const int r = windows_.index(end_ns);
    if (r >= 0) {
      w.t.repetitions[static_cast<size_t>(r)].handshakes++;
      w.t.repetitions[static_cast<size_t>(r)].attempted++;
      record(w, c, end_ns);
    } else {
      // The warm-up's full handshakes show the server's chain too.
      note_negotiated(w, c, native_ ? c.native->resumed() : c.client->resumed());
    }
    release(w, c, close_);
  }

  void record(Worker& w, Conn& c, uint64_t end_ns) {
    auto since = [](uint64_t from, uint64_t to) { return to > from ? to - from : 0; };
    w.t.phases[kConnect].record(since(c.start_ns, c.connected_ns));
    if (c.first_rx_ns != 0) w.t.phases[kFirstFlight].record(since(c.hello_ns, c.first_rx_ns));
    if (c.server_finished_ns != 0) {
      w.t.phases[kServerFinished].record(since(c.hello_ns, c.server_finished_ns));
    }
    w.t.phases[kHandshake].record(since(c.hello_ns, c.done_ns));
    if (options_.keep_latencies) w.t.handshake_ns.push_back(since(c.hello_ns, c.done_ns));
    if (!request_.empty()) w.t.phases[kFirstByte].record(since(c.hello_ns, end_ns));
    w.t.corrected.record(since(c.intended_ns, c.done_ns));
    w.t.uncorrected.record(since(c.start_ns, c.done_ns));
    w.t.bytes_sent += c.transport.bytes_sent();
    w.t.bytes_received += c.transport.bytes_received();
    const bool resumed = native_ ? c.native->resumed() : c.client->resumed();
    if (c.offered_resumption) {
      w.t.resumption_offered++;
      if (resumed) w.t.resumption_accepted++;
    }
    if (!native_) {
      if (options_.timing) {
        if (!w.steps_prepared) {
          w.t.steps.prepare(c.trace);
          w.steps_prepared = true;
        }
        w.t.steps.add(c.trace);
      }
      w.t.version = c.client->version();
    } else {
      w.t.version = scenario_.version;
    }
    note_negotiated(w, c, resumed);
  }

  void note_negotiated(Worker& w, Conn& c, bool resumed) {
    Negotiated n;
    if (native_) {
      n.version = std::string(name(scenario_.version));
      const CipherSuiteInfo* suite =
          cipher_suite_info(static_cast<CipherSuite>(c.native->negotiated_cipher_suite()));
      n.cipher = suite != nullptr ? std::string(suite->name)
                                  : fmt::format("0x{:04x}", c.native->negotiated_cipher_suite());
      // A library's own stack tells its caller the suite, not the rest.
      n.group = n.signature_scheme = n.server_key = "unknown";
    } else {
      const tls::Client& cl = *c.client;
      n.version = std::string(name(cl.version()));
      const CipherSuiteInfo* suite = cipher_suite_info(cl.cipher_suite());
      n.cipher = suite != nullptr ? std::string(suite->name) : "unknown";
      const tls::Client::Negotiated& x = cl.negotiated();
      if (x.has_group) n.group = std::string(name(x.group));
      if (x.has_signature) n.signature_scheme = std::string(name(x.signature_scheme));
      if (x.chain_certificates > 0) {
        n.server_key = net::key_name(x.server_key);
        n.chain_certificates = static_cast<int>(x.chain_certificates);
        n.chain_bytes = x.chain_bytes;
      }
    }
    net::merge_negotiated(&w.t.negotiated, n, resumed);
  }

  void fail_socket(Worker& w, Conn& c) {
    const int e = c.transport.error();
    if (e == ECONNRESET) return fail(w, c, "reset", stage_name(c.stage));
    if (e == EPIPE || e == 0) return fail(w, c, "closed", stage_name(c.stage));
    fail(w, c, "connect", net::errno_name(e));
  }

  void fail_engine(Worker& w, Conn& c) {
    // The peer's alert says why, whatever the socket did after it.
    const tls::Error& e = c.runner->error();
    if (e.received) return fail(w, c, "alert", std::string(tls::name(e.alert)));
    const net::SocketTransport& t = c.transport;
    if (t.error() != 0 || t.peer_closed()) return fail_socket(w, c);
    switch (e.alert) {
      case tls::Alert::bad_certificate:
      case tls::Alert::unsupported_certificate:
      case tls::Alert::certificate_unknown:
      case tls::Alert::certificate_expired:
      case tls::Alert::unknown_ca:
        return fail(w, c, "certificate", e.reason);
      default:
        return fail(w, c, "protocol", fmt::format("{}: {}", tls::name(e.alert), e.reason));
    }
  }

  void fail(Worker& w, Conn& c, const std::string& kind, const std::string& detail) {
    if (int r = windows_.index(now_ns()); r >= 0) {
      w.t.repetitions[static_cast<size_t>(r)].failed++;
      w.t.repetitions[static_cast<size_t>(r)].attempted++;
      w.t.errors.add(kind, detail);
    } else {
      w.t.unmeasured_errors.add(kind, detail);
    }
    release(w, c, net::CloseMode::rst);
  }

  void expire(Worker& w, uint64_t now) {
    for (auto& c : w.conns) {
      if (c->stage == Stage::idle || c->deadline_ns > now) continue;
      if (c->stage == Stage::tickets) {
        // The handshake completed; the server sent no ticket in time.
        w.t.tickets_missed++;
        succeed(w, *c, c->done_ns);
        continue;
      }
      fail(w, *c, "timeout", stage_name(c->stage));
    }
  }

  void release(Worker& w, Conn& c, net::CloseMode mode) {
    if (c.stage == Stage::idle) return;  // once: it is on the idle list already
    if (!native_ && c.runner != nullptr && c.stage != Stage::connecting) {
      if (mode == net::CloseMode::fin && c.client->established()) (void)c.runner->close();
      c.runner->end();
    }
    if (native_ && c.native != nullptr && mode == net::CloseMode::fin && c.fd >= 0 &&
        c.stage != Stage::connecting && c.native->close(&c.native_out)) {
      (void)c.transport.send(&c.native_out);
    }
    if (c.fd >= 0) {
      if (mode == net::CloseMode::fin) {
        // Unread bytes (tickets nobody asked for) would turn close into RST.
        uint8_t drain[4096];
        while (::recv(c.fd, drain, sizeof(drain), MSG_DONTWAIT) > 0) {
        }
      }
      net::close_socket(c.fd, mode);
      c.fd = -1;
    }
    c.native.reset();
    c.stage = Stage::idle;
    c.watching_write = false;
    w.idle.push_back(&c);
  }

  const Scenario& scenario_;
  Backend& backend_;
  const ConnectOptions& options_;
  net::Address target_;
  tls::Config config_;
  NativeConfig native_config_;
  net::Windows windows_;
  bool native_;
  bool resume_;
  net::CloseMode close_;
  Bytes request_;
  std::atomic<bool> stop_{false};
  static thread_local net::Poller* poller_;
};

thread_local net::Poller* ConnectRun::poller_ = nullptr;

}  // namespace

namespace net {

std::optional<Result> run_connect_tally(const Scenario& scenario, Backend& backend,
                                        const Pki& trust, const ConnectOptions& options,
                                        const ProgressFn& progress, ConnectTally* out,
                                        std::string* out_address) {
  const int threads = std::max(1, options.threads);
  const bool native = options.engine == EngineKind::native;
  auto skipped = [&](Failure why) {
    return skipped_result(scenario, backend.name(), threads, std::move(why), options.engine);
  };
  if (auto why = net::unsupported_over_tcp(scenario, backend, options.engine, "server")) {
    return skipped(std::move(*why));
  }
  net::Address target;
  std::string error;
  if (!net::parse_address(options.target, &target, &error))
    return skipped({FailureKind::failed, error});

  // The trust anchors, prepared once and shared by every connection.
  std::unique_ptr<TrustStore> store;
  if (!native) {
    std::vector<ByteView> roots(trust.roots.begin(), trust.roots.end());
    store = backend.new_trust_store(roots, &error);
    if (store == nullptr) return skipped({FailureKind::failed, "trust anchors: " + error});
  }
  // Mutual TLS: the chain and key the client presents, prepared once too.
  std::unique_ptr<Credentials> client_credentials;
  const bool mtls = !scenario.client_cert.empty();
  if (mtls && !trust.has_client()) {
    return skipped({FailureKind::failed, scenario.id + " is mutual TLS: no client chain given"});
  }
  if (mtls && !native) {
    client_credentials = prepare_client_credentials(backend, trust, &error);
    if (client_credentials == nullptr) {
      return skipped({FailureKind::failed, "client chain: " + error});
    }
  }
  tls::Config config = engine_client_config(scenario, store.get(), client_credentials.get());
  config.server_name = options.server_name;
  config.verify_chain = options.verify_chain;
  NativeConfig native_config = native_client_config(scenario, trust);
  native_config.hostname = options.server_name;

  const int connections = std::max(options.connections, threads);
  net::Windows windows;
  windows.warmup_ns = static_cast<uint64_t>(options.warmup_s * 1e9);
  windows.repetition_ns = static_cast<uint64_t>(options.duration_s * 1e9);
  windows.repetitions = options.repetitions;

  ConnectRun run(scenario, backend, options, target, std::move(config), std::move(native_config),
                 windows);
  std::vector<Worker> workers(static_cast<size_t>(threads));
  for (size_t i = 0; i < workers.size(); i++) {
    const int share = connections / threads + (static_cast<int>(i) < connections % threads ? 1 : 0);
    if (!run.prepare(workers[i], share)) return skipped({FailureKind::failed, workers[i].fatal});
    workers[i].t.connections = share;
    workers[i].t.threads = 1;
  }
  // Every thread measures the same windows of absolute time, from a start
  // a little ahead (the threads are up by then), or the one agreed with
  // the other runs; this thread reads the CPU clocks at their edges.
  uint64_t start_ns = now_ns() + 50'000'000;
  if (options.before_start && !options.before_start(&start_ns)) {
    return skipped({FailureKind::failed, "stopped before the start: another run failed"});
  }
  windows.start_ns = start_ns;
  run.set_windows(windows);
  const size_t reps = static_cast<size_t>(options.repetitions);
  std::vector<uint64_t> cpu_at(reps + 1, 0);
  std::vector<std::vector<uint64_t>> server_at(options.server_pids.size(),
                                               std::vector<uint64_t>(reps + 1, 0));
  std::vector<bool> server_seen(options.server_pids.size(), true);
  auto read_clocks = [&](size_t edge) {
    cpu_at[edge] = net::process_cpu_ns();
    for (size_t p = 0; p < options.server_pids.size(); p++) {
      if (!net::other_process_cpu_ns(options.server_pids[p], &server_at[p][edge])) {
        server_seen[p] = false;
      }
    }
  };
  size_t complete = 0;
  uint64_t started_real_ns = 0;
  {
    std::vector<std::thread> pool;
    pool.reserve(workers.size());
    for (size_t i = 0; i < workers.size(); i++) {
      pool.emplace_back([&run, &workers, i, threads] { run.thread_main(workers[i], i, threads); });
    }
    while (now_ns() < windows.start_ns && !stop_requested()) {
      std::this_thread::sleep_for(std::chrono::nanoseconds(
          std::min<uint64_t>(windows.start_ns - std::min(windows.start_ns, now_ns()), 1'000'000)));
    }
    started_real_ns = realtime_ns();
    // The edges: the end of the warm-up, then of each repetition. A stop
    // request ends the run at the next 10 ms tick; the repetition in
    // progress is dropped.
    for (size_t edge = 0; edge <= reps; edge++) {
      const uint64_t at = windows.measure_start() + windows.repetition_ns * edge;
      bool stopped = false;
      for (;;) {
        const uint64_t now = now_ns();
        if (now >= at) break;
        if (stop_requested()) {
          stopped = true;
          break;
        }
        std::this_thread::sleep_for(
            std::chrono::nanoseconds(std::min<uint64_t>(at - now, 10'000'000)));
      }
      if (stopped) break;
      read_clocks(edge);
      if (edge > 0) complete = edge;
      if (progress) progress(static_cast<int>(edge), options.repetitions);
    }
    run.stop();
    for (auto& t : pool) t.join();
  }

  // The threads' tallies merged, over the complete repetitions, with
  // this process's CPU and the servers' at the edges.
  ConnectTally& t = *out;
  t = ConnectTally{};
  t.threads = 0;
  for (Worker& w : workers) {
    w.t.repetitions.resize(complete);
    if (t.threads == 0) {
      t = std::move(w.t);
    } else {
      t.merge(w.t);
    }
  }
  t.ranks = 1;
  t.host = host_name();
  t.repetition_ns = windows.repetition_ns;
  for (size_t r = 0; r < complete; r++) t.repetitions[r].cpu_ns = cpu_at[r + 1] - cpu_at[r];
  for (size_t p = 0; p < options.server_pids.size(); p++) {
    t.servers.push_back({options.server_pids[p], static_cast<bool>(server_seen[p]),
                         server_at[p][complete] - server_at[p][0]});
  }
  t.started_real_ns = started_real_ns;
  *out_address = target.text();
  return std::nullopt;
}

}  // namespace net

Result run_connect(const Scenario& scenario, Backend& backend, const Pki& trust,
                   const ConnectOptions& options, const ProgressFn& progress) {
  net::ConnectTally tally;
  std::string address;
  if (auto skipped =
          net::run_connect_tally(scenario, backend, trust, options, progress, &tally, &address)) {
    return std::move(*skipped);
  }
  return net::connect_result(scenario, backend.name(), options, address, tally);
}

}  // namespace hsbench
