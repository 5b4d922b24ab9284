// cluster.h for hsbench-mpi: the ranks of an MPI job. Only the main thread
// calls MPI (MPI_THREAD_FUNNELED); the load generators' threads never do.
//
// One connect, on every rank:
//   1. setup (run_connect_tally), then in before_start: a TCP connect to
//      the target; every rank says whether it can go on (a gather to rank
//      0 of the reasons, an allreduce of the verdict);
//   2. a barrier, then rank 0's start, 200 ms ahead on its CLOCK_REALTIME,
//      broadcast; each rank converts it to its own steady clock;
//   3. the run; then the repetitions every rank completed (an allreduce
//      of the minimum), the latency and phase histograms reduced bucket by
//      bucket to rank 0 (MPI_SUM, and MPI_MIN/MPI_MAX for their extremes),
//      and the rest of each rank's tally gathered there as words, merged in
//      rank order.
#include <fmt/format.h>
#include <mpi.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <span>
#include <utility>

#include "cluster.h"
#include "net/address.h"
#include "net/measure.h"
#include "net/socket.h"
#include "net/tally.h"
#include "options.h"

namespace hsbench::cli {
namespace {

int g_rank = 0;
int g_size = 1;
std::string g_host;
std::vector<std::string> g_hosts;  // rank 0: every rank's host

// Every rank's run of values (of MPI type `type`), on rank 0 (empty
// elsewhere): their lengths gathered, then the values.
template <typename T>
std::vector<std::vector<T>> gather(std::span<const T> mine, MPI_Datatype type) {
  const int len = static_cast<int>(mine.size());
  std::vector<int> lens(static_cast<size_t>(g_size), 0);
  MPI_Gather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> displs(static_cast<size_t>(g_size), 0);
  int total = 0;
  for (size_t i = 0; i < lens.size(); i++) {
    displs[i] = total;
    total += lens[i];
  }
  std::vector<T> all(static_cast<size_t>(std::max(total, 1)));
  MPI_Gatherv(mine.data(), len, type, all.data(), lens.data(), displs.data(), type, 0,
              MPI_COMM_WORLD);
  std::vector<std::vector<T>> out;
  if (g_rank != 0) return out;
  for (size_t i = 0; i < lens.size(); i++) {
    out.emplace_back(all.begin() + displs[i], all.begin() + displs[i] + lens[i]);
  }
  return out;
}

std::vector<std::string> gather_strings(const std::string& s) {
  std::vector<std::string> out;
  for (const std::vector<char>& chars : gather<char>(s, MPI_CHAR)) {
    out.emplace_back(chars.begin(), chars.end());
  }
  return out;
}

std::string rank_name(int rank) {
  const std::string& host =
      static_cast<size_t>(rank) < g_hosts.size() ? g_hosts[static_cast<size_t>(rank)] : g_host;
  return fmt::format("rank {} ({})", rank, host);
}

// Every rank says why it cannot go on ("": it can). True on every rank
// when all can; otherwise rank 0 gets one line per rank that cannot.
bool all_can_go(const std::string& why, std::vector<std::string>* out_failures) {
  const std::vector<std::string> all = gather_strings(why);
  int bad = why.empty() ? 0 : 1;
  int any = 0;
  MPI_Allreduce(&bad, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  for (size_t i = 0; i < all.size(); i++) {
    if (!all[i].empty()) {
      out_failures->push_back(fmt::format("{}: {}", rank_name(static_cast<int>(i)), all[i]));
    }
  }
  return any == 0;
}

// Whether the target takes a TCP connection within timeout_s; why not.
std::string probe(const std::string& target, double timeout_s) {
  net::Address address;
  std::string error;
  if (!net::parse_address(target, &address, &error)) return error;
  const int fd = net::start_connect(address, nullptr);
  if (fd < 0) return fmt::format("cannot reach {}: {}", target, net::errno_name(errno));
  pollfd p{fd, POLLOUT, 0};
  const int timeout_ms = static_cast<int>(std::min(timeout_s, 10.0) * 1000);
  int n = 0;
  do {
    n = poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  std::string why;
  if (n == 0) {
    why = fmt::format("cannot reach {}: no answer in {:g} s", target, timeout_s);
  } else if (const int e = net::connect_result(fd); e != 0) {
    why = fmt::format("cannot reach {}: {}", target, net::errno_name(e));
  }
  net::close_socket(fd, net::CloseMode::fin);
  return why;
}

// Sums the histograms of every rank into rank 0's.
void reduce_histogram(Histogram* h) {
  std::vector<uint64_t> counts(Histogram::kBuckets, 0);
  const std::span<const uint64_t> mine = h->buckets();
  MPI_Reduce(mine.data(), counts.data(), static_cast<int>(Histogram::kBuckets), MPI_UINT64_T,
             MPI_SUM, 0, MPI_COMM_WORLD);
  uint64_t sum = h->sum(), total_sum = 0;
  uint64_t lo = h->count() == 0 ? std::numeric_limits<uint64_t>::max() : h->min(), min = 0;
  uint64_t hi = h->max(), max = 0;
  MPI_Reduce(&sum, &total_sum, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Reduce(&lo, &min, 1, MPI_UINT64_T, MPI_MIN, 0, MPI_COMM_WORLD);
  MPI_Reduce(&hi, &max, 1, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
  if (g_rank == 0) (void)h->restore(counts, total_sum, min, max);
}

Result failed_result(const Scenario& scenario, const Backend& backend,
                     const ConnectOptions& options, std::string why) {
  return skipped_result(scenario, backend.name(), std::max(1, options.threads),
                        {FailureKind::failed, std::move(why)}, options.engine);
}

}  // namespace

void cluster_init(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_host = net::host_name();
  g_hosts = gather_strings(g_host);
}

void cluster_finish() { MPI_Finalize(); }

int cluster_rank() { return g_rank; }
int cluster_size() { return g_size; }
std::string cluster_self() { return g_size > 1 ? rank_name(g_rank) : ""; }

int cluster_exit_code(int code) {
  int worst = 0;
  MPI_Allreduce(&code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return worst;
}

bool cluster_any(bool yes) {
  int mine = yes ? 1 : 0, any = 0;
  MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any != 0;
}

Result cluster_connect(const Scenario& scenario, Backend& backend, const Pki& trust,
                       ConnectOptions options, const ProgressFn& progress,
                       std::vector<uint64_t>* out_latencies,
                       std::vector<std::string>* out_failures) {
  if (options.rate > 0) {
    options.rate /= g_size;
    options.arrival_phase = static_cast<double>(g_rank) / g_size;
  }
  // A server's process is on one host: rank 0 reads it.
  if (g_rank != 0) options.server_pids.clear();
  bool joined = false, go = false;
  options.before_start = [&](uint64_t* out_start_ns) {
    joined = true;
    go = all_can_go(probe(options.target, options.timeout_s), out_failures);
    if (!go) return false;
    MPI_Barrier(MPI_COMM_WORLD);
    uint64_t start_real = g_rank == 0 ? net::realtime_ns() + 200'000'000 : 0;
    MPI_Bcast(&start_real, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    const uint64_t now_real = net::realtime_ns(), now = net::now_ns();
    *out_start_ns = start_real > now_real ? now + (start_real - now_real) : now;
    return true;
  };
  net::ConnectTally tally;
  std::string address;
  std::optional<Result> skipped = net::run_connect_tally(
      scenario, backend, trust, options, g_rank == 0 ? progress : nullptr, &tally, &address);
  if (!joined) {
    // This rank's setup failed before the agreement: it joins it to say so.
    (void)all_can_go(skipped ? skipped->skip_reason : "setup failed", out_failures);
    return std::move(*skipped);
  }
  if (!go) return failed_result(scenario, backend, options, "another rank failed");

  // The repetitions every rank completed (a stop request reaches the ranks
  // at slightly different times).
  uint64_t complete = skipped ? 0 : tally.repetitions.size(), common = 0;
  MPI_Allreduce(&complete, &common, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  tally.repetitions.resize(std::min<size_t>(tally.repetitions.size(), common));
  *out_latencies = std::move(tally.handshake_ns);

  for (size_t i = 0; i < net::ConnectTally::kHistograms; i++) {
    reduce_histogram(&tally.histogram(i));
  }
  WordWriter words;
  tally.encode(&words, false);
  const std::vector<std::vector<uint64_t>> all = gather<uint64_t>(words.words(), MPI_UINT64_T);
  if (g_rank != 0) {
    if (skipped) return std::move(*skipped);
    return net::connect_result(scenario, backend.name(), options, address, tally);
  }

  // Rank 0: each rank's row from its own tally, then all merged (the
  // histograms are already: this rank's hold the reduction).
  ConnectOptions total = options;
  if (total.rate > 0) total.rate *= g_size;
  std::vector<RankResult> rows;
  std::vector<uint64_t> started;
  std::vector<std::string> rank_warnings;
  uint64_t earliest = std::numeric_limits<uint64_t>::max(), latest = 0;
  std::optional<net::ConnectTally> merged;
  for (size_t r = 0; r < all.size(); r++) {
    net::ConnectTally t;
    WordReader in(all[r]);
    if (!t.decode(&in, false) || !in.done()) {
      out_failures->push_back(
          fmt::format("{}: its figures did not decode", rank_name(static_cast<int>(r))));
      continue;
    }
    const Result own = net::connect_result(scenario, backend.name(), options, address, t);
    if (own.skipped || !own.network) {
      out_failures->push_back(
          fmt::format("{}: {}", rank_name(static_cast<int>(r)), own.skip_reason));
      continue;
    }
    const NetworkResult& n = *own.network;
    if (own.handshakes == 0) {
      out_failures->push_back(
          fmt::format("{}: no handshake completed against {}: {}", rank_name(static_cast<int>(r)),
                      options.target,
                      n.errors.empty() ? "no connection ended" : net::describe_errors(n.errors)));
    }
    RankResult row;
    row.rank = static_cast<int>(r);
    row.host = t.host;
    row.handshakes = own.handshakes;
    row.handshakes_per_sec = own.handshakes_per_sec.mean;
    row.failed = n.failed;
    row.errors = n.errors;
    row.client_cpu_us_per_handshake = n.client_cpu_us_per_handshake;
    row.client_utilization = n.client_utilization;
    started.push_back(t.started_real_ns);  // made relative below, in integers
    earliest = std::min(earliest, t.started_real_ns);
    latest = std::max(latest, t.started_real_ns);
    rows.push_back(std::move(row));
    for (const std::string& w : n.warnings) {
      rank_warnings.push_back(fmt::format("{}: {}", rank_name(static_cast<int>(r)), w));
    }
    if (!merged) {
      merged = std::move(t);
    } else {
      merged->merge(t);
    }
  }
  if (!out_failures->empty() || !merged) {
    return failed_result(scenario, backend, options,
                         out_failures->empty() ? "no rank's figures" : out_failures->front());
  }
  for (size_t i = 0; i < net::ConnectTally::kHistograms; i++) {
    merged->histogram(i) = std::move(tally.histogram(i));
  }
  for (size_t i = 0; i < rows.size(); i++) {
    rows[i].start_offset_us = static_cast<double>(started[i] - earliest) / 1e3;
  }
  Result result = net::connect_result(scenario, backend.name(), total, address, *merged);
  if (result.network) {
    NetworkResult& n = *result.network;
    n.ranks = g_size;
    n.start_spread_us = static_cast<double>(latest - earliest) / 1e3;
    n.rank_results = std::move(rows);
    for (std::string& w : rank_warnings) {
      // The ones every rank says (--no-verify-chain) are said once already.
      const std::string_view tail = std::string_view(w).substr(w.find(": ") + 2);
      if (std::find(n.warnings.begin(), n.warnings.end(), tail) == n.warnings.end()) {
        n.warnings.push_back(std::move(w));
      }
    }
  }
  return result;
}

}  // namespace hsbench::cli
