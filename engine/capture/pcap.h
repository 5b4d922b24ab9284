// A capture file in the classic libpcap format (LINKTYPE_ETHERNET), built in
// memory from recorded flights. hsbench sends nothing over any network: the
// Ethernet, IPv4 and TCP headers are synthetic, so that Wireshark and tshark
// see each handshake as one ordinary TCP connection to port 443 and dissect
// the TLS inside. Addresses: client 10.0.0.1, server 10.0.0.2.
// Format: https://wiki.wireshark.org/Development/LibpcapFileFormat
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "capture/recorder.h"
#include "hsbench/algorithms.h"

namespace hsbench::capture {

inline constexpr uint32_t kClientAddress = 0x0a000001;  // 10.0.0.1
inline constexpr uint32_t kServerAddress = 0x0a000002;  // 10.0.0.2
inline constexpr uint16_t kServerPort = 443;
inline constexpr uint16_t kFirstClientPort = 49152;  // the dynamic port range (RFC 6335)
inline constexpr uint32_t kLinktypeEthernet = 1;
inline constexpr size_t kMaxSegmentSize = 1460;  // Ethernet MTU less IPv4 and TCP headers

class PcapWriter {
 public:
  // start_time_us: the first packet's timestamp, in microseconds since the
  // Unix epoch. Packets follow 100 microseconds apart.
  explicit PcapWriter(uint64_t start_time_us);

  // Adds one TCP connection from client_port: the three-way handshake,
  // each flight as segments with the sequence and acknowledgement numbers a
  // real stack would use, and an orderly close (FIN each way).
  void add_stream(uint16_t client_port, std::span<const Flight> flights);

  // The file: the global header and every packet so far.
  const Bytes& bytes() const { return file_; }
  size_t packets() const { return packets_; }
  size_t streams() const { return streams_; }

 private:
  struct Endpoint {
    uint32_t address;
    uint16_t port;
    uint32_t next_seq;  // the next sequence number this side sends
    uint16_t ip_id;
  };
  // One IPv4/TCP packet from one endpoint to the other.
  void segment(Endpoint& from, const Endpoint& to, uint8_t flags, ByteView payload,
               bool mss_option);

  Bytes file_;
  uint64_t time_us_;
  size_t packets_ = 0;
  size_t streams_ = 0;
};

// RFC 1071: the ones' complement of the ones' complement sum of 16-bit words.
uint16_t internet_checksum(ByteView data, uint32_t initial_sum = 0);

}  // namespace hsbench::capture
