// ClientHello (RFC 5246 7.4.1.2, RFC 8446 4.1.2): parse_client_hello on the
// body, then the engine's server reading it in place of the genuine one.
// input = selector:u8 body (fuzz/harness.h, run_message_target).
#include "harness.h"
#include "tls/messages.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  ByteView body(data + 1, size - 1);
  ClientHello hello;
  Error error;
  if (parse_client_hello(body, &hello, &error)) {
    // The views must lie inside the body.
    (void)list_contains_u16(hello.cipher_suites, 0x1301);
    (void)list_contains_u16(hello.supported_versions, 0x0304);
    (void)list_contains_u8(hello.psk_key_exchange_modes, 1);
  }
  fuzz::run_message_target(ByteView(data, size), Side::server, HandshakeType::client_hello);
  return 0;
}
