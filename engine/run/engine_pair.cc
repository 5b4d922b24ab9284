#include <fmt/format.h>

#include "hsbench/engine.h"
#include "run/configs.h"
#include "tls/client.h"
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
        server_config_(engine_server_config(s, server_creds_ ? server_creds_.get()
                                                             : client_creds_.get())),
        client_(&client_backend, &client_config_),
        server_(&server_backend, &server_config_) {}

  bool run(HandshakeTrace* trace, std::string* out_error) override {
    client_.reset();
    server_.reset();
    tls::HandshakeOutcome outcome = tls::run_handshake(client_, server_, trace);
    if (!outcome.ok && out_error != nullptr) {
      *out_error = fmt::format("{} failed: {} ({}{})", name(outcome.failed_side),
                               outcome.error.reason, outcome.error.received ? "received " : "",
                               tls::name(outcome.error.alert));
    }
    return outcome.ok;
  }

 private:
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
  return std::make_unique<EnginePairImpl>(scenario, client_backend, server_backend,
                                          std::move(client_creds), std::move(server_creds));
}

}  // namespace hsbench
