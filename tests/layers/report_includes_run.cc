// Must not compile: report/ knows nothing of how results are made.
#include "run/native_pair.h"

int hsbench_layer_probe_report_includes_run() { return 0; }
