// Runs an engine connection against a library's own TLS stack (a
// NativeConnection) in memory: the interoperability test of the engine, in
// either direction.
#pragma once

#include <string>

#include "hsbench/backend.h"
#include "tls/driver.h"

namespace hsbench::tls {

// Completes the handshake and one application data record each way. On
// failure, outcome.error is the engine's view and *out_native_error the
// library's.
HandshakeOutcome run_with_native(Connection& engine, NativeConnection& native,
                                 std::string* out_native_error);

}  // namespace hsbench::tls
