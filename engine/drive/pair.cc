#include "drive/pair.h"

#include <fmt/format.h>

#include "tls/clock.h"

namespace hsbench::drive {
namespace {

// Turns between the two sides; a handshake takes a handful.
constexpr int kMaxTurns = 64;

}  // namespace

EngineEndpoint::EngineEndpoint(tls::Connection* connection, Transport* transport)
    : runner_(connection, transport) {
  // The client speaks first after the handshake, as before it.
  if (connection->side() == Side::client) {
    phases_[0] = Phase::write;
    phases_[1] = Phase::read;
  } else {
    phases_[0] = Phase::read;
    phases_[1] = Phase::write;
  }
  phases_[2] = Phase::flush;
  phases_[3] = Phase::done;
  payload_ = payload();
}

void EngineEndpoint::begin(HandshakeTrace* trace) {
  runner_.begin(trace);
  phase_ = Phase::handshake;
  next_phase_ = 0;
}

ByteView EngineEndpoint::payload() {
  const tls::Config& config = runner_.connection().config();
  if (!config.application_data.empty()) return config.application_data;
  if (default_payload_.size() != config.application_data_length) {
    default_payload_.assign(config.application_data_length, static_cast<uint8_t>('h'));
  }
  return default_payload_;
}

Endpoint::Progress EngineEndpoint::resume() {
  for (;;) {
    Runner::Result r = Runner::Result::done;
    switch (phase_) {
      case Phase::handshake:
        r = runner_.handshake();
        break;
      case Phase::write:
        r = runner_.write(payload_);
        break;
      case Phase::read:
        r = runner_.read();
        break;
      case Phase::flush:
        r = runner_.flush();
        break;
      case Phase::done:
        return Progress::done;
    }
    switch (r) {
      case Runner::Result::done:
        phase_ = phases_[next_phase_++];
        break;
      case Runner::Result::would_block:
        return Progress::waiting;
      case Runner::Result::closed:  // the peer ended it before the exchange did
      case Runner::Result::failed:
        return Progress::failed;
    }
  }
}

template <typename E>
PairOutcome run_pair_of(E& client, E& server) {
  E* sides[2] = {&client, &server};
  bool done[2] = {false, false};
  PairOutcome outcome;
  int current = 0;
  for (int turn = 0; turn < kMaxTurns; turn++) {
    E& e = *sides[current];
    E& other = *sides[1 - current];
    switch (e.resume()) {
      case Endpoint::Progress::waiting:
        if (done[1 - current]) {
          outcome.failed_side = e.side();
          outcome.error = {tls::Alert::internal_error, "peer finished while this side waits"};
          return outcome;
        }
        break;
      case Endpoint::Progress::done:
        done[current] = true;
        if (done[1 - current]) {
          outcome.ok = true;
          return outcome;
        }
        break;
      case Endpoint::Progress::failed:
        outcome.failed_side = e.side();
        outcome.error = e.error();
        if (!done[1 - current]) (void)other.resume();
        return outcome;
    }
    current = 1 - current;
  }
  outcome.error = {tls::Alert::internal_error, "handshake did not finish"};
  return outcome;
}

PairOutcome run_pair(Endpoint& client, Endpoint& server) { return run_pair_of(client, server); }

PairOutcome run_pair(EngineEndpoint& client, EngineEndpoint& server) {
  return run_pair_of(client, server);
}

tls::HandshakeOutcome run_engine_pair(EngineEndpoint& c, EngineEndpoint& s, HandshakeTrace* trace) {
  if (trace != nullptr) trace->clear();
  c.begin(trace);
  s.begin(trace);
  const auto start = StepClock::now();
  const PairOutcome pair = run_pair(c, s);
  if (trace != nullptr) {
    trace->total_ns = elapsed_ns(start, StepClock::now());
    trace->version = c.runner().connection().version();
  }
  c.end();
  s.end();
  return {pair.ok, pair.failed_side, pair.error};
}

std::string describe(const tls::HandshakeOutcome& outcome) {
  return fmt::format("{} failed: {} ({}{})", name(outcome.failed_side), outcome.error.reason,
                     outcome.error.received ? "received " : "", tls::name(outcome.error.alert));
}

}  // namespace hsbench::drive
