// HelloRetryRequest (RFC 8446 4.1.4): a ServerHello with the special random,
// parsed by parse_server_hello, then read by the engine's client in place of
// the first ServerHello: the genuine retry request in the -hrr scenario, an
// unexpected one elsewhere. input = selector:u8 body.
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
                           fuzz::Occurrence::first);
  return 0;
}
