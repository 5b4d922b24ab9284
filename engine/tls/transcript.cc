#include "tls/transcript.h"

namespace hsbench::tls {

bool Transcript::set_hash(Crypto& crypto, Hash hash) {
  ctx_ = crypto.new_hash(hash);
  if (ctx_ == nullptr) return false;
  if (!buffer_.empty()) crypto.hash_update(*ctx_, buffer_);
  hashed_ = buffer_.size();
  buffer_.clear();
  return true;
}

void Transcript::add(Crypto& crypto, ByteView message) {
  if (keep_) messages_.insert(messages_.end(), message.begin(), message.end());
  if (ctx_ == nullptr) {
    buffer_.insert(buffer_.end(), message.begin(), message.end());
  } else {
    crypto.hash_update(*ctx_, message);
    hashed_ += message.size();
  }
}

bool Transcript::restart_with_message_hash(Crypto& crypto, Hash hash) {
  if (!has_hash() && !set_hash(crypto, hash)) return false;
  uint8_t first_hash[48];
  const size_t len = digest_length();
  digest(crypto, std::span(first_hash, len));
  reset();
  if (!set_hash(crypto, hash)) return false;
  const uint8_t header[4] = {254 /* message_hash */, 0, 0, static_cast<uint8_t>(len)};
  add(crypto, header);
  add(crypto, ByteView(first_hash, len));
  return true;
}

}  // namespace hsbench::tls
