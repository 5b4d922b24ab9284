// Finished (RFC 5246 7.4.9, RFC 8446 4.4.4), decoded by the states that read
// it on either side: input = selector:u8 reader:u8 body, reader bit 0 clear
// for the client reading the server's Finished, set for the server reading
// the client's.
#include <algorithm>

#include "harness.h"

using namespace hsbench;
using namespace hsbench::tls;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return -1;
  Bytes input(size - 1);  // the selector, then the body
  input[0] = data[0];
  std::copy(data + 2, data + size, input.begin() + 1);
  fuzz::run_message_target(input, data[1] & 1 ? Side::server : Side::client,
                           HandshakeType::finished);
  return 0;
}
