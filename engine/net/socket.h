// Non-blocking TCP sockets for the driver core: a Transport over a socket,
// and the calls that open, accept and close them. Nothing here blocks; the
// event loop (poller.h) says when to come back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "drive/transport.h"
#include "net/address.h"

namespace hsbench::net {

// How a connection ends once it is done.
enum class CloseMode : uint8_t {
  fin,  // close_notify, then an orderly close (FIN): the closing side keeps TIME_WAIT
  rst,  // close_notify, then an abortive close (RST, SO_LINGER 0): no TIME_WAIT
};

// A connected socket as a Transport. receive() reads what the kernel has
// once what was read before is consumed; send() writes what the socket
// takes and leaves the rest for when it is writable again.
class SocketTransport final : public drive::Transport {
 public:
  SocketTransport();
  SocketTransport(const SocketTransport&) = delete;
  SocketTransport& operator=(const SocketTransport&) = delete;

  // Starts over on fd (not owned), the buffer emptied.
  void attach(int fd);
  int fd() const { return fd_; }

  drive::Io send(Bytes* bytes) override;
  drive::Io receive(ByteView* out_bytes) override;
  void consume(size_t n) override;

  // The errno of the call that failed (0: the peer closed in order).
  int error() const { return errno_; }
  // The peer closed its end (EOF).
  bool peer_closed() const { return eof_; }
  // When the latest bytes arrived (steady clock ns), and how many in all.
  uint64_t received_ns() const { return received_ns_; }
  uint64_t bytes_received() const { return bytes_received_; }
  uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  int fd_ = -1;
  Bytes in_;
  size_t in_pos_ = 0;
  int errno_ = 0;
  bool eof_ = false;
  uint64_t received_ns_ = 0;
  uint64_t bytes_received_ = 0;
  uint64_t bytes_sent_ = 0;
};

// The steady clock, in ns since its epoch.
uint64_t now_ns();

// Starts a non-blocking connect to target, from source when it is not null
// (its port 0: the kernel picks one, late, so that source addresses each
// have their own port range). The socket, or -1 with errno set.
int start_connect(const Address& target, const Address* source);
// After the socket became writable: 0 when connected, else the errno.
int connect_result(int fd);

// Closes fd; with CloseMode::rst, abortively.
void close_socket(int fd, CloseMode mode);

// A listening, non-blocking socket on address; with reuse_port, several
// may listen on one address (one per thread, the kernel spreading
// connections between them). -1 and one line in out_error on failure.
int listen_on(const Address& address, bool reuse_port, std::string* out_error);

// The file descriptors this process has open.
int open_fd_count();

}  // namespace hsbench::net
