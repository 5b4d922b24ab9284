#include "run/steps.h"

#include <algorithm>

namespace hsbench {

std::vector<StepResult> StepAggregator::results(TlsVersion version) const {
  std::vector<StepResult> out;
  if (handshakes_ == 0) return out;
  uint64_t total_ns = 0;
  for (uint16_t slot : order_) total_ns += slots_[slot].sum_ns;
  const double n = static_cast<double>(handshakes_);
  for (uint16_t slot : order_) {
    const Slot& s = slots_[slot];
    if (s.hist->count() == 0) continue;  // prepared, never measured
    StepResult r;
    r.side = s.side;
    r.action = s.action;
    r.message = s.message;
    const Side sender = s.action == Action::write ? s.side : peer(s.side);
    r.user_step = user_step(version, s.message, sender);
    r.mean_us = static_cast<double>(s.sum_ns) / n / 1e3;
    r.p50_us = s.hist->percentile(50) / 1e3;
    r.p99_us = s.hist->percentile(99) / 1e3;
    r.share = total_ns == 0 ? 0 : static_cast<double>(s.sum_ns) / static_cast<double>(total_ns);
    r.approximate = s.approximate;
    for (const OpAgg& op : s.ops) {
      if (op.count == 0) continue;
      OpResult o;
      o.op = op.op;
      o.name = op_name(op.op);
      o.count = static_cast<double>(op.count) / n;
      o.mean_us = op.count == 0 ? 0 : static_cast<double>(op.ns) / op.count / 1e3;
      r.crypto.push_back(std::move(o));
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<OpResult> StepAggregator::op_totals() const {
  std::vector<OpResult> out;
  if (handshakes_ == 0) return out;
  for (uint16_t slot : order_) {
    for (const OpAgg& op : slots_[slot].ops) {
      if (op.count == 0) continue;  // prepared, never measured
      auto it =
          std::find_if(out.begin(), out.end(), [&](const OpResult& o) { return o.op == op.op; });
      if (it == out.end()) {
        out.push_back({op.op, op_name(op.op), 0, 0});
        it = out.end() - 1;
      }
      it->count += static_cast<double>(op.count);
      it->mean_us += static_cast<double>(op.ns);  // summed ns for now
    }
  }
  for (OpResult& o : out) {
    o.mean_us = o.count == 0 ? 0 : o.mean_us / o.count / 1e3;
    o.count /= static_cast<double>(handshakes_);
  }
  return out;
}

void StepAggregator::encode(WordWriter* out) const {
  out->u64(handshakes_);
  out->u64(side_ns_[0]);
  out->u64(side_ns_[1]);
  out->u64(order_.size());
  for (uint16_t slot : order_) {
    const Slot& s = slots_[slot];
    out->u64(slot);
    out->u64(static_cast<uint64_t>(s.side));
    out->u64(static_cast<uint64_t>(s.action));
    out->u64(static_cast<uint64_t>(s.message));
    out->u64(s.approximate);
    out->u64(s.sum_ns);
    out->histogram(*s.hist);
    out->u64(s.ops.size());
    for (const OpAgg& op : s.ops) {
      out->u64(static_cast<uint64_t>(op.op.kind));
      out->u64(op.op.alg);
      out->u64(op.op.detail);
      out->u64(op.count);
      out->u64(op.ns);
    }
  }
}

bool StepAggregator::decode(WordReader* in) {
  if (!order_.empty() || handshakes_ != 0) return false;
  handshakes_ = in->u64();
  side_ns_[0] = in->u64();
  side_ns_[1] = in->u64();
  const uint64_t slots = in->u64();
  if (!in->ok() || slots > kSlots) return false;
  for (uint64_t k = 0; k < slots; k++) {
    const uint64_t index = in->u64(), side = in->u64(), action = in->u64(), message = in->u64();
    if (!in->ok() || index >= kSlots || side > 1 || action > 1 || message > 255 ||
        slots_[index].seen) {
      return false;
    }
    Slot& s = slot_at(index, static_cast<Side>(side), static_cast<Action>(action),
                      static_cast<Message>(message));
    s.approximate = in->u64() != 0;
    s.sum_ns = in->u64();
    if (!in->histogram(s.hist.get())) return false;
    const uint64_t ops = in->u64();
    if (!in->ok() || ops > 1024) return false;
    for (uint64_t i = 0; i < ops; i++) {
      OpAgg op;
      op.op.kind = static_cast<decltype(op.op.kind)>(in->u64());
      op.op.alg = static_cast<decltype(op.op.alg)>(in->u64());
      op.op.detail = static_cast<decltype(op.op.detail)>(in->u64());
      op.count = in->u64();
      op.ns = in->u64();
      s.ops.push_back(op);
    }
  }
  return in->ok();
}

LatencyUs latency_of(const Histogram& h) {
  LatencyUs l;
  l.mean = h.mean() / 1e3;
  l.p50 = h.percentile(50) / 1e3;
  l.p90 = h.percentile(90) / 1e3;
  l.p99 = h.percentile(99) / 1e3;
  l.p999 = h.percentile(99.9) / 1e3;
  l.max = static_cast<double>(h.max()) / 1e3;
  return l;
}

}  // namespace hsbench
