// The plain loop: libssl alone, as its documentation drives it, with no
// harness around it. What hsbench's native mode is compared against, both by
// time (hsbench-transparency) and by instruction count
// (tests/run/native_plain_loop_test.cc).
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "hsbench/pki.h"

namespace hsbench::transparency {

// The scenario PlainPair configures, and the only one it can run.
inline constexpr const char kScenario[] = "tls12-ecdhe-x25519-ecdsa-p256";

// A client and a server context of the system OpenSSL, configured as
// kScenario configures its native pair: TLS 1.2,
// ECDHE-ECDSA-AES128-GCM-SHA256, x25519 (and P-256 for the certificate's
// curve), ECDSA P-256 SHA-256 signatures, no tickets, the client verifying
// the chain and the name.
class PlainPair {
 public:
  explicit PlainPair(const Pki& pki);

  // One handshake over memory BIOs, then 64 bytes each way, then both
  // connections freed; false on any failure (the reason is on OpenSSL's
  // error queue).
  bool handshake();

 private:
  struct FreeCtx {
    void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
  };
  using CtxPtr = std::unique_ptr<SSL_CTX, FreeCtx>;

  CtxPtr client_, server_;
  std::vector<uint8_t> buf_;
};

// The reason for the last OpenSSL failure on this thread, or a placeholder.
const char* last_openssl_error();

}  // namespace hsbench::transparency
