// Every plugin in one process, each bound to its own library, and two
// versions of one library side by side: the system BoringSSL (boringssl)
// and the Android 13 one of build/libs/boringssl-13 (boringssl-a13). The
// two share a soname, so a mistake in how the second is built or loaded
// binds it to the first's library while it still reports its own headers'
// API version; these tests look at the library each plugin actually runs.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "backend_test_util.h"

namespace hsbench::test {
namespace {

bool is_built(std::string_view name) {
  const std::vector<std::string> built = plugins_built();
  return std::find(built.begin(), built.end(), name) != built.end();
}

// The plugin's own handle: it is loaded already (RTLD_NOLOAD), and a lookup
// through it searches the plugin and then its dependencies, the way its own
// references were bound.
struct PluginHandle {
  void* handle = nullptr;
  explicit PluginHandle(const std::string& path)
      : handle(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) {}
  ~PluginHandle() {
    if (handle != nullptr) dlclose(handle);
  }
  PluginHandle(const PluginHandle&) = delete;
  PluginHandle& operator=(const PluginHandle&) = delete;

  void* symbol(const char* name) const { return dlsym(handle, name); }
  // The file that defines the symbol the plugin's lookup finds, or "".
  std::string file_of(const char* name) const {
    Dl_info info{};
    void* address = symbol(name);
    if (address == nullptr || dladdr(address, &info) == 0 || info.dli_fname == nullptr) return {};
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(info.dli_fname, ec);
    return ec ? std::string(info.dli_fname) : canonical.string();
  }
};

// The registry loads every plugin of the tree into this one process; each
// built one loads, answers to its file's name and reports a library
// version no other one reports.
TEST(backend_versions, EveryPluginLoadedAtOnceReportsItsOwnLibrary) {
  BackendRegistry registry = BackendRegistry::discover();
  std::vector<std::string> loaded;
  std::vector<std::string> versions;
  for (const auto& lb : registry.backends()) {
    if (!is_built(lb->backend().name())) continue;
    loaded.emplace_back(lb->backend().name());
    versions.emplace_back(lb->backend().version());
    EXPECT_FALSE(versions.back().empty()) << lb->backend().name();
    if (lb->backend().real_crypto()) expect_sha256_abc(lb->backend());
  }
  for (const PluginFailure& f : registry.failures()) {
    EXPECT_FALSE(is_built(f.name)) << f.name << " is built but does not load: " << f.error;
  }
  for (const std::string& name : plugins_built()) {
    EXPECT_NE(std::find(loaded.begin(), loaded.end(), name), loaded.end())
        << name << " is built but not in the registry";
  }
  std::vector<std::string> distinct = versions;
  std::sort(distinct.begin(), distinct.end());
  EXPECT_EQ(std::unique(distinct.begin(), distinct.end()), distinct.end())
      << "two plugins report one library version";
}

class BoringsslVersions : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!is_built("boringssl")) GTEST_SKIP() << "the boringssl backend is not built";
    if (!is_built("boringssl-a13")) {
      GTEST_SKIP() << "boringssl-a13 is not built: scripts/fetch-boringssl13.sh puts the "
                      "Android 13 BoringSSL in build/libs/boringssl-13 and the build adds it";
    }
    std::string error;
    // The newer one first: the second to load is the one a shared soname
    // would bind to the first's library.
    system_ = load_backend("boringssl", &error);
    ASSERT_NE(system_, nullptr) << error;
    a13_ = load_backend("boringssl-a13", &error);
    ASSERT_NE(a13_, nullptr) << error;
  }

  std::unique_ptr<LoadedBackend> system_;
  std::unique_ptr<LoadedBackend> a13_;
};

// Each reports the API version of the headers it was compiled against, and
// those differ.
TEST_F(BoringsslVersions, EachReportsItsOwnApiVersion) {
  const std::string system_version(system_->backend().version());
  const std::string a13_version(a13_->backend().version());
  EXPECT_NE(system_version.find("(API version " HSBENCH_TEST_BORINGSSL_API_VERSION ")"),
            std::string::npos)
      << system_version;
  EXPECT_NE(a13_version.find("(API version " HSBENCH_TEST_BORINGSSL13_API_VERSION ")"),
            std::string::npos)
      << a13_version;
  EXPECT_NE(system_version, a13_version);
}

// Each plugin's libcrypto and libssl are its own files: boringssl's are the
// system's, boringssl-a13's the copies beside its plugin (made from
// build/libs/boringssl-13 under a soname of their own).
TEST_F(BoringsslVersions, EachBindsToItsOwnLibraryFiles) {
  PluginHandle system(system_->path());
  PluginHandle a13(a13_->path());
  ASSERT_NE(system.handle, nullptr) << dlerror();
  ASSERT_NE(a13.handle, nullptr) << dlerror();
  for (const char* symbol : {"EVP_sha256", "CRYPTO_tls1_prf", "SSL_CTX_new"}) {
    SCOPED_TRACE(symbol);
    const std::string system_file = system.file_of(symbol);
    const std::string a13_file = a13.file_of(symbol);
    ASSERT_FALSE(system_file.empty());
    ASSERT_FALSE(a13_file.empty());
    EXPECT_NE(system_file, a13_file);
    const std::string a13_dir =
        std::filesystem::path(a13_->path()).parent_path().string() + "/boringssl-a13/";
    EXPECT_TRUE(a13_file.starts_with(a13_dir)) << a13_file;
    EXPECT_FALSE(system_file.starts_with(a13_dir)) << system_file;
  }
}

// Kyber768 is in Android 14's libcrypto and not in Android 13's: a function
// only the newer one has is found through the system plugin and not
// through boringssl-a13, so each runs its own library's code.
TEST_F(BoringsslVersions, OnlyTheNewerOneHasKyber) {
  PluginHandle system(system_->path());
  PluginHandle a13(a13_->path());
  ASSERT_NE(system.handle, nullptr) << dlerror();
  ASSERT_NE(a13.handle, nullptr) << dlerror();
  EXPECT_NE(system.symbol("KYBER_generate_key"), nullptr)
      << "the system BoringSSL has no Kyber768 (older than Android 14?)";
  EXPECT_EQ(a13.symbol("KYBER_generate_key"), nullptr)
      << "boringssl-a13 reaches a library with Kyber768: bound to the system BoringSSL";
}

// Both compute, and agree with each other, while both are loaded.
TEST_F(BoringsslVersions, BothWorkSideBySide) {
  expect_sha256_abc(system_->backend());
  expect_sha256_abc(a13_->backend());
  for (Group group : {Group::x25519, Group::secp256r1}) {
    SCOPED_TRACE(name(group));
    auto a = system_->backend().generate_key_share(group);
    auto b = a13_->backend().generate_key_share(group);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    // Both secrets are 32 bytes: X25519's, and P-256's x-coordinate.
    Bytes ab(32), ba(32);
    ASSERT_TRUE(a->derive(b->public_key(), ab));
    ASSERT_TRUE(b->derive(a->public_key(), ba));
    EXPECT_EQ(to_hex(ab), to_hex(ba));
  }
}

}  // namespace
}  // namespace hsbench::test
