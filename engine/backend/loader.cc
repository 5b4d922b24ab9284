#include "hsbench/loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <system_error>

namespace hsbench {
namespace {

constexpr std::string_view kPluginPrefix = "hsbench-backend-";
constexpr std::string_view kPluginSuffix = ".so";

std::string executable_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path().string();
}

std::string plugin_file_name(std::string_view name) {
  return std::string(kPluginPrefix) + std::string(name) + std::string(kPluginSuffix);
}

// dlerror() may be null or span lines; the caller wants one line.
std::string one_line(const char* message) {
  std::string s = message ? message : "unknown error";
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::unique_ptr<LoadedBackend> load_plugin_file(const std::string& path, std::string* out_error) {
  // RTLD_LOCAL keeps each plugin's library symbols out of the global scope:
  // OpenSSL and BoringSSL define the same names.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    *out_error = "cannot load backend plugin " + path + ": " + one_line(dlerror());
    return nullptr;
  }
  auto create = reinterpret_cast<HsbenchBackendCreateFn>(dlsym(handle, HSBENCH_BACKEND_ENTRY_POINT));
  if (create == nullptr) {
    *out_error = path + " is not an hsbench backend plugin (no " HSBENCH_BACKEND_ENTRY_POINT ")";
    dlclose(handle);
    return nullptr;
  }
  std::unique_ptr<Backend> backend(create(kBackendAbiVersion));
  if (backend == nullptr) {
    *out_error = "backend plugin " + path + " refused to start (built for another hsbench version, "
                 "or its library failed to initialise)";
    return nullptr;
  }
  // The plugin stays loaded: see LoadedBackend.
  return std::make_unique<LoadedBackend>(std::move(backend), path);
}

}  // namespace

std::vector<std::string> backend_search_path() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("HSBENCH_BACKEND_PATH"); env != nullptr) {
    std::string_view rest = env;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) dirs.emplace_back(dir);
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  if (std::string exe_dir = executable_dir(); !exe_dir.empty()) {
    std::error_code ec;
    auto dir = std::filesystem::weakly_canonical(
        std::filesystem::path(exe_dir) / HSBENCH_PLUGIN_RELATIVE_DIR, ec);
    if (!ec) dirs.push_back(dir.string());
  }
  dirs.emplace_back(HSBENCH_PLUGIN_INSTALL_DIR);
  // The same directory may be reached twice (build tree == install dir).
  std::vector<std::string> unique;
  for (auto& d : dirs) {
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
  }
  return unique;
}

std::vector<std::string> available_backends() {
  std::set<std::string> names;
  for (const auto& dir : backend_search_path()) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::string file = entry.path().filename().string();
      if (file.size() > kPluginPrefix.size() + kPluginSuffix.size() &&
          file.starts_with(kPluginPrefix) && file.ends_with(kPluginSuffix)) {
        names.insert(file.substr(kPluginPrefix.size(),
                                 file.size() - kPluginPrefix.size() - kPluginSuffix.size()));
      }
    }
  }
  return {names.begin(), names.end()};
}

std::unique_ptr<LoadedBackend> load_backend(std::string_view name, std::string* out_error) {
  if (name.find('/') != std::string_view::npos) {
    std::string path(name);
    if (!std::filesystem::exists(path)) {
      *out_error = "backend plugin " + path + " does not exist";
      return nullptr;
    }
    return load_plugin_file(path, out_error);
  }
  bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (valid) {
    for (const auto& dir : backend_search_path()) {
      std::string path = dir + "/" + plugin_file_name(name);
      if (std::filesystem::exists(path)) return load_plugin_file(path, out_error);
    }
  }
  std::string known;
  for (const auto& n : available_backends()) known += (known.empty() ? "" : ", ") + n;
  *out_error = "unknown backend '" + std::string(name) + "' (available: " +
               (known.empty() ? "none found" : known) + ")";
  return nullptr;
}

}  // namespace hsbench
