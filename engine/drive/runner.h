// Drives one engine Connection over a Transport: the handshake, then what
// the caller asks for (application data records, close_notify). It never
// waits: when the transport would block it returns, and the caller comes
// back once the pipe is ready, in memory (the peer has run) or on a socket
// (poll says readable or writable).
//
// With a trace, every message the connection handles is a Step with its
// wall time and crypto operations. Calls that handled no message (waiting
// for bytes, or running a state that writes nothing) are charged to this
// side's next step, time and operations both, so that the steps add up to
// the whole; except that operations stop being pending once the runner
// returns would_block, since whatever runs next (in memory: the peer, into
// the same trace) would split them from the next step's. The clock is read
// here and nowhere else around steps.
#pragma once

#include <cstddef>
#include <cstdint>

#include "drive/transport.h"
#include "hsbench/trace.h"
#include "tls/connection.h"

namespace hsbench::drive {

class Runner {
 public:
  enum class Result : uint8_t {
    done,         // the call's work is complete
    would_block,  // call again once the transport is ready (wants_write())
    closed,       // the peer ended the connection in order (close_notify)
    failed,       // error() says why; any alert was sent
  };

  Runner(tls::Connection* connection, Transport* transport)
      : connection_(connection),
        transport_(transport),
        memory_(dynamic_cast<MemoryTransport*>(transport)) {}
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Starts a connection (reset by the caller): its steps go into trace when
  // not null. The trace may be shared with the peer's runner, so it is not
  // cleared here.
  void begin(HandshakeTrace* trace);
  // The connection's crypto stops recording into the trace.
  void end();

  // Runs the handshake to completion. Sends nothing on its own once it is
  // complete: what the caller writes next leaves in the same flight.
  Result handshake() { return run<Op::handshake>({}); }
  // Seals data (at most one record's worth) as one record, to be sent with
  // the next flush or wait for input.
  Result write(ByteView data) { return run<Op::write>(data); }
  // Reads one application data record (and any TLS 1.3 NewSessionTicket
  // before it, as its own step): connection().received_application_data().
  Result read() { return run<Op::read>({}); }
  // Sends close_notify and everything before it.
  Result close() { return run<Op::close>({}); }
  // Sends everything written so far.
  Result flush();

  // When the last call returned would_block: true if it waits to send,
  // false if it waits for bytes to arrive.
  bool wants_write() const { return wants_write_; }
  // Why the last call failed: the connection's error, or the transport's.
  const tls::Error& error() const;
  // The last call failed because the connection ran on without waiting or
  // finishing: a bug in a state machine, not the peer's doing.
  bool ran_away() const { return ran_away_; }
  tls::Connection& connection() { return *connection_; }
  const tls::Connection& connection() const { return *connection_; }

 private:
  enum class Op : uint8_t { handshake, write, read, close };
  template <Op kOp>
  Result run(ByteView data);
  // After a wait: the rest of what was written (when unsent: the
  // transport would not take it all), then the bytes that arrived, into the
  // connection.
  Result take_input(bool unsent);
  // One call into the connection, timed and charged.
  template <Op kOp>
  tls::Connection::Status call(ByteView data);
  void charge(tls::Connection::Status status, uint64_t ns, size_t first_op, size_t wrote);
  Io send_output();
  // flush, inline where the runner waits.
  Result send_written();
  // Waits for the peer's answer once what was written is sent.
  Result wait();
  // The transport's calls, direct when it is a MemoryTransport.
  [[gnu::always_inline]] Io send(Bytes* bytes) {
    return memory_ != nullptr ? memory_->MemoryTransport::send(bytes) : transport_->send(bytes);
  }
  Io receive(ByteView* out_bytes) {
    return memory_ != nullptr ? memory_->MemoryTransport::receive(out_bytes)
                              : transport_->receive(out_bytes);
  }
  void consume(size_t n) {
    if (memory_ != nullptr) {
      memory_->MemoryTransport::consume(n);
    } else {
      transport_->consume(n);
    }
  }
  Result fail(const char* reason);

  tls::Connection* connection_;
  Transport* transport_;
  MemoryTransport* memory_;  // transport_, when it is one
  HandshakeTrace* trace_ = nullptr;
  bool count_steps_ = false;
  bool waiting_ = false;  // the connection wants bytes the transport has not given yet
  bool wants_write_ = false;
  bool ran_away_ = false;
  uint64_t pending_ns_ = 0;
  size_t pending_first_op_ = SIZE_MAX;
  size_t pending_bytes_ = 0;
  tls::Error error_;  // the runner's own, when the connection has none
};

}  // namespace hsbench::drive
