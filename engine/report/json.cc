// The hsbench/v1 JSON document (results/schema.json describes it).
#include <cmath>
#include <nlohmann/json.hpp>

#include "hsbench/report.h"
#include "report/util.h"

namespace hsbench {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Numbers are rounded to what the measurement can tell: microseconds to
// the nanosecond, rates to 0.01, ratios and shares to 1e-4. Dividing by a
// power of ten gives the double nearest the decimal, which prints short.
double round_to(double v, double per_unit) {
  if (!std::isfinite(v)) return 0;
  return std::round(v * per_unit) / per_unit;
}
double us(double v) { return round_to(v, 1e3); }
double rate(double v) { return round_to(v, 1e2); }
double ratio(double v) { return round_to(v, 1e4); }

ordered_json optional_number(const std::optional<double>& v, double (*round)(double)) {
  if (!v) return nullptr;
  return round(*v);
}

ordered_json summary_json(const Summary& s) {
  ordered_json reps = ordered_json::array();
  for (double v : s.values) reps.push_back(rate(v));
  return {{"mean", rate(s.mean)},
          {"median", rate(s.median)},
          {"stddev", rate(s.stddev)},
          {"ci95", {rate(s.ci95_lo), rate(s.ci95_hi)}},
          {"repetitions", reps}};
}

ordered_json ops_json(const std::vector<OpResult>& ops) {
  ordered_json out = ordered_json::array();
  for (const OpResult& o : ops) {
    out.push_back({{"op", o.name}, {"count", ratio(o.count)}, {"mean_us", us(o.mean_us)}});
  }
  return out;
}

ordered_json config_json(const ScenarioConfig& c) {
  return {{"tls", c.tls},
          {"kx", c.kx},
          {"group", c.group.empty() ? ordered_json(nullptr) : ordered_json(c.group)},
          {"cert", c.cert},
          {"cipher", c.cipher},
          {"resumption", c.resumption}};
}

// p99.9 only where a run has the handshakes to tell it (network mode).
ordered_json latency_json(const LatencyUs& l, bool p999) {
  ordered_json j = {
      {"mean", us(l.mean)}, {"p50", us(l.p50)}, {"p90", us(l.p90)}, {"p99", us(l.p99)}};
  if (p999) j["p999"] = us(l.p999);
  j["max"] = us(l.max);
  return j;
}

ordered_json errors_json(const std::vector<NetworkError>& list) {
  ordered_json errors = ordered_json::array();
  for (const NetworkError& e : list) {
    errors.push_back({{"kind", e.kind}, {"detail", e.detail}, {"count", e.count}});
  }
  return errors;
}

ordered_json client_cpu_json(double us_per_handshake, double utilization) {
  return {{"us_per_handshake", us(us_per_handshake)}, {"utilization", ratio(utilization)}};
}

ordered_json network_json(const NetworkResult& n) {
  ordered_json j = {{"role", n.role}, {"target", n.target}, {"address", n.address}};
  if (n.role == "client") {
    ordered_json load = {{"model", n.load_model}, {"connections", n.connections}};
    if (n.load_model == "open") {
      load["rate"] = rate(n.rate);
      load["arrival"] = n.arrival;
    }
    j["load"] = load;
    j["verify_chain"] = n.verify_chain;
    j["close"] = n.close_mode;
    j["source_addresses"] = n.source_addresses;
    j["request_bytes"] = n.request_bytes;
  } else {
    j["requests"] = n.requests;
  }
  j["attempted"] = n.attempted;
  j["failed"] = n.failed;
  j["errors"] = errors_json(n.errors);
  if (n.negotiated) {
    const Negotiated& g = *n.negotiated;
    auto or_null = [](const std::string& v) {
      return v.empty() ? ordered_json(nullptr) : ordered_json(v);
    };
    j["negotiated"] = {{"version", g.version},
                       {"cipher", g.cipher},
                       {"group", or_null(g.group)},
                       {"signature_scheme", or_null(g.signature_scheme)},
                       {"server_key", or_null(g.server_key)},
                       {"chain_certificates", g.chain_certificates},
                       {"chain_bytes", g.chain_bytes},
                       {"varied", g.varied}};
  } else {
    j["negotiated"] = nullptr;
  }
  ordered_json phases = ordered_json::array();
  for (const NetworkPhase& p : n.phases) {
    phases.push_back(
        {{"phase", p.name}, {"count", p.count}, {"latency_us", latency_json(p.latency, true)}});
  }
  j["phases"] = phases;
  if (n.corrected_us) j["corrected_latency_us"] = latency_json(*n.corrected_us, true);
  if (n.uncorrected_us) j["uncorrected_latency_us"] = latency_json(*n.uncorrected_us, true);
  if (n.role == "client") {
    j["completed"] = n.completed;
    j["abandoned"] = n.abandoned;
  }
  if (!n.rank_results.empty()) {
    ordered_json rows = ordered_json::array();
    for (const RankResult& r : n.rank_results) {
      rows.push_back(
          {{"rank", r.rank},
           {"host", r.host},
           {"handshakes", r.handshakes},
           {"handshakes_per_sec", rate(r.handshakes_per_sec)},
           {"failed", r.failed},
           {"errors", errors_json(r.errors)},
           {"client_cpu", client_cpu_json(r.client_cpu_us_per_handshake, r.client_utilization)},
           {"start_offset_us", us(r.start_offset_us)}});
    }
    j["mpi"] = {{"ranks", n.ranks}, {"start_spread_us", us(n.start_spread_us)}, {"per_rank", rows}};
  }
  j["resumption"] = {{"offered", n.resumption_offered}, {"accepted", n.resumption_accepted}};
  if (n.role == "client") {
    j["bytes_per_handshake"] = {{"sent", round_to(n.bytes_sent_per_handshake, 1e2)},
                                {"received", round_to(n.bytes_received_per_handshake, 1e2)}};
    j["client_cpu"] = client_cpu_json(n.client_cpu_us_per_handshake, n.client_utilization);
    ordered_json servers = ordered_json::array();
    for (const ProcessCpu& p : n.server_cpu) {
      servers.push_back({{"pid", p.pid},
                         {"us_per_handshake", us(p.cpu_us_per_handshake)},
                         {"utilization", ratio(p.utilization)}});
    }
    j["server_cpu"] = servers;
  }
  j["warnings"] = n.warnings;
  return j;
}

ordered_json wire_json(const WireResult& w) {
  ordered_json flights = ordered_json::array();
  for (const WireFlight& f : w.flights) {
    ordered_json messages = ordered_json::array();
    for (const WireMessage& m : f.messages) {
      messages.push_back({{"message", std::string(name(m.message))}, {"bytes", m.bytes}});
    }
    flights.push_back({{"side", std::string(name(f.side))},
                       {"bytes", f.bytes},
                       {"segments", f.segments},
                       {"fits_initial_window", f.fits_initial_window},
                       {"handshake", f.handshake},
                       {"messages", messages}});
  }
  ordered_json j = {{"mss", WireResult::kMss},
                    {"initial_window_segments", WireResult::kInitialWindow},
                    {"round_trips", w.round_trips},
                    {"flights", flights}};
  if (w.rtt_ms && w.modelled_ms) {
    j["model"] = {{"rtt_ms", round_to(*w.rtt_ms, 1e3)},
                  {"complete_ms", round_to(*w.modelled_ms, 1e3)}};
  }
  return j;
}

ordered_json result_json(const Result& r) {
  ordered_json j = {{"scenario", r.scenario}, {"config", config_json(r.config)},
                    {"backend", r.backend},   {"engine", r.engine},
                    {"threads", r.threads},   {"status", r.skipped ? "skipped" : "ok"}};
  if (r.skipped) {
    j["skip_reason"] = r.skip_reason;
    j["skip_kind"] = name(r.skip_kind);
    return j;
  }
  if (r.partial) j["partial"] = true;
  j["timing"] = r.timing;
  j["handshakes"] = r.handshakes;
  j["duration_s"] = round_to(r.duration_s, 1e6);
  j["handshakes_per_sec"] = summary_json(r.handshakes_per_sec);
  j["us_per_handshake"] = us(r.us_per_handshake);
  j["cpu_us_per_handshake"] = {{"client", optional_number(r.cpu_us_per_handshake.client_us, us)},
                               {"server", optional_number(r.cpu_us_per_handshake.server_us, us)},
                               {"total", us(r.cpu_us_per_handshake.total_us)}};
  if (r.latency_us) {
    const LatencyUs& l = *r.latency_us;
    j["latency_us"] = latency_json(l, r.network.has_value());
  } else {
    j["latency_us"] = nullptr;
  }
  ordered_json steps = ordered_json::array();
  const bool native = r.engine == "native";
  for (const StepResult& s : r.steps) {
    ordered_json step = {{"user_step", s.user_step},
                         {"user_step_name", std::string(user_step_name(s.user_step))},
                         {"message", std::string(name(s.message))},
                         {"side", std::string(name(s.side))},
                         {"action", std::string(name(s.action))},
                         {"mean_us", us(s.mean_us)},
                         {"p50_us", us(s.p50_us)},
                         {"p99_us", us(s.p99_us)},
                         {"share", ratio(s.share)},
                         {"crypto", ops_json(s.crypto)}};
    // The engine times every step between its own boundaries; a library's
    // steps are bounded by its callbacks (context.notes).
    if (native) step["boundary"] = s.approximate ? "approximate" : "exact";
    steps.push_back(std::move(step));
  }
  j["steps"] = steps;
  j["crypto_ops"] = ops_json(r.ops_per_handshake);
  j["crypto_lower_bound_us"] = optional_number(r.crypto_lower_bound_us, us);
  j["overhead_ratio"] = optional_number(r.overhead_ratio, ratio);
  ordered_json terms = ordered_json::array();
  for (const LowerBoundTerm& t : r.lower_bound_terms) {
    ordered_json sizes = ordered_json::array();
    for (const LowerBoundSize& z : t.sizes) {
      sizes.push_back({{"bytes", z.size.bytes},
                       {"aux", z.size.aux},
                       {"out", z.size.out},
                       {"count", ratio(z.count)},
                       {"us", us(z.us)}});
    }
    ordered_json term = {{"op", t.op}, {"count", ratio(t.count)}, {"us", us(t.us)}};
    if (!sizes.empty()) term["sizes"] = std::move(sizes);
    terms.push_back(std::move(term));
  }
  j["lower_bound_terms"] = terms;
  if (!r.lower_bound_error.empty()) j["lower_bound_error"] = r.lower_bound_error;
  if (r.crypto_in_order_us) j["crypto_in_order_us"] = us(*r.crypto_in_order_us);
  if (r.handshake_best_us) j["handshake_best_us"] = us(*r.handshake_best_us);
  if (r.wire) j["wire"] = wire_json(*r.wire);
  if (r.memory) {
    const MemoryPerHandshake& m = *r.memory;
    j["memory"] = {{"bytes_allocated_per_handshake", round_to(m.bytes_allocated, 1e2)},
                   {"allocations_per_handshake", round_to(m.allocations, 1e2)},
                   {"peak_live_bytes", m.peak_live_bytes},
                   {"handshakes_counted", m.handshakes}};
  } else {
    j["memory"] = nullptr;
    if (!r.memory_note.empty()) j["memory_note"] = r.memory_note;
  }
  if (r.network) j["network"] = network_json(*r.network);
  return j;
}

ordered_json context_json(const ReportContext& c) {
  ordered_json backends = ordered_json::array();
  for (const BackendInfo& b : c.backends) {
    backends.push_back({{"name", b.name}, {"version", b.version}});
  }
  const RunSettings& s = c.settings;
  ordered_json settings = {
      {"warmup_s", s.warmup_s},
      {"duration_s", s.handshakes > 0 ? ordered_json(nullptr) : ordered_json(s.duration_s)},
      {"handshakes", s.handshakes > 0 ? ordered_json(s.handshakes) : ordered_json(nullptr)},
      {"repetitions", s.repetitions},
      {"threads", s.threads},
      {"timing", s.timing}};
  ordered_json j = {{"tool", "hsbench"},
                    {"version", c.tool_version},
                    {"git_commit", c.git_commit},
                    {"date", c.date},
                    {"host",
                     {{"cpu_model", c.host.cpu_model},
                      {"cores", c.host.cores},
                      {"kernel", c.host.kernel},
                      {"hostname", c.host.hostname}}},
                    {"compiler", c.compiler},
                    {"build_type", c.build_type},
                    {"command_line", c.command_line},
                    {"backends", backends},
                    {"settings", settings},
                    {"notes", report_notes()}};
  if (c.partial) j["partial"] = true;
  return j;
}

}  // namespace

void write_json(const Report& report, std::ostream& out) {
  ordered_json results = ordered_json::array();
  for (const Result& r : report.results) results.push_back(result_json(r));
  ordered_json doc = {{"schema", std::string(kSchemaVersion)},
                      {"context", context_json(report.context)},
                      {"results", results}};
  out << doc.dump(2) << '\n';
}

}  // namespace hsbench
