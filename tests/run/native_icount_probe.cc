// What native_plain_loop_test counts, under valgrind --tool=callgrind
// --instr-atstart=no: the plain loop of SSL_do_handshake pairs
// (bench/transparency/plain_loop.h) and hsbench's runner in native mode, on
// tls12-ecdhe-x25519-ecdsa-p256, in this one process, with callgrind's
// counters dumped after each counted region, labelled
//   "transparency plain N"   N handshakes of the plain loop
//   "transparency runner N"  one run_scenario of N measured handshakes
// The runner is counted twice (N and 2N measured handshakes, each call with
// the same fixed set-up around them), so that the difference of the two is
// the cost of N handshakes alone. Usage:
//   native_icount_probe [--system-random] N
// --system-random leaves OpenSSL's own random source in place (for seeing
// what fixing it buys). Exit 0 when every handshake completed; a bad argument
// or a failure is one line on stderr and exit 2 or 1.
//
// This binary links OpenSSL, so it loads only the openssl plugin: a libssl
// in the global scope would capture the BoringSSL plugin's calls.
#include <link.h>
#include <openssl/rand.h>
#include <valgrind/callgrind.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "hsbench/loader.h"
#include "hsbench/pki.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"
#include "plain_loop.h"

namespace hsbench {
namespace {

// libssl's randomness (client and server randoms, ephemeral x25519 keys,
// ECDSA nonces) from a fixed stream instead of the system's DRBG, so that
// every run makes the same handshakes. OpenSSL 3.0 still honours a
// RAND_METHOD set with RAND_set_rand_method (deprecated in 3.0): RAND_bytes_ex
// and RAND_priv_bytes_ex, which its providers and libssl call, take it
// before their DRBGs.
struct FixedRandom {
  uint64_t state = 0;
  uint64_t bytes_drawn = 0;

  // SplitMix64: not for secrets, only a reproducible stream.
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
};
FixedRandom g_random;

int fixed_bytes(unsigned char* out, int num) {
  for (int i = 0; i < num; i += 8) {
    const uint64_t v = g_random.next();
    const int take = num - i < 8 ? num - i : 8;
    std::memcpy(out + i, &v, static_cast<size_t>(take));
  }
  g_random.bytes_drawn += static_cast<uint64_t>(num);
  return 1;
}
int fixed_seed(const void*, int) { return 1; }
int fixed_add(const void*, int, double) { return 1; }
int fixed_status() { return 1; }

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
const RAND_METHOD kFixedRandom = {fixed_seed, fixed_bytes, nullptr,
                                  fixed_add,  fixed_bytes, fixed_status};
bool use_fixed_random() { return RAND_set_rand_method(&kFixedRandom) == 1; }
#pragma GCC diagnostic pop

// The same stream from the start of each counted region, whatever came
// before it.
void reseed() { g_random.state = 0x7472616e73706172u; }  // "transpar"

// The number of libcrypto images mapped into this process: the plugin's and
// this binary's must be one and the same, or the fixed random source (and the
// comparison) would not reach the plugin's handshakes.
int libcrypto_images() {
  int count = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        const std::string_view path = info->dlpi_name != nullptr ? info->dlpi_name : "";
        const size_t slash = path.rfind('/');
        const std::string_view file =
            slash == std::string_view::npos ? path : path.substr(slash + 1);
        if (file.starts_with("libcrypto.so")) ++*static_cast<int*>(data);
        return 0;
      },
      &count);
  return count;
}

int fail(const std::string& line) {
  std::fprintf(stderr, "native_icount_probe: %s\n", line.c_str());
  return 1;
}

// As hsbench runs it by default (timing on), but for a fixed number of
// handshakes, one repetition and the shortest warm-up (one handshake), so
// that each call does the same work around its measured handshakes.
RunOptions runner_options(uint64_t handshakes) {
  RunOptions o;
  o.engine = EngineKind::native;
  o.warmup_s = 0;
  o.handshakes = handshakes;
  o.repetitions = 1;
  return o;
}

int probe(uint64_t n, bool fixed) {
  if (fixed && !use_fixed_random()) return fail("RAND_set_rand_method failed");
  std::string error;
  auto backend = load_backend("openssl", &error);
  if (backend == nullptr) return fail(error);
  const int images = libcrypto_images();
  if (images != 1) return fail(std::to_string(images) + " libcrypto images in the process, not 1");
  const Scenario* s = find_scenario(transparency::kScenario);
  if (s == nullptr) return fail(std::string("no scenario ") + transparency::kScenario);
  auto pki = read_pki(s->cert, default_pki_files(default_pki_dir(), s->cert), &error);
  if (pki == nullptr) return fail("cannot read the " + s->cert + " PKI: " + error);

  // Uncounted first: whatever a library does once per process (lazy
  // initialisation, caches filled) is done before anything is counted.
  transparency::PlainPair plain(*pki);
  if (!plain.handshake() || !plain.handshake()) {
    return fail(std::string("plain loop handshake failed: ") + transparency::last_openssl_error());
  }
  const uint64_t drawn = g_random.bytes_drawn;
  Result warm = run_scenario(*s, backend->backend(), *pki, runner_options(n));
  if (warm.skipped) return fail("native run skipped: " + warm.skip_reason);
  if (fixed && g_random.bytes_drawn == drawn) {
    return fail("the plugin's handshakes drew nothing from the fixed random source");
  }

  const std::string plain_label = "transparency plain " + std::to_string(n);
  CALLGRIND_START_INSTRUMENTATION;
  reseed();
  CALLGRIND_ZERO_STATS;
  for (uint64_t i = 0; i < n; i++) {
    if (!plain.handshake()) {
      return fail(std::string("plain loop handshake failed: ") +
                  transparency::last_openssl_error());
    }
  }
  CALLGRIND_DUMP_STATS_AT(plain_label.c_str());

  for (uint64_t count : {n, 2 * n}) {
    const std::string label = "transparency runner " + std::to_string(count);
    reseed();
    CALLGRIND_ZERO_STATS;
    Result r = run_scenario(*s, backend->backend(), *pki, runner_options(count));
    CALLGRIND_DUMP_STATS_AT(label.c_str());
    if (r.skipped) return fail("native run skipped: " + r.skip_reason);
    if (r.handshakes != count) {
      return fail("native run made " + std::to_string(r.handshakes) + " handshakes, not " +
                  std::to_string(count));
    }
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  std::printf("counted %llu plain handshakes, then native runs of %llu and %llu (%s random)\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(2 * n), fixed ? "fixed" : "system");
  return 0;
}

}  // namespace
}  // namespace hsbench

int main(int argc, char** argv) {
  bool fixed = true;
  int i = 1;
  if (i < argc && std::string_view(argv[i]) == "--system-random") {
    fixed = false;
    i++;
  }
  char* end = nullptr;
  const unsigned long long n = i + 1 == argc ? std::strtoull(argv[i], &end, 10) : 0;
  if (i + 1 != argc || end == argv[i] || *end != '\0' || n == 0 || n > 100000) {
    std::fprintf(stderr, "usage: native_icount_probe [--system-random] HANDSHAKES (1 to 100000)\n");
    return 2;
  }
  return hsbench::probe(n, fixed);
}
