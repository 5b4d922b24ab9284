#include "net/address.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace hsbench::net {

uint16_t Address::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  if (family() == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return 0;
}

std::string Address::text() const {
  char host[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, host,
              sizeof(host));
    return fmt::format("{}:{}", host, port());
  }
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, host,
              sizeof(host));
    return fmt::format("[{}]:{}", host, port());
  }
  return "(no address)";
}

bool Address::loopback() const {
  if (family() == AF_INET) {
    const uint32_t a = ntohl(reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr.s_addr);
    return (a >> 24) == 127;
  }
  if (family() == AF_INET6) {
    return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr);
  }
  return false;
}

namespace {

bool split(std::string_view text, std::string_view* out_host, std::string_view* out_port) {
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return false;
    }
    *out_host = text.substr(1, close - 1);
    *out_port = text.substr(close + 2);
    return true;
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || text.find(':') != colon) return false;
  *out_host = text.substr(0, colon);
  *out_port = text.substr(colon + 1);
  return true;
}

}  // namespace

std::string host_of(std::string_view text) {
  std::string_view host, port;
  return split(text, &host, &port) ? std::string(host) : std::string(text);
}

bool parse_address(std::string_view text, Address* out, std::string* out_error,
                   bool allow_port_zero) {
  std::string_view host, port_text;
  if (!split(text, &host, &port_text) || host.empty()) {
    *out_error = fmt::format("bad address '{}': expected HOST:PORT or [IPV6]:PORT", text);
    return false;
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() ||
      (port == 0 && !allow_port_zero) || port > 65535) {
    *out_error = fmt::format("bad port in '{}': expected {}..65535", text, allow_port_zero ? 0 : 1);
    return false;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string host_z(host);
  const std::string port_z(port_text);
  if (int rc = getaddrinfo(host_z.c_str(), port_z.c_str(), &hints, &list); rc != 0) {
    *out_error = fmt::format("cannot resolve '{}': {}", host, gai_strerror(rc));
    return false;
  }
  *out = {};
  std::memcpy(&out->storage, list->ai_addr, list->ai_addrlen);
  out->length = list->ai_addrlen;
  freeaddrinfo(list);
  return true;
}

Address loopback_source(uint32_t index) {
  Address a;
  auto* in = reinterpret_cast<sockaddr_in*>(&a.storage);
  in->sin_family = AF_INET;
  in->sin_addr.s_addr = htonl((127u << 24) + 1 + index);
  in->sin_port = 0;
  a.length = sizeof(sockaddr_in);
  return a;
}

}  // namespace hsbench::net
