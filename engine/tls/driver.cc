#include "tls/driver.h"

#include "tls/icount.h"

namespace hsbench::tls {
namespace {

// Enough for any handshake; a loop that runs longer is a bug, not a peer.
constexpr int kMaxAdvances = 1000;

void deliver(Connection& from, Connection& to, FlightObserver* observer) {
  Bytes& out = from.output();
  if (out.empty()) return;
  if (observer != nullptr) observer->on_flight(from.side(), out);
  to.receive(out);
  out.clear();
}

}  // namespace

HandshakeOutcome run_handshake(Connection& client, Connection& server, HandshakeTrace* trace,
                               FlightObserver* observer) {
  Connection* sides[2] = {&client, &server};
  if (trace != nullptr) trace->clear();
  client.crypto().set_trace(trace);
  server.crypto().set_trace(trace);

  HandshakeOutcome outcome;
  bool done[2] = {false, false};
  // Time and ops of calls that handled no message are charged to the
  // side's next step, so that the steps add up to the whole.
  uint64_t pending_ns[2] = {0, 0};
  size_t pending_first_op[2] = {SIZE_MAX, SIZE_MAX};
  int current = 0;
  const bool count_steps = icount_steps();

  const auto start = StepClock::now();
  for (int i = 0; i < kMaxAdvances; i++) {
    Connection& c = *sides[current];
    Connection& other = *sides[1 - current];
    const size_t first_op = trace != nullptr ? trace->op_count : 0;
    const auto t0 = StepClock::now();
    if (count_steps) icount_step_begin();
    const Connection::Status status = c.advance();
    if (count_steps) {
      icount_step_end(c.side(), status == Connection::Status::step, c.last_step().action,
                      c.last_step().message);
    }
    const uint64_t ns = elapsed_ns(t0, StepClock::now());

    if (trace != nullptr) {
      if (status == Connection::Status::step) {
        size_t from = pending_first_op[current] != SIZE_MAX ? pending_first_op[current] : first_op;
        if (trace->step_count < HandshakeTrace::kMaxSteps) {
          Step& s = trace->steps[trace->step_count++];
          s.side = c.side();
          s.action = c.last_step().action;
          s.message = c.last_step().message;
          s.ns = ns + pending_ns[current];
          s.first_op = static_cast<uint16_t>(from);
          s.op_count = static_cast<uint16_t>(trace->op_count - from);
          s.approximate = false;
        } else {
          trace->overflow = true;
        }
        pending_ns[current] = 0;
        pending_first_op[current] = SIZE_MAX;
      } else {
        pending_ns[current] += ns;
        if (trace->op_count > first_op && pending_first_op[current] == SIZE_MAX) {
          pending_first_op[current] = first_op;
        }
      }
    }

    switch (status) {
      case Connection::Status::step:
      case Connection::Status::progressed:
        continue;
      case Connection::Status::want_read:
        deliver(c, other, observer);
        if (done[1 - current]) {
          outcome.failed_side = c.side();
          outcome.error = {Alert::internal_error, "peer finished while this side waits"};
          goto out;
        }
        // The other side's ops come next, so this side's pending ops (if
        // any) would no longer be one range: its next step counts its own.
        pending_first_op[current] = SIZE_MAX;
        current = 1 - current;
        continue;
      case Connection::Status::done:
        done[current] = true;
        deliver(c, other, observer);
        if (done[1 - current]) {
          outcome.ok = true;
          goto out;
        }
        current = 1 - current;
        continue;
      case Connection::Status::failed:
        // Let the peer read the alert, so both sides know why.
        outcome.failed_side = c.side();
        outcome.error = c.error();
        deliver(c, other, observer);
        if (!done[1 - current]) (void)other.advance();
        goto out;
    }
  }
  outcome.error = {Alert::internal_error, "handshake did not finish"};
out:
  if (trace != nullptr) {
    trace->total_ns = elapsed_ns(start, StepClock::now());
    trace->version = client.version();
  }
  client.crypto().set_trace(nullptr);
  server.crypto().set_trace(nullptr);
  return outcome;
}

}  // namespace hsbench::tls
