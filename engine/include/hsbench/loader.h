// Finds and loads backend plugins. A plugin named NAME is the file
// hsbench-backend-NAME.so, searched for in, in order: each directory of
// $HSBENCH_BACKEND_PATH (colon-separated), the directory lib/hsbench beside
// the running executable's bin/ (the build tree and an installed prefix have
// the same shape), and the configured install directory.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hsbench/backend.h"

namespace hsbench {

// A backend and the plugin it came from. The plugin stays mapped for the
// life of the process (OpenSSL registers exit handlers; unloading it early
// is unsafe), so a LoadedBackend may be destroyed at any time.
class LoadedBackend {
 public:
  LoadedBackend(std::unique_ptr<Backend> backend, std::string path)
      : backend_(std::move(backend)), path_(std::move(path)) {}
  Backend& backend() const { return *backend_; }
  Backend* operator->() const { return backend_.get(); }
  const std::string& path() const { return path_; }

 private:
  std::unique_ptr<Backend> backend_;
  std::string path_;
};

// The directories searched for plugins, in order.
std::vector<std::string> backend_search_path();

// Names of the plugins found on the search path, sorted, each once.
std::vector<std::string> available_backends();

// Loads the backend called name (or the plugin file at name, if it contains a
// '/'). On failure returns nullptr and says why in out_error, in one line.
std::unique_ptr<LoadedBackend> load_backend(std::string_view name, std::string* out_error);

}  // namespace hsbench
