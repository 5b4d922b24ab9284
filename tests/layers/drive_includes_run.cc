// Must not compile: the driver core is below the runner.
#include "run/icount.h"

int hsbench_layer_probe_drive_includes_run() { return 0; }
