// The instruction-count phase of a run, under valgrind's callgrind
// (scripts/icount.sh starts it with --instr-atstart=no): with the pair's
// randomness and ephemeral keys made deterministic, N handshakes with
// callgrind's counters dumped at every boundary the driver crosses
// (tls/icount.h), then a last dump labelled
//   "hsbench-icount count SCENARIO BACKEND N"
// so that every instruction of the N handshakes is in exactly one dump, and
// nothing else is instrumented.
//
// A native pair (the library's own stack) has no boundaries the driver can
// see inside a handshake, and draws the library's own randomness: its N
// handshakes are one dump, labelled
//   "hsbench-icount native SCENARIO BACKEND N"
// and their count varies a little from run to run (blinding, nonces).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hsbench/engine.h"
#include "hsbench/runner.h"

namespace hsbench {

// False and one line in out_error if a handshake fails.
bool count_instructions(EnginePair& pair, EngineKind engine, std::string_view scenario,
                        std::string_view backend, uint64_t handshakes, std::string* out_error);

}  // namespace hsbench
