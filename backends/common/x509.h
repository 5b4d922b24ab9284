// X.509: certificate chains as a peer sends them, trust stores, and chain
// verification as a TLS client does it (RFC 5280, RFC 6125 host names).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "compat.h"
#include "hsbench/backend.h"

namespace hsbench::libcrypto {

// The chain, leaf first, each certificate DER; nullptr when any is not.
std::unique_ptr<CertificateChain> ParseChain(std::shared_ptr<const compat::Handles> handles,
                                             std::span<const ByteView> der_certs);

// A store of the DER anchors; nullptr and one line in *out_error (which may be
// null) when one cannot be parsed or added.
std::unique_ptr<TrustStore> NewTrustStore(std::span<const ByteView> der_anchors,
                                          std::string* out_error);

}  // namespace hsbench::libcrypto
