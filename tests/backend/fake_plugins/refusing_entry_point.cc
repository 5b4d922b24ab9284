// A plugin whose entry point refuses to start, as one built against another
// kBackendAbiVersion does (backend.h). The loader must refuse it with a
// reason rather than use a null backend.
#include "hsbench/backend.h"

extern "C" HSBENCH_EXPORT hsbench::Backend* hsbench_backend_create(uint32_t abi_version) {
  (void)abi_version;
  return nullptr;
}
