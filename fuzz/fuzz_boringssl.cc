// The engine's client and server state machines over the boringssl plugin, so
// that peer bytes reach its code: certificate chains parsed and verified
// (x509.cc), the peer's key share of each group (key_share.cc), signatures
// verified and RSA ClientKeyExchange ciphertexts decrypted (keys.cc). input
// = selector:u8 script (fuzz/harness.h, run_plugin_target): the selector's
// top bit says whether the client or the server reads the script. Seeds are
// genuine handshakes on boringssl.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hsbench::fuzz::run_plugin_target("boringssl", hsbench::ByteView(data, size));
}
