// hsbench connect HOST:PORT: the load generator (hsbench/network.h), one
// result per scenario x backend x engine, in the benchmark's report.
//
// hsbench serve --listen ADDR:PORT: the engine or a library as the server,
// until --duration or SIGINT/SIGTERM, then the same report.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "cluster.h"
#include "commands.h"
#include "hsbench/engine.h"
#include "hsbench/network.h"
#include "hsbench/report.h"
#include "hsbench_git.h"
#include "net/address.h"
#include "net/measure.h"
#include "options.h"
#include "output.h"

namespace hsbench::cli {
namespace {

std::vector<EngineKind> parse_engines(const std::string& engine) {
  if (engine == "hsbench") return {EngineKind::hsbench};
  if (engine == "native") return {EngineKind::native};
  if (engine == "both") return {EngineKind::hsbench, EngineKind::native};
  throw BadInput{"--engine: expected hsbench, native or both, not '" + engine + "'"};
}

std::vector<const Scenario*> parse_scenarios(const std::string& list) {
  std::vector<const Scenario*> out;
  for (const std::string& id : split_list(list)) {
    const Scenario* s = find_scenario(id);
    if (s == nullptr)
      throw BadInput{"--scenario: unknown scenario '" + id + "' (hsbench list scenarios)"};
    out.push_back(s);
  }
  if (out.empty()) throw BadInput{"--scenario: no scenario given"};
  return out;
}

// "GET / ..." for --request http; otherwise the text, with \r and \n
// escapes read as the characters.
std::string parse_request(const std::string& text, const std::string& host) {
  if (text == "http") {
    return fmt::format("GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", host);
  }
  std::string out;
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      const char c = text[i + 1];
      if (c == 'r' || c == 'n' || c == '\\') {
        out += c == 'r' ? '\r' : c == 'n' ? '\n' : '\\';
        i++;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::vector<int> parse_pids(const std::string& list) {
  std::vector<int> out;
  for (const std::string& p : split_list(list)) {
    int pid = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), pid);
    if (ec != std::errc() || end != p.data() + p.size() || pid <= 0) {
      throw BadInput{"--server-pid: not a process id: '" + p + "'"};
    }
    out.push_back(pid);
  }
  return out;
}

void check_output(const std::string& json_path, const std::string& format_name, bool format_given,
                  Format* out_format) {
  const std::optional<Format> format = parse_format(format_name);
  if (!format) throw BadInput{"--format: unknown format '" + format_name + "'"};
  if (json_path == "-" && format_given && *format != Format::json) {
    throw BadInput{"--json - and --format " + format_name + " would both write to stdout"};
  }
  if (json_path != "-") {
    std::string error;
    if (!check_file_writable(json_path, &error)) throw BadInput{"--json: " + error};
  }
  *out_format = *format;
}

ReportContext base_context(int argc, char** argv) {
  ReportContext c;
  c.tool_version = HSBENCH_VERSION;
  c.git_commit = HSBENCH_GIT_COMMIT;
  c.compiler = HSBENCH_COMPILER;
  c.build_type = HSBENCH_BUILD_TYPE;
  std::vector<std::string> args;
  for (int i = 0; i < argc; i++) args.push_back(shell_quote(argv[i]));
  c.command_line = join(args, " ");
  c.date = utc_now_iso8601();
  c.host = current_host();
  return c;
}

void add_output_flags(CLI::App* cmd, NetOutputArgs* o) {
  cmd->add_option("--json", o->json_path, "JSON report file, '-' for stdout");
  cmd->add_option("--format", o->format, "stdout: table, json, csv, gbench, bmf, ...");
  cmd->add_flag("--quiet", o->quiet, "No progress or notes on stderr");
  cmd->add_flag("--no-timing", o->no_timing, "No per-step trace of each handshake");
}

// The report, or one line and exit 1 when not one handshake completed.
int finish(Report report, const NetOutputArgs& o, const std::string& what) {
  bool any = false;
  std::vector<std::string> failures;
  for (const Result& r : report.results) {
    if (r.skipped) {
      failures.push_back(
          fmt::format("{} on {} ({}): {}", r.scenario, r.backend, r.engine, r.skip_reason));
    } else if (r.handshakes > 0) {
      any = true;
    } else if (r.network) {
      failures.push_back(fmt::format("{} on {} ({}): {}", r.scenario, r.backend, r.engine,
                                     r.network->errors.empty()
                                         ? "no connection completed"
                                         : net::describe_errors(r.network->errors)));
    }
  }
  if (!any && !report.context.partial) {
    print_error(fmt::format("no handshake completed {}: {}", what, join(failures, "; ")));
    return kExitFailed;
  }
  const std::optional<Format> format = parse_format(o.format);
  ReportWriter writer({o.json_path, format.value_or(Format::table), o.quiet});
  writer.finalize(report);
  if (writer.exit_code() != 0) return writer.exit_code();
  if (!o.quiet) {
    for (const Result& r : report.results) {
      if (!r.network) continue;
      for (const std::string& w : r.network->warnings) {
        fmt::print(stderr, "hsbench: {} on {}: {}\n", r.scenario, r.backend, w);
      }
    }
  }
  if (report.context.partial) {
    fmt::print(stderr,
               "hsbench: interrupted: the repetitions complete were written, marked partial\n");
    return kExitInterrupted;
  }
  return 0;
}

// One latency per line, atomically; hsbench-mpi's ranks each to their own
// file.
void write_latencies(const std::string& path, const std::vector<uint64_t>& ns) {
  std::string text;
  text.reserve(ns.size() * 8);
  for (uint64_t v : ns) text += fmt::format("{}\n", v);
  const std::string file = cluster_size() > 1 ? fmt::format("{}.{}", path, cluster_rank()) : path;
  if (std::string error; !write_file_atomically(file, text, &error)) {
    print_error("--latency-log: " + error);
  }
}

}  // namespace

CLI::App* add_connect_command(CLI::App* app, ConnectArgs* a) {
  auto* cmd = app->add_subcommand("connect",
                                  "TLS load generator: handshakes against a server at HOST:PORT");
  cmd->add_option("target", a->target, "HOST:PORT or [IPV6]:PORT")->required();
  cmd->add_option("--backend", a->backends, "Backend(s), comma-separated");
  cmd->add_option("--engine", a->engine, "hsbench (the engine), native (the library's TLS), both");
  cmd->add_option("--scenario", a->scenarios, "What the client offers: scenario id(s)");
  cmd->add_option("--threads", a->threads, "Event-loop threads")->check(CLI::PositiveNumber);
  cmd->add_option("--connections", a->connections,
                  "Closed loop: connections in flight; open loop: the most in flight")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--rate", a->rate, "Open loop: new handshakes per second, over all threads")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--arrival", a->arrival, "Open loop: uniform or poisson")
      ->check(CLI::IsMember({"uniform", "poisson"}));
  cmd->add_option("--duration", a->duration_s, "Seconds per repetition")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", a->warmup_s, "Seconds before the first repetition")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--repetitions", a->repetitions, "Repetitions")->check(CLI::PositiveNumber);
  cmd->add_option("--timeout", a->timeout_s, "Seconds a connection may take, from its start")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--root", a->root,
                  "Trust anchors (PEM); default: the project PKI's root of the "
                  "scenario's certificate kind");
  cmd->add_option("--client-chain", a->client_chain,
                  "Mutual TLS: the chain the client presents (PEM, leaf first); default: the "
                  "project PKI's client chain of the scenario's certificate kind");
  cmd->add_option("--client-key", a->client_key, "Mutual TLS: the key of --client-chain's leaf");
  cmd->add_option("--pki-dir", a->pki_dir, "Directory of the default PKIs");
  cmd->add_option("--sni", a->sni,
                  "Server name sent and checked (default: HOST, or localhost "
                  "for an address)");
  cmd->add_flag("--no-verify-chain", a->no_verify_chain,
                "Engine: do not check the server's chain (its signature still is)");
  cmd->add_option("--request", a->request,
                  "Sent after each handshake ('http': a GET /; \\r \\n escapes); the first "
                  "response byte ends the connection");
  cmd->add_option("--close", a->close, "fin (close_notify and FIN) or rst (no TIME_WAIT)")
      ->check(CLI::IsMember({"fin", "rst"}));
  cmd->add_option("--source-addresses", a->source_addresses,
                  "Loopback targets: spread over 127.0.0.1..N (default 16; 0: one)")
      ->check(CLI::Range(0, 65536));
  cmd->add_option("--server-pid", a->server_pids, "Process(es) whose CPU per handshake to report");
  cmd->add_option("--latency-log", a->latency_log,
                  "Every measured handshake's latency (ns), one per line, to this file "
                  "(hsbench-mpi: one file per rank, PATH.RANK)");
  add_output_flags(cmd, &a->output);
  return cmd;
}

int run_connect_command(const ConnectArgs& a, int argc, char** argv, bool format_given) {
  Format format;
  check_output(a.output.json_path, a.output.format, format_given, &format);
  net::Address target;
  if (std::string error; !net::parse_address(a.target, &target, &error)) throw BadInput{error};
  const std::vector<EngineKind> engines = parse_engines(a.engine);
  const std::vector<const Scenario*> scenarios = parse_scenarios(a.scenarios);
  ConnectOptions co;
  co.target = a.target;
  co.threads = a.threads;
  co.connections = a.connections > 0 ? a.connections : (a.rate > 0 ? 1024 : 16);
  co.rate = a.rate;
  co.arrival = a.arrival == "poisson" ? ArrivalModel::poisson : ArrivalModel::uniform;
  co.warmup_s = a.warmup_s;
  co.duration_s = a.duration_s;
  co.repetitions = a.repetitions;
  co.timeout_s = a.timeout_s;
  co.verify_chain = !a.no_verify_chain;
  const std::string host = net::host_of(a.target);
  const bool numeric = host.find_first_not_of("0123456789.:") == std::string::npos;
  co.server_name = !a.sni.empty() ? a.sni : numeric ? std::string(kServerName) : host;
  co.request = a.request.empty() ? "" : parse_request(a.request, co.server_name);
  co.close = a.close == "rst" ? NetCloseMode::rst : NetCloseMode::fin;
  co.source_addresses = a.source_addresses >= 0                           ? a.source_addresses
                        : target.loopback() && target.family() == AF_INET ? 16
                                                                          : 0;
  if (co.source_addresses > 0 && !(target.loopback() && target.family() == AF_INET)) {
    throw BadInput{"--source-addresses: only for an IPv4 loopback target (127.0.0.0/8)"};
  }
  co.server_pids = parse_pids(a.server_pids);
  co.timing = !a.output.no_timing;
  const auto backends = load_backends(a.backends, a.output.quiet);

  // Trust: --root, or each scenario's certificate kind from the project PKI.
  std::vector<Bytes> roots;
  if (!a.root.empty()) {
    if (std::string error; !read_certificates(a.root, &roots, &error)) {
      throw BadInput{"--root: " + error};
    }
  }
  const std::string pki_dir = a.pki_dir.empty() ? default_pki_dir() : a.pki_dir;
  // Mutual TLS: --client-chain and --client-key, both or neither.
  if (a.client_chain.empty() != a.client_key.empty()) {
    throw BadInput{"--client-chain and --client-key go together"};
  }
  Pki client;
  if (!a.client_chain.empty()) {
    if (std::none_of(scenarios.begin(), scenarios.end(),
                     [](const Scenario* s) { return !s->client_cert.empty(); })) {
      throw BadInput{"--client-chain: no scenario given is mutual TLS (the -mtls ones)"};
    }
    std::string error;
    if (!read_certificates(a.client_chain, &client.client_chain, &error)) {
      throw BadInput{"--client-chain: " + error};
    }
    if (!read_private_key(a.client_key, &client.client_key, &error)) {
      throw BadInput{"--client-key: " + error};
    }
  }

  Report report;
  report.context = base_context(argc, argv);
  for (const auto& lb : backends) {
    report.context.backends.push_back(
        {std::string(lb->backend().name()), std::string(lb->backend().version())});
  }
  RunSettings& s = report.context.settings;
  s.warmup_s = co.warmup_s;
  s.duration_s = co.duration_s;
  s.repetitions = co.repetitions;
  s.threads = {co.threads};
  s.timing = co.timing;

  co.keep_latencies = !a.latency_log.empty();
  if (cluster_size() > 1 && cluster_rank() == 0 && !a.output.quiet) {
    fmt::print(stderr, "hsbench-mpi: {} ranks, one result: {}\n", cluster_size(),
               co.rate > 0 ? fmt::format("--rate {:g} in all, {:g} per rank", co.rate,
                                         co.rate / cluster_size())
                           : fmt::format("--connections {} per rank, {} in all", co.connections,
                                         co.connections * cluster_size()));
  }

  install_stop_handlers();
  // Ranks stop together, or the next run's collectives would wait for
  // one that stopped.
  auto stopping = [] { return cluster_any(stop_requested()); };
  std::vector<std::string> failures;  // rank 0: ranks that failed
  ProgressReporter progress(cluster_rank() == 0 && !a.output.quiet && isatty(STDERR_FILENO));
  for (const Scenario* scenario : scenarios) {
    Pki trust;
    if (!roots.empty()) {
      trust.name = "custom";
      trust.roots = roots;
    } else {
      std::string error;
      auto pki = read_pki(scenario->cert, default_pki_files(pki_dir, scenario->cert), &error);
      if (pki == nullptr) throw BadInput{error};
      trust = std::move(*pki);
    }
    if (!scenario->client_cert.empty()) {
      // What the client presents: --client-chain, or the project PKI's own
      // client chain, checked here against its client root.
      if (client.has_client()) {
        trust.client_chain = client.client_chain;
        trust.client_key = client.client_key;
        trust.client_roots.clear();
      } else if (!trust.has_client()) {
        std::string error;
        auto pki = read_pki(scenario->cert, default_pki_files(pki_dir, scenario->cert), &error);
        if (pki == nullptr) throw BadInput{error};
        if (!pki->has_client()) {
          throw BadInput{"--scenario: " + scenario->id + " is mutual TLS and " + pki_dir + "/" +
                         scenario->cert + " has no client chain: give --client-chain"};
        }
        trust.client_chain = std::move(pki->client_chain);
        trust.client_key = std::move(pki->client_key);
        trust.client_roots = std::move(pki->client_roots);
      }
    }
    for (const auto& lb : backends) {
      for (EngineKind engine : engines) {
        if (stopping()) break;
        co.engine = engine;
        const std::string label = fmt::format("{} on {} ({}) against {}", scenario->id,
                                              lb->backend().name(), name(engine), a.target);
        std::vector<uint64_t> latencies;
        Result r = cluster_connect(
            *scenario, lb->backend(), trust, co,
            [&](int rep, int reps) {
              progress.report_progress(fmt::format("{}: repetition {}/{}", label, rep, reps));
            },
            &latencies, &failures);
        if (!a.latency_log.empty() && !r.skipped) write_latencies(a.latency_log, latencies);
        if (stopping() && r.skipped) break;
        report.results.push_back(std::move(r));
      }
    }
  }
  progress.finalize(report);
  report.context.partial = stopping();
  if (!failures.empty()) {
    // Nothing written: a run with a failed rank is not a result.
    for (const std::string& f : failures) fmt::print(stderr, "hsbench: {}\n", f);
    return cluster_exit_code(kExitFailed);
  }
  if (cluster_rank() != 0) return cluster_exit_code(0);
  return cluster_exit_code(finish(std::move(report), a.output, "against " + a.target));
}

CLI::App* add_serve_command(CLI::App* app, ServeArgs* a) {
  auto* cmd = app->add_subcommand("serve", "TLS server under external load, per-step timed");
  cmd->add_option("--listen", a->listen, "ADDR:PORT (port 0: any free one, printed)")->required();
  cmd->add_option("--backend", a->backend, "Backend");
  cmd->add_option("--engine", a->engine, "hsbench (the engine) or native (the library's TLS)")
      ->check(CLI::IsMember({"hsbench", "native"}));
  cmd->add_option("--scenario", a->scenario, "What the server accepts, and its certificate");
  cmd->add_option("--threads", a->threads, "Threads, one listening socket each")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--duration", a->duration_s, "Seconds to serve (default: until SIGINT/SIGTERM)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--timeout", a->timeout_s, "Seconds a connection may stay")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--response", a->response, "Sent when a request arrives (\\r \\n escapes)");
  cmd->add_option("--pki-dir", a->pki_dir, "Directory of the default PKIs");
  cmd->add_option("--client-root", a->client_root,
                  "Mutual TLS: the roots clients' chains must verify against (PEM); default: "
                  "the project PKI's client root of the scenario's certificate kind");
  add_output_flags(cmd, &a->output);
  return cmd;
}

int run_serve_command(const ServeArgs& a, int argc, char** argv, bool format_given) {
  Format format;
  check_output(a.output.json_path, a.output.format, format_given, &format);
  net::Address address;
  if (std::string error; !net::parse_address(a.listen, &address, &error, true)) {
    throw BadInput{"--listen: " + error};
  }
  const std::vector<const Scenario*> scenarios = parse_scenarios(a.scenario);
  if (scenarios.size() != 1) throw BadInput{"--scenario: serve takes one scenario"};
  const Scenario& scenario = *scenarios.front();
  const auto backends = load_backends(a.backend, a.output.quiet);
  if (backends.size() != 1) throw BadInput{"--backend: serve takes one backend"};
  Backend& backend = backends.front()->backend();
  const std::string pki_dir = a.pki_dir.empty() ? default_pki_dir() : a.pki_dir;
  std::string error;
  auto pki = read_pki(scenario.cert, default_pki_files(pki_dir, scenario.cert), &error);
  if (pki == nullptr) throw BadInput{error};
  if (!a.client_root.empty()) {
    if (scenario.client_cert.empty()) {
      throw BadInput{"--client-root: " + scenario.id + " is not mutual TLS"};
    }
    pki->client_roots.clear();
    if (!read_certificates(a.client_root, &pki->client_roots, &error)) {
      throw BadInput{"--client-root: " + error};
    }
  } else if (!scenario.client_cert.empty() && pki->client_roots.empty()) {
    throw BadInput{"--scenario: " + scenario.id + " is mutual TLS and " + pki_dir + "/" +
                   scenario.cert + " has no client root: give --client-root"};
  }

  ServeOptions so;
  so.listen = a.listen;
  so.engine = a.engine == "native" ? EngineKind::native : EngineKind::hsbench;
  so.threads = a.threads;
  so.duration_s = a.duration_s;
  so.timeout_s = a.timeout_s;
  so.response = parse_request(a.response, "");
  so.timing = !a.output.no_timing;
  const bool quiet = a.output.quiet;
  so.on_listening = [quiet](const std::string& where) {
    // On stderr, flushed: scripts wait for this line to know the port.
    if (!quiet) fmt::print(stderr, "hsbench: listening on {}\n", where);
    std::fflush(stderr);
  };

  Report report;
  report.context = base_context(argc, argv);
  report.context.backends.push_back({std::string(backend.name()), std::string(backend.version())});
  report.context.settings.duration_s = a.duration_s;
  report.context.settings.threads = {a.threads};
  report.context.settings.timing = so.timing;
  install_stop_handlers();
  Result r = run_serve(scenario, backend, *pki, so);
  if (r.skipped) {
    print_error(r.skip_reason);
    return kExitBadInput;
  }
  if (r.handshakes == 0) {
    print_error(fmt::format("served no handshake on {}{}", a.listen,
                            r.network && !r.network->errors.empty()
                                ? ": " + net::describe_errors(r.network->errors)
                                : ""));
    return kExitFailed;
  }
  report.results.push_back(std::move(r));
  // Stopping is how a serve ends: the report is whole, not partial.
  return finish(std::move(report), a.output, "on " + a.listen);
}

}  // namespace hsbench::cli
