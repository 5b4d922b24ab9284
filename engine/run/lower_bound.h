// The crypto lower bound of a run's results: the primitives of the
// handshake (run/primitives.h), timed alone and in order, side by side with
// whole handshakes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/scenario.h"
#include "run/primitives.h"

namespace hsbench {

// The crypto lower bound of results, and how close the handshake comes to
// it. For each result, in rounds: one batch of whole handshakes (if given),
// one batch of the handshake's primitives in its order (the crypto with no
// engine between), then one batch of each primitive alone; each keeps its
// fastest batch (thread CPU time). crypto_lower_bound_us sums, over the
// handshake's crypto operations (Result::ops_per_handshake), count * the
// primitive's time alone; overhead_ratio is the handshake batches' time per
// handshake over it. Measured side by side, round by round, the ratio holds
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

 private:
  PrimitiveBody prepare(Backend& backend, const Pki& pki, CryptoOp op, std::string* out_error);

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
