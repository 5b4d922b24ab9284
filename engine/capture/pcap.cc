#include "capture/pcap.h"

#include <algorithm>

#include "tls/bytes.h"

namespace hsbench::capture {
namespace {

// TCP flags (RFC 9293 3.1).
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;
constexpr uint16_t kWindow = 65535;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint8_t kProtocolTcp = 6;
constexpr uint32_t kSnapLength = 262144;
constexpr size_t kEthernetHeaderLength = 14, kIpv4HeaderLength = 20, kTcpHeaderLength = 20;
constexpr size_t kMssOptionLength = 4;
constexpr uint64_t kPacketSpacingUs = 100;

// Locally administered MAC addresses (IEEE 802: bit 1 of the first octet).
constexpr uint8_t kClientMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr uint8_t kServerMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

// The pcap headers are in the writer's byte order, which the magic number
// tells readers; little-endian here.
void put_le32(Bytes* out, uint32_t v) {
  for (int i = 0; i < 4; i++) out->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void put_le16(Bytes* out, uint16_t v) {
  out->push_back(static_cast<uint8_t>(v));
  out->push_back(static_cast<uint8_t>(v >> 8));
}
void put_be32(tls::Writer& w, uint32_t v) {
  w.u16(static_cast<uint16_t>(v >> 16));
  w.u16(static_cast<uint16_t>(v));
}
void store_be16(std::span<uint8_t> at, uint16_t v) {
  at[0] = static_cast<uint8_t>(v >> 8);
  at[1] = static_cast<uint8_t>(v);
}

}  // namespace

uint16_t internet_checksum(ByteView data, uint32_t initial_sum) {
  uint32_t sum = initial_sum;
  size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<uint32_t>(data[i] << 8 | data[i + 1]);
  if (i < data.size()) sum += static_cast<uint32_t>(data[i] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

PcapWriter::PcapWriter(uint64_t start_time_us) : time_us_(start_time_us) {
  put_le32(&file_, 0xa1b2c3d4);  // microsecond timestamps
  put_le16(&file_, 2);           // version 2.4
  put_le16(&file_, 4);
  put_le32(&file_, 0);  // thiszone: UTC
  put_le32(&file_, 0);  // sigfigs
  put_le32(&file_, kSnapLength);
  put_le32(&file_, kLinktypeEthernet);
}

void PcapWriter::segment(Endpoint& from, const Endpoint& to, uint8_t flags, ByteView payload,
                         bool mss_option) {
  const size_t tcp_length = kTcpHeaderLength + (mss_option ? kMssOptionLength : 0) + payload.size();
  const size_t ip_length = kIpv4HeaderLength + tcp_length;
  const size_t frame_length = kEthernetHeaderLength + ip_length;

  Bytes frame;
  frame.reserve(frame_length);
  tls::Writer w(&frame);
  const bool from_client = from.address == kClientAddress;
  // Byte by byte: GCC 12 misreads a range insert into a reserved vector
  // as an overflow (-Wstringop-overflow).
  for (uint8_t b : from_client ? kServerMac : kClientMac) w.u8(b);  // destination
  for (uint8_t b : from_client ? kClientMac : kServerMac) w.u8(b);  // source
  w.u16(kEtherTypeIpv4);

  // IPv4 (RFC 791): version 4, 5 words of header, don't fragment.
  const size_t ip_at = frame.size();
  w.u8(0x45);
  w.u8(0);
  w.u16(static_cast<uint16_t>(ip_length));
  w.u16(from.ip_id++);
  w.u16(0x4000);
  w.u8(64);  // TTL
  w.u8(kProtocolTcp);
  w.u16(0);  // checksum, below
  put_be32(w, from.address);
  put_be32(w, to.address);
  const uint16_t ip_checksum = internet_checksum(ByteView(frame).subspan(ip_at, kIpv4HeaderLength));
  store_be16(std::span(frame).subspan(ip_at + 10, 2), ip_checksum);

  // TCP (RFC 9293 3.1). Before the peer's SYN is seen there is nothing to
  // acknowledge.
  const size_t tcp_at = frame.size();
  w.u16(from.port);
  w.u16(to.port);
  put_be32(w, from.next_seq);
  put_be32(w, (flags & kAck) ? to.next_seq : 0);
  const size_t header_words = (kTcpHeaderLength + (mss_option ? kMssOptionLength : 0)) / 4;
  w.u8(static_cast<uint8_t>(header_words << 4));
  w.u8(flags);
  w.u16(kWindow);
  w.u16(0);  // checksum, below
  w.u16(0);  // urgent pointer
  if (mss_option) {
    w.u8(2);  // kind: maximum segment size
    w.u8(4);
    w.u16(static_cast<uint16_t>(kMaxSegmentSize));
  }
  w.bytes(payload);
  // The checksum covers a pseudo-header of addresses, protocol and length.
  const uint32_t pseudo = (from.address >> 16) + (from.address & 0xffff) + (to.address >> 16) +
                          (to.address & 0xffff) + kProtocolTcp + static_cast<uint32_t>(tcp_length);
  const uint16_t tcp_checksum = internet_checksum(ByteView(frame).subspan(tcp_at), pseudo);
  store_be16(std::span(frame).subspan(tcp_at + 16, 2), tcp_checksum);

  from.next_seq += static_cast<uint32_t>(payload.size());
  if (flags & (kSyn | kFin)) from.next_seq++;  // SYN and FIN each take a sequence number

  put_le32(&file_, static_cast<uint32_t>(time_us_ / 1000000));
  put_le32(&file_, static_cast<uint32_t>(time_us_ % 1000000));
  put_le32(&file_, static_cast<uint32_t>(frame.size()));
  put_le32(&file_, static_cast<uint32_t>(frame.size()));
  file_.insert(file_.end(), frame.begin(), frame.end());
  time_us_ += kPacketSpacingUs;
  packets_++;
}

void PcapWriter::add_stream(uint16_t client_port, std::span<const Flight> flights) {
  // Initial sequence numbers differ per connection, as they would; any
  // value is valid.
  Endpoint client{kClientAddress, client_port, 0x10000000u + 0x01000000u * client_port, 1};
  Endpoint server{kServerAddress, kServerPort, 0x80000000u + 0x00100000u * client_port, 1};

  segment(client, server, kSyn, {}, true);
  segment(server, client, kSyn | kAck, {}, true);
  segment(client, server, kAck, {}, false);

  for (const Flight& f : flights) {
    Endpoint& from = f.from == Side::client ? client : server;
    const Endpoint& to = f.from == Side::client ? server : client;
    ByteView rest = f.bytes;
    while (!rest.empty()) {
      const size_t n = std::min(rest.size(), kMaxSegmentSize);
      const bool last = n == rest.size();
      segment(from, to, static_cast<uint8_t>(kAck | (last ? kPsh : 0)), rest.first(n), false);
      rest = rest.subspan(n);
    }
  }

  segment(client, server, kFin | kAck, {}, false);
  segment(server, client, kFin | kAck, {}, false);
  segment(client, server, kAck, {}, false);
  streams_++;
}

}  // namespace hsbench::capture
