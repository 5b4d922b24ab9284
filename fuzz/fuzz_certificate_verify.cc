// TLS 1.3 CertificateVerify (RFC 8446 4.4.3): parse_certificate_verify, then
// the engine's client reading it in place of the genuine one.
// input = selector:u8 body.
#include "harness.h"
#include "tls/messages.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  CertificateVerify cv;
  Error error;
  (void)parse_certificate_verify(ByteView(data + 1, size - 1), &cv, &error);
  fuzz::run_message_target(ByteView(data, size), Side::client, HandshakeType::certificate_verify);
  return 0;
}
