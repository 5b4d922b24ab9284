#include "run/wire.h"

#include <utility>

namespace hsbench {

int extra_round_trips(int segments) {
  int extra = 0;
  int window = WireResult::kInitialWindow;
  for (int sent = window; sent < segments; extra++) {
    window *= 2;
    sent += window;
  }
  return extra;
}

WireResult wire_of(const HandshakeTrace& t) {
  WireResult w;
  for (size_t i = 0; i < t.step_count; i++) {
    const Step& s = t.steps[i];
    if (s.action != Action::write || s.wire_bytes == 0) continue;
    if (w.flights.empty() || w.flights.back().side != s.side) {
      WireFlight f;
      f.side = s.side;
      w.flights.push_back(std::move(f));
    }
    WireFlight& f = w.flights.back();
    f.bytes += s.wire_bytes;
    f.messages.push_back({s.message, s.wire_bytes});
  }
  // The flights after the last one holding a Finished carry no handshake.
  size_t last_finished = 0;
  for (size_t i = 0; i < w.flights.size(); i++) {
    for (const WireMessage& m : w.flights[i].messages) {
      if (m.message == Message::finished) last_finished = i;
    }
  }
  for (size_t i = last_finished + 1; i < w.flights.size(); i++) w.flights[i].handshake = false;
  w.round_trips = 1;  // TCP's SYN, SYN-ACK; the ClientHello goes with the ACK
  bool holds_finished = false;
  for (WireFlight& f : w.flights) {
    f.segments = static_cast<int>((f.bytes + WireResult::kMss - 1) / WireResult::kMss);
    f.fits_initial_window = f.segments <= WireResult::kInitialWindow;
    if (holds_finished || !f.handshake) continue;
    w.round_trips += extra_round_trips(f.segments);
    if (f.side == Side::server) {
      w.round_trips++;
      for (const WireMessage& m : f.messages) {
        if (m.message == Message::finished) holds_finished = true;
      }
    }
  }
  return w;
}

void model_rtt(WireResult* wire, double cpu_us, double rtt_ms) {
  wire->rtt_ms = rtt_ms;
  wire->modelled_ms = cpu_us / 1e3 + wire->round_trips * rtt_ms;
}

}  // namespace hsbench
