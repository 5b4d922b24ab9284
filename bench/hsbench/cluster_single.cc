// cluster.h for hsbench: one process, no MPI.
#include <utility>

#include "cluster.h"
#include "net/tally.h"

namespace hsbench::cli {

void cluster_init(int*, char***) {}
void cluster_finish() {}
int cluster_rank() { return 0; }
int cluster_size() { return 1; }
std::string cluster_self() { return ""; }
int cluster_exit_code(int code) { return code; }
bool cluster_any(bool yes) { return yes; }

Result cluster_connect(const Scenario& scenario, Backend& backend, const Pki& trust,
                       ConnectOptions options, const ProgressFn& progress,
                       std::vector<uint64_t>* out_latencies, std::vector<std::string>*) {
  net::ConnectTally tally;
  std::string address;
  if (auto skipped =
          net::run_connect_tally(scenario, backend, trust, options, progress, &tally, &address)) {
    return std::move(*skipped);
  }
  *out_latencies = std::move(tally.handshake_ns);
  return net::connect_result(scenario, backend.name(), options, address, tally);
}

}  // namespace hsbench::cli
