// A counting malloc: the C allocation functions, defined in the executable
// so that they interpose on glibc's for the whole process (the engine, the
// C++ runtime, and the backend plugins with their libraries: a plugin loaded
// with dlopen(RTLD_LOCAL) still finds malloc in the executable first, the
// executable being first in the global scope), each forwarding to glibc's
// own __libc_* entry points. Counting is switched on only around the
// runner's memory measurement; otherwise each call costs a load, a branch
// and a jump.
//
// Limits: sizes are what callers ask for (bytes) and what
// malloc_usable_size reports (live, peak: glibc's rounded-up chunks);
// mmap'd or arena memory that glibc keeps but no caller holds is not
// counted; a library's own allocator on top of malloc (none in OpenSSL or
// BoringSSL by default) is seen only through its calls to malloc. Not
// built with sanitizers, whose runtimes own malloc themselves.
#include "counting_malloc.h"

#include <errno.h>
#include <malloc.h>

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "hsbench/heap.h"

// noexcept (C functions never throw), so that calls to them can be tail
// calls.
extern "C" {
void* __libc_malloc(size_t size) noexcept;
void __libc_free(void* p) noexcept;
void* __libc_calloc(size_t n, size_t size) noexcept;
void* __libc_realloc(void* p, size_t size) noexcept;
void* __libc_memalign(size_t alignment, size_t size) noexcept;
void* __libc_valloc(size_t size) noexcept;
void* __libc_pvalloc(size_t size) noexcept;
}

namespace {

std::atomic<bool> g_counting{false};

// Constant-initialized, so reaching it from malloc allocates nothing (the
// executable's TLS is static).
constinit thread_local hsbench::HeapCounters t_counters{};

inline bool counting() { return g_counting.load(std::memory_order_relaxed); }

inline void on_alloc(void* p, size_t asked) {
  if (p == nullptr) return;
  hsbench::HeapCounters& c = t_counters;
  c.allocations++;
  c.bytes += asked;
  c.live += static_cast<int64_t>(malloc_usable_size(p));
  if (c.live > c.peak) c.peak = c.live;
}

inline void on_free(void* p) {
  if (p == nullptr) return;
  t_counters.live -= static_cast<int64_t>(malloc_usable_size(p));
}

void set_counting(bool on) { g_counting.store(on, std::memory_order_relaxed); }
hsbench::HeapCounters read_counters() { return t_counters; }
void reset_peak() { t_counters.peak = t_counters.live; }

constexpr hsbench::HeapCounterHooks kHooks = {set_counting, read_counters, reset_peak};

}  // namespace

namespace hsbench {
void install_counting_malloc() { set_heap_counter_hooks(&kHooks); }
}  // namespace hsbench

extern "C" {

// Not counting, each function is a test and a tail call into glibc: a few
// instructions per call (OpenSSL makes thousands of calls per handshake).
// The counting paths are kept out of line so that the common path needs no
// stack frame.

[[gnu::noinline]] void* counted_malloc(size_t size) noexcept {
  void* p = __libc_malloc(size);
  on_alloc(p, size);
  return p;
}

[[gnu::noinline]] void counted_free(void* p) noexcept {
  on_free(p);
  __libc_free(p);
}

[[gnu::noinline]] void* counted_calloc(size_t n, size_t size) noexcept {
  void* p = __libc_calloc(n, size);
  on_alloc(p, n * size);  // no overflow: calloc refused it
  return p;
}

void* malloc(size_t size) noexcept {
  if (counting()) [[unlikely]] return counted_malloc(size);
  return __libc_malloc(size);
}

void free(void* p) noexcept {
  if (counting()) [[unlikely]] return counted_free(p);
  return __libc_free(p);
}

void* calloc(size_t n, size_t size) noexcept {
  if (counting()) [[unlikely]] return counted_calloc(n, size);
  return __libc_calloc(n, size);
}

void* realloc(void* old, size_t size) noexcept {
  if (!counting()) return __libc_realloc(old, size);
  const size_t old_usable = old != nullptr ? malloc_usable_size(old) : 0;
  void* p = __libc_realloc(old, size);
  if (p == nullptr && size != 0) return p;  // failed: old is untouched
  t_counters.live -= static_cast<int64_t>(old_usable);
  on_alloc(p, size);
  return p;
}

void* reallocarray(void* old, size_t n, size_t size) noexcept {
  size_t total = 0;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(old, total);
}

void* memalign(size_t alignment, size_t size) noexcept {
  if (!counting()) [[likely]] return __libc_memalign(alignment, size);
  void* p = __libc_memalign(alignment, size);
  on_alloc(p, size);
  return p;
}

void* aligned_alloc(size_t alignment, size_t size) noexcept { return memalign(alignment, size); }

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0) {
    return EINVAL;
  }
  void* p = memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

void* valloc(size_t size) noexcept {
  if (!counting()) [[likely]] return __libc_valloc(size);
  void* p = __libc_valloc(size);
  on_alloc(p, size);
  return p;
}

void* pvalloc(size_t size) noexcept {
  if (!counting()) [[likely]] return __libc_pvalloc(size);
  void* p = __libc_pvalloc(size);
  on_alloc(p, size);
  return p;
}

}  // extern "C"
