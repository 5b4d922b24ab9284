// One CSV row per result (RFC 4180 quoting), for spreadsheets and scripts.
// Columns added later go after skip_reason, so a reader that counts columns
// from the left still finds the earlier ones where they were.
#include <fmt/format.h>

#include <string>

#include "hsbench/report.h"

namespace hsbench {
namespace {

std::string quote(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string num(double v) { return fmt::format("{:.6g}", v); }
std::string num(const std::optional<double>& v) { return v ? num(*v) : ""; }

}  // namespace

void write_csv(const Report& report, std::ostream& out) {
  std::string text =
      "scenario,tls,kx,group,cert,cipher,backend,engine,threads,status,handshakes,duration_s,"
      "hs_per_sec_mean,hs_per_sec_median,hs_per_sec_stddev,hs_per_sec_ci95_lo,hs_per_sec_ci95_hi,"
      "us_per_handshake,cpu_client_us,cpu_server_us,cpu_total_us,latency_mean_us,latency_p50_us,"
      "latency_p90_us,latency_p99_us,latency_max_us,crypto_lower_bound_us,overhead_ratio,"
      "bytes_allocated_per_handshake,allocations_per_handshake,peak_live_bytes,skip_reason,"
      "latency_p999_us,network_failed\n";
  for (const Result& r : report.results) {
    const ScenarioConfig& c = r.config;
    text += fmt::format("{},{},{},{},{},{},{},{},{},{}", quote(r.scenario), c.tls, c.kx, c.group,
                        c.cert, c.cipher, quote(r.backend), r.engine, r.threads,
                        r.skipped ? "skipped" : "ok");
    if (r.skipped) {
      text += std::string(22, ',') + quote(r.skip_reason) + ",,\n";
      continue;
    }
    const Summary& hs = r.handshakes_per_sec;
    text +=
        fmt::format(",{},{},{},{},{},{},{},{},{},{},{}", r.handshakes, num(r.duration_s),
                    num(hs.mean), num(hs.median), num(hs.stddev), num(hs.ci95_lo), num(hs.ci95_hi),
                    num(r.us_per_handshake), num(r.cpu_us_per_handshake.client_us),
                    num(r.cpu_us_per_handshake.server_us), num(r.cpu_us_per_handshake.total_us));
    if (r.latency_us) {
      const LatencyUs& l = *r.latency_us;
      text += fmt::format(",{},{},{},{},{}", num(l.mean), num(l.p50), num(l.p90), num(l.p99),
                          num(l.max));
    } else {
      text += ",,,,,";
    }
    text += fmt::format(",{},{}", num(r.crypto_lower_bound_us), num(r.overhead_ratio));
    if (r.memory) {
      text += fmt::format(",{},{},{}", num(r.memory->bytes_allocated), num(r.memory->allocations),
                          r.memory->peak_live_bytes);
    } else {
      text += ",,,";
    }
    text += ",";  // an empty skip_reason
    // Network mode only: p99.9 where a run has the handshakes to tell it
    // (the JSON's latency_us.p999), and the connections that failed.
    if (r.network) {
      text +=
          fmt::format(",{},{}\n", r.latency_us ? num(r.latency_us->p999) : "", r.network->failed);
    } else {
      text += ",,\n";
    }
  }
  out << text;
}

}  // namespace hsbench
