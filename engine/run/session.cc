#include "hsbench/session.h"

#include <fmt/format.h>

#include <optional>

#include "run/lower_bound.h"
#include "run/wire.h"

namespace hsbench {

void SessionReporter::report_context(const ReportContext&) {}
void SessionReporter::report_progress(std::string_view) {}
void SessionReporter::report_result(const Result&) {}
void SessionReporter::finalize(const Report&) {}

bool read_scenario_pkis(std::span<const Scenario* const> scenarios, const std::string& dir,
                        PkiByKind* out, std::string* out_error) {
  for (const Scenario* s : scenarios) {
    if (out->count(s->cert)) continue;
    auto pki = read_pki(s->cert, default_pki_files(dir, s->cert), out_error);
    if (pki == nullptr) return false;
    (*out)[s->cert] = std::move(pki);
  }
  return true;
}

namespace {

std::string_view plural(int n) { return n == 1 ? "" : "s"; }

ReportContext session_context(const SessionSelection& selection, const SessionOptions& options) {
  ReportContext c = options.context;
  c.date = utc_now_iso8601();
  c.host = current_host();
  c.backends.clear();
  for (Backend* b : selection.backends) {
    c.backends.push_back({std::string(b->name()), std::string(b->version())});
  }
  const RunOptions& ro = options.run;
  c.settings.warmup_s = ro.warmup_s;
  c.settings.duration_s = ro.handshakes > 0 ? 0 : ro.duration_s;
  c.settings.handshakes = ro.handshakes;
  c.settings.repetitions = ro.repetitions;
  c.settings.threads = selection.threads;
  c.settings.timing = ro.timing;
  c.partial = false;
  return c;
}

}  // namespace

Report run_session(const SessionSelection& selection, const PkiByKind& pkis,
                   const SessionOptions& options, std::span<SessionReporter* const> reporters) {
  Report report;
  report.context = session_context(selection, options);
  for (SessionReporter* r : reporters) r->report_context(report.context);
  auto progress = [&](const std::string& what) {
    for (SessionReporter* r : reporters) r->report_progress(what);
  };

  LowerBoundEstimator lower_bound;
  const size_t total = selection.scenarios.size() * selection.backends.size() *
                       selection.threads.size() * selection.engines.size();
  size_t done = 0;
  for (const Scenario* s : selection.scenarios) {
    const Pki& pki = *pkis.at(s->cert);
    for (Backend* backend : selection.backends) {
      Backend& b = *backend;
      if (options.before_runs) options.before_runs(*s, b, pki);
      for (int t : selection.threads) {
        // This (scenario, backend, threads)'s results, by engine: the lower
        // bound times their handshakes side by side, so they are reported
        // once it is done.
        const size_t first = report.results.size();
        std::optional<size_t> engine_result, native_result;
        for (EngineKind engine : selection.engines) {
          RunOptions ro = options.run;
          ro.engine = engine;
          ro.threads = t;
          const std::string what =
              fmt::format("[{}/{}] {} on {}{}, {} thread{}", done + 1, total, s->id, b.name(),
                          engine == EngineKind::native ? " (native)" : "", t, plural(t));
          Result r = run_scenario(*s, b, pki, ro, [&](int rep, int reps) {
            progress(rep == 0 ? what + ": warm-up"
                              : fmt::format("{}: repetition {}/{}", what, rep, reps));
          });
          // Interrupted: keep only what completed; no lower bound (it takes
          // seconds).
          if (stop_requested() && r.skipped) break;
          report.results.push_back(std::move(r));
          if (!report.results.back().skipped) {
            (engine == EngineKind::hsbench ? engine_result : native_result) =
                report.results.size() - 1;
          }
          done++;
          if (stop_requested()) break;
        }
        if (!stop_requested() && options.lower_bound) {
          progress(fmt::format("{} on {}, {} thread{}: crypto lower bound", s->id, b.name(), t,
                               plural(t)));
          apply_lower_bound(&lower_bound, *s, b, pki,
                            engine_result ? &report.results[*engine_result] : nullptr,
                            native_result ? &report.results[*native_result] : nullptr);
        }
        for (size_t i = first; i < report.results.size(); i++) {
          Result& r = report.results[i];
          if (options.rtt_ms > 0 && r.wire && !r.skipped) {
            model_rtt(&*r.wire, r.cpu_us_per_handshake.total_us, options.rtt_ms);
          }
          for (SessionReporter* rep : reporters) rep->report_result(r);
        }
        if (stop_requested()) break;
      }
      if (stop_requested()) break;
    }
    if (stop_requested()) break;
  }
  report.context.partial = stop_requested();
  for (SessionReporter* r : reporters) r->finalize(report);
  return report;
}

}  // namespace hsbench
