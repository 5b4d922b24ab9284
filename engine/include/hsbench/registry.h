// The backends there are: every plugin found on the search path (loader.h:
// the build tree, an installed prefix, $HSBENCH_BACKEND_PATH), each loaded
// once, in the one order every list of backends uses ("--backend all",
// "hsbench list backends", "hsbench pki check"). Nothing here names a
// backend: a plugin is in the lists because its file is found.
//
// The order is the plugins' own declarations (backend.h): backends with
// real crypto before stand-ins (real_crypto()), then by list_rank(), lower
// first, then by name. OpenSSL declares 10 and BoringSSL 20, below the
// default of 100, so a new plugin lists after them unless it declares
// otherwise; stand-ins such as the null backend list after every real one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hsbench/loader.h"

namespace hsbench {

// A plugin that was found but did not load, with why.
struct PluginFailure {
  std::string name;   // NAME of its file hsbench-backend-NAME.so
  std::string error;  // one line
};

class BackendRegistry {
 public:
  // Finds every plugin on the search path and loads each.
  static BackendRegistry discover();

  // The backends that loaded, in list order.
  const std::vector<std::unique_ptr<LoadedBackend>>& backends() const { return backends_; }
  std::vector<std::unique_ptr<LoadedBackend>> take_backends() { return std::move(backends_); }
  // The plugins that did not load, by name. A plugin whose backend calls
  // itself by another name than its file's is one of them.
  const std::vector<PluginFailure>& failures() const { return failures_; }

  // The names of backends(), in order, then those of failures().
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<LoadedBackend>> backends_;
  std::vector<PluginFailure> failures_;
};

// Whether a lists before b (the order above).
bool lists_before(const Backend& a, const Backend& b);

}  // namespace hsbench
