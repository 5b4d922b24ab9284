// Compiles: report/ reads results with the statistics of stats/.
#include "report/util.h"
#include "stats/stats.h"

int hsbench_layer_probe_report_reads_stats() { return 0; }
