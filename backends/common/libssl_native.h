// The library's own TLS stack (hsbench::NativeContext and friends of
// hsbench/backend.h) on the OpenSSL libssl API, compiled into both the
// OpenSSL 3 and the BoringSSL plugin. The engine never sees a libssl type:
// this header names none.
#pragma once

#include <memory>
#include <string>

#include "hsbench/backend.h"

namespace hsbench::libcrypto {

// One SSL_CTX for config, prepared once. nullptr and out_failure when
// config is malformed or asks for something this library cannot do (of
// kind unsupported; see libssl_native.cc for what each library honours).
std::unique_ptr<NativeContext> MakeNativeContext(const NativeConfig& config,
                                                 Failure* out_failure);

}  // namespace hsbench::libcrypto
