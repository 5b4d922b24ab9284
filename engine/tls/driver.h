// Moves flights between two endpoints in memory and times every step. This
// is the only place the clock is read around steps; the connections
// themselves never do I/O.
#pragma once

#include "hsbench/trace.h"
#include "tls/connection.h"

namespace hsbench::tls {

struct HandshakeOutcome {
  bool ok = false;
  Side failed_side = Side::client;  // when !ok: whose error() explains it
  Error error;
};

// Sees each flight as the driver moves it from one side to the other, in
// wire order: what a passive eavesdropper on the connection would record.
class FlightObserver {
 public:
  virtual ~FlightObserver() = default;
  virtual void on_flight(Side from, ByteView bytes) = 0;
};

// Runs client and server to completion (handshake, then one application
// data record each way). When trace is not null, each message each side
// handles becomes a Step with its crypto operations, and trace->total_ns
// is the wall time of the whole exchange. When observer is not null, it
// sees every flight (captures; never while measuring).
HandshakeOutcome run_handshake(Connection& client, Connection& server, HandshakeTrace* trace,
                               FlightObserver* observer = nullptr);

}  // namespace hsbench::tls
