// The NSS key log format, which Wireshark, tshark and curl read: one line
// per secret, "LABEL <client_random hex> <secret hex>", CLIENT_RANDOM (the
// master secret) for TLS 1.2 and the traffic secret labels for TLS 1.3.
// https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "hsbench/algorithms.h"

namespace hsbench::capture {

std::string to_hex(ByteView bytes);

class KeyLog {
 public:
  // Adds a line, unless the same line is already there (client and server
  // both log the secrets they share).
  void add(std::string_view label, ByteView client_random, ByteView secret);
  // What tls::Config::key_log takes. The KeyLog must outlive its use.
  std::function<void(std::string_view, ByteView, ByteView)> callback();

  const std::string& text() const { return text_; }
  size_t size() const { return lines_.size(); }
  bool empty() const { return lines_.empty(); }
  // Appends another log's lines that this one lacks.
  void merge(const KeyLog& other);

 private:
  std::string text_;  // the lines in the order they came
  std::set<std::string> lines_;
};

}  // namespace hsbench::capture
