// The crypto lower bound of a run's results: the primitives of the
// handshake (run/primitives.h), timed alone and in order, side by side with
// whole handshakes.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/scenario.h"
#include "run/primitives.h"

namespace hsbench {

// The primitives of one traced handshake (Result::op_sequence): one body per
// distinct operation and sizes, set up once, how often the handshake calls
// it, and the handshake's order of calls.
struct PrimitivePlan {
  struct Entry {
    CryptoOp op;
    OpSize size;
    std::string name;  // primitive_name and size_name, for messages
    double count = 0;  // calls per handshake
    PrimitiveBody body;
  };
  std::vector<Entry> entries;    // in the order of their first call
  std::vector<size_t> sequence;  // into entries, one per call, in handshake order

  // One call of every entry in handshake order: the crypto of one
  // handshake with no engine between.
  PrimitiveBody in_order() const;
};

// The crypto lower bound of results, and how close the handshake comes to
// it. For each result, in rounds: one batch of whole handshakes (if given),
// one batch of the handshake's primitives in its order (the crypto with no
// engine between), then one batch of each primitive alone; each keeps its
// fastest batch (thread CPU time). Every primitive runs on the sizes the
// traced handshake gave that call (Result::op_sequence): crypto_lower_bound_us
// sums, over the distinct (operation, sizes) of the handshake, calls * the
// primitive's time alone on those sizes; overhead_ratio is the handshake
// batches' time per handshake over it. Measured side by side, round by round, the ratio holds
// on a machine whose speed drifts by more than the ratio's own size.
class LowerBoundEstimator {
 public:
  // Each body: calibrated once to batches of at least min_batch_s of CPU
  // time, then `rounds` batches, the fastest kept.
  explicit LowerBoundEstimator(double min_batch_s = 0.003, int rounds = 7)
      : min_batch_s_(min_batch_s), batches_(rounds) {}

  // Sets result->crypto_lower_bound_us, lower_bound_terms,
  // crypto_in_order_us and, with a handshake body (one whole handshake per
  // call, untraced), handshake_best_us and overhead_ratio; or
  // lower_bound_error. pki must outlive the estimator. Does nothing to a
  // skipped result.
  //
  // others: results of the same scenario and backend by another engine
  // (the library's own stack), each with its handshake body, timed in the
  // same rounds; each gets the same bound and terms, its own
  // handshake_best_us and overhead_ratio.
  struct Other {
    Result* result;
    PrimitiveBody handshake;
  };
  void apply(Backend& backend, const Pki& pki, Result* result,
             const PrimitiveBody& handshake = nullptr, const std::vector<Other>& others = {});

  // The plan apply times for a handshake's operations (also what a test
  // counts instructions of). False and one line in out_error when a
  // primitive cannot be made.
  bool plan(Backend& backend, const Pki& pki, std::span<const OpSample> sequence,
            PrimitivePlan* out_plan, std::string* out_error);

 private:
  PrimitiveBody prepare(Backend& backend, const Pki& pki, CryptoOp op, OpSize size,
                        std::string* out_error);

  double min_batch_s_;
  int batches_;
  std::map<std::string, std::unique_ptr<Credentials>> credentials_;  // by backend/pki
};

// The crypto lower bound of one (scenario, backend, threads): the engine's
// result's crypto operations, timed alone and in order, side by side with
// whole handshakes of each engine that ran (one thread, untraced). A native
// result takes the engine's bound: the same crypto, whichever stack calls
// it; with no engine result there is no list of operations to time. Either
// result may be null (that engine did not run, or was skipped).
void apply_lower_bound(LowerBoundEstimator* estimator, const Scenario& scenario, Backend& backend,
                       const Pki& pki, Result* engine, Result* native);

}  // namespace hsbench
