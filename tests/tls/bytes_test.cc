// Reader and Writer (engine/tls/bytes.h): every accessor at and past the
// end of its input, failed reads leaving the reader where it was, length
// prefixes of 1, 2 and 3 bytes (RFC 8446 3.4) written, nested and
// overflowed. Inputs live in vectors of their exact size, so that under
// AddressSanitizer a read one byte too far is a reported error.
#include "tls/bytes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"

namespace hsbench::tls {
namespace {

using test::from_hex;
using test::to_hex;

TEST(Reader, FixedWidthIntegersAreBigEndian) {
  const Bytes in = from_hex("01 0203 040506 ff");
  Reader r(in);
  uint8_t a = 0;
  uint16_t b = 0;
  uint32_t c = 0;
  ASSERT_TRUE(r.u8(&a));
  ASSERT_TRUE(r.u16(&b));
  ASSERT_TRUE(r.u24(&c));
  EXPECT_EQ(a, 0x01);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x040506u);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.empty());
  ASSERT_TRUE(r.u8(&a));
  EXPECT_EQ(a, 0xff);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Reader, DefaultIsEmpty) {
  Reader r;
  uint8_t v = 7;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_FALSE(r.u8(&v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(r.skip(0));
}

// Each accessor on an input one byte shorter than it needs fails, leaves
// its output alone and consumes nothing; on exactly enough it succeeds and
// empties the reader.
TEST(Reader, IntegersAtAndPastTheEnd) {
  for (size_t width = 1; width <= 3; width++) {
    for (size_t have = 0; have <= width; have++) {
      Bytes in(have, 0xab);
      Reader r(in);
      uint8_t v8 = 0x11;
      uint16_t v16 = 0x1111;
      uint32_t v24 = 0x111111;
      bool ok = width == 1 ? r.u8(&v8) : width == 2 ? r.u16(&v16) : r.u24(&v24);
      SCOPED_TRACE(testing::Message() << "width " << width << ", have " << have);
      if (have < width) {
        EXPECT_FALSE(ok);
        EXPECT_EQ(r.remaining(), have);
        EXPECT_EQ(v8, 0x11);
        EXPECT_EQ(v16, 0x1111);
        EXPECT_EQ(v24, 0x111111u);
      } else {
        EXPECT_TRUE(ok);
        EXPECT_TRUE(r.empty());
        uint32_t got = width == 1 ? v8 : width == 2 ? v16 : v24;
        EXPECT_EQ(got, 0xababababu >> (8 * (4 - width)));
      }
    }
  }
}

TEST(Reader, BytesAndSkipAtAndPastTheEnd) {
  const Bytes in = from_hex("0102030405");
  {
    Reader r(in);
    ByteView out;
    EXPECT_FALSE(r.bytes(6, &out));
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(r.remaining(), 5u);
    ASSERT_TRUE(r.bytes(2, &out));
    EXPECT_EQ(to_hex(out), "0102");
    // The view points into the input, not at a copy.
    EXPECT_EQ(out.data(), in.data());
    ASSERT_TRUE(r.bytes(3, &out));
    EXPECT_EQ(to_hex(out), "030405");
    EXPECT_TRUE(r.empty());
    ASSERT_TRUE(r.bytes(0, &out));
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(r.bytes(1, &out));
  }
  {
    Reader r(in);
    EXPECT_FALSE(r.skip(6));
    EXPECT_EQ(r.remaining(), 5u);
    ASSERT_TRUE(r.skip(4));
    EXPECT_EQ(to_hex(r.rest()), "05");
    ASSERT_TRUE(r.skip(1));
    EXPECT_TRUE(r.empty());
    EXPECT_FALSE(r.skip(1));
  }
}

TEST(Reader, RestIsWhatIsLeftAndReadsNothing) {
  const Bytes in = from_hex("aabbcc");
  Reader r(in);
  ASSERT_TRUE(r.skip(1));
  EXPECT_EQ(to_hex(r.rest()), "bbcc");
  EXPECT_EQ(r.remaining(), 2u);
}

// Prefixed reads of each width: the body exactly, the reader past it.
TEST(Reader, PrefixedReadsOfEachWidth) {
  struct Case {
    const char* hex;
    size_t width;
    const char* body;
  };
  const Case cases[] = {
      {"03 aabbcc 99", 1, "aabbcc"},
      {"0003 aabbcc 99", 2, "aabbcc"},
      {"000003 aabbcc 99", 3, "aabbcc"},
      {"00 99", 1, ""},
      {"0000 99", 2, ""},
      {"000000 99", 3, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.hex);
    const Bytes in = from_hex(c.hex);
    Reader r(in);
    ByteView body;
    bool ok = c.width == 1   ? r.u8_prefixed(&body)
              : c.width == 2 ? r.u16_prefixed(&body)
                             : r.u24_prefixed(&body);
    ASSERT_TRUE(ok);
    EXPECT_EQ(to_hex(body), c.body);
    EXPECT_EQ(to_hex(r.rest()), "99");
  }
}

// A prefix that claims more than is there, and a prefix itself cut short,
// fail and leave the reader where it was (nothing consumed, not even the
// length).
TEST(Reader, PrefixedReadsPastTheEndConsumeNothing) {
  const char* cases[][2] = {
      {"1", "04 aabbcc"},     {"1", ""},     {"2", "0004 aabbcc"}, {"2", "00"},
      {"3", "000004 aabbcc"}, {"3", "0000"}, {"2", "ffff"},        {"3", "ffffff 00"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(testing::Message() << "u" << c[0] << " prefix over " << c[1]);
    const Bytes in = from_hex(c[1]);
    Reader r(in);
    ByteView body = ByteView(in).first(0);
    Reader sub;
    bool view_ok, reader_ok;
    switch (c[0][0]) {
      case '1':
        view_ok = r.u8_prefixed(&body);
        reader_ok = r.u8_prefixed(&sub);
        break;
      case '2':
        view_ok = r.u16_prefixed(&body);
        reader_ok = r.u16_prefixed(&sub);
        break;
      default:
        view_ok = r.u24_prefixed(&body);
        reader_ok = r.u24_prefixed(&sub);
        break;
    }
    EXPECT_FALSE(view_ok);
    EXPECT_FALSE(reader_ok);
    EXPECT_EQ(r.remaining(), in.size());
    EXPECT_TRUE(sub.empty());
  }
}

// The Reader form of a prefixed read reads only inside the prefix: the
// byte after it is never reachable from the sub-reader.
TEST(Reader, PrefixedReaderIsConfinedToItsBody) {
  const Bytes in = from_hex("0002 0102 0304");
  Reader r(in), sub;
  ASSERT_TRUE(r.u16_prefixed(&sub));
  uint16_t v = 0;
  ASSERT_TRUE(sub.u16(&v));
  EXPECT_EQ(v, 0x0102);
  EXPECT_TRUE(sub.empty());
  uint8_t b = 0;
  EXPECT_FALSE(sub.u8(&b));
  EXPECT_EQ(to_hex(r.rest()), "0304");
}

TEST(Reader, NestedPrefixes) {
  // A u16 list of u8-prefixed strings: "ab", "", "c".
  const Bytes in = from_hex("0006 02 6162 00 01 63");
  Reader r(in), list;
  ASSERT_TRUE(r.u16_prefixed(&list));
  EXPECT_TRUE(r.empty());
  std::vector<std::string> items;
  while (!list.empty()) {
    ByteView item;
    ASSERT_TRUE(list.u8_prefixed(&item));
    items.emplace_back(item.begin(), item.end());
  }
  EXPECT_EQ(items, (std::vector<std::string>{"ab", "", "c"}));
}

// --- Writer ---

TEST(Writer, FixedWidthIntegersAreBigEndian) {
  Bytes out;
  Writer w(&out);
  w.u8(0x01);
  w.u16(0x0203);
  w.u24(0x040506);
  w.bytes(from_hex("0708"));
  EXPECT_EQ(to_hex(out), "0102030405060708");
  EXPECT_EQ(w.size(), 8u);
  EXPECT_EQ(&w.buffer(), &out);
}

TEST(Writer, U24KeepsOnlyTheLowThreeBytes) {
  Bytes out;
  Writer w(&out);
  w.u24(0x12345678);
  EXPECT_EQ(to_hex(out), "345678");
}

TEST(Writer, AppendsToWhatIsAlreadyThere) {
  Bytes out = from_hex("ee");
  Writer w(&out);
  auto p = w.open_u8();
  w.u8(0x42);
  ASSERT_TRUE(w.close(p));
  EXPECT_EQ(to_hex(out), "ee0142");
}

TEST(Writer, PrefixesOfEachWidth) {
  const Bytes body = from_hex("aabbcc");
  for (size_t width = 1; width <= 3; width++) {
    Bytes out;
    Writer w(&out);
    auto p = width == 1 ? w.open_u8() : width == 2 ? w.open_u16() : w.open_u24();
    w.bytes(body);
    ASSERT_TRUE(w.close(p));
    const char* expected = width == 1 ? "03aabbcc" : width == 2 ? "0003aabbcc" : "000003aabbcc";
    EXPECT_EQ(to_hex(out), expected) << "width " << width;
  }
}

TEST(Writer, EmptyPrefixedBody) {
  Bytes out;
  Writer w(&out);
  auto a = w.open_u8();
  ASSERT_TRUE(w.close(a));
  auto b = w.open_u16();
  ASSERT_TRUE(w.close(b));
  auto c = w.open_u24();
  ASSERT_TRUE(w.close(c));
  EXPECT_EQ(to_hex(out),
            "00"
            "0000"
            "000000");
}

// An extensions block shape: u16 block, each extension a u16 type and a
// u16-prefixed body, one of which holds a u8-prefixed list. Inner prefixes
// are closed first; each outer length counts the inner prefixes too.
TEST(Writer, NestedPrefixes) {
  Bytes out;
  Writer w(&out);
  auto block = w.open_u16();
  w.u16(0x002b);
  auto ext = w.open_u16();
  auto list = w.open_u8();
  w.u16(0x0304);
  w.u16(0x0303);
  ASSERT_TRUE(w.close(list));
  ASSERT_TRUE(w.close(ext));
  w.u16(0x0017);
  auto empty = w.open_u16();
  ASSERT_TRUE(w.close(empty));
  ASSERT_TRUE(w.close(block));
  EXPECT_EQ(to_hex(out),
            "000d"
            "002b"
            "0005"
            "04"
            "03040303"
            "0017"
            "0000");

  // And it reads back.
  Reader r(out), exts, body, versions;
  uint16_t type = 0;
  ASSERT_TRUE(r.u16_prefixed(&exts));
  ASSERT_TRUE(exts.u16(&type));
  EXPECT_EQ(type, 0x002b);
  ASSERT_TRUE(exts.u16_prefixed(&body));
  ASSERT_TRUE(body.u8_prefixed(&versions));
  EXPECT_EQ(to_hex(versions.rest()), "03040303");
  EXPECT_TRUE(body.empty());
  ASSERT_TRUE(exts.u16(&type));
  EXPECT_EQ(type, 0x0017);
  ASSERT_TRUE(exts.u16_prefixed(&body));
  EXPECT_TRUE(body.empty());
  EXPECT_TRUE(exts.empty());
  EXPECT_TRUE(r.empty());
}

// The largest body a prefix holds closes; one byte more fails, for each
// width (u24 needs 16 MiB, which is cheap enough to build once).
TEST(Writer, OverflowOfAPrefixFails) {
  const size_t max[] = {0xff, 0xffff, 0xffffff};
  for (size_t width = 1; width <= 3; width++) {
    SCOPED_TRACE(testing::Message() << "width " << width);
    for (size_t extra = 0; extra <= 1; extra++) {
      Bytes out;
      Writer w(&out);
      auto p = width == 1 ? w.open_u8() : width == 2 ? w.open_u16() : w.open_u24();
      w.reserve(max[width - 1] + extra);
      bool closed = w.close(p);
      if (extra == 0) {
        ASSERT_TRUE(closed);
        Reader r(out);
        ByteView body;
        bool ok = width == 1   ? r.u8_prefixed(&body)
                  : width == 2 ? r.u16_prefixed(&body)
                               : r.u24_prefixed(&body);
        ASSERT_TRUE(ok);
        EXPECT_EQ(body.size(), max[width - 1]);
        EXPECT_TRUE(r.empty());
      } else {
        EXPECT_FALSE(closed);
      }
    }
  }
}

// An inner prefix that fits inside an outer one that does not: the outer
// close reports the overflow.
TEST(Writer, OverflowOfAnOuterPrefixFails) {
  Bytes out;
  Writer w(&out);
  auto outer = w.open_u8();
  auto inner = w.open_u8();
  w.reserve(0xff);
  EXPECT_TRUE(w.close(inner));
  EXPECT_FALSE(w.close(outer));
}

TEST(Writer, ReserveIsZeroedAndWritableInPlace) {
  Bytes out = from_hex("01");
  Writer w(&out);
  std::span<uint8_t> field = w.reserve(3);
  ASSERT_EQ(field.size(), 3u);
  EXPECT_EQ(to_hex(out), "01000000");
  field[0] = 0xaa;
  field[2] = 0xcc;
  EXPECT_EQ(to_hex(out), "01aa00cc");
  EXPECT_EQ(w.reserve(0).size(), 0u);
  EXPECT_EQ(out.size(), 4u);
}

}  // namespace
}  // namespace hsbench::tls
