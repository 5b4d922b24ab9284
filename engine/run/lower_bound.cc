#include "run/lower_bound.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cmath>

#include "hsbench/engine.h"
#include "run/native_pair.h"

namespace hsbench {
namespace {

// Thread CPU time, like the handshakes' cpu_us_per_handshake it is set
// against: time the thread spends descheduled inflates neither.
double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs body `iterations` times; the CPU seconds it took, or -1 if it failed.
double run_batch(const PrimitiveBody& body, uint64_t iterations) {
  const double t0 = thread_cpu_s();
  for (uint64_t i = 0; i < iterations; i++) {
    if (!body()) return -1;
  }
  return thread_cpu_s() - t0;
}

// The batch size that lasts at least min_batch_s (0 if the body fails).
uint64_t calibrate(const PrimitiveBody& body, double min_batch_s) {
  uint64_t iterations = 1;
  double s = run_batch(body, 1);
  while (s >= 0 && s < min_batch_s) {
    // Aim a little beyond, growing at least twofold each time.
    const double scale = s > 0 ? std::clamp(min_batch_s * 1.2 / s, 2.0, 100.0) : 100.0;
    iterations = static_cast<uint64_t>(std::ceil(static_cast<double>(iterations) * scale));
    s = run_batch(body, iterations);
  }
  return s < 0 ? 0 : iterations;
}

}  // namespace

PrimitiveBody PrimitivePlan::in_order() const {
  std::vector<const PrimitiveBody*> calls;
  calls.reserve(sequence.size());
  for (size_t i : sequence) calls.push_back(&entries[i].body);
  return [calls = std::move(calls)] {
    for (const PrimitiveBody* body : calls) {
      if (!(*body)()) return false;
    }
    return true;
  };
}

PrimitiveBody LowerBoundEstimator::prepare(Backend& backend, const Pki& pki, CryptoOp op,
                                           OpSize size, std::string* out_error) {
  PrimitiveInputs in;
  in.backend = &backend;
  if (uses_pki(op.kind)) {
    const std::string ckey = fmt::format("{}/{}", backend.name(), pki.name);
    auto& creds = credentials_[ckey];
    if (creds == nullptr) {
      creds = prepare_credentials(backend, pki, kServerName, out_error);
      if (creds == nullptr) {
        credentials_.erase(ckey);
        return nullptr;
      }
    }
    in.pki = &pki;
    in.credentials = creds.get();
  }
  return make_primitive(op, size, in, out_error);
}

bool LowerBoundEstimator::plan(Backend& backend, const Pki& pki, std::span<const OpSample> sequence,
                               PrimitivePlan* out_plan, std::string* out_error) {
  PrimitivePlan p;
  std::map<std::pair<CryptoOp, OpSize>, size_t> index;
  for (const OpSample& s : sequence) {
    auto [it, added] = index.try_emplace({s.op, s.size}, p.entries.size());
    if (added) {
      std::string name = primitive_name(s.op);
      if (const std::string sizes = size_name(s.op, s.size); !sizes.empty()) {
        name += " (" + sizes + ")";
      }
      std::string error;
      PrimitiveBody body = prepare(backend, pki, s.op, s.size, &error);
      if (!body) {
        *out_error = name + ": " + error;
        return false;
      }
      p.entries.push_back({s.op, s.size, std::move(name), 0, std::move(body)});
    }
    p.entries[it->second].count += 1;
    p.sequence.push_back(it->second);
  }
  *out_plan = std::move(p);
  return true;
}

void LowerBoundEstimator::apply(Backend& backend, const Pki& pki, Result* result,
                                const PrimitiveBody& handshake, const std::vector<Other>& others) {
  if (result->skipped || result->op_sequence.empty()) return;

  // A body timed in the rounds: calibrated once, then one batch a round.
  struct Timed {
    std::string name;
    PrimitiveBody body;
    uint64_t iterations = 0;
    double best_ns = -1;
  };
  auto timed = [this](std::string name, PrimitiveBody body, std::string* error) {
    Timed t{std::move(name), std::move(body)};
    t.iterations = calibrate(t.body, min_batch_s_);
    if (t.iterations == 0) *error = t.name + ": the operation failed";
    return t;
  };

  std::string error;
  PrimitivePlan plan;
  if (!this->plan(backend, pki, result->op_sequence, &plan, &error)) {
    result->lower_bound_error = error;
    return;
  }
  std::vector<Timed> alone;  // one per plan entry
  for (const PrimitivePlan::Entry& e : plan.entries) {
    alone.push_back(timed(e.name, e.body, &error));
    if (alone.back().iterations == 0) {
      result->lower_bound_error = error;
      return;
    }
  }
  // The same primitives once each in the handshake's order.
  std::vector<Timed> paired;  // [in order] [, handshake] [, others' handshakes]
  paired.push_back(timed("the primitives in handshake order", plan.in_order(), &error));
  if (handshake) paired.push_back(timed("the handshake", handshake, &error));
  for (const Other& o : others) {
    paired.push_back(timed("the " + o.result->engine + " handshake", o.handshake, &error));
  }
  for (const Timed& t : paired) {
    if (t.iterations == 0) {
      result->lower_bound_error = error;
      return;
    }
  }

  for (int round = 0; round < batches_; round++) {
    for (std::vector<Timed>* group : {&paired, &alone}) {
      for (Timed& t : *group) {
        const double s = run_batch(t.body, t.iterations);
        if (s < 0) {
          result->lower_bound_error = t.name + ": the operation failed";
          return;
        }
        const double ns = s / static_cast<double>(t.iterations) * 1e9;
        t.best_ns = t.best_ns < 0 ? ns : std::min(t.best_ns, ns);
      }
    }
  }

  // One term per operation, in the order of crypto_ops, each with its sizes.
  double total_ns = 0;
  std::vector<LowerBoundTerm> terms;
  for (size_t i = 0; i < plan.entries.size(); i++) {
    const PrimitivePlan::Entry& e = plan.entries[i];
    const double us = alone[i].best_ns / 1e3;
    total_ns += e.count * alone[i].best_ns;
    const std::string name = op_name(e.op);
    auto t = std::find_if(terms.begin(), terms.end(),
                          [&](const LowerBoundTerm& x) { return x.op == name; });
    if (t == terms.end()) {
      terms.push_back({name, 0, 0, {}});
      t = terms.end() - 1;
    }
    t->count += e.count;
    t->us += e.count * us;  // summed for now
    t->sizes.push_back({e.size, e.count, us});
  }
  for (LowerBoundTerm& t : terms) t.us /= t.count;
  result->lower_bound_terms = std::move(terms);
  result->crypto_lower_bound_us = total_ns / 1e3;
  size_t next = 0;
  result->crypto_in_order_us = paired[next++].best_ns / 1e3;
  auto set_handshake = [total_ns](Result* r, double hs_ns) {
    r->handshake_best_us = hs_ns / 1e3;
    if (total_ns > 0) r->overhead_ratio = hs_ns / total_ns;
  };
  if (handshake) set_handshake(result, paired[next++].best_ns);
  for (const Other& o : others) {
    o.result->crypto_lower_bound_us = result->crypto_lower_bound_us;
    o.result->lower_bound_terms = result->lower_bound_terms;
    set_handshake(o.result, paired[next++].best_ns);
  }
}

void apply_lower_bound(LowerBoundEstimator* estimator, const Scenario& s, Backend& b,
                       const Pki& pki, Result* engine, Result* native) {
  if (engine == nullptr) {
    if (native != nullptr) {
      native->lower_bound_error =
          "a native result takes the engine's lower bound for its scenario and backend: run "
          "with --engine both";
    }
    return;
  }
  std::string error;
  const std::unique_ptr<EnginePair> engine_pair = make_engine_pair(s, b, b, pki, &error);
  const std::unique_ptr<EnginePair> native_pair =
      native != nullptr ? make_native_pair(s, b, pki, &error) : nullptr;
  auto body = [](EnginePair* pair) -> PrimitiveBody {
    if (pair == nullptr) return nullptr;
    return [pair] {
      std::string e;
      return pair->run(nullptr, &e);
    };
  };
  std::vector<LowerBoundEstimator::Other> others;
  if (native_pair != nullptr) others.push_back({native, body(native_pair.get())});
  estimator->apply(b, pki, engine, body(engine_pair.get()), others);
  if (native != nullptr && !native->crypto_lower_bound_us) {
    native->lower_bound_error = !engine->lower_bound_error.empty()
                                    ? engine->lower_bound_error
                                    : "no native handshake to time: " + error;
  }
}

}  // namespace hsbench
