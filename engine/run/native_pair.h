// A backend's own TLS stack for a scenario: a client and a server
// NativeContext (one SSL_CTX each), prepared once per pair and reused for
// every handshake, each handshake a new connection on each side, driven in
// memory like the engine's pairs.
#pragma once

#include <memory>
#include <string>

#include "hsbench/backend.h"
#include "hsbench/engine.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"

namespace hsbench {

// run() does what an EnginePair's does (a full handshake, one application
// data record each way; resumption scenarios resume from the newest ticket)
// and, with a trace, records the steps from the library's message callbacks
// (native_pair.cc says what a step's time is). The trace has no crypto
// operations: inside a library they are not visible. make_deterministic()
// does nothing: the library draws its own randomness. nullptr and
// out_failure when the backend cannot run the scenario natively, of kind
// unsupported when the library lacks a feature (or has no TLS stack).
std::unique_ptr<EnginePair> make_native_pair(const Scenario& scenario, Backend& backend,
                                             const Pki& pki, Failure* out_failure);
// The same, for callers that want the reason alone.
std::unique_ptr<EnginePair> make_native_pair(const Scenario& scenario, Backend& backend,
                                             const Pki& pki, std::string* out_error);

}  // namespace hsbench
