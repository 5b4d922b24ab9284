#include "hsbench/registry.h"

#include <algorithm>
#include <tuple>

namespace hsbench {

bool lists_before(const Backend& a, const Backend& b) {
  return std::make_tuple(!a.real_crypto(), a.list_rank(), a.name()) <
         std::make_tuple(!b.real_crypto(), b.list_rank(), b.name());
}

BackendRegistry BackendRegistry::discover() {
  BackendRegistry registry;
  // available_backends() is sorted, so the failures are too.
  for (const std::string& name : available_backends()) {
    std::string error;
    std::unique_ptr<LoadedBackend> loaded = load_backend(name, &error);
    if (loaded == nullptr) {
      registry.failures_.push_back({name, std::move(error)});
      continue;
    }
    // The name on the command line is the file's: a backend answering to
    // another could be listed twice, or run under a name it does not have.
    if (loaded->backend().name() != name) {
      registry.failures_.push_back({name, "backend plugin " + loaded->path() + " calls itself '" +
                                              std::string(loaded->backend().name()) + "'"});
      continue;
    }
    registry.backends_.push_back(std::move(loaded));
  }
  std::stable_sort(
      registry.backends_.begin(), registry.backends_.end(),
      [](const auto& a, const auto& b) { return lists_before(a->backend(), b->backend()); });
  return registry;
}

std::vector<std::string> BackendRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& lb : backends_) out.emplace_back(lb->backend().name());
  for (const auto& f : failures_) out.push_back(f.name);
  return out;
}

}  // namespace hsbench
