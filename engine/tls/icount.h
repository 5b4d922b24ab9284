// Instruction counts per step, under valgrind's callgrind (scripts/icount.sh).
// While step counting is on, the driver dumps callgrind's counters before
// each advance of a side ("hsbench-icount driver": its own work since the
// last dump) and after it ("hsbench-icount step client write ClientHello",
// or "hsbench-icount pending client" for an advance that handled no
// message, which the trace charges to the side's next step). Outside
// valgrind, and while it is off, nothing happens.
#pragma once

#include "hsbench/trace.h"

namespace hsbench::tls {

// Set by the runner's counting phase only, between handshakes, on the one
// thread that counts.
void set_icount_steps(bool on);
bool icount_steps();

void icount_step_begin();
void icount_step_end(Side side, bool handled_message, Action action, Message message);

// While crypto counting is on, a traced handshake's crypto calls toggle
// callgrind's collection on entry and again on return (Crypto::timed), so
// that a region run with collection off counts those calls alone: the
// handshake's own crypto, for setting beside the lower bound's primitives
// (tests/run/lower_bound_icount_test.cc). Set between handshakes, on the
// one thread that counts.
inline bool g_icount_crypto = false;
void icount_toggle_collect();

}  // namespace hsbench::tls
