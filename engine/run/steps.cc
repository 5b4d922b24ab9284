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
