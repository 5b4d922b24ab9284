// Records what crosses the wire during an engine handshake: each flight, the
// bytes one side hands the other in one go, in wire order. That is exactly
// what a passive eavesdropper keeps, and what a capture file holds.
#pragma once

#include <vector>

#include "hsbench/algorithms.h"
#include "hsbench/trace.h"
#include "tls/driver.h"

namespace hsbench::capture {

struct Flight {
  Side from;
  Bytes bytes;
};

class FlightRecorder final : public tls::FlightObserver {
 public:
  void on_flight(Side from, ByteView bytes) override {
    flights_.push_back({from, Bytes(bytes.begin(), bytes.end())});
  }
  const std::vector<Flight>& flights() const { return flights_; }
  std::vector<Flight> take() { return std::move(flights_); }
  void clear() { flights_.clear(); }

 private:
  std::vector<Flight> flights_;
};

// Every byte one side sent, in order: that side's half of the TCP stream.
Bytes sent_by(const std::vector<Flight>& flights, Side side);

// All bytes of all flights.
size_t total_bytes(const std::vector<Flight>& flights);

}  // namespace hsbench::capture
