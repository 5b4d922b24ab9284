// Must not compile: the state machines do no I/O and know no driver.
#include "drive/runner.h"

int hsbench_layer_probe_tls_includes_drive() { return 0; }
