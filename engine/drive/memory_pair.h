// The engine's client and server of one configuration, over an in-memory
// link, made once and reused for every handshake (as a server keeps its key
// and a client its trust store): what the benchmark measures, what captures
// record and what the forward-secrecy demo attacks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "drive/pair.h"
#include "drive/transport.h"
#include "tls/client.h"
#include "tls/crypto.h"
#include "tls/server.h"

namespace hsbench::drive {

struct PairOptions {
  // Sees every flight (captures; never while measuring).
  tls::FlightObserver* observer = nullptr;
  // The client's secrets, as Config::key_log.
  std::function<void(std::string_view label, ByteView client_random, ByteView secret)> key_log;
  // What each side sends in the default exchange, in place of its
  // Config's; must outlive the pair.
  ByteView client_data;
  ByteView server_data;
};

class MemoryPair {
 public:
  // The configs' trust store and credentials must outlive the pair. The
  // server's ticket key is drawn from its backend. nullptr and one line in
  // out_error on failure.
  static std::unique_ptr<MemoryPair> make(Backend& client_backend, Backend& server_backend,
                                          tls::Config client_config, tls::Config server_config,
                                          const PairOptions& options, std::string* out_error);
  MemoryPair(const MemoryPair&) = delete;
  MemoryPair& operator=(const MemoryPair&) = delete;

  // Resets both sides and runs a handshake and the default exchange; with a
  // trace, records its steps.
  tls::HandshakeOutcome run(HandshakeTrace* trace);
  // The client resumes from here on with the newest ticket it got; false if
  // it got none.
  bool resume_from_newest_ticket();
  // For resumption: one full handshake, untimed, then resume from its
  // ticket. False and one line in out_error on failure.
  bool prime_ticket(std::string* out_error);
  // Both sides resumed in the last run.
  bool resumed() const { return client_.resumed() && server_.resumed(); }

  // From now on, both sides draw their random values and ephemeral keys
  // from one generator seeded with seed, so that the same build makes the
  // same handshakes (instruction counts; the backends' own internal
  // randomness, as in RSA blinding and ECDSA nonces, is untouched).
  void make_deterministic(uint64_t seed);
  void set_observer(tls::FlightObserver* observer) { link_.set_observer(observer); }

  tls::Client& client() { return client_; }
  tls::Server& server() { return server_; }

 private:
  MemoryPair(Backend& client_backend, Backend& server_backend, tls::Config client_config,
             tls::Config server_config);
  void fill(std::span<uint8_t> out);

  tls::Config client_config_;
  tls::Config server_config_;
  tls::Client client_;
  tls::Server server_;
  MemoryLink link_;
  EngineEndpoint client_end_;
  EngineEndpoint server_end_;
  uint64_t rng_state_ = 0;
  tls::Determinism determinism_;
};

}  // namespace hsbench::drive
