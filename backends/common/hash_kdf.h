// Hashes, HMAC (RFC 2104), HKDF (RFC 5869) and the TLS 1.2 PRF (RFC 5246
// section 5): the checks hsbench/backend.h asks for, then the library's call
// (compat.h). The algorithm is one the backend's table lists.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "compat.h"
#include "hsbench/backend.h"

namespace hsbench::libcrypto {

std::unique_ptr<HashContext> NewHash(const compat::Handles& handles, Hash hash);
bool Hmac(const compat::Handles& handles, Hash hash, ByteView key, ByteView data,
          std::span<uint8_t> out);
bool HkdfExtract(const compat::Handles& handles, Hash hash, ByteView salt, ByteView ikm,
                 std::span<uint8_t> out_prk);
bool HkdfExpand(const compat::Handles& handles, Hash hash, ByteView prk, ByteView info,
                std::span<uint8_t> out);
bool Tls12Prf(const compat::Handles& handles, Hash hash, ByteView secret, std::string_view label,
              ByteView seed, std::span<uint8_t> out);

}  // namespace hsbench::libcrypto
