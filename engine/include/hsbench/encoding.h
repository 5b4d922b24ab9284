// Small text encodings shared by the engine and backends that must not link
// the engine (the null backend reads PEM keys with it).
#pragma once

#include <array>
#include <string_view>

#include "hsbench/algorithms.h"

namespace hsbench {

namespace internal {
constexpr std::array<int8_t, 256> make_base64_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < alphabet.size(); i++) {
    t[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}
inline constexpr auto kBase64Table = make_base64_table();
}  // namespace internal

// Decodes RFC 4648 base64, skipping whitespace. False on any other
// non-alphabet character, data after padding, or bad padding.
inline bool decode_base64(std::string_view text, Bytes* out) {
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t symbols = 0, padding = 0;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    symbols++;
    if (c == '=') {
      padding++;
      continue;
    }
    int8_t v = internal::kBase64Table[static_cast<uint8_t>(c)];
    if (v < 0 || padding > 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  // The length is a multiple of 4 and leftover bits are zero.
  return symbols % 4 == 0 && padding <= 2 && (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace hsbench
