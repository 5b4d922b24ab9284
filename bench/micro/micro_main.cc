// hsbench-micro: every crypto primitive of a handshake, on every backend
// that loads, as Google Benchmark benchmarks named BACKEND/PRIMITIVE[/PKI]
// ("openssl/sign:ecdsa_secp256r1_sha256/ecdsa-p256"). The definitions are
// those hsbench times for its crypto lower bound (engine/run/primitives.h).
//
// Google Benchmark's own flags apply (--benchmark_filter,
// --benchmark_format=json, --benchmark_out, --benchmark_repetitions, ...);
// two more choose what is registered:
//   --hsbench_backend=NAME[,NAME...]   default: every backend built
//   --hsbench_pki=KIND[,KIND...]       default: every default PKI kind
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "hsbench/engine.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/registry.h"
#include "run/primitives.h"

namespace hsbench::micro {
namespace {

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const size_t comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Takes --NAME=VALUE out of argv; returns whether it was there.
bool take_flag(int* argc, char** argv, std::string_view flag, std::string* out) {
  const std::string prefix = "--" + std::string(flag) + "=";
  bool found = false;
  int w = 1;
  for (int r = 1; r < *argc; r++) {
    if (std::strncmp(argv[r], prefix.c_str(), prefix.size()) == 0) {
      *out = argv[r] + prefix.size();
      found = true;
    } else {
      argv[w++] = argv[r];
    }
  }
  *argc = w;
  return found;
}

// Everything a registered benchmark refers to lives as long as the process.
struct Loaded {
  std::vector<std::unique_ptr<LoadedBackend>> backends;
  std::vector<std::unique_ptr<Pki>> pkis;
  std::vector<std::unique_ptr<Credentials>> credentials;
};

void register_primitive(const std::string& bench_name, CryptoOp op, PrimitiveInputs inputs) {
  benchmark::RegisterBenchmark(bench_name.c_str(), [op, inputs](benchmark::State& state) {
    std::string error;
    PrimitiveBody body = make_primitive(op, typical_size(op), inputs, &error);
    if (!body) {
      state.SkipWithError(error.c_str());
      return;
    }
    for (auto _ : state) {
      if (!body()) {
        state.SkipWithError("the operation failed");
        break;
      }
    }
  });
}

int main_impl(int argc, char** argv) {
  // By default every plugin found, in the registry's order.
  std::string backend_list;
  std::string pki_list;
  if (!take_flag(&argc, argv, "hsbench_backend", &backend_list)) {
    for (const std::string& name : BackendRegistry::discover().names()) {
      backend_list += (backend_list.empty() ? "" : ",") + name;
    }
  }
  const bool pki_given = take_flag(&argc, argv, "hsbench_pki", &pki_list);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::vector<std::string> kinds = pki_given ? split(pki_list) : default_pki_kinds();
  Loaded loaded;
  for (const std::string& kind : kinds) {
    std::string error;
    auto pki = read_pki(kind, default_pki_files(default_pki_dir(), kind), &error);
    if (pki == nullptr) {
      fmt::print(stderr, "hsbench-micro: {}\n", error);
      return 2;
    }
    loaded.pkis.push_back(std::move(pki));
  }
  for (const std::string& name : split(backend_list)) {
    std::string error;
    auto lb = load_backend(name, &error);
    if (lb == nullptr) {
      fmt::print(stderr, "hsbench-micro: {} (skipped)\n", error);
      continue;
    }
    Backend& b = lb->backend();
    for (CryptoOp op : generic_primitives(b)) {
      register_primitive(fmt::format("{}/{}", b.name(), primitive_name(op)), op, {&b});
    }
    for (const auto& pki : loaded.pkis) {
      auto creds = prepare_credentials(b, *pki, kServerName, &error);
      if (creds == nullptr) {
        fmt::print(stderr, "hsbench-micro: {} on {}: {} (skipped)\n", pki->name, b.name(), error);
        continue;
      }
      for (CryptoOp op : pki_primitives(b, *creds)) {
        register_primitive(fmt::format("{}/{}/{}", b.name(), primitive_name(op), pki->name), op,
                           {&b, pki.get(), creds.get()});
      }
      loaded.credentials.push_back(std::move(creds));
    }
    loaded.backends.push_back(std::move(lb));
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace hsbench::micro

int main(int argc, char** argv) { return hsbench::micro::main_impl(argc, argv); }
