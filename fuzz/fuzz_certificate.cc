// Certificate (RFC 5246 7.4.2, RFC 8446 4.4.2): parse_certificate in both
// versions' forms, then the engine's client reading it in place of the
// genuine one. input = selector:u8 body.
#include "harness.h"
#include "tls/handshake_util.h"
#include "tls/messages.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  ByteView body(data + 1, size - 1);
  ByteView certs[kMaxChainLength];
  size_t count = 0;
  Error error;
  for (bool tls13 : {false, true}) {
    if (parse_certificate(body, tls13, certs, &count, &error) &&
        (count == 0 || count > kMaxChainLength)) {
      __builtin_trap();
    }
  }
  fuzz::run_message_target(ByteView(data, size), Side::client, HandshakeType::certificate);
  return 0;
}
