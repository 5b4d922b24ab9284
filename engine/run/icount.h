// The instruction-count phase of a run, under valgrind's callgrind
// (scripts/icount.sh starts it with --instr-atstart=no): with the pair's
// randomness and ephemeral keys made deterministic, one dump labelled
//   "hsbench-icount total SCENARIO BACKEND N"
// holding the instructions of N handshakes (nothing else is instrumented),
// then, for steps_n more handshakes, one dump per advance of a side
// (tls/icount.h), after a dump "hsbench-icount steps SCENARIO BACKEND M".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hsbench/engine.h"

namespace hsbench {

// False and one line in out_error if a handshake fails.
bool count_instructions(EnginePair& pair, std::string_view scenario, std::string_view backend,
                        uint64_t handshakes, uint64_t steps_handshakes, std::string* out_error);

}  // namespace hsbench
