// Long-term keys: private-key sign and RSA decrypt, public-key verify and RSA
// encrypt, on EVP_PKEY and EVP_DigestSign/Verify (the same API in every
// library on the OpenSSL API).
#pragma once

#include <memory>
#include <string>

#include "compat.h"
#include "hsbench/backend.h"

namespace hsbench::libcrypto {

// A private key from PEM or DER (see ParsePrivateKey); nullptr and one line
// in *out_error (which may be null) when it cannot be read or is of a kind
// hsbench does not use.
std::unique_ptr<PrivateKey> LoadPrivateKey(std::shared_ptr<const compat::Handles> handles,
                                           ByteView pem_or_der, std::string* out_error);

// A certificate's public key; nullptr for a kind hsbench does not use.
std::unique_ptr<PublicKey> NewPublicKey(std::shared_ptr<const compat::Handles> handles,
                                        UniquePtr<EVP_PKEY> key);

}  // namespace hsbench::libcrypto
