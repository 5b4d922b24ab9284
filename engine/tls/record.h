// The record layer (RFC 5246 section 6.2, RFC 8446 section 5): framing,
// fragmentation, and AEAD protection of records in each direction.
#pragma once

#include <array>
#include <memory>

#include "hsbench/backend.h"
#include "tls/crypto.h"
#include "tls/protocol.h"

namespace hsbench::tls {

// The protection of one direction. TLS 1.2 AES-GCM (RFC 5288) builds the
// nonce from a 4-byte salt and an 8-byte explicit part sent in each record;
// TLS 1.3 (RFC 8446 5.3) XORs a 12-byte IV with the sequence number and
// hides the content type inside the encryption.
struct RecordKeys {
  std::unique_ptr<AeadContext> aead;
  std::array<uint8_t, kAeadNonceLength> iv{};  // TLS 1.2: only the first 4 bytes (the salt)
  bool tls13 = false;
};

class RecordLayer {
 public:
  explicit RecordLayer(Crypto* crypto) : crypto_(crypto) {}

  void set_write_keys(RecordKeys keys);
  void set_read_keys(RecordKeys keys);
  bool write_protected() const { return write_.keys.aead != nullptr; }
  bool read_protected() const { return read_.keys.aead != nullptr; }
  // The version in record headers: 0x0301 for a first ClientHello
  // (RFC 8446 5.1), 0x0303 after.
  void set_write_record_version(uint16_t v) { write_version_ = v; }

  // Appends payload to out as one or more records of the given type.
  bool write(ContentType type, ByteView payload, Bytes* out);

  enum class ReadStatus { record, need_more, error };
  // Reads the record at in[*pos...], decrypting it in place, and advances
  // *pos past it. On error, *out_error holds the alert to send.
  ReadStatus read(std::span<uint8_t> in, size_t* pos, ContentType* out_type, ByteView* out_payload,
                  Error* out_error);

 private:
  struct Direction {
    RecordKeys keys;
    uint64_t sequence = 0;
  };
  void nonce(const Direction& d, std::span<uint8_t, kAeadNonceLength> out) const;

  Crypto* crypto_;
  Direction write_, read_;
  bool peer_encrypted_ = false;  // a protected record has been read
  uint16_t write_version_ = kRecordVersion;
};

}  // namespace hsbench::tls
