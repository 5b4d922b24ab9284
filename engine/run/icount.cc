#include "run/icount.h"

#include <fmt/format.h>

#include "hsbench/runner.h"
#include "tls/icount.h"

// The build says whether valgrind's header is there (engine/CMakeLists.txt);
// a file compiled without being told would silently count nothing.
#if !defined(HSBENCH_HAVE_CALLGRIND)
#error "HSBENCH_HAVE_CALLGRIND must be defined (0 or 1)"
#endif
#if HSBENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(label) (void)(label)
#endif

namespace hsbench {

bool running_under_valgrind() { return RUNNING_ON_VALGRIND != 0; }

bool count_instructions(EnginePair& pair, EngineKind engine, std::string_view scenario,
                        std::string_view backend, uint64_t handshakes, std::string* out_error) {
  const bool native = engine == EngineKind::native;
  // The same seed every time: the same build makes the same handshakes
  // (a native pair keeps the library's randomness).
  pair.make_deterministic(0x6873626e63686b31);  // "hsbnchk1"
  std::string error;
  // One handshake first, so that nothing the first one alone does (lazy
  // initialisation in a library) is counted.
  if (!pair.run(nullptr, &error)) {
    *out_error = error;
    return false;
  }
  const std::string end = fmt::format("hsbench-icount {} {} {} {}", native ? "native" : "count",
                                      scenario, backend, handshakes);
  bool ok = true;
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_ZERO_STATS;
  tls::set_icount_steps(!native);
  for (uint64_t i = 0; i < handshakes && ok; i++) ok = pair.run(nullptr, &error);
  tls::set_icount_steps(false);
  CALLGRIND_DUMP_STATS_AT(end.c_str());
  CALLGRIND_STOP_INSTRUMENTATION;
  if (!ok) *out_error = error;
  return ok;
}

}  // namespace hsbench
