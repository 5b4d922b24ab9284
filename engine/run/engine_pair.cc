#include <fmt/format.h>

#include "hsbench/engine.h"
#include "run/configs.h"
#include "tls/client.h"
#include "tls/crypto.h"
#include "tls/driver.h"
#include "tls/server.h"

namespace hsbench {
namespace {

class EnginePairImpl final : public EnginePair {
 public:
  EnginePairImpl(const Scenario& s, Backend& client_backend, Backend& server_backend,
                 std::unique_ptr<Credentials> client_creds,
                 std::unique_ptr<Credentials> server_creds)
      : client_creds_(std::move(client_creds)),
        server_creds_(std::move(server_creds)),
        client_config_(engine_client_config(s, client_creds_->trust.get())),
        server_config_(
            engine_server_config(s, server_creds_ ? server_creds_.get() : client_creds_.get())),
        client_(&client_backend, &client_config_),
        server_(&server_backend, &server_config_) {
    resumption_ = s.resumption;
  }

  // For resumption scenarios: one full handshake, untimed, for a ticket.
  bool prime(Backend& server_backend, std::string* out_error) {
    if (!server_backend.random(server_config_.ticket_key)) {
      *out_error = "no randomness for the ticket key";
      return false;
    }
    if (!resumption_) return true;
    if (!handshake(nullptr, out_error)) return false;
    if (client_.new_session() == nullptr) {
      *out_error = "the first handshake gave no ticket";
      return false;
    }
    client_.set_resumption(client_.new_session());
    return true;
  }

  void make_deterministic(uint64_t seed) override {
    rng_state_ = seed;
    determinism_.random = [this](std::span<uint8_t> out) { fill(out); };
    determinism_.ephemeral_private_key = [this](Group group) {
      // A scalar of the group's size below its order: x25519 clamps any 32
      // bytes; for the NIST curves a clear top bit keeps it below n.
      Bytes key(group == Group::secp384r1 ? 48 : 32);
      fill(key);
      if (group != Group::x25519) key[0] &= 0x7f;
      key.back() |= 1;  // never zero
      return key;
    };
    client_.crypto().set_determinism(&determinism_);
    server_.crypto().set_determinism(&determinism_);
  }

  bool run(HandshakeTrace* trace, std::string* out_error) override {
    if (!handshake(trace, out_error)) return false;
    if (resumption_) {
      // A resumption scenario counts resumed handshakes only (a miss is an
      // error, not a handshake), each resuming from the newest ticket.
      if (!client_.resumed() || !server_.resumed()) {
        *out_error = "the session was not resumed";
        return false;
      }
      if (auto session = client_.new_session()) client_.set_resumption(std::move(session));
    }
    return true;
  }

 private:
  bool handshake(HandshakeTrace* trace, std::string* out_error) {
    client_.reset();
    server_.reset();
    tls::HandshakeOutcome outcome = tls::run_handshake(client_, server_, trace);
    if (!outcome.ok && out_error != nullptr) {
      *out_error =
          fmt::format("{} failed: {} ({}{})", name(outcome.failed_side), outcome.error.reason,
                      outcome.error.received ? "received " : "", tls::name(outcome.error.alert));
    }
    return outcome.ok;
  }

  // SplitMix64: small, fast and the same everywhere; not for real keys.
  void fill(std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); i += 8) {
      uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
      z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
      z ^= z >> 31;
      for (size_t k = 0; k < 8 && i + k < out.size(); k++)
        out[i + k] = static_cast<uint8_t>(z >> (8 * k));
    }
  }

  uint64_t rng_state_ = 0;
  tls::Determinism determinism_;
  bool resumption_ = false;
  std::unique_ptr<Credentials> client_creds_;
  std::unique_ptr<Credentials> server_creds_;  // null when both sides share a backend
  tls::Config client_config_;
  tls::Config server_config_;
  tls::Client client_;
  tls::Server server_;
};

}  // namespace

std::unique_ptr<EnginePair> make_engine_pair(const Scenario& scenario, Backend& client_backend,
                                             Backend& server_backend, const Pki& pki,
                                             std::string* out_error) {
  auto client_creds = prepare_credentials(client_backend, pki, kServerName, out_error);
  if (client_creds == nullptr) return nullptr;
  std::unique_ptr<Credentials> server_creds;
  if (&server_backend != &client_backend) {
    server_creds = prepare_credentials(server_backend, pki, kServerName, out_error);
    if (server_creds == nullptr) return nullptr;
  }
  auto pair = std::make_unique<EnginePairImpl>(scenario, client_backend, server_backend,
                                               std::move(client_creds), std::move(server_creds));
  if (!pair->prime(server_backend, out_error)) return nullptr;
  return pair;
}

}  // namespace hsbench
