#include "net/tally.h"

#include <fmt/format.h>

#include <algorithm>

#include "hsbench/runner.h"
#include "stats/stats.h"

namespace hsbench::net {

void ConnectTally::merge(const ConnectTally& o) {
  ranks += o.ranks;
  threads += o.threads;
  connections += o.connections;
  repetitions.resize(std::min(repetitions.size(), o.repetitions.size()));
  for (size_t r = 0; r < repetitions.size(); r++) {
    RepetitionTally& mine = repetitions[r];
    const RepetitionTally& theirs = o.repetitions[r];
    mine.handshakes += theirs.handshakes;
    mine.attempted += theirs.attempted;
    mine.failed += theirs.failed;
    mine.cpu_ns += theirs.cpu_ns;
  }
  if (servers.empty()) servers = o.servers;
  for (size_t p = 0; p < kPhases; p++) phases[p].merge(o.phases[p]);
  corrected.merge(o.corrected);
  uncorrected.merge(o.uncorrected);
  steps.merge(o.steps);
  errors.merge(o.errors);
  unmeasured_errors.merge(o.unmeasured_errors);
  resumption_offered += o.resumption_offered;
  resumption_accepted += o.resumption_accepted;
  tickets_missed += o.tickets_missed;
  bytes_sent += o.bytes_sent;
  bytes_received += o.bytes_received;
  completed += o.completed;
  abandoned += o.abandoned;
  if (o.negotiated) merge_negotiated(&negotiated, *o.negotiated, false);
  if (o.started_real_ns != 0 && (started_real_ns == 0 || o.started_real_ns < started_real_ns)) {
    started_real_ns = o.started_real_ns;
  }
  handshake_ns.insert(handshake_ns.end(), o.handshake_ns.begin(), o.handshake_ns.end());
}

void ConnectTally::encode(WordWriter* out, bool histograms) const {
  out->str(host);
  out->u64(static_cast<uint64_t>(ranks));
  out->u64(static_cast<uint64_t>(threads));
  out->u64(static_cast<uint64_t>(connections));
  out->u64(repetition_ns);
  out->u64(repetitions.size());
  for (const RepetitionTally& r : repetitions) {
    out->u64(r.handshakes);
    out->u64(r.attempted);
    out->u64(r.failed);
    out->u64(r.cpu_ns);
  }
  out->u64(servers.size());
  for (const ServerCpuTally& s : servers) {
    out->u64(static_cast<uint64_t>(s.pid));
    out->u64(s.seen);
    out->u64(s.ns);
  }
  if (histograms) {
    for (size_t i = 0; i < kHistograms; i++) {
      out->histogram(histogram(i));
    }
  }
  steps.encode(out);
  errors.encode(out);
  unmeasured_errors.encode(out);
  for (uint64_t v : {resumption_offered, resumption_accepted, tickets_missed, bytes_sent,
                     bytes_received, completed, abandoned}) {
    out->u64(v);
  }
  out->u64(negotiated.has_value());
  if (negotiated) {
    const Negotiated& n = *negotiated;
    for (const std::string* s :
         {&n.version, &n.cipher, &n.group, &n.signature_scheme, &n.server_key}) {
      out->str(*s);
    }
    out->u64(static_cast<uint64_t>(n.chain_certificates));
    out->u64(n.chain_bytes);
    out->u64(n.varied);
  }
  out->u64(static_cast<uint64_t>(version));
  out->u64(started_real_ns);
}

bool ConnectTally::decode(WordReader* in, bool histograms) {
  host = in->str();
  ranks = static_cast<int>(in->u64());
  threads = static_cast<int>(in->u64());
  connections = static_cast<int>(in->u64());
  repetition_ns = in->u64();
  const uint64_t reps = in->u64();
  if (!in->ok() || reps > 1'000'000) return false;
  repetitions.resize(reps);
  for (RepetitionTally& r : repetitions) {
    r.handshakes = in->u64();
    r.attempted = in->u64();
    r.failed = in->u64();
    r.cpu_ns = in->u64();
  }
  const uint64_t n_servers = in->u64();
  if (!in->ok() || n_servers > 4096) return false;
  servers.resize(n_servers);
  for (ServerCpuTally& s : servers) {
    s.pid = static_cast<int>(in->u64());
    s.seen = in->u64() != 0;
    s.ns = in->u64();
  }
  if (histograms) {
    for (size_t i = 0; i < kHistograms; i++) {
      if (!in->histogram(&histogram(i))) return false;
    }
  }
  if (!steps.decode(in) || !errors.decode(in) || !unmeasured_errors.decode(in)) return false;
  for (uint64_t* v : {&resumption_offered, &resumption_accepted, &tickets_missed, &bytes_sent,
                      &bytes_received, &completed, &abandoned}) {
    *v = in->u64();
  }
  if (in->u64() != 0) {
    Negotiated n;
    for (std::string* s : {&n.version, &n.cipher, &n.group, &n.signature_scheme, &n.server_key}) {
      *s = in->str();
    }
    n.chain_certificates = static_cast<int>(in->u64());
    n.chain_bytes = in->u64();
    n.varied = in->u64() != 0;
    negotiated = std::move(n);
  }
  const uint64_t v = in->u64();
  if (v != static_cast<uint64_t>(TlsVersion::tls12) &&
      v != static_cast<uint64_t>(TlsVersion::tls13)) {
    return false;
  }
  version = static_cast<TlsVersion>(v);
  started_real_ns = in->u64();
  return in->ok();
}

Result connect_result(const Scenario& scenario, std::string_view backend,
                      const ConnectOptions& options, const std::string& address,
                      const ConnectTally& tally) {
  const bool native = options.engine == EngineKind::native;
  const int threads = std::max(1, tally.threads);
  if (tally.repetitions.empty()) {
    return skipped_result(scenario, backend, threads,
                          {FailureKind::failed, "interrupted before a repetition completed"},
                          options.engine);
  }
  Result result =
      skipped_result(scenario, backend, threads, {FailureKind::failed, ""}, options.engine);
  result.skipped = false;
  result.skip_reason.clear();
  result.timing = options.timing && !native;
  const size_t complete = tally.repetitions.size();
  result.partial = complete < static_cast<size_t>(options.repetitions);

  NetworkResult net;
  net.role = "client";
  net.target = options.target;
  net.address = address;
  const bool open = options.rate > 0;
  net.load_model = open ? "open" : "closed";
  net.connections = tally.connections;
  if (open) {
    net.rate = options.rate;
    net.arrival = options.arrival == ArrivalModel::poisson ? "poisson" : "uniform";
  }
  net.verify_chain = options.verify_chain || native;
  net.close_mode = options.close == NetCloseMode::rst ? "rst" : "fin";
  net.source_addresses = options.source_addresses;
  net.request_bytes = options.request.size();
  net.completed = tally.completed;
  net.abandoned = tally.abandoned;

  std::vector<double> per_rep(complete, 0.0);
  uint64_t cpu_ns = 0;
  for (size_t r = 0; r < complete; r++) {
    const RepetitionTally& rep = tally.repetitions[r];
    RepetitionResult rr;
    rr.handshakes = rep.handshakes;
    net.attempted += rep.attempted;
    net.failed += rep.failed;
    rr.wall_s = static_cast<double>(tally.repetition_ns) / 1e9;
    per_rep[r] = static_cast<double>(rr.handshakes) / rr.wall_s;
    if (rr.handshakes > 0) {
      rr.cpu_us_per_handshake =
          static_cast<double>(rep.cpu_ns) / static_cast<double>(rr.handshakes) / 1e3;
    }
    cpu_ns += rep.cpu_ns;
    result.handshakes += rr.handshakes;
    result.duration_s += rr.wall_s;
    result.repetitions.push_back(rr);
  }
  result.handshakes_per_sec = summarize(per_rep);
  if (result.handshakes_per_sec.mean > 0) {
    result.us_per_handshake = threads * 1e6 / result.handshakes_per_sec.mean;
  }
  const double handshakes = static_cast<double>(std::max<uint64_t>(result.handshakes, 1));
  const double wall_ns = static_cast<double>(tally.repetition_ns * complete);
  const double client_cpu_ns = static_cast<double>(cpu_ns);
  net.client_cpu_us_per_handshake = client_cpu_ns / handshakes / 1e3;
  net.client_utilization = client_cpu_ns / wall_ns / threads;
  result.cpu_us_per_handshake.client_us = net.client_cpu_us_per_handshake;
  result.cpu_us_per_handshake.total_us = net.client_cpu_us_per_handshake;
  double server_total = 0;
  bool all_servers = !tally.servers.empty();
  for (const ServerCpuTally& s : tally.servers) {
    if (!s.seen) {
      all_servers = false;
      net.warnings.push_back(
          fmt::format("--server-pid {}: no such process (its CPU is not counted)", s.pid));
      continue;
    }
    const double ns = static_cast<double>(s.ns);
    ProcessCpu pc;
    pc.pid = s.pid;
    pc.cpu_us_per_handshake = ns / handshakes / 1e3;
    pc.utilization = ns / wall_ns;
    server_total += pc.cpu_us_per_handshake;
    net.server_cpu.push_back(pc);
  }
  if (all_servers) {
    result.cpu_us_per_handshake.server_us = server_total;
    result.cpu_us_per_handshake.total_us += server_total;
  }
  // A load generator near its own limit measured itself, not the server.
  if (net.client_utilization > 0.9) {
    net.warnings.push_back(fmt::format(
        "the client was near saturation ({:.0f}% of {} core{} busy): the figures may be the "
        "load generator's limit, not the server's; add --threads or a client machine",
        net.client_utilization * 100, threads, threads == 1 ? "" : "s"));
  }
  if (tally.tickets_missed > 0) {
    net.warnings.push_back(fmt::format(
        "{} TLS 1.3 handshake{} got no ticket within {} ms of completing (the server sends none, "
        "or only once it writes: add --request)",
        tally.tickets_missed, tally.tickets_missed == 1 ? "" : "s", kTicketWaitNs / 1'000'000));
  }
  if (!options.verify_chain && !native) {
    net.warnings.push_back(
        "--no-verify-chain: the server's chain was not checked (its signature was)");
  }
  if (!options.verify_chain && native) {
    net.warnings.push_back(
        "--no-verify-chain applies to the engine client only: the native "
        "client checked the chain");
  }

  for (size_t p = 0; p < kPhases; p++) {
    if (tally.phases[p].count() == 0) continue;
    net.phases.push_back({kPhaseNames[p], tally.phases[p].count(), latency_of(tally.phases[p])});
  }
  if (tally.phases[kHandshake].count() > 0)
    result.latency_us = latency_of(tally.phases[kHandshake]);
  if (open && tally.corrected.count() > 0) {
    net.corrected_us = latency_of(tally.corrected);
    net.uncorrected_us = latency_of(tally.uncorrected);
  }
  net.errors = tally.errors.list();
  if (result.handshakes == 0 && net.errors.empty()) net.errors = tally.unmeasured_errors.list();
  net.negotiated = tally.negotiated;
  net.resumption_offered = tally.resumption_offered;
  net.resumption_accepted = tally.resumption_accepted;
  net.bytes_sent_per_handshake = static_cast<double>(tally.bytes_sent) / handshakes;
  net.bytes_received_per_handshake = static_cast<double>(tally.bytes_received) / handshakes;
  if (result.timing) {
    result.steps = tally.steps.results(tally.version);
    result.ops_per_handshake = tally.steps.op_totals();
  }
  result.lower_bound_error = "not timed in network mode";
  result.memory_note = "not measured in network mode";
  result.network = std::move(net);
  return result;
}

}  // namespace hsbench::net
