// Bounds-checked reading and length-prefixed writing of TLS wire structures,
// in the style of BoringSSL's CBS/CBB. Every read either succeeds whole or
// fails leaving no partial result; no code outside this file indexes peer
// bytes directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hsbench/algorithms.h"

namespace hsbench::tls {

class Reader {
 public:
  Reader() = default;
  explicit Reader(ByteView data) : data_(data) {}

  size_t remaining() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  ByteView rest() const { return data_; }

  [[nodiscard]] bool u8(uint8_t* out);
  [[nodiscard]] bool u16(uint16_t* out);
  [[nodiscard]] bool u24(uint32_t* out);
  [[nodiscard]] bool bytes(size_t n, ByteView* out);
  [[nodiscard]] bool skip(size_t n);
  // A vector with a length prefix of 1, 2 or 3 bytes (RFC 8446 3.4).
  [[nodiscard]] bool u8_prefixed(ByteView* out) { return prefixed(1, out); }
  [[nodiscard]] bool u16_prefixed(ByteView* out) { return prefixed(2, out); }
  [[nodiscard]] bool u24_prefixed(ByteView* out) { return prefixed(3, out); }
  [[nodiscard]] bool u8_prefixed(Reader* out) { return prefixed(1, out); }
  [[nodiscard]] bool u16_prefixed(Reader* out) { return prefixed(2, out); }
  [[nodiscard]] bool u24_prefixed(Reader* out) { return prefixed(3, out); }

 private:
  bool uint(size_t n, uint32_t* out);
  bool prefixed(size_t len_bytes, ByteView* out);
  bool prefixed(size_t len_bytes, Reader* out);
  ByteView data_;
};

// Appends to a byte vector. Length prefixes are reserved by open_*() and
// filled by close(); close() fails if the contents outgrew the prefix.
class Writer {
 public:
  explicit Writer(Bytes* out) : out_(out) {}

  void u8(uint8_t v) { out_->push_back(v); }
  void u16(uint16_t v);
  void u24(uint32_t v);
  void bytes(ByteView v) { out_->insert(out_->end(), v.begin(), v.end()); }
  // Reserves n zero bytes and returns a view of them (valid until the next
  // write), for fields filled in place.
  std::span<uint8_t> reserve(size_t n);

  struct Prefix {
    size_t offset;
    size_t len_bytes;
  };
  Prefix open_u8() { return open(1); }
  Prefix open_u16() { return open(2); }
  Prefix open_u24() { return open(3); }
  [[nodiscard]] bool close(Prefix p);

  size_t size() const { return out_->size(); }
  Bytes& buffer() { return *out_; }

 private:
  Prefix open(size_t len_bytes);
  Bytes* out_;
};

}  // namespace hsbench::tls
