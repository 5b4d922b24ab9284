// CertificateRequest (RFC 5246 7.4.4, RFC 8446 4.3.2): parse_certificate_request,
// as the engine's client reads a mutual TLS server's request.
// input = selector:u8 body; the selector's low bit picks TLS 1.3.
#include "harness.h"
#include "tls/messages.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  const bool tls13 = (data[0] & 1) != 0;
  CertificateRequest request;
  Error error;
  if (parse_certificate_request(ByteView(data + 1, size - 1), tls13, &request, &error)) {
    // What the client reads next: the views lie within the body.
    (void)list_contains_u16(request.signature_algorithms, 0x0804);
    (void)list_contains_u8(request.certificate_types, kEcdsaSign);
  }
  return 0;
}
