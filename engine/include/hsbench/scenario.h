// Scenarios: everything that changes what a handshake costs, named by an id
// such as "tls12-ecdhe-x25519-ecdsa-p256". One data table defines them all.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/algorithms.h"

namespace hsbench {

enum class KxMode : uint8_t { rsa, ecdhe };

struct Scenario {
  std::string id;
  TlsVersion version;
  KxMode kx;
  Group group;              // the (EC)DHE or hybrid KEM group; unused for RSA key transport
  std::string cert;         // default PKI kind: rsa2048, ecdsa-p256, ...
  CipherSuite suite;
  SignatureScheme signature_scheme;  // what the server signs with (ECDHE and TLS 1.3)
  bool resumption = false;
  // TLS 1.3: the client's first key share is for another group, so the
  // server asks again with a HelloRetryRequest.
  bool hello_retry = false;
  // TLS 1.3 resumption without a fresh (EC)DHE (psk_ke rather than psk_dhe_ke).
  bool psk_ke = false;
  // Mutual TLS: the kind of the client's certificate, from the client chain
  // of the PKI of that kind (pki/KIND/client); empty for none. The server
  // requires it. The PKI a scenario loads is cert's, so this is cert.
  std::string client_cert{};
};

const std::vector<Scenario>& all_scenarios();
const Scenario* find_scenario(std::string_view id);

// "rsa", "psk", or the group's short name as scenario ids spell it:
// x25519, p256, p384, x25519kyber768.
std::string_view kx_name(const Scenario& s);

// The scenarios of the default matrix: RSA key transport, ECDHE and hybrid
// post-quantum.
std::vector<const Scenario*> default_scenarios();

}  // namespace hsbench
