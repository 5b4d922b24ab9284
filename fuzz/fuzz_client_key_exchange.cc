// TLS 1.2 ClientKeyExchange (RFC 5246 7.4.7, RFC 8422 5.7), decoded by the
// server state that reads it: the engine's server reads the body in place of
// the genuine one, for RSA key transport and ECDHE. input = selector:u8 body.
#include "harness.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  fuzz::run_message_target(ByteView(data, size), Side::server, HandshakeType::client_key_exchange);
  return 0;
}
