// Key shares: ephemeral (EC)DH key pairs for TLS (RFC 8446 section 4.2.8,
// RFC 8422), the library's part in compat.h.
#pragma once

#include <memory>

#include "compat.h"
#include "hsbench/backend.h"

namespace hsbench::libcrypto {

// A key pair for group: fresh when private_key is empty, otherwise from that
// private key (shared_secret_length(group) bytes, checked by the caller).
std::unique_ptr<KeyShare> NewKeyShare(const std::shared_ptr<const compat::Handles>& handles,
                                      Group group, ByteView private_key);

}  // namespace hsbench::libcrypto
