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

PrimitiveBody LowerBoundEstimator::prepare(Backend& backend, const Pki& pki, CryptoOp op,
                                           std::string* out_error) {
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
  return make_primitive(op, in, out_error);
}

void LowerBoundEstimator::apply(Backend& backend, const Pki& pki, Result* result,
                                const PrimitiveBody& handshake, const std::vector<Other>& others) {
  if (result->skipped || result->ops_per_handshake.empty()) return;

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
  std::vector<Timed> alone;             // one per distinct operation
  std::map<std::string, size_t> index;  // into alone, by primitive name
  for (const OpResult& o : result->ops_per_handshake) {
    const std::string name = primitive_name(o.op);
    if (index.count(name)) continue;
    PrimitiveBody body = prepare(backend, pki, o.op, &error);
    if (!body) {
      result->lower_bound_error = name + ": " + error;
      return;
    }
    index[name] = alone.size();
    alone.push_back(timed(name, std::move(body), &error));
    if (alone.back().iterations == 0) {
      result->lower_bound_error = error;
      return;
    }
  }
  // The same primitives once each in the handshake's order.
  std::vector<const PrimitiveBody*> sequence;
  for (CryptoOp op : result->op_sequence) {
    sequence.push_back(&alone[index.at(primitive_name(op))].body);
  }
  std::vector<Timed> paired;  // [in order] [, handshake] [, others' handshakes]
  if (!sequence.empty()) {
    paired.push_back(timed(
        "the primitives in handshake order",
        [&sequence] {
          for (const PrimitiveBody* body : sequence) {
            if (!(*body)()) return false;
          }
          return true;
        },
        &error));
  }
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

  double total_ns = 0;
  std::vector<LowerBoundTerm> terms;
  for (const OpResult& o : result->ops_per_handshake) {
    const double ns = alone[index.at(primitive_name(o.op))].best_ns;
    total_ns += o.count * ns;
    terms.push_back({o.name, o.count, ns / 1e3});
  }
  result->lower_bound_terms = std::move(terms);
  result->crypto_lower_bound_us = total_ns / 1e3;
  size_t next = 0;
  if (!sequence.empty()) result->crypto_in_order_us = paired[next++].best_ns / 1e3;
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
