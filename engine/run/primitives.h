// The crypto primitives of a handshake, each defined once, as a handshake
// trace names them (a CryptoOp). Two users share these definitions:
//  - hsbench-micro registers every primitive of every loaded backend with
//    Google Benchmark and runs them with its flags (bench/micro);
//  - a run times, in its own process, the primitives a scenario's
//    handshake calls and sums them into the crypto lower bound
//    (run/lower_bound.h), so overhead_ratio says how close the engine
//    comes to the limit the crypto sets.
//
// Each primitive runs on inputs of given sizes (an OpSize, trace.h): the
// lower bound gives it the sizes a traced handshake recorded for that call
// (bytes hashed per update, the transcript a digest is taken of, each
// record sealed and opened, ...); hsbench-micro gives it those of a typical
// handshake (typical_size).
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

// The primitive a crypto op names, on inputs of the given sizes, ready to
// run. A hash with size.out set is a digest of a context holding size.bytes
// (it leaves the context as it was, so every call costs the same); without,
// an update of size.bytes into a context that keeps growing, so a hot loop
// times each update's share of the hash's blocks. An empty function, and
// the reason, when the backend cannot do it, the sizes cannot be (an AEAD
// ciphertext shorter than its tag, a digest of the wrong length) or the PKI
// does not fit (an RSA operation of another modulus size than the PKI's
// key).
PrimitiveBody make_primitive(CryptoOp op, OpSize size, const PrimitiveInputs& inputs,
                             std::string* out_error);

// The sizes of a typical handshake's call: a 256-byte transcript message
// for a hash update, a 64-byte record (TLS 1.2's 13 bytes of additional
// data) for an AEAD, the PRF's seeds and output lengths per label (RFC 5246
// 8.1 and 6.3, RFC 7627 4), a 54-byte HkdfLabel, a 128-byte signed message
// (a ServerKeyExchange's randoms and parameters), a 48-byte premaster
// secret, the whole chain.
OpSize typical_size(CryptoOp op);

// A primitive's name: op_name(op), with the PRF's hash appended
// ("prf:master_secret/sha256"), since op_name leaves it out.
std::string primitive_name(CryptoOp op);
// The sizes, in words, for the operation they belong to: "1234 B",
// "digest of 2345 B", "info 54 B, out 32 B", ...; empty where there are none.
std::string size_name(CryptoOp op, OpSize size);

// Every primitive the backend supports that needs no PKI.
std::vector<CryptoOp> generic_primitives(const Backend& backend);
// Every primitive of a PKI's key and chain on the backend.
std::vector<CryptoOp> pki_primitives(const Backend& backend, const Credentials& credentials);

}  // namespace hsbench
