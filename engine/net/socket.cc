#include "net/socket.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace hsbench::net {
namespace {

// One read's worth: the largest TLS record, so a record is read in one call.
constexpr size_t kReadChunk = 16 * 1024 + 512;

}  // namespace

uint64_t now_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

SocketTransport::SocketTransport() { in_.reserve(kReadChunk); }

void SocketTransport::attach(int fd) {
  fd_ = fd;
  in_.clear();
  in_pos_ = 0;
  errno_ = 0;
  eof_ = false;
  received_ns_ = 0;
  bytes_received_ = bytes_sent_ = 0;
}

drive::Io SocketTransport::send(Bytes* bytes) {
  size_t sent = 0;
  drive::Io io = drive::Io::ok;
  while (sent < bytes->size()) {
    const ssize_t n = ::send(fd_, bytes->data() + sent, bytes->size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      io = drive::Io::would_block;
    } else {
      errno_ = n < 0 ? errno : EPIPE;
      io = errno_ == EPIPE ? drive::Io::closed : drive::Io::failed;
    }
    break;
  }
  bytes_sent_ += sent;
  bytes->erase(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(sent));
  return io;
}

drive::Io SocketTransport::receive(ByteView* out_bytes) {
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
    if (eof_) {
      *out_bytes = {};
      return drive::Io::closed;
    }
    in_.resize(kReadChunk);
    ssize_t n;
    do {
      n = ::recv(fd_, in_.data(), in_.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
      in_.resize(static_cast<size_t>(n));
      bytes_received_ += static_cast<uint64_t>(n);
      received_ns_ = now_ns();
    } else {
      in_.clear();
      *out_bytes = {};
      if (n == 0) {
        eof_ = true;
        return drive::Io::closed;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return drive::Io::would_block;
      errno_ = errno;
      return drive::Io::failed;
    }
  }
  *out_bytes = ByteView(in_.data() + in_pos_, in_.size() - in_pos_);
  return drive::Io::ok;
}

void SocketTransport::consume(size_t n) { in_pos_ = std::min(in_.size(), in_pos_ + n); }

int start_connect(const Address& target, const Address* source) {
  const int fd = ::socket(target.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  // Handshake flights are small and answered at once: no Nagle delay.
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (source != nullptr) {
    // The port is chosen at connect(), per (source, target): each source
    // address has the whole ephemeral range to itself.
    (void)setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    if (::bind(fd, source->get(), source->length) != 0) {
      const int e = errno;
      ::close(fd);
      errno = e;
      return -1;
    }
  }
  if (::connect(fd, target.get(), target.length) != 0 && errno != EINPROGRESS) {
    const int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

void close_socket(int fd, CloseMode mode) {
  if (fd < 0) return;
  if (mode == CloseMode::rst) {
    const linger l{1, 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  }
  ::close(fd);
}

int listen_on(const Address& address, bool reuse_port, std::string* out_error) {
  const int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *out_error = fmt::format("socket: {}", std::strerror(errno));
    return -1;
  }
  const int one = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (reuse_port) (void)setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (::bind(fd, address.get(), address.length) != 0 || ::listen(fd, 4096) != 0) {
    *out_error = fmt::format("cannot listen on {}: {}", address.text(), std::strerror(errno));
    ::close(fd);
    return -1;
  }
  return fd;
}

int open_fd_count() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/fd")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') n++;
    }
    closedir(d);
    n--;  // the directory's own
  }
  return n;
}

}  // namespace hsbench::net
