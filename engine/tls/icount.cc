#include "tls/icount.h"

#include <cstdio>
#include <string>

// The build says whether valgrind's header is there (engine/CMakeLists.txt);
// a file compiled without being told would silently count nothing.
#if !defined(HSBENCH_HAVE_CALLGRIND)
#error "HSBENCH_HAVE_CALLGRIND must be defined (0 or 1)"
#endif
#if HSBENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_DUMP_STATS_AT(label) (void)(label)
#define CALLGRIND_TOGGLE_COLLECT
#endif

namespace hsbench::tls {
namespace {
bool g_icount_steps = false;
}  // namespace

void set_icount_steps(bool on) { g_icount_steps = on; }
bool icount_steps() { return g_icount_steps; }

void icount_step_begin() { CALLGRIND_DUMP_STATS_AT("hsbench-icount driver"); }

void icount_toggle_collect() { CALLGRIND_TOGGLE_COLLECT; }

void icount_step_end(Side side, bool handled_message, Action action, Message message) {
  // Collection off while the label is made, so that it costs the step nothing.
  CALLGRIND_TOGGLE_COLLECT;
  char label[96];
  if (handled_message) {
    const std::string_view m = name(message);
    std::snprintf(label, sizeof label, "hsbench-icount step %s %s %.*s",
                  std::string(name(side)).c_str(), std::string(name(action)).c_str(),
                  static_cast<int>(m.size()), m.data());
  } else {
    std::snprintf(label, sizeof label, "hsbench-icount pending %s",
                  std::string(name(side)).c_str());
  }
  CALLGRIND_DUMP_STATS_AT(label);
  CALLGRIND_TOGGLE_COLLECT;
}

}  // namespace hsbench::tls
