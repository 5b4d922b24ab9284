// The clock around steps and crypto operations: steady_clock, a vDSO read
// with no system call, tens of nanoseconds against steps of microseconds.
#pragma once

#include <chrono>
#include <cstdint>

namespace hsbench {

using StepClock = std::chrono::steady_clock;

inline uint64_t elapsed_ns(StepClock::time_point from, StepClock::time_point to) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

}  // namespace hsbench
