#include "run/configs.h"

namespace hsbench {

const std::vector<SignatureScheme> kClientSignatureSchemes = {
    SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
    SignatureScheme::ed25519,                SignatureScheme::rsa_pss_rsae_sha256,
    SignatureScheme::rsa_pss_rsae_sha384,    SignatureScheme::rsa_pkcs1_sha256,
    SignatureScheme::rsa_pkcs1_sha384,
};

namespace {

std::vector<Group> scenario_groups(const Scenario& s) {
  if (s.kx == KxMode::ecdhe) return {s.group};
  return {kAllGroups[0], kAllGroups[1], kAllGroups[2]};
}

}  // namespace

tls::Config engine_client_config(const Scenario& s, const TrustStore* trust) {
  tls::Config c;
  c.min_version = c.max_version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = scenario_groups(s);
  c.signature_schemes = kClientSignatureSchemes;
  c.trust = trust;
  c.server_name = std::string(kServerName);
  return c;
}

tls::Config engine_server_config(const Scenario& s, const Credentials* credentials) {
  tls::Config c;
  c.min_version = c.max_version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = scenario_groups(s);
  c.signature_schemes = {s.signature_scheme};
  c.credentials = credentials;
  return c;
}

NativeConfig native_client_config(const Scenario& s, const Pki& pki) {
  NativeConfig c;
  c.server = false;
  c.version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = scenario_groups(s);
  c.signature_schemes = kClientSignatureSchemes;
  c.roots_der.assign(pki.roots.begin(), pki.roots.end());
  c.hostname = std::string(kServerName);
  c.tickets = s.resumption;
  return c;
}

NativeConfig native_server_config(const Scenario& s, const Pki& pki) {
  NativeConfig c;
  c.server = true;
  c.version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = scenario_groups(s);
  c.signature_schemes = {s.signature_scheme};
  c.chain_der.assign(pki.chain.begin(), pki.chain.end());
  c.private_key = pki.key;
  c.tickets = s.resumption;
  return c;
}

}  // namespace hsbench
