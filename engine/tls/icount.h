// Instruction counts per step, under valgrind's callgrind (scripts/icount.sh).
// While step counting is on, the driver zeroes callgrind's counters before
// each advance of a side and dumps them after it, labelled with the step
// ("hsbench-icount step client write ClientHello", or "... pending client"
// for an advance that handled no message, which the trace charges to the
// side's next step). Outside valgrind, and while it is off, nothing happens.
#pragma once

#include "hsbench/trace.h"

namespace hsbench::tls {

// Set by the runner's counting phase only, between handshakes, on the one
// thread that counts.
void set_icount_steps(bool on);
bool icount_steps();

void icount_step_begin();
void icount_step_end(Side side, bool handled_message, Action action, Message message);

}  // namespace hsbench::tls
