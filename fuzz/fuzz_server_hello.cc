// ServerHello (RFC 5246 7.4.1.3, RFC 8446 4.1.3): parse_server_hello on the
// body, then the engine's client reading it in place of the genuine one
// (the last ServerHello by default, so that after a HelloRetryRequest the
// real ServerHello is the one replaced). input = selector:u8 body.
#include "harness.h"
#include "tls/messages.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  ServerHello hello;
  Error error;
  (void)parse_server_hello(ByteView(data + 1, size - 1), &hello, &error);
  fuzz::run_message_target(ByteView(data, size), Side::client, HandshakeType::server_hello,
                           fuzz::Occurrence::last);
  return 0;
}
