// FaultServer (servers.h): one poll loop over the listening socket, a stop
// pipe and every connection, each connection a small state machine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <list>

#include "net/servers.h"

namespace hsbench::test {
namespace {

using Clock = std::chrono::steady_clock;

// After a fault server has answered (or shut its side), it waits this long
// for the client to close before it closes itself.
constexpr auto kDrain = std::chrono::seconds(10);
constexpr int kMaxPollMs = 1000;

// RFC 8446 section 6: a fatal (2) handshake_failure (40) alert record.
constexpr uint8_t kAlert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
// What a plain HTTP server says to a TLS client: no TLS content type starts
// with 'H' (0x48).
constexpr char kGarbage[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

struct Chunk {
  Clock::time_point due;
  std::vector<uint8_t> bytes;
  size_t sent = 0;
};

// One end of a connection: bytes queued to be written to it, and whether
// it has stopped sending (EOF) or been shut for writing.
struct End {
  int fd = -1;
  bool read_eof = false;
  bool shut = false;
  std::deque<Chunk> out;
};

struct Conn {
  End client;
  End upstream;  // slow only
  bool connecting = false;
  std::vector<uint8_t> hello;  // bytes of the first record so far
  bool answered = false;       // the fault has been acted out; draining
  Clock::time_point drain_until{};
  bool done = false;
};

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// The length of the first TLS record in `bytes` (RFC 8446 section 5.1:
// type, version, 16-bit length), or 0 while it is incomplete.
size_t first_record_size(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 5) return 0;
  size_t size = 5 + ((static_cast<size_t>(bytes[3]) << 8) | bytes[4]);
  return bytes.size() >= size ? size : 0;
}

bool parse_ipv4(const std::string& address, uint32_t* out_ip, uint16_t* out_port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = address.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) != 1) return false;
  char* end = nullptr;
  long port = std::strtol(address.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port <= 0 || port > 65535) return false;
  *out_ip = a.s_addr;
  *out_port = static_cast<uint16_t>(port);
  return true;
}

enum class ReadResult { open, eof, error };

// Reads what is there into *out; EOF and errors also mark read_eof.
ReadResult read_some(End& end, std::vector<uint8_t>* out) {
  uint8_t buf[16384];
  ssize_t n = recv(end.fd, buf, sizeof buf, 0);
  if (n > 0) {
    out->insert(out->end(), buf, buf + n);
    return ReadResult::open;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return ReadResult::open;
  end.read_eof = true;
  return n == 0 ? ReadResult::eof : ReadResult::error;
}

// Writes the due chunks queued for `end`; false on a write error.
bool flush_due(End& end, Clock::time_point now) {
  while (!end.out.empty() && end.out.front().due <= now) {
    Chunk& c = end.out.front();
    ssize_t n = send(end.fd, c.bytes.data() + c.sent, c.bytes.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    c.sent += static_cast<size_t>(n);
    if (c.sent < c.bytes.size()) return true;
    end.out.pop_front();
  }
  return true;
}

void answer_and_shut(Conn& c, const void* bytes, size_t size) {
  if (size > 0) send(c.client.fd, bytes, size, MSG_NOSIGNAL);  // a few bytes: fits the buffer
  // FIN now; the client's later bytes are read and dropped until it closes,
  // since closing with unread input would send RST instead.
  shutdown(c.client.fd, SHUT_WR);
  c.answered = true;
  c.drain_until = Clock::now() + kDrain;
}

}  // namespace

std::unique_ptr<FaultServer> FaultServer::start(Fault fault, std::string* out_error,
                                                std::string upstream, int delay_ms) {
  std::unique_ptr<FaultServer> server(new FaultServer());
  server->fault_ = fault;
  server->delay_ms_ = std::max(delay_ms, 0);
  if (fault == Fault::slow &&
      !parse_ipv4(upstream, &server->upstream_ip_, &server->upstream_port_)) {
    *out_error = fmt::format("slow proxy: upstream '{}' is not IPv4ADDRESS:PORT", upstream);
    return nullptr;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *out_error = fmt::format("socket: {}", std::strerror(errno));
    return nullptr;
  }
  server->listen_fd_ = fd;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 64) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    *out_error = fmt::format("listen on 127.0.0.1: {}", std::strerror(errno));
    return nullptr;
  }
  server->port_ = ntohs(a.sin_port);
  if (pipe2(server->stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    *out_error = fmt::format("pipe: {}", std::strerror(errno));
    return nullptr;
  }
  server->thread_ = std::thread([s = server.get()] { s->serve(); });
  return server;
}

FaultServer::~FaultServer() {
  if (thread_.joinable()) {
    char stop = 1;
    ssize_t ignored = write(stop_pipe_[1], &stop, 1);
    (void)ignored;
    thread_.join();
  }
  close_fd(listen_fd_);
  close_fd(stop_pipe_[0]);
  close_fd(stop_pipe_[1]);
}

std::string FaultServer::address() const { return fmt::format("127.0.0.1:{}", port_); }

void FaultServer::serve() {
  std::list<Conn> conns;
  const auto delay = std::chrono::milliseconds(delay_ms_);
  for (;;) {
    auto now = Clock::now();
    // The poll set: the stop pipe, the listening socket, then per connection
    // its client and (slow) its upstream, in list order.
    std::vector<pollfd> fds = {{stop_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    auto wake = now + std::chrono::milliseconds(kMaxPollMs);
    auto want = [&](End& e, bool connecting) {
      short events = 0;
      if (e.fd < 0) return;
      if (!e.read_eof && !connecting) events |= POLLIN;
      if (connecting) events |= POLLOUT;
      if (!e.out.empty()) {
        if (e.out.front().due <= now)
          events |= POLLOUT;
        else
          wake = std::min(wake, e.out.front().due);
      }
      fds.push_back({e.fd, events, 0});
    };
    for (Conn& c : conns) {
      want(c.client, false);
      if (fault_ == Fault::slow) want(c.upstream, c.connecting);
      if (c.answered) wake = std::min(wake, c.drain_until);
    }
    int timeout =
        static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count());
    int n = poll(fds.data(), fds.size(), std::max(timeout, 0) + 1);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents) break;  // stop
    now = Clock::now();
    size_t i = 2;
    for (Conn& c : conns) {
      if (c.client.fd < 0) continue;
      short cev = fds[i++].revents;
      short uev = 0;
      if (fault_ == Fault::slow && c.upstream.fd >= 0) uev = fds[i++].revents;
      if (c.done) continue;
      if (fault_ == Fault::slow) {
        if (c.connecting && uev) {
          int err = 0;
          socklen_t len = sizeof err;
          getsockopt(c.upstream.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          c.connecting = false;
          uev = 0;
          if (err != 0) {
            c.done = true;
            continue;
          }
        }
        // A reset either way ends both (POLLERR would otherwise come back
        // on every poll).
        if ((cev | uev) & POLLERR) {
          c.done = true;
          continue;
        }
        // Each read becomes one chunk, due delay_ms after it arrived.
        auto relay = [&](End& from, End& to, short ev) {
          if (!(ev & (POLLIN | POLLHUP | POLLERR)) || from.read_eof) return;
          Chunk chunk{now + delay, {}, 0};
          if (read_some(from, &chunk.bytes) == ReadResult::error) c.done = true;
          if (!chunk.bytes.empty()) to.out.push_back(std::move(chunk));
        };
        relay(c.client, c.upstream, cev);
        if (c.connecting) continue;
        relay(c.upstream, c.client, uev);
        if (!flush_due(c.upstream, now) || !flush_due(c.client, now)) c.done = true;
        // An EOF travels, delayed like the data, once what came before it
        // has been written.
        for (auto [from, to] : {std::pair{&c.client, &c.upstream}, {&c.upstream, &c.client}}) {
          if (from->read_eof && to->out.empty() && !to->shut) {
            shutdown(to->fd, SHUT_WR);
            to->shut = true;
          }
        }
        if (c.client.shut && c.upstream.shut) c.done = true;
        continue;
      }
      // The other faults act on the client only.
      if (c.answered) {
        std::vector<uint8_t> dropped;
        if ((cev & (POLLIN | POLLHUP | POLLERR)) &&
            read_some(c.client, &dropped) != ReadResult::open)
          c.done = true;
        if (now >= c.drain_until) c.done = true;
        continue;
      }
      if (!(cev & (POLLIN | POLLHUP | POLLERR))) continue;
      bool open = read_some(c.client, &c.hello) == ReadResult::open;
      if (fault_ == Fault::silent) {
        c.hello.clear();
        if (!open) c.done = true;
        continue;
      }
      if (first_record_size(c.hello) == 0) {
        if (!open) c.done = true;
        continue;
      }
      switch (fault_) {
        case Fault::close_after_hello:
          answer_and_shut(c, nullptr, 0);
          break;
        case Fault::reset_after_hello: {
          linger l{1, 0};  // close() now sends RST
          setsockopt(c.client.fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
          c.done = true;
          break;
        }
        case Fault::garbage:
          answer_and_shut(c, kGarbage, sizeof kGarbage - 1);
          break;
        case Fault::alert:
          answer_and_shut(c, kAlert, sizeof kAlert);
          break;
        default:
          break;
      }
    }
    // New connections join after the pass above, which follows the poll set.
    if (fds[1].revents & POLLIN) {
      int fd;
      while ((fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        ++accepted_;
        Conn& c = conns.emplace_back();
        c.client.fd = fd;
        if (fault_ != Fault::slow) continue;
        c.upstream.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        sockaddr_in up{};
        up.sin_family = AF_INET;
        up.sin_addr.s_addr = upstream_ip_;
        up.sin_port = htons(upstream_port_);
        if (c.upstream.fd < 0 ||
            (connect(c.upstream.fd, reinterpret_cast<sockaddr*>(&up), sizeof up) != 0 &&
             errno != EINPROGRESS))
          c.done = true;
        else
          c.connecting = true;
      }
    }
    for (auto it = conns.begin(); it != conns.end();) {
      if (it->done) {
        close_fd(it->client.fd);
        close_fd(it->upstream.fd);
        it = conns.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Conn& c : conns) {
    close_fd(c.client.fd);
    close_fd(c.upstream.fd);
  }
}

}  // namespace hsbench::test
