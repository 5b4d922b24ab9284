// What drives a handshake (engine/drive) reports and whom it tells: the
// outcome of a connection's exchange with its peer, and an observer of the
// flights between them.
#pragma once

#include "hsbench/trace.h"
#include "tls/protocol.h"

namespace hsbench::tls {

struct HandshakeOutcome {
  bool ok = false;
  Side failed_side = Side::client;  // when !ok: whose error() explains it
  Error error;
};

// Sees each flight as the driver hands it from one side to the other, in
// wire order: what a passive eavesdropper on the connection would record.
class FlightObserver {
 public:
  virtual ~FlightObserver() = default;
  virtual void on_flight(Side from, ByteView bytes) = 0;
};

}  // namespace hsbench::tls
