#include "hsbench/heap.h"

#include <atomic>

namespace hsbench {
namespace {
std::atomic<const HeapCounterHooks*> g_hooks{nullptr};
}  // namespace

void set_heap_counter_hooks(const HeapCounterHooks* hooks) { g_hooks.store(hooks); }
const HeapCounterHooks* heap_counter_hooks() { return g_hooks.load(); }

}  // namespace hsbench
