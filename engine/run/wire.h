// Bytes on the wire of a handshake (Result::wire): its flights from a
// trace's write steps, the TCP segments of each, and the round trips a
// fresh connection needs, with the initial window of RFC 6928.
#pragma once

#include "hsbench/result.h"
#include "hsbench/trace.h"

namespace hsbench {

// The flights of the traced handshake t (both sides, in the order they
// ran): consecutive write steps of one side are one flight.
WireResult wire_of(const HandshakeTrace& t);

// The round trips slow start adds to a flight of this many segments, from
// an initial window of WireResult::kInitialWindow that doubles each round
// trip: 0 when it fits.
int extra_round_trips(int segments);

// Sets wire->rtt_ms and modelled_ms: cpu_us (both sides' compute) plus
// round_trips x rtt_ms.
void model_rtt(WireResult* wire, double cpu_us, double rtt_ms);

}  // namespace hsbench
