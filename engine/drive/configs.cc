#include "drive/configs.h"

#include <algorithm>
#include <optional>

namespace hsbench {

const std::vector<SignatureScheme> kClientSignatureSchemes = {
    SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
    SignatureScheme::ed25519,                SignatureScheme::rsa_pss_rsae_sha256,
    SignatureScheme::rsa_pss_rsae_sha384,    SignatureScheme::rsa_pkcs1_sha256,
    SignatureScheme::rsa_pkcs1_sha384,
};

namespace {

// What the server accepts.
std::vector<Group> scenario_groups(const Scenario& s) {
  if (s.kx == KxMode::ecdhe) return {s.group};
  return {kAllGroups[0], kAllGroups[1], kAllGroups[2]};
}

// The curve of an ECDSA certificate, which a TLS 1.2 client must list in
// supported_groups for the server to use the certificate (RFC 8422 5.1).
std::optional<Group> certificate_curve(const Scenario& s) {
  if (s.cert == "ecdsa-p256") return Group::secp256r1;
  if (s.cert == "ecdsa-p384") return Group::secp384r1;
  return std::nullopt;
}

// What the client offers, its first group being its TLS 1.3 key share.
std::vector<Group> client_groups(const Scenario& s) {
  std::vector<Group> groups = scenario_groups(s);
  if (s.hello_retry) {
    groups.insert(groups.begin(), s.group == Group::x25519 ? Group::secp256r1 : Group::x25519);
  }
  auto curve = certificate_curve(s);
  if (s.version == TlsVersion::tls12 && curve &&
      std::find(groups.begin(), groups.end(), *curve) == groups.end()) {
    groups.push_back(*curve);
  }
  return groups;
}

// What the server accepts. A TLS 1.2 mutual TLS server also lists the
// curve of the client's ECDSA certificate, which it must support to accept
// that certificate (RFC 8422 5.1; OpenSSL refuses it otherwise); its own
// first choice stays the scenario's group.
std::vector<Group> server_groups(const Scenario& s) {
  std::vector<Group> groups = scenario_groups(s);
  auto curve = certificate_curve(s);
  if (s.version == TlsVersion::tls12 && !s.client_cert.empty() && curve &&
      std::find(groups.begin(), groups.end(), *curve) == groups.end()) {
    groups.push_back(*curve);
  }
  return groups;
}

}  // namespace

tls::Config engine_client_config(const Scenario& s, const TrustStore* trust,
                                 const Credentials* client_credentials) {
  tls::Config c;
  c.min_version = c.max_version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = client_groups(s);
  c.signature_schemes = kClientSignatureSchemes;
  c.trust = trust;
  c.server_name = std::string(kServerName);
  c.session_tickets = s.resumption;
  c.psk_with_dhe = !s.psk_ke;
  if (!s.client_cert.empty()) c.client_credentials = client_credentials;
  return c;
}

tls::Config engine_server_config(const Scenario& s, const Credentials* credentials) {
  tls::Config c;
  c.min_version = c.max_version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = server_groups(s);
  c.signature_schemes = {s.signature_scheme};
  c.credentials = credentials;
  c.session_tickets = s.resumption;
  c.psk_with_dhe = !s.psk_ke;
  if (!s.client_cert.empty()) {
    c.require_client_certificate = true;
    c.client_trust = credentials != nullptr && credentials->client != nullptr
                         ? credentials->client->trust.get()
                         : nullptr;
    c.client_signature_schemes = kClientSignatureSchemes;
  }
  return c;
}

std::optional<std::string> engine_missing_algorithm(const Scenario& s, const Backend& backend) {
  const Algorithms& a = backend.algorithms();
  auto has = [](const auto& list, auto x) {
    return std::find(list.begin(), list.end(), x) != list.end();
  };
  auto lacks = [&](std::string_view what) {
    return std::string(backend.name()) + " lacks " + std::string(what);
  };
  const CipherSuiteInfo* suite = cipher_suite_info(s.suite);
  if (suite == nullptr) return lacks("the scenario's cipher suite");
  if (!a.x509) return lacks("X.509 certificates");
  if (!s.client_cert.empty() && s.client_cert != s.cert) {
    return "the client certificate's kind must be the server's (" + s.cert + ")";
  }
  if (!has(a.hashes, suite->hash)) return lacks(name(suite->hash));
  if (!has(a.aeads, suite->aead)) return lacks(name(suite->aead));
  if (s.version == TlsVersion::tls13 ? !a.hkdf : !a.tls12_prf) {
    return lacks(s.version == TlsVersion::tls13 ? "HKDF" : "the TLS 1.2 PRF");
  }
  if (s.kx == KxMode::rsa) {
    if (!a.rsa_pkcs1_encryption) return lacks("RSA PKCS#1 v1.5 encryption");
  } else {
    if (!has(a.signature_schemes, s.signature_scheme)) return lacks(name(s.signature_scheme));
    // The client's first key share, before a HelloRetryRequest, too.
    const std::vector<Group> offered = client_groups(s);
    if (!has(a.groups, s.group)) return unsupported_group_reason(a, backend.name(), s.group);
    if (s.hello_retry && !has(a.groups, offered.front())) {
      return unsupported_group_reason(a, backend.name(), offered.front());
    }
  }
  return std::nullopt;
}

NativeConfig native_client_config(const Scenario& s, const Pki& pki) {
  NativeConfig c;
  c.server = false;
  c.version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = client_groups(s);
  c.signature_schemes = kClientSignatureSchemes;
  c.roots_der.assign(pki.roots.begin(), pki.roots.end());
  c.hostname = std::string(kServerName);
  c.tickets = s.resumption;
  c.psk_ke = s.psk_ke;
  if (!s.client_cert.empty()) {
    c.client_chain_der.assign(pki.client_chain.begin(), pki.client_chain.end());
    c.client_private_key = pki.client_key;
  }
  return c;
}

NativeConfig native_server_config(const Scenario& s, const Pki& pki) {
  NativeConfig c;
  c.server = true;
  c.version = s.version;
  c.cipher_suites = {s.suite};
  c.groups = server_groups(s);
  c.signature_schemes = {s.signature_scheme};
  c.chain_der.assign(pki.chain.begin(), pki.chain.end());
  c.private_key = pki.key;
  c.tickets = s.resumption;
  c.psk_ke = s.psk_ke;
  if (!s.client_cert.empty()) {
    c.require_client_certificate = true;
    c.client_roots_der.assign(pki.client_roots.begin(), pki.client_roots.end());
  }
  return c;
}

}  // namespace hsbench
