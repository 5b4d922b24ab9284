#include "drive/runner.h"

#include "tls/clock.h"
#include "tls/icount.h"

namespace hsbench::drive {
namespace {

// Enough for any handshake or record; a loop that runs longer is a bug, not
// a peer.
constexpr int kMaxCalls = 1000;

using Status = tls::Connection::Status;

}  // namespace

void Runner::begin(HandshakeTrace* trace) {
  trace_ = trace;
  connection_->crypto().set_trace(trace);
  count_steps_ = tls::icount_steps();
  // A server speaks only once the ClientHello has come (RFC 8446 2), so it
  // starts by waiting for it rather than running a state that would only
  // ask for it: no call into the connection, and no turn, before it is there.
  waiting_ = connection_->side() == Side::server;
  wants_write_ = ran_away_ = false;
  pending_ns_ = 0;
  pending_first_op_ = SIZE_MAX;
  pending_bytes_ = 0;
  error_ = {};
}

void Runner::end() {
  connection_->crypto().set_trace(nullptr);
  trace_ = nullptr;
}

const tls::Error& Runner::error() const {
  return error_.reason[0] != 0 ? error_ : connection_->error();
}

Io Runner::send_output() {
  Bytes& out = connection_->output();
  return out.empty() ? Io::ok : send(&out);
}

Runner::Result Runner::fail(const char* reason) {
  error_ = {tls::Alert::internal_error, reason, false};
  return Result::failed;
}

// Inline into call: it runs after every call into the connection.
[[gnu::always_inline]] inline void Runner::charge(Status status, uint64_t ns, size_t first_op,
                                                  size_t wrote) {
  HandshakeTrace& trace = *trace_;
  if (status == Status::step) {
    const size_t from = pending_first_op_ != SIZE_MAX ? pending_first_op_ : first_op;
    if (trace.step_count < HandshakeTrace::kMaxSteps) {
      Step& s = trace.steps[trace.step_count++];
      s.side = connection_->side();
      s.action = connection_->last_step().action;
      s.message = connection_->last_step().message;
      s.ns = ns + pending_ns_;
      s.first_op = static_cast<uint16_t>(from);
      s.op_count = static_cast<uint16_t>(trace.op_count - from);
      s.approximate = false;
      s.wire_bytes = static_cast<uint32_t>(wrote + pending_bytes_);
    } else {
      trace.overflow = true;
    }
    pending_ns_ = 0;
    pending_first_op_ = SIZE_MAX;
    pending_bytes_ = 0;
  } else {
    pending_ns_ += ns;
    pending_bytes_ += wrote;
    if (trace.op_count > first_op && pending_first_op_ == SIZE_MAX) pending_first_op_ = first_op;
  }
}

template <Runner::Op kOp>
[[gnu::always_inline]] inline Status Runner::call(ByteView data) {
  tls::Connection& c = *connection_;
  const size_t first_op = trace_ != nullptr ? trace_->op_count : 0;
  const size_t out_before = trace_ != nullptr ? c.output().size() : 0;
  const auto t0 = StepClock::now();
  if (count_steps_) tls::icount_step_begin();
  Status status;
  if constexpr (kOp == Op::handshake) {
    status = c.advance();
  } else if constexpr (kOp == Op::write) {
    status = c.write_application_data(data);
  } else if constexpr (kOp == Op::read) {
    status = c.read_application_data();
  } else {
    status = c.send_close_notify();
  }
  if (count_steps_) {
    tls::icount_step_end(c.side(), status == Status::step, c.last_step().action,
                         c.last_step().message);
  }
  const uint64_t ns = elapsed_ns(t0, StepClock::now());
  if (trace_ != nullptr) {
    const size_t out_after = c.output().size();
    charge(status, ns, first_op, out_after > out_before ? out_after - out_before : 0);
  }
  return status;
}

// Inline into run, where every wait sends first.
[[gnu::always_inline]] inline Runner::Result Runner::send_written() {
  if (connection_->output().empty()) return Result::done;
  switch (send(&connection_->output())) {
    case Io::ok:
      return Result::done;
    case Io::would_block:
      wants_write_ = true;
      return Result::would_block;
    case Io::closed:
      return fail("the peer closed the connection before reading it all");
    case Io::failed:
      break;
  }
  return fail("the transport failed");
}

Runner::Result Runner::flush() { return send_written(); }

[[gnu::always_inline]] inline Runner::Result Runner::take_input(bool unsent) {
  // A socket may have taken only part of what was written before the wait.
  if (unsent) {
    if (Result r = send_written(); r != Result::done) return r;
  }
  ByteView in;
  switch (receive(&in)) {
    case Io::ok:
      break;
    case Io::would_block:
      return Result::would_block;
    case Io::closed:
      return fail(connection_->established() ? "the peer closed the connection"
                                             : "the peer closed the connection during the "
                                               "handshake");
    case Io::failed:
      return fail("the transport failed");
  }
  connection_->receive(in);
  consume(in.size());
  waiting_ = false;
  return Result::done;
}

[[gnu::always_inline]] inline Runner::Result Runner::wait() {
  waiting_ = true;
  pending_first_op_ = SIZE_MAX;
  if (Result r = send_written(); r != Result::done) return r;
  return Result::would_block;
}

// One loop per call, so that what depends on the call is settled when it
// is compiled rather than tested after every call into the connection.
template <Runner::Op kOp>
Runner::Result Runner::run(ByteView data) {
  const bool unsent = wants_write_;
  wants_write_ = false;
  if (waiting_) {
    if (Result r = take_input(unsent); r != Result::done) return r;
  } else if (kOp == Op::handshake && connection_->established()) {
    return Result::done;
  } else if (kOp == Op::read && !connection_->has_input() && connection_->established() &&
             !connection_->peer_closed()) {
    // Nothing has come that the connection could read (the peer has not
    // answered what this side just wrote): wait without a call that could
    // only ask for it.
    return wait();
  }
  for (int i = 0; i < kMaxCalls; i++) {
    const Status status = call<kOp>(data);
    switch (status) {
      case Status::step:
        if (kOp == Op::handshake ? connection_->established()
                                 : kOp != Op::read || connection_->last_step().message ==
                                                          Message::application_data) {
          return Result::done;
        }
        continue;  // the next handshake message, or a ticket before the data
      case Status::progressed:
        if (kOp == Op::close) return send_written();
        continue;
      case Status::want_read:
        // What the connection wrote goes before it waits for the answer,
        // and the caller comes back once the answer can be read. What runs
        // meanwhile (in memory, the peer, into the same trace) splits this
        // side's pending operations from its next step's.
        return wait();
      case Status::done:
        return Result::done;
      case Status::closed:
        return Result::closed;
      case Status::failed:
        // Let the peer read the alert, so both sides know why.
        (void)send_output();
        return Result::failed;
    }
  }
  ran_away_ = true;
  return fail("the connection ran without waiting or finishing");
}

template Runner::Result Runner::run<Runner::Op::handshake>(ByteView data);
template Runner::Result Runner::run<Runner::Op::write>(ByteView data);
template Runner::Result Runner::run<Runner::Op::read>(ByteView data);
template Runner::Result Runner::run<Runner::Op::close>(ByteView data);

}  // namespace hsbench::drive
