// Two endpoints in one process, each over its end of a MemoryLink, run to
// completion by turns: one runs until it waits for the other, then the
// other. An endpoint is an engine connection (EngineEndpoint) or a
// library's own TLS stack (NativeEndpoint, native.h), so one loop runs
// engine against engine, engine against library, and library against
// library.
#pragma once

#include <cstdint>
#include <string>

#include "drive/runner.h"
#include "hsbench/trace.h"
#include "tls/driver.h"

namespace hsbench::drive {

class Endpoint {
 public:
  enum class Progress : uint8_t { waiting, done, failed };
  virtual ~Endpoint() = default;
  // Runs until the endpoint waits for its peer, is done, or fails (having
  // sent its alert, if any).
  virtual Progress resume() = 0;
  virtual Side side() const = 0;
  // Why it failed.
  virtual tls::Error error() const = 0;
};

// An engine connection doing the default exchange: the handshake, then one
// application data record each way, the client's first (the "session
// established" step), with the payload of its Config (application_data, or
// application_data_length bytes of 'h') as it was when the endpoint was
// made.
class EngineEndpoint final : public Endpoint {
 public:
  EngineEndpoint(tls::Connection* connection, Transport* transport);

  // Starts a connection (reset by the caller) into trace (may be null, may
  // be shared with the peer's).
  void begin(HandshakeTrace* trace);
  void end() { runner_.end(); }

  Progress resume() override;
  Side side() const override { return runner_.connection().side(); }
  tls::Error error() const override { return runner_.error(); }
  Runner& runner() { return runner_; }

 private:
  enum class Phase : uint8_t { handshake, write, read, flush, done };
  ByteView payload();

  Runner runner_;
  ByteView payload_;  // for this connection
  Phase phases_[4];   // after the handshake, in order
  int next_phase_ = 0;
  Phase phase_ = Phase::handshake;
  Bytes default_payload_;
};

struct PairOutcome {
  bool ok = false;
  Side failed_side = Side::client;
  tls::Error error;
};

// Runs both endpoints by turns, the client first. When one fails, the
// other (unless done) runs once more to read its alert.
PairOutcome run_pair(Endpoint& client, Endpoint& server);
// The same for two engine endpoints, with their calls direct.
PairOutcome run_pair(EngineEndpoint& client, EngineEndpoint& server);

// The engine against itself: begins both endpoints (their connections
// reset by the caller, their link empty) and runs them, and with a trace
// (cleared here) records both sides' steps, the whole exchange's wall time
// and the version.
tls::HandshakeOutcome run_engine_pair(EngineEndpoint& client, EngineEndpoint& server,
                                      HandshakeTrace* trace);

// "client failed: reason (received alert)", for messages.
std::string describe(const tls::HandshakeOutcome& outcome);

}  // namespace hsbench::drive
