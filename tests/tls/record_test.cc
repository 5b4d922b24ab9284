// The record layer (engine/tls/record.h) on its own, on the null backend
// and each real one: plaintext and sealed records written and read back
// (RFC 5246 6.2, RFC 8446 5), the framing of each version byte for byte,
// records that arrive a byte at a time, every header field out of range,
// the size limits, tampering, and the sequence numbers in the nonces. On the
// real backends the TLS 1.3 records of RFC 8448 section 3 are a known answer.
#include "tls/record.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"
#include "tls/bytes.h"
#include "tls/crypto.h"
#include "tls/rfc8448_vectors.h"

namespace hsbench::tls {
namespace {

using test::from_hex;
using test::rfc8448_vectors;
using test::to_hex;
using ReadStatus = RecordLayer::ReadStatus;

constexpr size_t kExplicitNonce = 8;  // TLS 1.2 AES-GCM (RFC 5288 3)
constexpr size_t kTls13Overhead = 1 + kAeadTagLength;
constexpr size_t kTls12Overhead = kExplicitNonce + kAeadTagLength;

// What one read() gave.
struct Read {
  ReadStatus status = ReadStatus::error;
  ContentType type = ContentType::alert;
  Bytes payload;
  Error error;
};

Read read_one(RecordLayer& rl, Bytes& in, size_t* pos) {
  Read r;
  ByteView payload;
  r.error.reason = "(none)";
  r.status = rl.read(in, pos, &r.type, &payload, &r.error);
  if (r.status == ReadStatus::record) r.payload.assign(payload.begin(), payload.end());
  return r;
}

std::string describe(const Read& r) {
  switch (r.status) {
    case ReadStatus::record:
      return "record";
    case ReadStatus::need_more:
      return "need_more";
    case ReadStatus::error:
      break;
  }
  return "error " + std::string(name(r.error.alert)) + ": " + r.error.reason;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; i++) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

// A record header and body, built by hand.
Bytes record(uint8_t type, uint16_t version, ByteView body) {
  Bytes out;
  Writer w(&out);
  w.u8(type);
  w.u16(version);
  w.u16(static_cast<uint16_t>(body.size()));
  w.bytes(body);
  return out;
}

// The length field of the record header at `at`.
size_t length_field(const Bytes& wire, size_t at) {
  return static_cast<size_t>(wire.at(at + 3) << 8 | wire.at(at + 4));
}

// Parameterized over backends: "null" and the real ones built.
class RecordTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string error;
    Backend* backend = test::shared_backend(GetParam(), &error);
    ASSERT_NE(backend, nullptr) << "backend " << GetParam() << " does not load: " << error;
    crypto_ = std::make_unique<Crypto>(backend);
  }

  RecordKeys keys(Aead aead, bool tls13, uint8_t seed = 1) {
    RecordKeys k;
    Bytes key = pattern(key_length(aead), seed);
    k.aead = crypto_->new_aead(aead, key);
    EXPECT_NE(k.aead, nullptr) << GetParam() << " has no " << name(aead);
    Bytes iv = pattern(kAeadNonceLength, static_cast<uint8_t>(seed + 100));
    std::copy(iv.begin(), iv.end(), k.iv.begin());
    k.tls13 = tls13;
    return k;
  }

  // A writer and a reader with the same keys.
  void protect(RecordLayer& writer, RecordLayer& reader, Aead aead, bool tls13) {
    writer.set_write_keys(keys(aead, tls13));
    reader.set_read_keys(keys(aead, tls13));
  }

  // The TLS 1.3 nonce of a sequence number (RFC 8446 5.3), for records a
  // test seals by hand.
  std::array<uint8_t, kAeadNonceLength> tls13_nonce(const RecordKeys& k, uint64_t seq) {
    auto n = k.iv;
    for (size_t i = 0; i < 8; i++)
      n[kAeadNonceLength - 1 - i] ^= static_cast<uint8_t>(seq >> (8 * i));
    return n;
  }

  // A TLS 1.3 record sealed by hand over any inner plaintext (content,
  // type, padding), at sequence number 0.
  Bytes seal_tls13(RecordKeys& k, ByteView inner) {
    Bytes out = record(23, 0x0303, Bytes(inner.size() + kAeadTagLength));
    auto body = std::span<uint8_t>(out).subspan(kRecordHeaderLength);
    std::copy(inner.begin(), inner.end(), body.begin());
    auto nonce = tls13_nonce(k, 0);
    EXPECT_TRUE(crypto_->seal(*k.aead, nonce, ByteView(out).first(kRecordHeaderLength),
                              body.first(inner.size()), body));
    return out;
  }

  std::unique_ptr<Crypto> crypto_;
};

// --- Plaintext records. ---

TEST_P(RecordTest, PlaintextRoundTripAndFraming) {
  RecordLayer writer(crypto_.get()), reader(crypto_.get());
  EXPECT_FALSE(writer.write_protected());
  EXPECT_FALSE(reader.read_protected());
  const Bytes payload = from_hex("0100000401020304");
  Bytes wire;
  ASSERT_TRUE(writer.write(ContentType::handshake, payload, &wire));
  EXPECT_EQ(to_hex(wire), "1603030008" + to_hex(payload));

  size_t pos = 0;
  Read r = read_one(reader, wire, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(r.type, ContentType::handshake);
  EXPECT_EQ(to_hex(r.payload), to_hex(payload));
  EXPECT_EQ(pos, wire.size());
}

// A first ClientHello's records carry 0x0301 (RFC 8446 5.1); the reader
// takes any 3.x.
TEST_P(RecordTest, PlaintextRecordVersion) {
  RecordLayer writer(crypto_.get()), reader(crypto_.get());
  writer.set_write_record_version(0x0301);
  Bytes wire;
  ASSERT_TRUE(writer.write(ContentType::handshake, from_hex("aa"), &wire));
  EXPECT_EQ(to_hex(wire), "1603010001aa");
  size_t pos = 0;
  Read r = read_one(reader, wire, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(to_hex(r.payload), "aa");
}

TEST_P(RecordTest, SeveralRecordsInOneBuffer) {
  RecordLayer writer(crypto_.get()), reader(crypto_.get());
  Bytes wire;
  ASSERT_TRUE(writer.write(ContentType::handshake, from_hex("0102"), &wire));
  ASSERT_TRUE(writer.write(ContentType::change_cipher_spec, from_hex("01"), &wire));
  ASSERT_TRUE(writer.write(ContentType::alert, from_hex("0228"), &wire));
  size_t pos = 0;
  const ContentType types[] = {ContentType::handshake, ContentType::change_cipher_spec,
                               ContentType::alert};
  const char* payloads[] = {"0102", "01", "0228"};
  for (int i = 0; i < 3; i++) {
    Read r = read_one(reader, wire, &pos);
    ASSERT_EQ(r.status, ReadStatus::record) << i << ": " << describe(r);
    EXPECT_EQ(r.type, types[i]);
    EXPECT_EQ(to_hex(r.payload), payloads[i]);
  }
  EXPECT_EQ(pos, wire.size());
  EXPECT_EQ(read_one(reader, wire, &pos).status, ReadStatus::need_more);
}

// Payloads past 2^14 bytes are split into records of at most 2^14
// (RFC 8446 5.1); exactly 2^14 is one record.
TEST_P(RecordTest, PlaintextFragmentsAtTheMaximum) {
  for (size_t n : {kMaxPlaintextLength, kMaxPlaintextLength + 1, 2 * kMaxPlaintextLength + 5}) {
    SCOPED_TRACE(n);
    RecordLayer writer(crypto_.get()), reader(crypto_.get());
    const Bytes payload = pattern(n, 3);
    Bytes wire;
    ASSERT_TRUE(writer.write(ContentType::handshake, payload, &wire));
    const size_t records = (n + kMaxPlaintextLength - 1) / kMaxPlaintextLength;
    EXPECT_EQ(wire.size(), n + records * kRecordHeaderLength);
    Bytes joined;
    size_t pos = 0;
    for (size_t i = 0; i < records; i++) {
      Read r = read_one(reader, wire, &pos);
      ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
      EXPECT_LE(r.payload.size(), kMaxPlaintextLength);
      joined.insert(joined.end(), r.payload.begin(), r.payload.end());
    }
    EXPECT_EQ(pos, wire.size());
    EXPECT_EQ(joined, payload);
  }
}

TEST_P(RecordTest, EmptyPayloads) {
  RecordLayer writer(crypto_.get()), reader(crypto_.get());
  Bytes wire;
  ASSERT_TRUE(writer.write(ContentType::application_data, {}, &wire));
  EXPECT_EQ(to_hex(wire), "1703030000");
  size_t pos = 0;
  Read r = read_one(reader, wire, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_TRUE(r.payload.empty());

  // Zero-length handshake, alert or ChangeCipherSpec records are forbidden
  // (RFC 8446 5.1).
  for (uint8_t type : {20, 21, 22}) {
    Bytes empty = record(type, 0x0303, {});
    size_t at = 0;
    Read e = read_one(reader, empty, &at);
    ASSERT_EQ(e.status, ReadStatus::error) << int(type);
    EXPECT_EQ(e.error.alert, Alert::unexpected_message) << int(type);
  }
}

// --- Records split over receive calls. ---

// Every prefix of a record is need_more, leaves the position and the bytes
// alone, and the whole record then reads.
void expect_every_prefix_needs_more(RecordLayer& reader, const Bytes& wire, ContentType type,
                                    const Bytes& payload) {
  for (size_t k = 0; k < wire.size(); k++) {
    Bytes partial(wire.begin(), wire.begin() + static_cast<ptrdiff_t>(k));
    size_t pos = 0;
    Read r = read_one(reader, partial, &pos);
    ASSERT_EQ(r.status, ReadStatus::need_more) << "prefix " << k << ": " << describe(r);
    EXPECT_EQ(pos, 0u);
    EXPECT_TRUE(std::equal(partial.begin(), partial.end(), wire.begin())) << "prefix " << k;
  }
  Bytes whole = wire;
  size_t pos = 0;
  Read r = read_one(reader, whole, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(r.type, type);
  EXPECT_EQ(r.payload, payload);
  EXPECT_EQ(pos, wire.size());
}

TEST_P(RecordTest, PlaintextRecordSplitOverReceives) {
  RecordLayer writer(crypto_.get()), reader(crypto_.get());
  const Bytes payload = pattern(40, 9);
  Bytes wire;
  ASSERT_TRUE(writer.write(ContentType::handshake, payload, &wire));
  expect_every_prefix_needs_more(reader, wire, ContentType::handshake, payload);
}

TEST_P(RecordTest, SealedRecordSplitOverReceives) {
  for (bool tls13 : {false, true}) {
    SCOPED_TRACE(tls13 ? "TLS 1.3" : "TLS 1.2");
    RecordLayer writer(crypto_.get()), reader(crypto_.get());
    protect(writer, reader, Aead::aes128gcm, tls13);
    const Bytes payload = pattern(40, 9);
    Bytes wire;
    ASSERT_TRUE(writer.write(ContentType::handshake, payload, &wire));
    // A failed open would have moved the sequence number; need_more must not.
    expect_every_prefix_needs_more(reader, wire, ContentType::handshake, payload);
  }
}

// A record that follows another in the buffer, arriving a byte at a time:
// the position stays on it until it is whole.
TEST_P(RecordTest, SecondRecordArrivingByteByByte) {
  RecordLayer writer(crypto_.get()), reader(crypto_.get());
  protect(writer, reader, Aead::aes128gcm, true);
  Bytes wire;
  ASSERT_TRUE(writer.write(ContentType::handshake, from_hex("01"), &wire));
  const size_t first = wire.size();
  ASSERT_TRUE(writer.write(ContentType::application_data, from_hex("0203"), &wire));
  Bytes in(wire.begin(), wire.begin() + static_cast<ptrdiff_t>(first));
  size_t pos = 0;
  Read r = read_one(reader, in, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(pos, first);
  for (size_t k = first; k < wire.size(); k++) {
    in.push_back(wire[k]);
    r = read_one(reader, in, &pos);
    if (k + 1 < wire.size()) {
      ASSERT_EQ(r.status, ReadStatus::need_more) << k << ": " << describe(r);
      EXPECT_EQ(pos, first);
    }
  }
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(r.type, ContentType::application_data);
  EXPECT_EQ(to_hex(r.payload), "0203");
  EXPECT_EQ(pos, wire.size());
}

// --- Bad headers. ---

struct BadHeader {
  const char* what;
  const char* hex;
  Alert alert;
};

TEST_P(RecordTest, BadHeadersAreRejected) {
  const BadHeader cases[] = {
      {"type 0", "0003030001aa", Alert::unexpected_message},
      {"type 19", "1303030001aa", Alert::unexpected_message},
      {"type 24 (heartbeat)", "1803030001aa", Alert::unexpected_message},
      {"type 255", "ff03030001aa", Alert::unexpected_message},
      {"version 2.0", "1602000001aa", Alert::protocol_version},
      {"version 4.3", "1604030001aa", Alert::protocol_version},
      {"version 0.0", "1600000001aa", Alert::protocol_version},
      // Too long is known from the header alone, before the body arrives.
      {"length 2^14+257", "1603034101", Alert::record_overflow},
      {"length 65535", "160303ffff", Alert::record_overflow},
  };
  for (const BadHeader& c : cases) {
    RecordLayer reader(crypto_.get());
    Bytes in = from_hex(c.hex);
    size_t pos = 0;
    Read r = read_one(reader, in, &pos);
    ASSERT_EQ(r.status, ReadStatus::error) << c.what << ": " << describe(r);
    EXPECT_EQ(r.error.alert, c.alert) << c.what << ": " << r.error.reason;
    EXPECT_STRNE(r.error.reason, "") << c.what;
  }
}

// An unprotected record may hold at most 2^14 bytes (RFC 8446 5.1), though
// the header allows up to 2^14 + 256 for protected ones.
TEST_P(RecordTest, PlaintextLengthLimit) {
  for (size_t n : {kMaxPlaintextLength, kMaxPlaintextLength + 1, kMaxCiphertextLength}) {
    SCOPED_TRACE(n);
    RecordLayer reader(crypto_.get());
    Bytes in = record(22, 0x0303, pattern(n, 1));
    size_t pos = 0;
    Read r = read_one(reader, in, &pos);
    if (n <= kMaxPlaintextLength) {
      ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
      EXPECT_EQ(r.payload.size(), n);
    } else {
      ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
      EXPECT_EQ(r.error.alert, Alert::record_overflow);
    }
  }
}

// --- Sealed records. ---

// TLS 1.3 (RFC 8446 5.2): outer type application_data, version 0x0303,
// length content + type byte + tag; the real type comes back on reading.
TEST_P(RecordTest, Tls13RoundTripAndFraming) {
  for (Aead aead : kAllAeads) {
    SCOPED_TRACE(name(aead));
    RecordLayer writer(crypto_.get()), reader(crypto_.get());
    protect(writer, reader, aead, true);
    EXPECT_TRUE(writer.write_protected());
    EXPECT_TRUE(reader.read_protected());
    // A first-ClientHello record version must not leak into sealed records.
    writer.set_write_record_version(0x0301);
    const Bytes payload = pattern(100, 5);
    Bytes wire;
    ASSERT_TRUE(writer.write(ContentType::handshake, payload, &wire));
    ASSERT_EQ(wire.size(), kRecordHeaderLength + payload.size() + kTls13Overhead);
    EXPECT_EQ(to_hex(ByteView(wire).first(5)), "1703030075");
    // Sealed: the payload is not in the clear (the null backend's stand-in
    // does not encrypt, so this holds only for real ciphers).
    if (GetParam() != "null") {
      EXPECT_FALSE(std::equal(payload.begin(), payload.end(), wire.begin() + 5));
    }
    size_t pos = 0;
    Read r = read_one(reader, wire, &pos);
    ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
    EXPECT_EQ(r.type, ContentType::handshake);
    EXPECT_EQ(r.payload, payload);
    EXPECT_EQ(pos, wire.size());
  }
}

// TLS 1.2 AES-GCM (RFC 5246 6.2.3.3, RFC 5288 3): the real type outside,
// the 8-byte explicit nonce (here the sequence number) first, then the
// ciphertext and tag.
TEST_P(RecordTest, Tls12RoundTripAndFraming) {
  for (Aead aead : {Aead::aes128gcm, Aead::aes256gcm}) {
    SCOPED_TRACE(name(aead));
    RecordLayer writer(crypto_.get()), reader(crypto_.get());
    protect(writer, reader, aead, false);
    const Bytes payload = pattern(100, 5);
    Bytes wire;
    ASSERT_TRUE(writer.write(ContentType::handshake, payload, &wire));
    ASSERT_TRUE(writer.write(ContentType::application_data, payload, &wire));
    const size_t one = kRecordHeaderLength + payload.size() + kTls12Overhead;
    ASSERT_EQ(wire.size(), 2 * one);
    EXPECT_EQ(to_hex(ByteView(wire).first(13)),
              "160303007c"
              "0000000000000000");
    EXPECT_EQ(to_hex(ByteView(wire).subspan(one, 13)),
              "170303007c"
              "0000000000000001");
    size_t pos = 0;
    for (ContentType type : {ContentType::handshake, ContentType::application_data}) {
      Read r = read_one(reader, wire, &pos);
      ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
      EXPECT_EQ(r.type, type);
      EXPECT_EQ(r.payload, payload);
    }
    EXPECT_EQ(pos, wire.size());
  }
}

// Sealed payloads fragment at 2^14 too, and the largest record reads back.
TEST_P(RecordTest, SealedMaximumRecordSize) {
  for (bool tls13 : {false, true}) {
    SCOPED_TRACE(tls13 ? "TLS 1.3" : "TLS 1.2");
    const size_t overhead = tls13 ? kTls13Overhead : kTls12Overhead;
    RecordLayer writer(crypto_.get()), reader(crypto_.get());
    protect(writer, reader, Aead::aes128gcm, tls13);
    const Bytes payload = pattern(kMaxPlaintextLength + 1, 2);
    Bytes wire;
    ASSERT_TRUE(writer.write(ContentType::application_data, payload, &wire));
    ASSERT_EQ(wire.size(), 2 * kRecordHeaderLength + payload.size() + 2 * overhead);
    EXPECT_EQ(length_field(wire, 0), kMaxPlaintextLength + overhead);
    EXPECT_LE(kMaxPlaintextLength + overhead, kMaxCiphertextLength);
    size_t pos = 0;
    Read first = read_one(reader, wire, &pos);
    ASSERT_EQ(first.status, ReadStatus::record) << describe(first);
    EXPECT_EQ(first.payload.size(), kMaxPlaintextLength);
    Read second = read_one(reader, wire, &pos);
    ASSERT_EQ(second.status, ReadStatus::record) << describe(second);
    EXPECT_EQ(second.payload.size(), 1u);
    EXPECT_EQ(pos, wire.size());
  }
}

// Any change to a sealed record's body, or to the header the AEAD
// authenticates, fails with bad_record_mac (RFC 8446 5.2, RFC 5246 6.2.3.3).
TEST_P(RecordTest, TamperedRecordFailsWithBadRecordMac) {
  for (bool tls13 : {false, true}) {
    const Bytes payload = pattern(24, 7);
    Bytes clean;
    {
      RecordLayer writer(crypto_.get());
      writer.set_write_keys(keys(Aead::aes128gcm, tls13));
      ASSERT_TRUE(writer.write(ContentType::handshake, payload, &clean));
    }
    // Every body byte (for TLS 1.2 the explicit nonce too); the minor
    // version, which is in the TLS 1.3 additional data; and for TLS 1.2
    // the type, which is in its additional data.
    std::vector<size_t> offsets;
    for (size_t i = kRecordHeaderLength; i < clean.size(); i++) offsets.push_back(i);
    if (tls13) offsets.push_back(2);
    std::vector<uint8_t> masks = {0x01, 0x80};
    for (size_t at : offsets) {
      for (uint8_t mask : masks) {
        SCOPED_TRACE(testing::Message()
                     << (tls13 ? "TLS 1.3" : "TLS 1.2") << ", byte " << at << " ^ " << int(mask));
        RecordLayer reader(crypto_.get());
        reader.set_read_keys(keys(Aead::aes128gcm, tls13));
        Bytes wire = clean;
        wire[at] ^= mask;
        size_t pos = 0;
        Read r = read_one(reader, wire, &pos);
        ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
        EXPECT_EQ(r.error.alert, Alert::bad_record_mac) << r.error.reason;
      }
    }
    if (!tls13) {
      // Handshake (22) to alert (21): still a valid type, but not the one
      // sealed.
      RecordLayer reader(crypto_.get());
      reader.set_read_keys(keys(Aead::aes128gcm, false));
      Bytes wire = clean;
      wire[0] = 21;
      size_t pos = 0;
      Read r = read_one(reader, wire, &pos);
      ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
      EXPECT_EQ(r.error.alert, Alert::bad_record_mac);
    }
  }
}

TEST_P(RecordTest, WrongKeyFailsWithBadRecordMac) {
  for (bool tls13 : {false, true}) {
    RecordLayer writer(crypto_.get()), reader(crypto_.get());
    writer.set_write_keys(keys(Aead::aes128gcm, tls13, 1));
    reader.set_read_keys(keys(Aead::aes128gcm, tls13, 2));
    Bytes wire;
    ASSERT_TRUE(writer.write(ContentType::handshake, from_hex("01020304"), &wire));
    size_t pos = 0;
    Read r = read_one(reader, wire, &pos);
    ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
    EXPECT_EQ(r.error.alert, Alert::bad_record_mac);
  }
}

// Too short to hold a tag (and for TLS 1.3 the type byte; for TLS 1.2 the
// explicit nonce): bad_record_mac without calling the AEAD.
TEST_P(RecordTest, SealedRecordTooShort) {
  for (bool tls13 : {false, true}) {
    const size_t minimum = tls13 ? kTls13Overhead : kTls12Overhead;
    for (size_t n : {size_t{0}, size_t{1}, minimum - 1}) {
      SCOPED_TRACE(testing::Message() << (tls13 ? "TLS 1.3" : "TLS 1.2") << ", length " << n);
      RecordLayer reader(crypto_.get());
      reader.set_read_keys(keys(Aead::aes128gcm, tls13));
      Bytes in = record(tls13 ? 23 : 22, 0x0303, Bytes(n, 0));
      size_t pos = 0;
      Read r = read_one(reader, in, &pos);
      ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
      EXPECT_EQ(r.error.alert, Alert::bad_record_mac) << r.error.reason;
    }
  }
}

// TLS 1.3 inner plaintext (RFC 8446 5.2, 5.4): zero padding after the type
// is stripped; all padding (no type) and an unknown inner type are
// unexpected_message; more than 2^14 bytes of content is record_overflow.
TEST_P(RecordTest, Tls13InnerPlaintext) {
  struct Case {
    const char* what;
    Bytes inner;
    bool ok;
    Alert alert;
    const char* payload;
  };
  Bytes too_long = pattern(kMaxPlaintextLength + 1, 1);
  too_long.push_back(22);
  Bytes longest = pattern(kMaxPlaintextLength, 1);
  longest.push_back(22);
  longest.insert(longest.end(), 100, 0);  // padding does not count
  const Case cases[] = {
      {"padded", from_hex("aabb 16 000000"), true, Alert::close_notify, "aabb"},
      {"unpadded", from_hex("aabb 17"), true, Alert::close_notify, "aabb"},
      {"empty application data", from_hex("17 00"), true, Alert::close_notify, ""},
      {"all zeros", from_hex("00000000"), false, Alert::unexpected_message, nullptr},
      {"inner type 24", from_hex("aabb 18"), false, Alert::unexpected_message, nullptr},
      {"inner type 19", from_hex("aabb 13 00"), false, Alert::unexpected_message, nullptr},
      {"content of 2^14 + 1", too_long, false, Alert::record_overflow, nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    RecordLayer reader(crypto_.get());
    RecordKeys k = keys(Aead::aes128gcm, true);
    Bytes wire = seal_tls13(k, c.inner);
    reader.set_read_keys(std::move(k));
    size_t pos = 0;
    Read r = read_one(reader, wire, &pos);
    if (c.ok) {
      ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
      EXPECT_EQ(to_hex(r.payload), c.payload);
    } else {
      ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
      EXPECT_EQ(r.error.alert, c.alert) << r.error.reason;
    }
  }
  // The longest content, padded up to the ciphertext limit, still reads.
  RecordLayer reader(crypto_.get());
  RecordKeys k = keys(Aead::aes128gcm, true);
  Bytes wire = seal_tls13(k, longest);
  ASSERT_LE(wire.size() - kRecordHeaderLength, kMaxCiphertextLength);
  reader.set_read_keys(std::move(k));
  size_t pos = 0;
  Read r = read_one(reader, wire, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(r.payload.size(), kMaxPlaintextLength);
}

// Under TLS 1.3 keys: a ChangeCipherSpec is always plaintext (RFC 8446
// D.4); a plaintext alert is taken only until the peer has sent a
// protected record; any other plaintext record is unexpected.
TEST_P(RecordTest, Tls13PlaintextRecordsUnderKeys) {
  RecordLayer writer(crypto_.get()), reader(crypto_.get());
  protect(writer, reader, Aead::aes128gcm, true);
  Bytes ccs = record(20, 0x0303, from_hex("01"));
  Bytes alert = record(21, 0x0303, from_hex("0228"));
  Bytes handshake = record(22, 0x0303, from_hex("01"));
  size_t pos = 0;
  Read r = read_one(reader, ccs, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(r.type, ContentType::change_cipher_spec);
  pos = 0;
  r = read_one(reader, alert, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  EXPECT_EQ(r.type, ContentType::alert);
  EXPECT_EQ(to_hex(r.payload), "0228");
  pos = 0;
  r = read_one(reader, handshake, &pos);
  ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
  EXPECT_EQ(r.error.alert, Alert::unexpected_message);

  Bytes sealed;
  ASSERT_TRUE(writer.write(ContentType::handshake, from_hex("01"), &sealed));
  pos = 0;
  r = read_one(reader, sealed, &pos);
  ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
  pos = 0;
  r = read_one(reader, ccs, &pos);
  EXPECT_EQ(r.status, ReadStatus::record) << describe(r);
  pos = 0;
  r = read_one(reader, alert, &pos);
  ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
  EXPECT_EQ(r.error.alert, Alert::unexpected_message);
}

// --- Sequence numbers. ---

// Each record's nonce carries its sequence number (RFC 8446 5.3, RFC 5246
// 6.2.3.3): records read in order open; skipping or replaying one does not;
// new keys start again at zero.
TEST_P(RecordTest, SequenceNumbers) {
  for (bool tls13 : {false, true}) {
    SCOPED_TRACE(tls13 ? "TLS 1.3" : "TLS 1.2");
    RecordLayer writer(crypto_.get());
    writer.set_write_keys(keys(Aead::aes128gcm, tls13));
    std::vector<Bytes> records(3);
    for (size_t i = 0; i < records.size(); i++) {
      ASSERT_TRUE(
          writer.write(ContentType::application_data, pattern(10, uint8_t(i)), &records[i]));
    }
    {
      RecordLayer reader(crypto_.get());
      reader.set_read_keys(keys(Aead::aes128gcm, tls13));
      for (size_t i = 0; i < records.size(); i++) {
        Bytes wire = records[i];
        size_t pos = 0;
        Read r = read_one(reader, wire, &pos);
        ASSERT_EQ(r.status, ReadStatus::record) << i << ": " << describe(r);
        EXPECT_EQ(r.payload, pattern(10, uint8_t(i)));
      }
      // A replay of the first record is at the wrong sequence number now.
      Bytes replay = records[0];
      size_t pos = 0;
      Read r = read_one(reader, replay, &pos);
      ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
      EXPECT_EQ(r.error.alert, Alert::bad_record_mac);
    }
    {
      // The second record first: expected at 0, sealed at 1.
      RecordLayer reader(crypto_.get());
      reader.set_read_keys(keys(Aead::aes128gcm, tls13));
      Bytes wire = records[1];
      size_t pos = 0;
      Read r = read_one(reader, wire, &pos);
      ASSERT_EQ(r.status, ReadStatus::error) << describe(r);
      EXPECT_EQ(r.error.alert, Alert::bad_record_mac);
    }
    {
      // New read keys reset the count: after one record, the same keys
      // again read the first record, not the second.
      RecordLayer reader(crypto_.get());
      reader.set_read_keys(keys(Aead::aes128gcm, tls13));
      Bytes wire = records[0];
      size_t pos = 0;
      ASSERT_EQ(read_one(reader, wire, &pos).status, ReadStatus::record);
      reader.set_read_keys(keys(Aead::aes128gcm, tls13));
      wire = records[0];
      pos = 0;
      Read r = read_one(reader, wire, &pos);
      EXPECT_EQ(r.status, ReadStatus::record) << describe(r);
    }
    {
      // New write keys reset the count too: the next record is at 0 again.
      writer.set_write_keys(keys(Aead::aes128gcm, tls13));
      Bytes again;
      ASSERT_TRUE(writer.write(ContentType::application_data, pattern(10, 0), &again));
      EXPECT_EQ(to_hex(again), to_hex(records[0]));
    }
  }
}

// The TLS 1.3 nonce XORs the sequence number into the low bytes of the IV:
// record n sealed by hand at nonce IV ^ n reads as the layer's n-th record.
TEST_P(RecordTest, Tls13NonceIsIvXorSequence) {
  RecordLayer writer(crypto_.get());
  writer.set_write_keys(keys(Aead::aes128gcm, true));
  Bytes wire;
  for (int i = 0; i < 3; i++) {
    wire.clear();
    ASSERT_TRUE(writer.write(ContentType::application_data, from_hex("aa"), &wire));
  }
  RecordKeys k = keys(Aead::aes128gcm, true);
  auto nonce = tls13_nonce(k, 2);
  Bytes plain(2);
  auto body = ByteView(wire).subspan(kRecordHeaderLength);
  ASSERT_TRUE(
      crypto_->open(*k.aead, nonce, ByteView(wire).first(kRecordHeaderLength), body, plain));
  EXPECT_EQ(to_hex(plain), "aa17");
}

// --- RFC 8448 section 3, on the real backends. ---

TEST_P(RecordTest, Rfc8448Records) {
  if (GetParam() == "null") GTEST_SKIP() << "a known answer needs real AES-GCM";
  auto v = rfc8448_vectors();
  for (const char* name :
       {"server_handshake_key", "server_handshake_iv", "server_flight_payload",
        "server_flight_record", "client_application_key", "client_application_iv",
        "application_data_payload", "client_application_data_record"}) {
    ASSERT_FALSE(v[name].empty()) << "no " << name << " in the RFC 8448 vectors";
  }
  struct Case {
    const char* key;
    const char* iv;
    ContentType type;
    const char* payload;
    const char* record;
  };
  const Case cases[] = {
      {"server_handshake_key", "server_handshake_iv", ContentType::handshake,
       "server_flight_payload", "server_flight_record"},
      {"client_application_key", "client_application_iv", ContentType::application_data,
       "application_data_payload", "client_application_data_record"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.record);
    auto make_keys = [&] {
      RecordKeys k;
      k.aead = crypto_->new_aead(Aead::aes128gcm, v[c.key]);
      std::copy(v[c.iv].begin(), v[c.iv].end(), k.iv.begin());
      k.tls13 = true;
      return k;
    };
    RecordLayer writer(crypto_.get()), reader(crypto_.get());
    writer.set_write_keys(make_keys());
    reader.set_read_keys(make_keys());
    Bytes wire;
    ASSERT_TRUE(writer.write(c.type, v[c.payload], &wire));
    EXPECT_EQ(to_hex(wire), to_hex(v[c.record]));
    Bytes in = v[c.record];
    size_t pos = 0;
    Read r = read_one(reader, in, &pos);
    ASSERT_EQ(r.status, ReadStatus::record) << describe(r);
    EXPECT_EQ(r.type, c.type);
    EXPECT_EQ(to_hex(r.payload), to_hex(v[c.payload]));
  }
}

std::vector<std::string> backends() {
  std::vector<std::string> names = {"null"};
  for (const std::string& n : test::built_backends()) names.push_back(n);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordTest, ::testing::ValuesIn(backends()),
                         test::BackendTestName);

}  // namespace
}  // namespace hsbench::tls
