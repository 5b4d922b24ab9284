// The handshake transcript hash (RFC 5246 7.4.9, RFC 8446 4.4.1). Until the
// cipher suite fixes the hash, messages are buffered.
#pragma once

#include <memory>

#include "hsbench/backend.h"
#include "tls/crypto.h"

namespace hsbench::tls {

class Transcript {
 public:
  void reset() {
    ctx_.reset();
    buffer_.clear();
    messages_.clear();
    hashed_ = 0;
  }
  // Whether every message is also kept as it is, for a TLS 1.2 client
  // CertificateVerify, which signs the messages themselves with its own
  // scheme's hash (RFC 5246 7.4.8). Kept across reset().
  void keep_messages(bool keep) { keep_ = keep; }
  // The messages added since reset(), when kept.
  ByteView messages() const { return messages_; }
  bool has_hash() const { return ctx_ != nullptr; }
  Hash hash() const { return ctx_->hash(); }
  size_t digest_length() const { return hsbench::digest_length(ctx_->hash()); }

  // Fixes the hash and hashes what was buffered. False if the backend lacks it.
  bool set_hash(Crypto& crypto, Hash hash);
  void add(Crypto& crypto, ByteView message);
  // The hash of everything so far, into out (digest_length() bytes).
  void digest(Crypto& crypto, std::span<uint8_t> out) const {
    crypto.hash_digest(*ctx_, hashed_, out);
  }
  // After a HelloRetryRequest: the transcript so far (the first
  // ClientHello) becomes a message_hash message of its hash (RFC 8446 4.4.1).
  bool restart_with_message_hash(Crypto& crypto, Hash hash);

 private:
  std::unique_ptr<HashContext> ctx_;
  Bytes buffer_;
  Bytes messages_;
  bool keep_ = false;
  uint64_t hashed_ = 0;  // into ctx_
};

}  // namespace hsbench::tls
