#include "tls/bytes.h"

namespace hsbench::tls {

bool Reader::uint(size_t n, uint32_t* out) {
  if (data_.size() < n) return false;
  uint32_t v = 0;
  for (size_t i = 0; i < n; i++) v = (v << 8) | data_[i];
  data_ = data_.subspan(n);
  *out = v;
  return true;
}

bool Reader::u8(uint8_t* out) {
  uint32_t v;
  if (!uint(1, &v)) return false;
  *out = static_cast<uint8_t>(v);
  return true;
}

bool Reader::u16(uint16_t* out) {
  uint32_t v;
  if (!uint(2, &v)) return false;
  *out = static_cast<uint16_t>(v);
  return true;
}

bool Reader::u24(uint32_t* out) { return uint(3, out); }

bool Reader::bytes(size_t n, ByteView* out) {
  if (data_.size() < n) return false;
  *out = data_.first(n);
  data_ = data_.subspan(n);
  return true;
}

bool Reader::skip(size_t n) {
  ByteView ignored;
  return bytes(n, &ignored);
}

bool Reader::prefixed(size_t len_bytes, ByteView* out) {
  Reader copy = *this;
  uint32_t len;
  if (!copy.uint(len_bytes, &len) || !copy.bytes(len, out)) return false;
  *this = copy;
  return true;
}

bool Reader::prefixed(size_t len_bytes, Reader* out) {
  ByteView body;
  if (!prefixed(len_bytes, &body)) return false;
  *out = Reader(body);
  return true;
}

void Writer::u16(uint16_t v) {
  out_->push_back(static_cast<uint8_t>(v >> 8));
  out_->push_back(static_cast<uint8_t>(v));
}

void Writer::u24(uint32_t v) {
  out_->push_back(static_cast<uint8_t>(v >> 16));
  out_->push_back(static_cast<uint8_t>(v >> 8));
  out_->push_back(static_cast<uint8_t>(v));
}

std::span<uint8_t> Writer::reserve(size_t n) {
  size_t at = out_->size();
  out_->resize(at + n);
  return std::span<uint8_t>(*out_).subspan(at, n);
}

Writer::Prefix Writer::open(size_t len_bytes) {
  Prefix p{out_->size(), len_bytes};
  out_->resize(out_->size() + len_bytes);
  return p;
}

bool Writer::close(Prefix p) {
  size_t len = out_->size() - p.offset - p.len_bytes;
  if (len >> (8 * p.len_bytes) != 0) return false;
  for (size_t i = 0; i < p.len_bytes; i++) {
    (*out_)[p.offset + i] = static_cast<uint8_t>(len >> (8 * (p.len_bytes - 1 - i)));
  }
  return true;
}

}  // namespace hsbench::tls
