// Key shares: ephemeral (EC)DH key pairs for TLS (RFC 8446 section 4.2.8,
// RFC 8422) and the hybrid X25519Kyber768Draft00
// (draft-tls-westerbaan-xyber768d00), the library's part in compat.h.
#pragma once

#include <memory>

#include "compat.h"
#include "hsbench/backend.h"

namespace hsbench::libcrypto {

// A key pair for group: fresh when private_key is empty, otherwise from that
// private key (private_key_length(group) bytes, checked by the caller). For
// the hybrid, the client's key pair.
std::unique_ptr<KeyShare> NewKeyShare(const std::shared_ptr<const compat::Handles>& handles,
                                      Group group, ByteView private_key);

// The hybrid's server side (Backend::encapsulate): a fresh X25519 key pair
// and a Kyber768 encapsulation to the client's share.
bool HybridEncapsulate(const std::shared_ptr<const compat::Handles>& handles, Group group,
                       ByteView client_share, ByteView entropy, std::span<uint8_t> out_share,
                       std::span<uint8_t> out_secret);

}  // namespace hsbench::libcrypto
