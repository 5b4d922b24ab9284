// The engine's client and server state machines over the wolfssl plugin, so
// that peer bytes reach its code: certificate chains parsed and verified
// through wolfSSL's CertificateManager (x509.cc), the peer's key share of
// each group (crypto.cc), signatures verified and RSA ClientKeyExchange
// ciphertexts decrypted (keys.cc). input = selector:u8 script
// (fuzz/harness.h, run_plugin_target): the selector's top bit says whether
// the client or the server reads the script. Seeds are genuine handshakes on
// wolfssl.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hsbench::fuzz::run_plugin_target("wolfssl", hsbench::ByteView(data, size));
}
