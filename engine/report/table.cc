// The console table: one row per result, then the per-step breakdown by
// user step, client and server, one block per scenario.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hsbench/report.h"
#include "report/util.h"

namespace hsbench {
namespace {

// Microseconds with as many decimals as make sense at that size.
std::string fmt_us(double v) {
  if (v < 100) return fmt::format("{:.2f}", v);
  if (v < 10000) return fmt::format("{:.1f}", v);
  return fmt::format("{:.0f}", v);
}

std::string fmt_rate(double v) {
  if (v < 100) return fmt::format("{:.2f}", v);
  return fmt::format("{:.0f}", v);
}

std::string fmt_opt_us(const std::optional<double>& v) { return v ? fmt_us(*v) : "-"; }

void header(const Report& report, std::string* out) {
  const ReportContext& c = report.context;
  std::string git = c.git_commit.empty() ? "" : fmt::format(" ({})", c.git_commit);
  *out += fmt::format("hsbench {}{} · {} · {} · {} cores · {}\n", c.tool_version, git, c.date,
                      c.host.cpu_model, c.host.cores, c.host.kernel);
  if (!c.backends.empty()) {
    std::string list;
    for (const BackendInfo& b : c.backends) {
      list += fmt::format("{}{} = {}", list.empty() ? "" : "; ", b.name, b.version);
    }
    *out += fmt::format("backends: {}\n", list);
  }
  const RunSettings& s = c.settings;
  std::string per = s.handshakes > 0 ? fmt::format("{} handshakes per thread", s.handshakes)
                                     : fmt::format("{:g} s", s.duration_s);
  *out += fmt::format(
      "run: {} repetition{} of {} after {:g} s warm-up{}; ± is half the 95% "
      "confidence interval of hs/s\n",
      s.repetitions, s.repetitions == 1 ? "" : "s", per, s.warmup_s,
      s.timing ? "" : ", timing off (no traces)");
  if (c.partial) {
    size_t partial = 0;
    for (const Result& r : report.results) partial += r.partial ? 1 : 0;
    *out += fmt::format(
        "interrupted: {} result{} hold only the repetitions complete when the run stopped; "
        "scenarios not reached are absent\n",
        partial, partial == 1 ? "" : "s");
  }
}

// The engine's result beside a native one: same scenario, backend, threads
// and timing, measured.
const Result* engine_result_for(const Report& report, const Result& native) {
  for (const Result& r : report.results) {
    if (r.engine == "hsbench" && !r.skipped && r.scenario == native.scenario &&
        r.backend == native.backend && r.threads == native.threads && r.timing == native.timing) {
      return &r;
    }
  }
  return nullptr;
}

void results_table(const Report& report, std::string* out) {
  size_t scenario_w = 8;
  size_t backend_w = 7;
  for (const Result& r : report.results) {
    if (r.network) continue;
    scenario_w = std::max(scenario_w, r.scenario.size());
    backend_w = std::max(backend_w, result_label(r, false).size());
  }
  *out += fmt::format(
      "{:<{}}  {:<{}}  {:>3}  {:>9}  {:>6}  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>7}  {:>8}  "
      "{:>6}\n",
      "scenario", scenario_w, "backend", backend_w, "thr", "hs/s", "±", "client µs", "server µs",
      "lower µs", "overhead", "KiB/hs", "allocs", "peak KiB", "vs eng");
  for (const Result& r : report.results) {
    if (r.network) continue;
    std::string lead = fmt::format("{:<{}}  {:<{}}  {:>3}", r.scenario, scenario_w,
                                   result_label(r, false), backend_w, r.threads);
    if (r.skipped) {
      *out += fmt::format("{}  skipped: {}\n", lead, r.skip_reason);
      continue;
    }
    const Summary& hs = r.handshakes_per_sec;
    const double pm = hs.mean > 0 ? (hs.ci95_hi - hs.mean) / hs.mean * 100 : 0;
    std::string kib = "-", allocs = "-", peak = "-";
    if (r.memory) {
      kib = fmt::format("{:.1f}", r.memory->bytes_allocated / 1024);
      allocs = fmt::format("{:.0f}", r.memory->allocations);
      peak = fmt::format("{:.1f}", static_cast<double>(r.memory->peak_live_bytes) / 1024);
    }
    const Result* engine = r.engine == "native" ? engine_result_for(report, r) : nullptr;
    std::string vs = "-";
    if (engine != nullptr && engine->handshakes_per_sec.mean > 0) {
      vs = fmt::format("{:.2f}", hs.mean / engine->handshakes_per_sec.mean);
    }
    *out += fmt::format(
        "{}  {:>9}  {:>5.1f}%  {:>9}  {:>9}  {:>9}  {:>8}  {:>8}  {:>7}  {:>8}  {:>6}\n", lead,
        fmt_rate(hs.mean), pm, fmt_opt_us(r.cpu_us_per_handshake.client_us),
        fmt_opt_us(r.cpu_us_per_handshake.server_us), fmt_opt_us(r.crypto_lower_bound_us),
        r.overhead_ratio ? fmt::format("{:.2f}", *r.overhead_ratio) : "-", kib, allocs, peak, vs);
  }
}

// --- Network mode (hsbench connect, hsbench serve) ---------------------------

// Latencies on the wire span microseconds (loopback) to seconds (a loaded
// server far away): one unit per table, the one the typical handshake reads in.
struct LatencyUnit {
  double per_us;
  const char* name;
};

const NetworkPhase* find_phase(const NetworkResult& n, std::string_view name) {
  for (const NetworkPhase& p : n.phases) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// The handshake's latency: its phase, else the result's own.
std::optional<LatencyUs> handshake_latency(const Result& r) {
  if (const NetworkPhase* p = find_phase(*r.network, "handshake"); p != nullptr && p->count > 0)
    return p->latency;
  return r.latency_us;
}

LatencyUnit latency_unit(const Report& report) {
  std::vector<double> p50;
  for (const Result& r : report.results) {
    if (!r.network || r.skipped) continue;
    if (auto l = handshake_latency(r)) p50.push_back(l->p50);
  }
  if (p50.empty()) return {1, "µs"};
  std::sort(p50.begin(), p50.end());
  return p50[p50.size() / 2] >= 1000 ? LatencyUnit{1e-3, "ms"} : LatencyUnit{1, "µs"};
}

std::string fmt_lat(double us, LatencyUnit u) { return fmt_us(us * u.per_us); }

std::string fmt_count(uint64_t v) { return fmt::format("{}", v); }

// "12 (1.2%): refused 10, timeout 2": the failed connections and their most
// frequent kinds.
std::string errors_text(const NetworkResult& n, size_t top) {
  if (n.failed == 0) return "0";
  std::vector<NetworkError> kinds = n.errors;
  std::stable_sort(kinds.begin(), kinds.end(),
                   [](const NetworkError& a, const NetworkError& b) { return a.count > b.count; });
  std::string text = fmt::format("{}", n.failed);
  if (n.attempted > 0) {
    text += fmt::format(" ({:.1f}%)",
                        static_cast<double>(n.failed) / static_cast<double>(n.attempted) * 100);
  }
  for (size_t i = 0; i < kinds.size() && i < top; i++) {
    text += fmt::format("{}{}{} {}", i == 0 ? ": " : ", ", kinds[i].kind,
                        kinds[i].detail.empty() ? "" : " " + kinds[i].detail, kinds[i].count);
  }
  if (kinds.size() > top) text += ", ...";
  return text;
}

// Resumption: accepted/offered (a server sees only what it accepted).
std::string resumption_text(const NetworkResult& n) {
  if (n.role == "server") return n.resumption_accepted > 0 ? fmt_count(n.resumption_accepted) : "-";
  if (n.resumption_offered == 0 && n.resumption_accepted == 0) return "-";
  return fmt::format("{}/{}", n.resumption_accepted, n.resumption_offered);
}

void network_table(const Report& report, LatencyUnit unit, std::string* out) {
  size_t scenario_w = 8;
  size_t backend_w = 7;
  for (const Result& r : report.results) {
    if (!r.network) continue;
    scenario_w = std::max(scenario_w, r.scenario.size());
    backend_w = std::max(backend_w, result_label(r, false).size());
  }
  const std::string hs = fmt::format("hs {}", unit.name);
  *out += fmt::format(
      "{:<{}}  {:<{}}  {:<6}  {:>3}  {:>9}  {:>6}  {:>8}  {:>8}  {:>8}  {:>8}  {:>9}  {:>5}  "
      "{:>9}  {:>9}  {}\n",
      "scenario", scenario_w, "backend", backend_w, "role", "thr", "hs/s", "±", hs + " p50", "p99",
      "p99.9", "conn p50", "client µs", "util", "server µs", "resumed", "errors");
  for (const Result& r : report.results) {
    if (!r.network) continue;
    const NetworkResult& n = *r.network;
    std::string lead = fmt::format("{:<{}}  {:<{}}  {:<6}  {:>3}", r.scenario, scenario_w,
                                   result_label(r, false), backend_w, n.role, r.threads);
    if (r.skipped) {
      *out += fmt::format("{}  skipped: {}\n", lead, r.skip_reason);
      continue;
    }
    const Summary& rate = r.handshakes_per_sec;
    // One repetition (serve) has no interval.
    const std::string pm =
        rate.values.size() > 1 && rate.mean > 0
            ? fmt::format("{:.1f}%", (rate.ci95_hi - rate.mean) / rate.mean * 100)
            : "-";
    std::string p50 = "-", p99 = "-", p999 = "-", conn = "-";
    if (auto l = handshake_latency(r)) {
      p50 = fmt_lat(l->p50, unit);
      p99 = fmt_lat(l->p99, unit);
      p999 = fmt_lat(l->p999, unit);
    }
    if (const NetworkPhase* c = find_phase(n, "connect"); c != nullptr && c->count > 0)
      conn = fmt_lat(c->latency.p50, unit);
    const bool client = n.role == "client";
    *out += fmt::format(
        "{}  {:>9}  {:>6}  {:>8}  {:>8}  {:>8}  {:>8}  {:>9}  {:>5}  {:>9}  {:>9}  {}\n", lead,
        fmt_rate(rate.mean), pm, p50, p99, p999, conn,
        client ? fmt_us(n.client_cpu_us_per_handshake) : "-",
        client ? fmt::format("{:.0f}%", n.client_utilization * 100) : "-",
        fmt_opt_us(r.cpu_us_per_handshake.server_us), resumption_text(n), errors_text(n, 2));
  }
}

std::string load_text(const NetworkResult& n) {
  if (n.role == "server") return fmt::format("served {} requests", n.requests);
  std::string text = n.load_model == "open"
                         ? fmt::format("open loop at {:g} hs/s ({} arrivals)", n.rate, n.arrival)
                         : fmt::format("closed loop, {} connection{}", n.connections,
                                       n.connections == 1 ? "" : "s");
  if (n.source_addresses > 0) text += fmt::format(", {} source addresses", n.source_addresses);
  text += n.verify_chain ? ", chain verified" : ", chain not verified";
  if (!n.close_mode.empty()) text += ", close " + n.close_mode;
  if (n.request_bytes > 0) text += fmt::format(", {} B request", n.request_bytes);
  return text;
}

std::string negotiated_text(const Negotiated& g) {
  std::string text = fmt::format("TLS {} {}", g.version, g.cipher);
  text += ", group " + (g.group.empty() ? std::string("none") : g.group);
  text += ", signature " + (g.signature_scheme.empty() ? std::string("none") : g.signature_scheme);
  if (!g.server_key.empty()) text += ", server key " + g.server_key;
  text += fmt::format(", chain {} cert{} {} B", g.chain_certificates,
                      g.chain_certificates == 1 ? "" : "s", g.chain_bytes);
  if (g.varied) text += " (not every handshake agreed)";
  return text;
}

// Per result: where it ran, what was negotiated, each phase's percentiles,
// open loop's corrected latency, the errors and the warnings.
void network_blocks(const Report& report, LatencyUnit unit, std::string* out) {
  for (const Result& r : report.results) {
    if (!r.network || r.skipped) continue;
    const NetworkResult& n = *r.network;
    const bool client = n.role == "client";
    std::string where = n.target;
    if (!n.address.empty() && n.address != n.target) where += " (" + n.address + ")";
    *out += fmt::format("\n{}  {}/{}t  {} {}: {}\n", r.scenario, result_label(r, false), r.threads,
                        client ? "connect to" : "serve on", where, load_text(n));
    if (n.negotiated) {
      *out += "  negotiated: " + negotiated_text(*n.negotiated) + "\n";
    } else {
      *out += "  negotiated: -\n";
    }
    if (!n.phases.empty()) {
      *out +=
          fmt::format("  {:<16}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}\n",
                      fmt::format("phase ({})", unit.name), "count", "p50", "p99", "p99.9", "max");
      for (const NetworkPhase& p : n.phases) {
        if (p.count == 0) {
          *out += fmt::format("  {:<16}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}\n", p.name, 0, "-", "-",
                              "-", "-");
          continue;
        }
        *out += fmt::format("  {:<16}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}\n", p.name, p.count,
                            fmt_lat(p.latency.p50, unit), fmt_lat(p.latency.p99, unit),
                            fmt_lat(p.latency.p999, unit), fmt_lat(p.latency.max, unit));
      }
    }
    if (n.corrected_us && n.uncorrected_us) {
      *out += fmt::format(
          "  open loop p99: {} {} from the intended start (corrected), {} {} from the actual "
          "start\n",
          fmt_lat(n.corrected_us->p99, unit), unit.name, fmt_lat(n.uncorrected_us->p99, unit),
          unit.name);
    }
    if (client) {
      *out += fmt::format("  bytes per handshake: {:.0f} sent, {:.0f} received\n",
                          n.bytes_sent_per_handshake, n.bytes_received_per_handshake);
    }
    if (n.failed > 0) {
      std::string kinds;
      for (const NetworkError& e : n.errors) {
        kinds += fmt::format("{}{}{} {}", kinds.empty() ? "" : ", ", e.kind,
                             e.detail.empty() ? "" : " " + e.detail, e.count);
      }
      *out += fmt::format("  failed: {} of {} attempted: {}\n", n.failed, n.attempted, kinds);
    }
    if (!n.rank_results.empty()) {
      *out += fmt::format("  {} MPI ranks, one result; their start spread: {} µs\n", n.ranks,
                          fmt_us(n.start_spread_us));
      *out += fmt::format("  {:>4}  {:<16}  {:>10}  {:>9}  {:>7}  {:>9}  {:>5}  {:>9}\n", "rank",
                          "host", "handshakes", "hs/s", "failed", "client µs", "util", "start µs");
      for (const RankResult& k : n.rank_results) {
        *out += fmt::format("  {:>4}  {:<16}  {:>10}  {:>9.0f}  {:>7}  {:>9}  {:>4.0f}%  {:>9}\n",
                            k.rank, k.host, k.handshakes, k.handshakes_per_sec, k.failed,
                            fmt_us(k.client_cpu_us_per_handshake), k.client_utilization * 100,
                            fmt_us(k.start_offset_us));
      }
    }
    for (const ProcessCpu& p : n.server_cpu) {
      *out += fmt::format("  server pid {}: {} CPU µs per handshake, {:.0f}% of a core\n", p.pid,
                          fmt_us(p.cpu_us_per_handshake), p.utilization * 100);
    }
    for (const std::string& w : n.warnings) *out += "  warning: " + w + "\n";
  }
}

void steps_table(const Report& report, std::string* out) {
  // Scenarios in the order they first appear; a column per measured result.
  std::vector<std::string> scenarios;
  bool several_threads = false;
  // In memory one thread runs both sides; on the wire hsbench is one of them
  // (connect: the client, serve: the server) and only that side has steps.
  bool any_client = false, any_server = false;
  for (const Result& r : report.results) {
    if (r.skipped || r.steps.empty()) continue;
    if (std::find(scenarios.begin(), scenarios.end(), r.scenario) == scenarios.end()) {
      scenarios.push_back(r.scenario);
    }
    if (r.threads != report.results.front().threads) several_threads = true;
    for (const StepResult& st : r.steps) (st.side == Side::client ? any_client : any_server) = true;
  }
  if (scenarios.empty()) return;
  const bool both = any_client == any_server;
  const bool client_only = !both && any_client;
  if (both) {
    *out += "\nper step: µs per handshake, client | server (each side's wall time in its steps)\n";
  } else {
    *out += fmt::format(
        "\nper step: µs per handshake, {} side only (this process's wall time in its steps; "
        "the {} is another process)\n",
        client_only ? "client" : "server", client_only ? "server" : "client");
  }
  const int col_w = both ? 21 : 9;  // "{:>9} | {:>9}" or "{:>9}"
  int name_w = 26;                  // "  8 Session established" and a gap
  for (const std::string& id : scenarios)
    name_w = std::max(name_w, static_cast<int>(id.size()) + 2);
  auto cell = [&](double c, double s) {
    auto one = [](double v) { return v > 0 ? fmt_us(v) : std::string("-"); };
    if (both) return fmt::format("  {:>9} | {:>9}", one(c), one(s));
    return fmt::format("  {:>9}", one(client_only ? c : s));
  };
  for (const std::string& id : scenarios) {
    std::vector<const Result*> cols;
    for (const Result& r : report.results) {
      if (r.scenario == id && !r.skipped && !r.steps.empty()) cols.push_back(&r);
    }
    std::vector<UserStepTimes> times;
    for (const Result* r : cols) times.push_back(user_step_times(*r));

    std::string line = fmt::format("{:<{}}", id, name_w);
    for (const Result* r : cols)
      line += fmt::format("  {:>{}}", result_label(*r, several_threads), col_w);
    *out += "\n" + line + "\n";
    std::vector<double> client_total(cols.size(), 0), server_total(cols.size(), 0);
    for (int step = 0; step <= kUserSteps; step++) {
      bool any = step != 0;
      for (const UserStepTimes& t : times) {
        if (t.client_us[static_cast<size_t>(step)] > 0 ||
            t.server_us[static_cast<size_t>(step)] > 0)
          any = true;
      }
      if (!any) continue;
      line = fmt::format("  {} {:<{}}", step, user_step_name(step), name_w - 4);
      for (size_t i = 0; i < cols.size(); i++) {
        const double c = times[i].client_us[static_cast<size_t>(step)];
        const double s = times[i].server_us[static_cast<size_t>(step)];
        client_total[i] += c;
        server_total[i] += s;
        line += cell(c, s);
      }
      *out += line + "\n";
    }
    line = fmt::format("    {:<{}}", "total", name_w - 4);
    for (size_t i = 0; i < cols.size(); i++) {
      if (both) {
        line += fmt::format("  {:>9} | {:>9}", fmt_us(client_total[i]), fmt_us(server_total[i]));
      } else {
        line += fmt::format("  {:>9}", fmt_us(client_only ? client_total[i] : server_total[i]));
      }
    }
    *out += line + "\n";
  }
}

// Per scenario, from its first engine result (the bytes are the
// protocol's: backends differ by a byte or two of signature), each flight
// with its messages, and the round trips of a fresh connection.
void wire_blocks(const Report& report, std::string* out) {
  std::vector<std::string> seen;
  bool any = false;
  for (const Result& r : report.results) {
    if (r.skipped || !r.wire || r.network) continue;
    if (std::find(seen.begin(), seen.end(), r.scenario) != seen.end()) continue;
    seen.push_back(r.scenario);
    if (!any) {
      *out += fmt::format(
          "\nbytes on the wire, one handshake (TCP segments at MSS {}; a fresh connection "
          "sends {} at once)\n",
          WireResult::kMss, WireResult::kInitialWindow);
      any = true;
    }
    const WireResult& w = *r.wire;
    std::string model;
    if (w.rtt_ms && w.modelled_ms) {
      model = fmt::format("; at {:g} ms RTT, modelled {:.2f} ms", *w.rtt_ms, *w.modelled_ms);
    }
    *out += fmt::format("{}  {} round trip{} on a fresh connection{}\n", r.scenario, w.round_trips,
                        w.round_trips == 1 ? "" : "s", model);
    for (const WireFlight& f : w.flights) {
      std::string messages;
      for (const WireMessage& m : f.messages) {
        messages += fmt::format("{}{} {}", messages.empty() ? "" : ", ", name(m.message), m.bytes);
      }
      *out += fmt::format("  {:<6}  {:>6} B  {:>3} seg{}  {}{}\n", name(f.side), f.bytes,
                          f.segments, f.fits_initial_window ? " " : "!", messages,
                          f.handshake ? "" : "  (after the handshake)");
    }
  }
}

}  // namespace

void write_table(const Report& report, std::ostream& out) {
  std::string text;
  header(report, &text);
  const auto network = [](const Result& r) { return r.network.has_value(); };
  const bool any_network = std::any_of(report.results.begin(), report.results.end(), network);
  const bool any_memory = !std::all_of(report.results.begin(), report.results.end(), network);
  if (any_memory) {
    text += "\n";
    results_table(report, &text);
  }
  LatencyUnit unit{1, "µs"};
  if (any_network) {
    unit = latency_unit(report);
    text += "\n";
    network_table(report, unit, &text);
    network_blocks(report, unit, &text);
  }
  steps_table(report, &text);
  wire_blocks(report, &text);
  text += "\n";
  if (any_memory) {
    text +=
        "client/server µs: CPU per handshake, split by each side's step time (one thread runs "
        "both); lower µs: the same crypto timed alone; overhead = whole handshakes timed beside "
        "the crypto / lower\n"
        "KiB/hs, allocs: heap bytes and allocations per handshake, client and server together; "
        "peak KiB: the most the live heap rose during one; vs eng: native hs/s / engine hs/s\n";
  }
  if (any_network) {
    text += fmt::format(
        "network: hs {0} p50/p99/p99.9: handshake latency ({0}), connect p50: the TCP connect; "
        "client µs: this process's CPU (all threads) per handshake, util: of its threads' "
        "cores (near 100%, the load generator is the limit); server µs: --server-pid's CPU per "
        "handshake (serve: this process's own); resumed: accepted/offered\n",
        unit.name);
  }
  const bool native_steps =
      std::any_of(report.results.begin(), report.results.end(),
                  [](const Result& r) { return r.engine == "native" && !r.steps.empty(); });
  if (native_steps) {
    text +=
        "native steps: the library's time between its message callbacks; where it hides a "
        "boundary the JSON step says \"boundary\": \"approximate\" (context.notes)\n";
  }
  out << text;
}

}  // namespace hsbench
