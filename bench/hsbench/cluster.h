// The processes one `connect` is spread over. In hsbench that is this
// process alone (cluster_single.cc); in hsbench-mpi, the ranks of the MPI
// job mpirun started (cluster_mpi.cc): every rank a load generator with the
// options given, their start agreed, their figures merged into one result
// on rank 0, which alone writes. The ordinary hsbench links no MPI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/network.h"
#include "hsbench/pki.h"
#include "hsbench/result.h"
#include "hsbench/scenario.h"

namespace hsbench::cli {

// Before anything else in main, and once at the end (MPI_Init and
// MPI_Finalize in hsbench-mpi).
void cluster_init(int* argc, char*** argv);
void cluster_finish();

int cluster_rank();
int cluster_size();
// "rank 2 (host)": how a rank names itself in a one-line error; empty for
// one process.
std::string cluster_self();

// One connect over every rank at once. Each rank runs the options given,
// but: --rate is the total, shared out (arrivals interleaved across
// ranks); --server-pid is read by rank 0 alone (run it on the server's
// host). On rank 0 the result is the merged one (handshakes summed per
// repetition, histograms reduced bucket by bucket, errors summed by kind,
// each rank's row in network.rank_results); on the others, their own.
//
// A rank that cannot reach the target (a TCP connect before the start) or
// whose setup fails stops every rank before the start, and one that
// completes no handshake fails the run: each rank's result is skipped, and
// rank 0 gets in *out_failures one line per rank that failed, naming it,
// its host and why. *out_latencies: this rank's measured handshake latencies (ns),
// when options.keep_latencies.
Result cluster_connect(const Scenario& scenario, Backend& backend, const Pki& trust,
                       ConnectOptions options, const ProgressFn& progress,
                       std::vector<uint64_t>* out_latencies,
                       std::vector<std::string>* out_failures);

// Whether any rank says yes, on every rank (a collective: a stop request
// reaches the ranks at different times, and they must agree to stop).
bool cluster_any(bool yes);

// The worst of every rank's exit code, on every rank (a collective: every
// rank calls it once at the end of a command).
int cluster_exit_code(int code);

}  // namespace hsbench::cli
