// NewSessionTicket, TLS 1.2 (RFC 5077 3.3, before the server's
// ChangeCipherSpec) and TLS 1.3 (RFC 8446 4.6.1, after the handshake),
// decoded by the client states that read it: the engine's client reads the
// body in place of the genuine one. input = selector:u8 body.
#include "harness.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  fuzz::run_message_target(ByteView(data, size), Side::client, HandshakeType::new_session_ticket);
  return 0;
}
