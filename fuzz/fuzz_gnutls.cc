// The engine's client and server state machines over the gnutls plugin, so
// that peer bytes reach its code: certificate chains parsed and verified
// through gnutls (gnutls_backend.cc, gnutls_util.cc), the peer's key share
// of each group through nettle and hogweed, signatures verified and RSA
// ClientKeyExchange ciphertexts decrypted (gnutls_backend.cc). input =
// selector:u8 script (fuzz/harness.h, run_plugin_target): the selector's top
// bit says whether the client or the server reads the script. Seeds are
// genuine handshakes on gnutls.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hsbench::fuzz::run_plugin_target("gnutls", hsbench::ByteView(data, size));
}
