// The pcap writer's framing and the key log's lines, checked byte by byte
// (what tshark makes of them is tshark_test.cc).
#include "capture/pcap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "capture/keylog.h"
#include "capture/recorder.h"

namespace hsbench::capture {
namespace {

uint32_t le32(const Bytes& b, size_t at) {
  return static_cast<uint32_t>(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24);
}
uint32_t be32(ByteView b, size_t at) {
  return static_cast<uint32_t>(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);
}
uint16_t be16(ByteView b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }

struct Packet {
  uint32_t ts_sec, ts_usec;
  Bytes frame;
};

std::vector<Packet> packets(const Bytes& file) {
  std::vector<Packet> out;
  size_t at = 24;
  while (at + 16 <= file.size()) {
    const uint32_t length = le32(file, at + 8);
    EXPECT_EQ(length, le32(file, at + 12));
    EXPECT_LE(at + 16 + length, file.size());
    out.push_back({le32(file, at), le32(file, at + 4),
                   Bytes(file.begin() + static_cast<long>(at + 16),
                         file.begin() + static_cast<long>(at + 16 + length))});
    at += 16 + length;
  }
  EXPECT_EQ(at, file.size());
  return out;
}

// The fields of an Ethernet/IPv4/TCP frame this writer makes.
struct Tcp {
  uint32_t src, dst;
  uint16_t sport, dport;
  uint32_t seq, ack;
  uint8_t flags;
  Bytes payload;
};

Tcp parse(ByteView f) {
  Tcp t;
  EXPECT_EQ(be16(f, 12), 0x0800);
  ByteView ip = f.subspan(14);
  EXPECT_EQ(ip[0], 0x45);
  EXPECT_EQ(be16(ip, 2), ip.size());
  EXPECT_EQ(ip[9], 6);
  EXPECT_EQ(internet_checksum(ip.first(20)), 0) << "IPv4 header checksum";
  t.src = be32(ip, 12);
  t.dst = be32(ip, 16);
  ByteView tcp = ip.subspan(20);
  // The TCP checksum over the pseudo-header and the segment sums to zero.
  const uint32_t pseudo = (t.src >> 16) + (t.src & 0xffff) + (t.dst >> 16) + (t.dst & 0xffff) + 6 +
                          static_cast<uint32_t>(tcp.size());
  EXPECT_EQ(internet_checksum(tcp, pseudo), 0) << "TCP checksum";
  t.sport = be16(tcp, 0);
  t.dport = be16(tcp, 2);
  t.seq = be32(tcp, 4);
  t.ack = be32(tcp, 8);
  t.flags = tcp[13];
  const size_t header = (tcp[12] >> 4) * 4u;
  t.payload.assign(tcp.begin() + static_cast<long>(header), tcp.end());
  return t;
}

TEST(InternetChecksum, Rfc1071Example) {
  // RFC 1071 section 3: the sum of these words is 0xddf2 (folded).
  const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(internet_checksum(data), static_cast<uint16_t>(~0xddf2));
  const uint8_t odd[] = {0x01};
  EXPECT_EQ(internet_checksum(odd), static_cast<uint16_t>(~0x0100));
}

TEST(PcapWriter, GlobalHeader) {
  PcapWriter w(1700000000ull * 1000000);
  const Bytes& b = w.bytes();
  ASSERT_EQ(b.size(), 24u);
  EXPECT_EQ(le32(b, 0), 0xa1b2c3d4u);
  EXPECT_EQ(b[4], 2);
  EXPECT_EQ(b[6], 4);
  EXPECT_EQ(le32(b, 20), kLinktypeEthernet);
}

TEST(PcapWriter, StreamSequenceAndAcknowledgementNumbers) {
  PcapWriter w(1700000000ull * 1000000 + 999950);
  const Bytes big(3000, 0xab);  // three segments: 1460, 1460, 80
  std::vector<Flight> flights = {
      {Side::client, Bytes(100, 0x16)},
      {Side::server, big},
      {Side::client, Bytes(50, 0x17)},
  };
  w.add_stream(50000, flights);
  EXPECT_EQ(w.streams(), 1u);
  auto ps = packets(w.bytes());
  // SYN, SYN-ACK, ACK; 1 + 3 + 1 data segments; FIN, FIN, ACK.
  ASSERT_EQ(ps.size(), 3u + 5u + 3u);
  EXPECT_EQ(w.packets(), ps.size());
  // Timestamps advance and carry into seconds.
  EXPECT_EQ(ps[0].ts_usec, 999950u);
  EXPECT_EQ(ps[1].ts_sec, 1700000001u);
  EXPECT_EQ(ps[1].ts_usec, 50u);

  std::vector<Tcp> t;
  for (const auto& p : ps) t.push_back(parse(p.frame));
  const uint32_t c0 = t[0].seq, s0 = t[1].seq;
  EXPECT_EQ(t[0].flags, 0x02);
  EXPECT_EQ(t[0].src, kClientAddress);
  EXPECT_EQ(t[0].dst, kServerAddress);
  EXPECT_EQ(t[0].sport, 50000);
  EXPECT_EQ(t[0].dport, kServerPort);
  EXPECT_EQ(t[1].flags, 0x12);
  EXPECT_EQ(t[1].ack, c0 + 1);
  EXPECT_EQ(t[2].flags, 0x10);
  EXPECT_EQ(t[2].seq, c0 + 1);
  EXPECT_EQ(t[2].ack, s0 + 1);
  // The client's flight.
  EXPECT_EQ(t[3].seq, c0 + 1);
  EXPECT_EQ(t[3].ack, s0 + 1);
  EXPECT_EQ(t[3].payload, flights[0].bytes);
  EXPECT_EQ(t[3].flags, 0x18);
  // The server's flight in three segments, PSH on the last.
  Bytes joined;
  for (int i = 4; i < 7; i++) {
    EXPECT_EQ(t[i].src, kServerAddress);
    EXPECT_EQ(t[i].ack, c0 + 101);
    EXPECT_EQ(t[i].seq, s0 + 1 + joined.size());
    EXPECT_EQ(t[i].flags, i == 6 ? 0x18 : 0x10);
    EXPECT_LE(t[i].payload.size(), kMaxSegmentSize);
    joined.insert(joined.end(), t[i].payload.begin(), t[i].payload.end());
  }
  EXPECT_EQ(joined, big);
  EXPECT_EQ(t[7].seq, c0 + 101);
  EXPECT_EQ(t[7].ack, s0 + 3001);
  // The close.
  EXPECT_EQ(t[8].flags, 0x11);
  EXPECT_EQ(t[8].seq, c0 + 151);
  EXPECT_EQ(t[9].flags, 0x11);
  EXPECT_EQ(t[9].ack, c0 + 152);
  EXPECT_EQ(t[10].flags, 0x10);
  EXPECT_EQ(t[10].seq, c0 + 152);
  EXPECT_EQ(t[10].ack, s0 + 3002);
}

TEST(PcapWriter, StreamsAreDistinctConnections) {
  PcapWriter w(1);
  std::vector<Flight> flights = {{Side::client, Bytes(10, 1)}};
  w.add_stream(kFirstClientPort, flights);
  w.add_stream(kFirstClientPort + 1, flights);
  auto ps = packets(w.bytes());
  ASSERT_EQ(ps.size(), 14u);
  EXPECT_EQ(parse(ps[0].frame).sport, kFirstClientPort);
  EXPECT_EQ(parse(ps[7].frame).sport, kFirstClientPort + 1);
  EXPECT_NE(parse(ps[0].frame).seq, parse(ps[7].frame).seq);
}

TEST(KeyLog, NssLinesOncePerSecret) {
  KeyLog log;
  const Bytes random(32, 0x01), master(48, 0xab);
  log.add("CLIENT_RANDOM", random, master);
  log.add("CLIENT_RANDOM", random, master);  // the server logs it too
  EXPECT_EQ(log.size(), 1u);
  std::string expected = "CLIENT_RANDOM ";
  for (int i = 0; i < 32; i++) expected += "01";
  expected += " ";
  for (int i = 0; i < 48; i++) expected += "ab";
  EXPECT_EQ(log.text(), expected + "\n");
  EXPECT_EQ(to_hex(Bytes{0x00, 0x0f, 0xa0, 0xff}), "000fa0ff");
  auto cb = log.callback();
  cb("SERVER_TRAFFIC_SECRET_0", random, Bytes(32, 0x02));
  EXPECT_EQ(log.size(), 2u);
  KeyLog other;
  other.add("CLIENT_RANDOM", random, master);
  other.add("CLIENT_TRAFFIC_SECRET_0", random, Bytes(32, 0x03));
  log.merge(other);
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(std::count(log.text().begin(), log.text().end(), '\n'), 3);
}

TEST(FlightRecorder, KeepsFlightsInOrder) {
  FlightRecorder r;
  const Bytes a = {1, 2}, b = {3}, c = {4, 5, 6};
  r.on_flight(Side::client, a);
  r.on_flight(Side::server, b);
  r.on_flight(Side::client, c);
  EXPECT_EQ(total_bytes(r.flights()), 6u);
  EXPECT_EQ(sent_by(r.flights(), Side::client), (Bytes{1, 2, 4, 5, 6}));
  EXPECT_EQ(sent_by(r.flights(), Side::server), (Bytes{3}));
}

}  // namespace
}  // namespace hsbench::capture
