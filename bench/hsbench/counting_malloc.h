// The hsbench executable's counting allocator (counting_malloc.cc).
#pragma once

namespace hsbench {

// Makes the heap counters of hsbench/heap.h available to the runner.
void install_counting_malloc();

}  // namespace hsbench
