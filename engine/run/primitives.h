// The crypto primitives of a handshake, each defined once, as a handshake
// trace names them (a CryptoOp). Two users share these definitions:
//  - hsbench-micro registers every primitive of every loaded backend with
//    Google Benchmark and runs them with its flags (micro_main.cc);
//  - hsbench times, in its own process, the primitives a scenario's
//    handshake calls and sums them into the crypto lower bound
//    (LowerBoundEstimator), so overhead_ratio says how close the engine
//    comes to the limit the crypto sets.
//
// The inputs are those of a typical handshake: a 256-byte transcript
// message for a hash update, a 64-byte record for an AEAD, the PRF's seeds
// and output lengths per label, a 128-byte signed message (a
// ServerKeyExchange's randoms and parameters), a 48-byte premaster secret.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/trace.h"

namespace hsbench::micro {

// What a primitive runs on: a backend and, for the operations that use the
// certificate or its key (see uses_pki), a PKI prepared on that backend.
struct PrimitiveInputs {
  Backend* backend = nullptr;
  const Pki* pki = nullptr;
  const Credentials* credentials = nullptr;
};

// One operation, set up once: each call performs it once more and says
// whether it succeeded.
using PrimitiveBody = std::function<bool()>;

// sign, verify, RSA encryption and decryption, parse_chain, verify_chain.
bool uses_pki(OpKind kind);

// The primitive a crypto op names, ready to run. An empty function, and the
// reason, when the backend cannot do it or the PKI does not fit (an RSA
// operation of another modulus size than the PKI's key).
PrimitiveBody make_primitive(CryptoOp op, const PrimitiveInputs& inputs, std::string* out_error);

// A primitive's name: op_name(op), with the PRF's hash appended
// ("prf:master_secret/sha256"), since op_name leaves it out.
std::string primitive_name(CryptoOp op);

// Every primitive the backend supports that needs no PKI.
std::vector<CryptoOp> generic_primitives(const Backend& backend);
// Every primitive of a PKI's key and chain on the backend.
std::vector<CryptoOp> pki_primitives(const Backend& backend, const Credentials& credentials);

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

}  // namespace hsbench::micro
