// A shared object that is not an hsbench backend: it loads, but exports no
// HSBENCH_BACKEND_ENTRY_POINT. The loader must refuse it with a reason.
#include "hsbench/backend.h"

extern "C" HSBENCH_EXPORT int hsbench_test_not_a_backend() { return 42; }
