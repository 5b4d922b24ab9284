// Heap counters of the calling thread, when the process counts its heap:
// the hsbench executable does (a malloc interposer, bench/hsbench/
// counting_malloc.cc), other programs (the tests, sanitizer builds) do not.
// The runner reads them around untimed handshakes for Result::memory.
#pragma once

#include <cstdint>

namespace hsbench {

struct HeapCounters {
  uint64_t allocations = 0;  // malloc, calloc, realloc, aligned allocations, new
  uint64_t bytes = 0;        // bytes asked for by those calls
  int64_t live = 0;          // usable bytes allocated and not yet freed by this thread
  int64_t peak = 0;          // the most live has been since the last reset_peak
};

struct HeapCounterHooks {
  // Counting is off until switched on, so that runs pay nothing for it;
  // while on, it counts every thread's calls, each thread in its own
  // counters. Frees of blocks allocated while it was off lower live too, so
  // only differences over a stretch of counting mean anything.
  void (*set_counting)(bool on);
  HeapCounters (*read)();  // this thread's counters
  void (*reset_peak)();    // peak = live, for this thread
};

// hooks must outlive every run; nullptr: the process does not count.
void set_heap_counter_hooks(const HeapCounterHooks* hooks);
const HeapCounterHooks* heap_counter_hooks();

}  // namespace hsbench
