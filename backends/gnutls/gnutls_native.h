// GnuTLS's own TLS stack (hsbench::NativeContext and friends of
// hsbench/backend.h), driven through push and pull functions over memory.
#pragma once

#include <memory>

#include "hsbench/backend.h"

namespace hsbench::gnutls {

// Credentials and a priority cache for config, prepared once. nullptr and
// out_failure when config is malformed or asks for what GnuTLS cannot do.
std::unique_ptr<NativeContext> MakeNativeContext(const NativeConfig& config, Failure* out_failure);

}  // namespace hsbench::gnutls
