// Socket addresses as users write them: "HOST:PORT", "[V6]:PORT".
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>

namespace hsbench::net {

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  uint16_t port() const;
  // "127.0.0.1:443", "[::1]:443".
  std::string text() const;
  // 127.0.0.0/8 or ::1.
  bool loopback() const;
};

// Splits "HOST:PORT" or "[HOST]:PORT" and resolves HOST (a numeric address
// or a name, the first address getaddrinfo gives). False and one line in
// out_error otherwise: no port, a port out of range, a name that does not
// resolve. Port 0 (any free port, for listening) only with allow_port_zero.
bool parse_address(std::string_view text, Address* out, std::string* out_error,
                   bool allow_port_zero = false);

// The host part of "HOST:PORT" as written, for SNI and Host headers.
std::string host_of(std::string_view text);

// 127.0.0.1 + index (index < 2^24 - 2), port 0: a source address of the
// loopback network, which Linux routes whole to lo.
Address loopback_source(uint32_t index);

}  // namespace hsbench::net
