#include "drive/memory_pair.h"
#include "hsbench/engine.h"
#include "drive/configs.h"

namespace hsbench {
namespace {

class EnginePairImpl final : public EnginePair {
 public:
  EnginePairImpl(const Scenario& s, std::unique_ptr<Credentials> client_creds,
                 std::unique_ptr<Credentials> server_creds)
      : resumption_(s.resumption),
        client_creds_(std::move(client_creds)),
        server_creds_(std::move(server_creds)) {}

  bool init(const Scenario& s, Backend& client_backend, Backend& server_backend,
            std::string* out_error) {
    pair_ = drive::MemoryPair::make(
        client_backend, server_backend,
        engine_client_config(s, client_creds_->trust.get(), client_creds_->client.get()),
        engine_server_config(s, server_creds_ ? server_creds_.get() : client_creds_.get()), {},
        out_error);
    // For resumption scenarios: one full handshake, untimed, for a ticket.
    return pair_ != nullptr && (!resumption_ || pair_->prime_ticket(out_error));
  }

  void make_deterministic(uint64_t seed) override { pair_->make_deterministic(seed); }

  bool run(HandshakeTrace* trace, std::string* out_error) override {
    const tls::HandshakeOutcome outcome = pair_->run(trace);
    if (!outcome.ok) {
      if (out_error != nullptr) *out_error = drive::describe(outcome);
      return false;
    }
    if (resumption_) {
      // A resumption scenario counts resumed handshakes only (a miss is an
      // error, not a handshake), each resuming from the newest ticket.
      if (!pair_->resumed()) {
        *out_error = "the session was not resumed";
        return false;
      }
      (void)pair_->resume_from_newest_ticket();
    }
    return true;
  }

 private:
  bool resumption_ = false;
  std::unique_ptr<Credentials> client_creds_;
  std::unique_ptr<Credentials> server_creds_;  // null when both sides share a backend
  std::unique_ptr<drive::MemoryPair> pair_;
};

}  // namespace

std::unique_ptr<EnginePair> make_engine_pair(const Scenario& scenario, Backend& client_backend,
                                             Backend& server_backend, const Pki& pki,
                                             std::string* out_error) {
  const bool mtls = !scenario.client_cert.empty();
  auto client_creds = prepare_credentials(client_backend, pki, kServerName, out_error, mtls);
  if (client_creds == nullptr) return nullptr;
  std::unique_ptr<Credentials> server_creds;
  if (&server_backend != &client_backend) {
    server_creds = prepare_credentials(server_backend, pki, kServerName, out_error, mtls);
    if (server_creds == nullptr) return nullptr;
  }
  auto pair =
      std::make_unique<EnginePairImpl>(scenario, std::move(client_creds), std::move(server_creds));
  if (!pair->init(scenario, client_backend, server_backend, out_error)) return nullptr;
  return pair;
}

}  // namespace hsbench
