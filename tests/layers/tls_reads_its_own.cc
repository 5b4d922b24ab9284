// Compiles: tls/ sees its own headers and the public interface.
#include "hsbench/trace.h"
#include "tls/connection.h"

int hsbench_layer_probe_tls_reads_its_own() { return 0; }
