// The record layer (RFC 5246 6.2, RFC 8446 5) reading arbitrary bytes:
// plaintext, or under TLS 1.2 or TLS 1.3 read keys (the harness's
// transparent AEAD, so that what follows decryption is reached). Every
// record read must stay inside the input, and must survive a write and read
// back through a second pair of layers under real null-backend AEAD keys,
// which checks that both directions agree on nonces, additional data and
// sequence numbers.
//
// input = mode:u8 bytes; mode % 3: 0 plaintext, 1 TLS 1.2, 2 TLS 1.3.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "harness.h"
#include "tls/crypto.h"
#include "tls/record.h"

using namespace hsbench;
using namespace hsbench::tls;

namespace {

constexpr uint8_t kKey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

RecordKeys keys(std::unique_ptr<AeadContext> aead, bool tls13) {
  RecordKeys k;
  k.aead = std::move(aead);
  k.tls13 = tls13;
  for (size_t i = 0; i < k.iv.size(); i++) k.iv[i] = static_cast<uint8_t>(0xa0 + i);
  return k;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_record: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int mode = data[0] % 3;
  Backend& null = fuzz::World::get().client_backend();
  Crypto crypto(&null);
  RecordLayer reader(&crypto), round_trip_writer(&crypto), round_trip_reader(&crypto);
  if (mode != 0) {
    reader.set_read_keys(keys(fuzz::transparent_aead(Aead::aes128gcm), mode == 2));
    round_trip_writer.set_write_keys(keys(crypto.new_aead(Aead::aes128gcm, kKey), mode == 2));
    round_trip_reader.set_read_keys(keys(crypto.new_aead(Aead::aes128gcm, kKey), mode == 2));
  }

  Bytes in(data + 1, data + size);  // exactly sized, so overreads are caught
  size_t pos = 0;
  for (;;) {
    ContentType type;
    ByteView payload;
    Error error;
    const size_t before = pos;
    RecordLayer::ReadStatus status = reader.read(in, &pos, &type, &payload, &error);
    if (status == RecordLayer::ReadStatus::need_more) {
      check(pos == before, "need_more moved the position");
      break;
    }
    if (status == RecordLayer::ReadStatus::error) {
      check(error.reason != nullptr && *error.reason != 0, "an error without a reason");
      break;
    }
    check(pos > before && pos <= in.size(), "a record outside the input");
    check(payload.empty() || (payload.data() >= in.data() + before &&
                              payload.data() + payload.size() <= in.data() + pos),
          "a payload outside its record");
    check(payload.size() <= kMaxPlaintextLength, "a payload over 2^14 bytes");

    Bytes wire;
    check(round_trip_writer.write(type, payload, &wire), "write failed");
    size_t wire_pos = 0;
    ContentType type2;
    ByteView payload2;
    check(round_trip_reader.read(wire, &wire_pos, &type2, &payload2, &error) ==
              RecordLayer::ReadStatus::record,
          "a record written does not read back");
    check(wire_pos == wire.size() && type2 == type &&
              std::equal(payload.begin(), payload.end(), payload2.begin(), payload2.end()),
          "a record read back differs");
  }
  return 0;
}
