// RFC 8448 values in tests/tls/vectors/, read by the tests that check the
// engine against them: section 3 ("Simple 1-RTT Handshake") by default,
// section 4 ("Resumed 0-RTT Handshake") from rfc8448-resumed-0rtt.txt and
// section 5 ("HelloRetryRequest") from rfc8448-hello-retry-request.txt.
#pragma once

#include <fstream>
#include <map>
#include <string>

#include "backend/backend_test_util.h"

namespace hsbench::test {

// "name (len): hex" entries, by name; the hex may continue on indented
// lines. A line of another form ends the entry before it and starts none.
inline std::map<std::string, Bytes> rfc8448_vectors(
    const std::string& file = "rfc8448-simple-1rtt.txt") {
  std::ifstream in(std::string(HSBENCH_SOURCE_DIR) + "/tests/tls/vectors/" + file);
  std::map<std::string, Bytes> out;
  std::string line, current, hex;
  auto flush = [&] {
    if (!current.empty()) out[current] = from_hex(hex);
    hex.clear();
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == ' ') {
      hex += line;
      continue;
    }
    flush();
    size_t paren = line.find(" ("), colon = line.find("):");
    if (paren == std::string::npos || colon == std::string::npos) {
      current.clear();
      continue;
    }
    current = line.substr(0, paren);
    hex = line.substr(colon + 2);
  }
  flush();
  return out;
}

}  // namespace hsbench::test
