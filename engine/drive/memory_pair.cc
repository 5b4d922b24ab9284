#include "drive/memory_pair.h"

namespace hsbench::drive {

std::unique_ptr<MemoryPair> MemoryPair::make(Backend& client_backend, Backend& server_backend,
                                             tls::Config client_config, tls::Config server_config,
                                             const PairOptions& options, std::string* out_error) {
  if (options.key_log) client_config.key_log = options.key_log;
  if (!options.client_data.empty()) client_config.application_data = options.client_data;
  if (!options.server_data.empty()) server_config.application_data = options.server_data;
  if (!server_backend.random(server_config.ticket_key)) {
    *out_error = "no randomness for the ticket key";
    return nullptr;
  }
  std::unique_ptr<MemoryPair> pair(new MemoryPair(
      client_backend, server_backend, std::move(client_config), std::move(server_config)));
  pair->set_observer(options.observer);
  return pair;
}

MemoryPair::MemoryPair(Backend& client_backend, Backend& server_backend, tls::Config client_config,
                       tls::Config server_config)
    : client_config_(std::move(client_config)),
      server_config_(std::move(server_config)),
      client_(&client_backend, &client_config_),
      server_(&server_backend, &server_config_),
      client_end_(&client_, &link_.end(Side::client)),
      server_end_(&server_, &link_.end(Side::server)) {}

tls::HandshakeOutcome MemoryPair::run(HandshakeTrace* trace) {
  client_.reset();
  server_.reset();
  link_.clear();
  return run_engine_pair(client_end_, server_end_, trace);
}

bool MemoryPair::resume_from_newest_ticket() {
  auto session = client_.new_session();
  if (session == nullptr) return false;
  client_.set_resumption(std::move(session));
  return true;
}

bool MemoryPair::prime_ticket(std::string* out_error) {
  const tls::HandshakeOutcome outcome = run(nullptr);
  if (!outcome.ok) {
    *out_error = describe(outcome);
    return false;
  }
  if (!resume_from_newest_ticket()) {
    *out_error = "the first handshake gave no ticket";
    return false;
  }
  return true;
}

void MemoryPair::make_deterministic(uint64_t seed) {
  rng_state_ = seed;
  determinism_.random = [this](std::span<uint8_t> out) { fill(out); };
  determinism_.ephemeral_private_key = [this](Group group) {
    // A scalar of the group's size below its order: x25519 clamps any 32
    // bytes; for the NIST curves a clear top bit keeps it below n. A
    // hybrid's is an X25519 key and the KEM's entropy, any bytes alike.
    Bytes key(private_key_length(group));
    fill(key);
    if (is_kem(group)) return key;
    if (group != Group::x25519) key[0] &= 0x7f;
    key.back() |= 1;  // never zero
    return key;
  };
  determinism_.encapsulation_entropy = [this](Group group) {
    Bytes entropy(encapsulation_entropy_length(group));
    fill(entropy);
    return entropy;
  };
  client_.crypto().set_determinism(&determinism_);
  server_.crypto().set_determinism(&determinism_);
}

// SplitMix64: small, fast and the same everywhere; not for real keys.
void MemoryPair::fill(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    z ^= z >> 31;
    for (size_t k = 0; k < 8 && i + k < out.size(); k++)
      out[i + k] = static_cast<uint8_t>(z >> (8 * k));
  }
}

}  // namespace hsbench::drive
