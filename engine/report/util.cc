#include "report/util.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace hsbench {
namespace {

// What a native step's time is (the runner's native pairs, run/native_pair.cc,
// make the steps this describes).
constexpr char kNativeStepBoundaries[] =
    "native steps: inside each call into the library (SSL_do_handshake, SSL_write, SSL_read), "
    "the boundaries are the call's entry, each message callback (SSL_CTX_set_msg_callback) and "
    "the call's return. A written message's callback comes once it is built and closes its "
    "step; a read message's callback comes before it is processed and opens its step (which "
    "runs to the next boundary); the returns of SSL_write and SSL_read close the application "
    "data steps. Time from a read callback to a write callback holds the end of the read "
    "message's processing and the building of the written one with no boundary between: it "
    "goes to the written message and both steps are marked \"boundary\": \"approximate\" (and so "
    "is a read that directly follows such a write). No "
    "crypto operation is visible inside a library: crypto is [] for native steps.";

}  // namespace

std::vector<std::string> report_notes() {
  return {
      "Each thread owns its own client/server pair; handshakes_per_sec is summed over threads, "
      "one value per repetition.",
      "us_per_handshake is the wall time of one handshake on one thread: threads * 1e6 / mean "
      "handshakes_per_sec.",
      "cpu_us_per_handshake: the thread CPU clock (CLOCK_THREAD_CPUTIME_ID), read around each "
      "repetition only; client and server run on the same thread, so the total is split between "
      "them in proportion to each side's summed step wall time (null without timing).",
      "latency_us and steps come from the handshake traces (steady_clock around each step and "
      "crypto call); without timing there are none.",
      "crypto_lower_bound_us sums, over the crypto operations of one handshake, each "
      "operation's thread CPU time measured alone on the same backend in the same process (the "
      "bench/micro primitives). It is measured in 7 rounds, each one batch of whole untraced "
      "handshakes (handshake_best_us), one of the handshake's primitives back to back in its "
      "order (crypto_in_order_us) and one of each primitive alone, every figure its fastest "
      "batch; overhead_ratio = handshake_best_us / crypto_lower_bound_us. Side by side, the "
      "ratio holds while the machine's speed drifts.",
      "Above crypto_lower_bound_us, crypto_in_order_us is what the crypto loses outside a hot "
      "loop (caches, branch predictors); above that, handshake_best_us adds the engine's own "
      "cost.",
      "engine \"native\": the backend's own TLS stack (its libssl), one SSL_CTX per side and "
      "thread reused across handshakes, a new SSL per connection, in memory; resumption through "
      "the library's own tickets. Its crypto_lower_bound_us is the engine result's for the same "
      "scenario and backend (the same crypto), measured in the same rounds, with its own "
      "handshake_best_us, when the engine ran too; its crypto_ops are empty.",
      kNativeStepBoundaries,
      "memory: the heap one handshake uses, client and server together, counted by the hsbench "
      "executable's malloc interposer (every malloc/calloc/realloc/aligned allocation and free "
      "of the process, so the engine, the C++ runtime and the libraries alike) over a few "
      "untimed handshakes after the measurement: bytes asked for and calls, per handshake, and "
      "peak_live_bytes, the most the live heap (malloc_usable_size) rose above its level at a "
      "handshake's start. What contexts and keys hold from setup is not per handshake and not "
      "counted; the engine reuses its connection objects and their buffers across handshakes, "
      "while a library makes and frees a connection (SSL) per handshake. Null in sanitizer "
      "builds and outside the hsbench executable.",
  };
}

UserStepTimes user_step_times(const Result& r) {
  UserStepTimes t;
  for (const StepResult& s : r.steps) {
    const size_t i =
        s.user_step >= 1 && s.user_step <= kUserSteps ? static_cast<size_t>(s.user_step) : 0;
    (s.side == Side::client ? t.client_us : t.server_us)[i] += s.mean_us;
  }
  return t;
}

std::string result_label(const Result& r, bool with_threads) {
  std::string label = r.backend;
  if (r.engine != "hsbench") label += "/" + r.engine;
  if (with_threads) label += fmt::format("/{}t", r.threads);
  return label;
}

bool read_text_file(const std::string& path, std::string* out_text, std::string* out_error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *out_error = fmt::format("{}: cannot read: {}", path, std::strerror(errno));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    *out_error = fmt::format("{}: cannot read", path);
    return false;
  }
  *out_text = std::move(text).str();
  return true;
}

}  // namespace hsbench
