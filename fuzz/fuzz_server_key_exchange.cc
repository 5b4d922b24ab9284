// TLS 1.2 ServerKeyExchange (RFC 8422 5.4): parse_server_key_exchange, then
// the engine's client reading it in place of the genuine one.
// input = selector:u8 body.
#include "harness.h"
#include "tls/messages.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  ByteView body(data + 1, size - 1);
  ServerKeyExchange ske;
  Error error;
  if (parse_server_key_exchange(body, &ske, &error) &&
      (ske.params.data() != body.data() || ske.params.size() > body.size())) {
    __builtin_trap();  // the signed params must be the body's prefix
  }
  fuzz::run_message_target(ByteView(data, size), Side::client, HandshakeType::server_key_exchange);
  return 0;
}
