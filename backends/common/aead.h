// AEADs (RFC 5116): the key is scheduled once, each record sets only the
// nonce (the library's part is in compat.h).
#pragma once

#include <memory>

#include "compat.h"
#include "hsbench/backend.h"

namespace hsbench::libcrypto {

// nullptr when key is not aead's key length or the library refuses it; aead
// is one the backend's table lists.
std::unique_ptr<AeadContext> NewAead(const compat::Handles& handles, Aead aead, ByteView key);

}  // namespace hsbench::libcrypto
