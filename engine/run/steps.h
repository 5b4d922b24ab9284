// What the runs make of traces: per-step histograms with the crypto
// operations inside each step, and latency summaries of histograms. The
// in-memory runner and the network client and server share them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "hsbench/result.h"
#include "hsbench/trace.h"
#include "stats/histogram.h"
#include "stats/words.h"

namespace hsbench {

// Per (side, action, message): the time of that step in each handshake, in
// a histogram, and the crypto operations it called. A message seen twice in
// one handshake (a second ClientHello after HelloRetryRequest) counts as
// one step whose time is the sum. Slots are indexed directly, and the
// per-handshake scratch is reset through a touched list, so adding a
// handshake allocates nothing once every step has been seen.
class StepAggregator {
 public:
  static constexpr size_t kSlots = 2 * 2 * 256;  // side x action x Message (a uint8_t)

  StepAggregator() : slots_(kSlots), current_(kSlots, 0), epoch_(kSlots, 0) {
    touched_.reserve(HandshakeTrace::kMaxSteps);
  }

  // Makes the slots (and their operations) of the steps of t, recording
  // nothing: after a warm-up handshake, so that the measured ones find
  // everything in place and allocate nothing.
  void prepare(const HandshakeTrace& t) {
    for (size_t i = 0; i < t.step_count; i++) {
      const Step& step = t.steps[i];
      Slot& s = slot_at(slot_of(step), step.side, step.action, step.message);
      const size_t end = std::min<size_t>(step.first_op + step.op_count, t.op_count);
      for (size_t k = step.first_op; k < end; k++) (void)find_op(&s, t.ops[k].op);
    }
  }

  void add(const HandshakeTrace& t) {
    handshakes_++;
    touched_.clear();
    for (size_t i = 0; i < t.step_count; i++) {
      const Step& step = t.steps[i];
      const size_t slot = slot_of(step);
      Slot& s = slot_at(slot, step.side, step.action, step.message);
      if (epoch_[slot] != handshakes_) {
        epoch_[slot] = handshakes_;
        current_[slot] = 0;
        touched_.push_back(static_cast<uint16_t>(slot));
      }
      current_[slot] += step.ns;
      s.approximate |= step.approximate;
      side_ns_[static_cast<size_t>(step.side)] += step.ns;
      const size_t end = std::min<size_t>(step.first_op + step.op_count, t.op_count);
      for (size_t k = step.first_op; k < end; k++) add_op(&s, t.ops[k]);
    }
    for (uint16_t slot : touched_) {
      slots_[slot].hist->record(current_[slot]);
      slots_[slot].sum_ns += current_[slot];
    }
  }

  void merge(const StepAggregator& other) {
    handshakes_ += other.handshakes_;
    side_ns_[0] += other.side_ns_[0];
    side_ns_[1] += other.side_ns_[1];
    for (uint16_t slot : other.order_) {
      const Slot& o = other.slots_[slot];
      Slot& s = slot_at(slot, o.side, o.action, o.message);
      s.hist->merge(*o.hist);
      s.sum_ns += o.sum_ns;
      s.approximate |= o.approximate;
      for (const OpAgg& op : o.ops) {
        OpAgg* mine = find_op(&s, op.op);
        mine->count += op.count;
        mine->ns += op.ns;
      }
    }
  }

  uint64_t side_ns(Side side) const { return side_ns_[static_cast<size_t>(side)]; }

  // The whole aggregate as words (stats/words.h), and back into an empty
  // one: how the ranks of an MPI run bring their steps to one process,
  // where they merge as threads' do. decode fails on words that do not
  // describe an aggregate.
  void encode(WordWriter* out) const;
  bool decode(WordReader* in);

  std::vector<StepResult> results(TlsVersion version) const;

  // Every operation of every step, merged by op, per handshake.
  std::vector<OpResult> op_totals() const;

 private:
  struct OpAgg {
    CryptoOp op;
    uint64_t count = 0;
    uint64_t ns = 0;
  };
  struct Slot {
    bool seen = false;
    Side side = Side::client;
    Action action = Action::write;
    Message message = Message::client_hello;
    bool approximate = false;
    uint64_t sum_ns = 0;
    std::unique_ptr<Histogram> hist;
    std::vector<OpAgg> ops;
  };

  // The slot at index (slot_of), made the first time it is reached.
  Slot& slot_at(size_t index, Side side, Action action, Message message) {
    Slot& s = slots_[index];
    if (!s.seen) {
      s.seen = true;
      s.side = side;
      s.action = action;
      s.message = message;
      s.hist = std::make_unique<Histogram>();
      order_.push_back(static_cast<uint16_t>(index));
    }
    return s;
  }

  static size_t slot_of(const Step& s) {
    return (static_cast<size_t>(s.side) * 2 + static_cast<size_t>(s.action)) * 256 +
           static_cast<uint8_t>(s.message);
  }
  static OpAgg* find_op(Slot* s, CryptoOp op) {
    for (OpAgg& o : s->ops) {
      if (o.op == op) return &o;
    }
    s->ops.push_back({op});
    return &s->ops.back();
  }
  static void add_op(Slot* s, const OpSample& sample) {
    OpAgg* o = find_op(s, sample.op);
    o->count++;
    o->ns += sample.ns;
  }

  std::vector<Slot> slots_;
  std::vector<uint16_t> order_;  // slots in the order first seen: wire order
  std::vector<uint64_t> current_;
  std::vector<uint64_t> epoch_;
  std::vector<uint16_t> touched_;
  uint64_t handshakes_ = 0;
  uint64_t side_ns_[2] = {0, 0};
};

// Mean, percentiles and max of a histogram of nanoseconds, in microseconds.
LatencyUs latency_of(const Histogram& h);

}  // namespace hsbench
