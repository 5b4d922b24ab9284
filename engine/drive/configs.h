// Engine and native configurations for a scenario, so that every pairing
// (engine or libssl on either side) negotiates exactly the same thing.
#pragma once

#include <optional>
#include <string>

#include "hsbench/backend.h"
#include "hsbench/engine.h"
#include "hsbench/pki.h"
#include "hsbench/scenario.h"
#include "tls/connection.h"

namespace hsbench {

// What the client offers to verify, in the order real clients use.
extern const std::vector<SignatureScheme> kClientSignatureSchemes;

// client_credentials: what the client presents when a mutual TLS server
// asks (Credentials::client of the scenario's PKI); the server takes its
// client trust from credentials->client.
tls::Config engine_client_config(const Scenario& s, const TrustStore* trust,
                                 const Credentials* client_credentials = nullptr);
tls::Config engine_server_config(const Scenario& s, const Credentials* credentials);
NativeConfig native_client_config(const Scenario& s, const Pki& pki);
NativeConfig native_server_config(const Scenario& s, const Pki& pki);

// The first algorithm the engine needs of backend for s (on both sides)
// that its algorithms() lack, as "NAME lacks ALGORITHM"; nothing when it
// has them all. A backend that lacks one cannot run s: unsupported.
std::optional<std::string> engine_missing_algorithm(const Scenario& s, const Backend& backend);

}  // namespace hsbench
