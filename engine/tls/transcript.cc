#include "tls/transcript.h"

namespace hsbench::tls {

bool Transcript::set_hash(Crypto& crypto, Hash hash) {
  ctx_ = crypto.new_hash(hash);
  if (ctx_ == nullptr) return false;
  if (!buffer_.empty()) crypto.hash_update(*ctx_, buffer_);
  buffer_.clear();
  return true;
}

void Transcript::add(Crypto& crypto, ByteView message) {
  if (ctx_ == nullptr) {
    buffer_.insert(buffer_.end(), message.begin(), message.end());
  } else {
    crypto.hash_update(*ctx_, message);
  }
}

}  // namespace hsbench::tls
