#include "capture/keylog.h"

namespace hsbench::capture {

std::string to_hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

void KeyLog::add(std::string_view label, ByteView client_random, ByteView secret) {
  std::string line;
  line.append(label).append(" ").append(to_hex(client_random)).append(" ").append(to_hex(secret));
  if (!lines_.insert(line).second) return;
  text_.append(line).append("\n");
}

std::function<void(std::string_view, ByteView, ByteView)> KeyLog::callback() {
  return [this](std::string_view label, ByteView client_random, ByteView secret) {
    add(label, client_random, secret);
  };
}

void KeyLog::merge(const KeyLog& other) {
  size_t start = 0;
  const std::string& t = other.text_;
  while (start < t.size()) {
    size_t end = t.find('\n', start);
    std::string line = t.substr(start, end - start);
    if (lines_.insert(line).second) text_.append(line).append("\n");
    start = end + 1;
  }
}

}  // namespace hsbench::capture
