#include "net/measure.h"

#include <dirent.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "drive/configs.h"

namespace hsbench::net {

uint64_t ErrorCounts::total() const {
  uint64_t n = 0;
  for (const auto& [key, count] : counts_) n += count;
  return n;
}

std::vector<NetworkError> ErrorCounts::list() const {
  std::vector<NetworkError> out;
  for (const auto& [key, n] : counts_) out.push_back({key.first, key.second, n});
  std::stable_sort(out.begin(), out.end(),
                   [](const NetworkError& a, const NetworkError& b) { return a.count > b.count; });
  return out;
}

void ErrorCounts::encode(WordWriter* out) const {
  out->u64(counts_.size());
  for (const auto& [key, n] : counts_) {
    out->str(key.first);
    out->str(key.second);
    out->u64(n);
  }
}

bool ErrorCounts::decode(WordReader* in) {
  const uint64_t n = in->u64();
  for (uint64_t i = 0; i < n && in->ok(); i++) {
    std::string kind = in->str();
    std::string detail = in->str();
    const uint64_t count = in->u64();
    if (in->ok()) counts_[{std::move(kind), std::move(detail)}] += count;
  }
  return in->ok();
}

void merge_negotiated(std::optional<Negotiated>* into, const Negotiated& n, bool resumed) {
  std::optional<Negotiated>& mine = *into;
  // A resumed handshake shows no chain: the first full one speaks for the
  // server.
  if (!mine || (mine->chain_certificates == 0 && !resumed && n.chain_certificates > 0)) {
    const bool varied = (mine && mine->varied) || n.varied;
    mine = n;
    mine->varied = varied;
  } else if (mine->version != n.version || mine->cipher != n.cipher || n.varied ||
             (!resumed && !n.group.empty() && !mine->group.empty() && mine->group != n.group)) {
    mine->varied = true;
  }
}

std::string describe_errors(const std::vector<NetworkError>& errors) {
  std::string out;
  for (const NetworkError& e : errors) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", e.count, e.kind);
    if (!e.detail.empty()) out += fmt::format(" ({})", e.detail);
  }
  return out;
}

uint64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "unknown";
  return name;
}

uint64_t process_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

namespace {

// The first field of schedstat: time spent on the CPU, in ns.
bool schedstat_ns(const std::string& path, uint64_t* out_ns) {
  std::ifstream in(path);
  unsigned long long ns = 0;
  if (!(in >> ns)) return false;
  *out_ns = ns;
  return true;
}

// utime + stime of /proc/PID/stat, in clock ticks, as ns.
bool stat_ns(int pid, uint64_t* out_ns) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string line;
  if (!std::getline(in, line)) return false;
  // The command name is in parentheses and may hold spaces: fields count
  // from after its closing one.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  unsigned long long utime = 0, stime = 0;
  // After ')': state (3), then fields 4..13, utime (14), stime (15).
  if (std::sscanf(line.c_str() + close + 1,
                  " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) {
    return false;
  }
  const long hz = sysconf(_SC_CLK_TCK);
  *out_ns = (utime + stime) * (1'000'000'000ull / static_cast<unsigned long long>(hz));
  return true;
}

}  // namespace

bool other_process_cpu_ns(int pid, uint64_t* out_ns) {
  const std::string tasks = fmt::format("/proc/{}/task", pid);
  DIR* d = opendir(tasks.c_str());
  if (d == nullptr) return false;
  uint64_t sum = 0;
  bool any = false;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    uint64_t ns = 0;
    if (schedstat_ns(tasks + "/" + e->d_name + "/schedstat", &ns)) {
      sum += ns;
      any = true;
    }
  }
  closedir(d);
  if (any) {
    *out_ns = sum;
    return true;
  }
  return stat_ns(pid, out_ns);
}

std::optional<Failure> unsupported_over_tcp(const Scenario& scenario, const Backend& backend,
                                            EngineKind engine, std::string_view peer) {
  const std::string name(backend.name());
  if (engine == EngineKind::hsbench) {
    if (auto missing = engine_missing_algorithm(scenario, backend)) {
      return Failure{FailureKind::unsupported, std::move(*missing)};
    }
  } else if (!backend.native_tls()) {
    return Failure{FailureKind::unsupported, name + " has no TLS stack of its own"};
  }
  if (!backend.real_crypto()) {
    return Failure{FailureKind::unsupported,
                   fmt::format("{} has no real cryptography: no real {} can complete a handshake "
                               "with it",
                               name, peer)};
  }
  return std::nullopt;
}

std::string errno_name(int e) {
  const char* n = strerrorname_np(e);
  return n != nullptr ? n : std::to_string(e);
}

std::string key_name(KeyInfo key) {
  // As the PKI kinds are named: rsa2048, ecdsa-p256, ed25519.
  if (key.type == KeyType::rsa) return fmt::format("rsa{}", key.bits);
  return std::string(name(key.type));
}

}  // namespace hsbench::net
