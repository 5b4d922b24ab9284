// What lower_bound_icount_test counts, under valgrind --tool=callgrind
// --instr-atstart=no: for every scenario of the default matrix on one
// backend, the lower bound's plan (LowerBoundEstimator::plan, the bodies a
// run times) for the operations of one traced handshake, counted three
// ways, with callgrind's counters dumped after each counted region:
//   "lbprobe alone SCENARIO I K"     K calls of the plan's entry I alone
//   "lbprobe in_order SCENARIO K"    K passes of every entry in handshake order
//   "lbprobe handshake SCENARIO K"   K whole untraced handshakes
//   "lbprobe crypto SCENARIO K"      the crypto calls alone of K traced
//                                    handshakes (tls/icount.h)
// and on stdout one line per entry,
//   entry SCENARIO I CALLS NAME
// where CALLS is how often one handshake makes that call. Every region runs
// once uncounted first, so that nothing a library does once (lazy
// initialisation, a method cache filled) is counted. Usage:
//   lower_bound_icount_probe [--fixed-size] BACKEND K
// --fixed-size times every operation on a typical handshake's sizes
// (typical_size) instead of the traced ones: the bound as it was before it
// took the trace's sizes, for showing that the test tells them apart. Exit
// 0 when every region completed; a bad argument or a failure is one line on
// stderr and exit 2 or 1.
#include <valgrind/callgrind.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "run/lower_bound.h"
#include "tls/icount.h"

namespace hsbench {
namespace {

int fail(const std::string& line) {
  std::fprintf(stderr, "lower_bound_icount_probe: %s\n", line.c_str());
  return 1;
}

// Calls per counted region of an entry alone. The cheap operations (hash,
// MAC, key derivation, records) are called 128 times, so that a hash update
// is charged exactly its share of the hash's blocks: 128 updates of N bytes
// are a whole number of 64- and 128-byte blocks whatever N is. The
// public-key operations and the chain cost the same each call, within their
// own randomness.
uint64_t calls_alone(OpKind kind, uint64_t k) {
  switch (kind) {
    case OpKind::keygen:
    case OpKind::derive:
    case OpKind::kem_keygen:
    case OpKind::kem_encap:
    case OpKind::kem_decap:
    case OpKind::sign:
    case OpKind::verify:
    case OpKind::rsa_encrypt:
    case OpKind::rsa_decrypt:
    case OpKind::parse_chain:
    case OpKind::verify_chain:
      return k;
    default:
      return 128;
  }
}

bool repeat(const PrimitiveBody& body, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) {
    if (!body()) return false;
  }
  return true;
}

int probe(std::string_view backend_name, uint64_t k, bool fixed_size) {
  std::string error;
  auto loaded = load_backend(backend_name, &error);
  if (loaded == nullptr) return fail(error);
  Backend& backend = loaded->backend();
  std::map<std::string, std::unique_ptr<Pki>> pkis;
  LowerBoundEstimator estimator;
  bool instrumenting = false;

  const std::vector<Group>& groups = backend.algorithms().groups;
  for (const Scenario* s : default_scenarios()) {
    // The hybrid scenario, on a backend without the KEM.
    if (s->kx == KxMode::ecdhe &&
        std::find(groups.begin(), groups.end(), s->group) == groups.end()) {
      continue;
    }
    auto& pki = pkis[s->cert];
    if (pki == nullptr) {
      pki = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
      if (pki == nullptr) return fail("cannot read the " + s->cert + " PKI: " + error);
    }
    std::unique_ptr<EnginePair> pair = make_engine_pair(*s, backend, backend, *pki, &error);
    if (pair == nullptr) return fail(s->id + ": " + error);
    // As the runner lists a result's operations: one traced handshake on a
    // new pair.
    auto trace = std::make_unique<HandshakeTrace>();
    if (!pair->run(trace.get(), &error)) return fail(s->id + ": " + error);
    if (trace->overflow) return fail(s->id + ": the trace overflowed");
    std::vector<OpSample> sequence(trace->ops.begin(), trace->ops.begin() + trace->op_count);
    if (fixed_size) {
      // Digests included: every hash call becomes a 256-byte update.
      for (OpSample& o : sequence) o.size = typical_size(o.op);
    }
    PrimitivePlan plan;
    if (!estimator.plan(backend, *pki, sequence, &plan, &error)) return fail(s->id + ": " + error);
    const PrimitiveBody in_order = plan.in_order();
    const PrimitiveBody handshake = [&pair, &error] { return pair->run(nullptr, &error); };

    for (size_t i = 0; i < plan.entries.size(); i++) {
      const PrimitivePlan::Entry& e = plan.entries[i];
      if (!e.body()) return fail(s->id + ": " + e.name + " failed");
      std::printf("entry %s %zu %g %s\n", s->id.c_str(), i, e.count, e.name.c_str());
    }
    if (!in_order()) return fail(s->id + ": the primitives in order failed");
    if (!handshake()) return fail(s->id + ": a handshake failed: " + error);
    std::fflush(stdout);

    if (!instrumenting) {
      CALLGRIND_START_INSTRUMENTATION;
      instrumenting = true;
    }
    for (size_t i = 0; i < plan.entries.size(); i++) {
      const PrimitivePlan::Entry& e = plan.entries[i];
      const uint64_t n = calls_alone(e.op.kind, k);
      const std::string label =
          "lbprobe alone " + s->id + " " + std::to_string(i) + " " + std::to_string(n);
      CALLGRIND_ZERO_STATS;
      const bool ok = repeat(e.body, n);
      CALLGRIND_DUMP_STATS_AT(label.c_str());
      if (!ok) return fail(s->id + ": " + e.name + " failed");
    }
    for (auto [what, body] : {std::pair{"in_order", &in_order}, {"handshake", &handshake}}) {
      const std::string label =
          "lbprobe " + std::string(what) + " " + s->id + " " + std::to_string(k);
      CALLGRIND_ZERO_STATS;
      const bool ok = repeat(*body, k);
      CALLGRIND_DUMP_STATS_AT(label.c_str());
      if (!ok) return fail(s->id + ": " + what + " failed: " + error);
    }
    {
      const std::string label = "lbprobe crypto " + s->id + " " + std::to_string(k);
      tls::g_icount_crypto = true;
      CALLGRIND_TOGGLE_COLLECT;  // off: each crypto call turns it on for itself
      CALLGRIND_ZERO_STATS;
      const bool ok = repeat([&] { return pair->run(trace.get(), &error); }, k);
      CALLGRIND_DUMP_STATS_AT(label.c_str());
      CALLGRIND_TOGGLE_COLLECT;
      tls::g_icount_crypto = false;
      if (!ok) return fail(s->id + ": a traced handshake failed: " + error);
    }
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  return 0;
}

}  // namespace
}  // namespace hsbench

int main(int argc, char** argv) {
  bool fixed_size = false;
  int i = 1;
  if (i < argc && std::string_view(argv[i]) == "--fixed-size") {
    fixed_size = true;
    i++;
  }
  char* end = nullptr;
  const unsigned long long k = i + 2 == argc ? std::strtoull(argv[i + 1], &end, 10) : 0;
  if (i + 2 != argc || end == argv[i + 1] || *end != '\0' || k == 0 || k > 1000) {
    std::fprintf(stderr, "usage: lower_bound_icount_probe [--fixed-size] BACKEND K (1 to 1000)\n");
    return 2;
  }
  return hsbench::probe(argv[i], k, fixed_size);
}
