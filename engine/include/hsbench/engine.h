// The engine's handshakes for a scenario: a client and a server, each on a
// backend (the same or not), prepared once and reused for every handshake,
// as a server keeps its key and a client its trust store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hsbench/backend.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "hsbench/trace.h"

namespace hsbench {

class EnginePair {
 public:
  virtual ~EnginePair() = default;
  // Runs one full handshake and one application data record each way. With
  // a trace, records every step. False and one line in out_error on failure.
  virtual bool run(HandshakeTrace* trace, std::string* out_error) = 0;
  // The kind of the last failure of run() (or of the set-up): unsupported
  // when the library turned out to lack what the scenario asks.
  virtual FailureKind failure_kind() const { return FailureKind::failed; }
  // From now on, both sides draw their random values and ephemeral keys
  // from one generator seeded with seed, so that the same build makes the
  // same handshakes (instruction counts; the backends' own internal
  // randomness, as in RSA blinding and ECDSA nonces, is untouched).
  virtual void make_deterministic(uint64_t seed) = 0;
};

// pki must outlive the pair. nullptr and one line in out_error when the
// scenario cannot run on these backends.
std::unique_ptr<EnginePair> make_engine_pair(const Scenario& scenario, Backend& client_backend,
                                             Backend& server_backend, const Pki& pki,
                                             std::string* out_error);

// The name the client checks the server's certificate against.
inline constexpr std::string_view kServerName = "localhost";

}  // namespace hsbench
