#include "hsbench/scenario.h"

namespace hsbench {
namespace {

using CS = CipherSuite;
using SS = SignatureScheme;

// The table. TLS 1.2 suites follow the key exchange and certificate; the
// server signs with what modern servers choose for its key (RSA-PSS for RSA
// keys, as OpenSSL and BoringSSL do).
const std::vector<Scenario>& table() {
  static const std::vector<Scenario> scenarios = {
      // TLS 1.2, RSA key transport: no forward secrecy.
      {"tls12-rsa-rsa2048", TlsVersion::tls12, KxMode::rsa, Group::x25519, "rsa2048",
       CS::TLS_RSA_WITH_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256},
      {"tls12-rsa-rsa3072", TlsVersion::tls12, KxMode::rsa, Group::x25519, "rsa3072",
       CS::TLS_RSA_WITH_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256},
      {"tls12-rsa-rsa4096", TlsVersion::tls12, KxMode::rsa, Group::x25519, "rsa4096",
       CS::TLS_RSA_WITH_AES_256_GCM_SHA384, SS::rsa_pss_rsae_sha384},
      // TLS 1.2, ECDHE with RSA certificates.
      {"tls12-ecdhe-x25519-rsa2048", TlsVersion::tls12, KxMode::ecdhe, Group::x25519, "rsa2048",
       CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256},
      {"tls12-ecdhe-p256-rsa2048", TlsVersion::tls12, KxMode::ecdhe, Group::secp256r1, "rsa2048",
       CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256},
      {"tls12-ecdhe-x25519-rsa4096", TlsVersion::tls12, KxMode::ecdhe, Group::x25519, "rsa4096",
       CS::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, SS::rsa_pss_rsae_sha384},
      // TLS 1.2, ECDHE with ECDSA and EdDSA certificates.
      {"tls12-ecdhe-x25519-ecdsa-p256", TlsVersion::tls12, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256},
      {"tls12-ecdhe-p256-ecdsa-p256", TlsVersion::tls12, KxMode::ecdhe, Group::secp256r1,
       "ecdsa-p256", CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256},
      {"tls12-ecdhe-p384-ecdsa-p384", TlsVersion::tls12, KxMode::ecdhe, Group::secp384r1,
       "ecdsa-p384", CS::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, SS::ecdsa_secp384r1_sha384},
      {"tls12-ecdhe-x25519-ed25519", TlsVersion::tls12, KxMode::ecdhe, Group::x25519, "ed25519",
       CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, SS::ed25519},
      // TLS 1.3: always (EC)DHE; the certificate only signs.
      {"tls13-x25519-rsa2048", TlsVersion::tls13, KxMode::ecdhe, Group::x25519, "rsa2048",
       CS::TLS_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256},
      {"tls13-x25519-rsa3072", TlsVersion::tls13, KxMode::ecdhe, Group::x25519, "rsa3072",
       CS::TLS_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256},
      {"tls13-x25519-rsa4096", TlsVersion::tls13, KxMode::ecdhe, Group::x25519, "rsa4096",
       CS::TLS_AES_256_GCM_SHA384, SS::rsa_pss_rsae_sha384},
      {"tls13-x25519-ecdsa-p256", TlsVersion::tls13, KxMode::ecdhe, Group::x25519, "ecdsa-p256",
       CS::TLS_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256},
      {"tls13-p256-ecdsa-p256", TlsVersion::tls13, KxMode::ecdhe, Group::secp256r1, "ecdsa-p256",
       CS::TLS_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256},
      {"tls13-p384-ecdsa-p384", TlsVersion::tls13, KxMode::ecdhe, Group::secp384r1, "ecdsa-p384",
       CS::TLS_AES_256_GCM_SHA384, SS::ecdsa_secp384r1_sha384},
      {"tls13-x25519-ed25519", TlsVersion::tls13, KxMode::ecdhe, Group::x25519, "ed25519",
       CS::TLS_AES_128_GCM_SHA256, SS::ed25519},
      {"tls13-x25519-ecdsa-p256-chacha20", TlsVersion::tls13, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_CHACHA20_POLY1305_SHA256, SS::ecdsa_secp256r1_sha256},
      {"tls13-p256-ecdsa-p256-hrr", TlsVersion::tls13, KxMode::ecdhe, Group::secp256r1,
       "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256, false, true},
      // TLS 1.3, hybrid post-quantum key exchange: X25519 and Kyber768
      // (draft-tls-westerbaan-xyber768d00). The -hrr client guesses plain
      // X25519 first and the server insists on the hybrid.
      {"tls13-x25519kyber768-ecdsa-p256", TlsVersion::tls13, KxMode::ecdhe,
       Group::x25519_kyber768_draft00, "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256,
       SS::ecdsa_secp256r1_sha256},
      {"tls13-x25519kyber768-rsa2048", TlsVersion::tls13, KxMode::ecdhe,
       Group::x25519_kyber768_draft00, "rsa2048", CS::TLS_AES_128_GCM_SHA256,
       SS::rsa_pss_rsae_sha256},
      {"tls13-x25519kyber768-ecdsa-p256-hrr", TlsVersion::tls13, KxMode::ecdhe,
       Group::x25519_kyber768_draft00, "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256,
       SS::ecdsa_secp256r1_sha256, false, true},
      // Resumption from tickets: only resumed handshakes are measured.
      {"tls12-rsa-rsa2048-resume", TlsVersion::tls12, KxMode::rsa, Group::x25519, "rsa2048",
       CS::TLS_RSA_WITH_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256, true},
      {"tls12-ecdhe-x25519-rsa2048-resume", TlsVersion::tls12, KxMode::ecdhe, Group::x25519,
       "rsa2048", CS::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256, true},
      {"tls12-ecdhe-x25519-ecdsa-p256-resume", TlsVersion::tls12, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256,
       true},
      {"tls13-x25519-rsa2048-resume", TlsVersion::tls13, KxMode::ecdhe, Group::x25519, "rsa2048",
       CS::TLS_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256, true},
      {"tls13-x25519-ecdsa-p256-resume", TlsVersion::tls13, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256, true},
      {"tls13-x25519kyber768-ecdsa-p256-resume", TlsVersion::tls13, KxMode::ecdhe,
       Group::x25519_kyber768_draft00, "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256,
       SS::ecdsa_secp256r1_sha256, true},
      // psk_ke: the PSK alone, no (EC)DHE, so no forward secrecy.
      {"tls13-psk-ecdsa-p256-resume", TlsVersion::tls13, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256, true, false, true},
      // Mutual TLS: the client presents a certificate of the server's kind
      // (under its own client root) and signs with it.
      {"tls12-rsa-rsa2048-mtls", TlsVersion::tls12, KxMode::rsa, Group::x25519, "rsa2048",
       CS::TLS_RSA_WITH_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256, false, false, false,
       "rsa2048"},
      {"tls12-ecdhe-x25519-ecdsa-p256-mtls", TlsVersion::tls12, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256,
       false, false, false, "ecdsa-p256"},
      {"tls13-x25519-rsa2048-mtls", TlsVersion::tls13, KxMode::ecdhe, Group::x25519, "rsa2048",
       CS::TLS_AES_128_GCM_SHA256, SS::rsa_pss_rsae_sha256, false, false, false, "rsa2048"},
      {"tls13-x25519-ecdsa-p256-mtls", TlsVersion::tls13, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256, false, false, false,
       "ecdsa-p256"},
      // Resuming an mTLS session: the ticket carries the client's
      // authentication, so no certificate is sent either way.
      {"tls13-x25519-ecdsa-p256-mtls-resume", TlsVersion::tls13, KxMode::ecdhe, Group::x25519,
       "ecdsa-p256", CS::TLS_AES_128_GCM_SHA256, SS::ecdsa_secp256r1_sha256, true, false, false,
       "ecdsa-p256"},
  };
  return scenarios;
}

}  // namespace

const std::vector<Scenario>& all_scenarios() { return table(); }

const Scenario* find_scenario(std::string_view id) {
  for (const auto& s : table()) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

std::string_view kx_name(const Scenario& s) {
  if (s.kx == KxMode::rsa) return "rsa";
  if (s.psk_ke) return "psk";
  switch (s.group) {
    case Group::x25519: return "x25519";
    case Group::secp256r1: return "p256";
    case Group::secp384r1: return "p384";
    case Group::x25519_kyber768_draft00: return "x25519kyber768";
    case Group::x25519_mlkem768: return "x25519mlkem768";
  }
  return "unknown";
}

std::vector<const Scenario*> default_scenarios() {
  std::vector<const Scenario*> out;
  for (std::string_view id :
       {"tls12-rsa-rsa2048", "tls12-ecdhe-x25519-rsa2048", "tls12-ecdhe-x25519-ecdsa-p256",
        "tls12-ecdhe-p256-ecdsa-p256", "tls13-x25519-rsa2048", "tls13-x25519-ecdsa-p256",
        "tls13-x25519kyber768-ecdsa-p256"}) {
    if (const Scenario* s = find_scenario(id)) out.push_back(s);
  }
  return out;
}

}  // namespace hsbench
