// The crypto primitives of a handshake, each defined once, as a handshake
// trace names them (a CryptoOp). Two users share these definitions:
//  - hsbench-micro registers every primitive of every loaded backend with
//    Google Benchmark and runs them with its flags (bench/micro);
//  - a run times, in its own process, the primitives a scenario's
//    handshake calls and sums them into the crypto lower bound
//    (run/lower_bound.h), so overhead_ratio says how close the engine
//    comes to the limit the crypto sets.
//
// The inputs are those of a typical handshake: a 256-byte transcript
// message for a hash update, a 64-byte record for an AEAD, the PRF's seeds
// and output lengths per label, a 128-byte signed message (a
// ServerKeyExchange's randoms and parameters), a 48-byte premaster secret.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/trace.h"

namespace hsbench {

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

}  // namespace hsbench
