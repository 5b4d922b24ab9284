// TLS 1.3 EncryptedExtensions (RFC 8446 4.3.1), decoded by the client state
// that reads it: the engine's client reads the body in place of the genuine
// one. input = selector:u8 body.
#include "harness.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  fuzz::run_message_target(ByteView(data, size), Side::client, HandshakeType::encrypted_extensions);
  return 0;
}
