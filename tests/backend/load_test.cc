// The plugin loader: every built backend loads by name and by path, OpenSSL
// and BoringSSL (and every other real backend) live side by side in one
// process, and anything that is not a working plugin is refused with a
// one-line reason.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend_test_util.h"
#include "cli_util.h"

namespace hsbench::test {
namespace {

// The suite is named in lower case so that `ctest -R backend` selects it,
// as it does the parameterized suites (instantiated as backend_kat,
// backend_pki and backend_cross).

void expect_one_line_error(const std::string& error) {
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(backend_load, OpensslAndBoringsslShareOneProcess) {
  if (!both_real_backends_built()) {
    GTEST_SKIP() << "needs both the openssl and boringssl backends built";
  }
  std::string error;
  auto openssl = load_backend("openssl", &error);
  ASSERT_NE(openssl, nullptr) << error;
  auto boringssl = load_backend("boringssl", &error);
  ASSERT_NE(boringssl, nullptr) << error;

  const std::string openssl_version(openssl->backend().version());
  const std::string boringssl_version(boringssl->backend().version());
  EXPECT_TRUE(openssl_version.starts_with("OpenSSL 3.")) << openssl_version;
  EXPECT_NE(boringssl_version.find("BoringSSL"), std::string::npos) << boringssl_version;
  EXPECT_NE(openssl_version, boringssl_version);

  // Both work, each with its own library, while the other is loaded.
  expect_sha256_abc(openssl->backend());
  expect_sha256_abc(boringssl->backend());
  auto a = openssl->backend().generate_key_share(Group::x25519);
  auto b = boringssl->backend().generate_key_share(Group::x25519);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Bytes ab(32), ba(32);
  ASSERT_TRUE(a->derive(b->public_key(), ab));
  ASSERT_TRUE(b->derive(a->public_key(), ba));
  EXPECT_EQ(to_hex(ab), to_hex(ba));
}

// Every real backend at once, each loaded with RTLD_LOCAL and bound to its
// own library: each reports its own version and computes, and each pair
// agrees on an X25519 secret while all are loaded.
TEST(backend_load, EveryRealBackendSharesOneProcess) {
  const std::vector<std::string> names = built_backends();
  std::vector<std::unique_ptr<LoadedBackend>> loaded;
  std::vector<std::string> versions;
  for (const std::string& name : names) {
    std::string error;
    loaded.push_back(load_backend(name, &error));
    ASSERT_NE(loaded.back(), nullptr) << name << ": " << error;
    versions.emplace_back(loaded.back()->backend().version());
  }
  std::vector<std::string> distinct = versions;
  std::sort(distinct.begin(), distinct.end());
  EXPECT_EQ(std::unique(distinct.begin(), distinct.end()), distinct.end())
      << "two backends report one library";
  for (auto& backend : loaded) expect_sha256_abc(backend->backend());
  for (auto& a : loaded) {
    for (auto& b : loaded) {
      if (a == b) continue;
      SCOPED_TRACE(std::string(a->backend().name()) + " with " + std::string(b->backend().name()));
      auto mine = a->backend().generate_key_share(Group::x25519);
      auto theirs = b->backend().generate_key_share(Group::x25519);
      ASSERT_NE(mine, nullptr);
      ASSERT_NE(theirs, nullptr);
      Bytes ab(32), ba(32);
      ASSERT_TRUE(mine->derive(theirs->public_key(), ab));
      ASSERT_TRUE(theirs->derive(mine->public_key(), ba));
      EXPECT_EQ(to_hex(ab), to_hex(ba));
    }
  }
}

TEST(backend_load, GnutlsVersion) {
  const std::vector<std::string> built = plugins_built();
  if (std::find(built.begin(), built.end(), "gnutls") == built.end()) {
    GTEST_SKIP() << "the gnutls backend is not built";
  }
  std::string error;
  auto backend = load_backend("gnutls", &error);
  ASSERT_NE(backend, nullptr) << error;
  const std::string version(backend->backend().version());
  EXPECT_TRUE(version.starts_with("GnuTLS 3.")) << version;
  EXPECT_NE(version.find("nettle 3."), std::string::npos) << version;
}

TEST(backend_load, OpensslVersion) {
  if (!HSBENCH_HAVE_OPENSSL) GTEST_SKIP() << "the openssl backend is not built";
  std::string error;
  auto backend = load_backend("openssl", &error);
  ASSERT_NE(backend, nullptr) << error;
  EXPECT_TRUE(std::string(backend->backend().version()).starts_with("OpenSSL 3."))
      << backend->backend().version();
}

TEST(backend_load, BoringsslVersion) {
  if (!HSBENCH_HAVE_BORINGSSL) GTEST_SKIP() << "the boringssl backend is not built";
  std::string error;
  auto backend = load_backend("boringssl", &error);
  ASSERT_NE(backend, nullptr) << error;
  EXPECT_NE(std::string(backend->backend().version()).find("BoringSSL"), std::string::npos)
      << backend->backend().version();
}

std::vector<std::string> loadable_backends() {
  std::vector<std::string> names = built_backends();
  names.emplace_back("null");
  return names;
}

TEST(backend_load, EveryBuiltBackendLoadsByNameAndByPath) {
  for (const std::string& name : loadable_backends()) {
    SCOPED_TRACE(name);
    std::string error;
    auto by_name = load_backend(name, &error);
    ASSERT_NE(by_name, nullptr) << "built but does not load: " << error;
    EXPECT_EQ(by_name->backend().name(), name);
    EXPECT_FALSE(by_name->backend().version().empty());
    EXPECT_TRUE(by_name->path().ends_with("/hsbench-backend-" + name + ".so")) << by_name->path();

    auto by_path = load_backend(by_name->path(), &error);
    ASSERT_NE(by_path, nullptr) << error;
    EXPECT_EQ(by_path->backend().name(), name);
  }
}

TEST(backend_load, NullBackend) {
  std::string error;
  auto backend = load_backend("null", &error);
  ASSERT_NE(backend, nullptr) << error;
  EXPECT_EQ(backend->backend().name(), "null");
  // Its plugin sits in a directory of the search path.
  const auto dirs = backend_search_path();
  const std::string dir = std::filesystem::path(backend->path()).parent_path().string();
  EXPECT_NE(std::find(dirs.begin(), dirs.end(), dir), dirs.end()) << dir;
}

TEST(backend_load, AvailableBackendsListsEveryBuiltOne) {
  const std::vector<std::string> available = available_backends();
  for (const std::string& name : loadable_backends()) {
    EXPECT_NE(std::find(available.begin(), available.end(), name), available.end())
        << name << " is built but not listed";
  }
  EXPECT_TRUE(std::is_sorted(available.begin(), available.end()));
  EXPECT_EQ(std::adjacent_find(available.begin(), available.end()), available.end())
      << "a name is listed twice";
}

// A backend may be destroyed at any time; its plugin stays mapped and loads
// again (loader.h).
TEST(backend_load, ReloadAfterDestroy) {
  for (const std::string& name : loadable_backends()) {
    SCOPED_TRACE(name);
    std::string error;
    auto first = load_backend(name, &error);
    ASSERT_NE(first, nullptr) << error;
    first.reset();
    auto second = load_backend(name, &error);
    ASSERT_NE(second, nullptr) << error;
    if (name != "null") expect_sha256_abc(second->backend());
  }
}

TEST(backend_load, UnknownNameFails) {
  std::string error;
  EXPECT_EQ(load_backend("no-such-backend", &error), nullptr);
  expect_one_line_error(error);
  EXPECT_NE(error.find("no-such-backend"), std::string::npos) << error;
}

TEST(backend_load, MalformedNamesFail) {
  for (std::string_view name :
       {"", "open ssl", "OPENSSL", "openssl.so", "..", "hsbench-backend-null"}) {
    SCOPED_TRACE(std::string(name));
    std::string error;
    EXPECT_EQ(load_backend(name, &error), nullptr);
    expect_one_line_error(error);
  }
}

TEST(backend_load, MissingPathFails) {
  std::string error;
  EXPECT_EQ(load_backend("/nonexistent/hsbench/hsbench-backend-openssl.so", &error), nullptr);
  expect_one_line_error(error);
  EXPECT_NE(error.find("/nonexistent/hsbench/hsbench-backend-openssl.so"), std::string::npos)
      << error;
}

TEST(backend_load, GarbageFileFails) {
  TempDir dir("load");
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/hsbench-backend-broken.so";
  {
    std::ofstream out(path, std::ios::binary);
    out << "this is not an ELF shared object\n";
  }
  std::string error;
  EXPECT_EQ(load_backend(path, &error), nullptr);
  expect_one_line_error(error);
  EXPECT_NE(error.find(path), std::string::npos) << error;

  // Found by name on the search path, it fails the same way.
  ScopedEnv env("HSBENCH_BACKEND_PATH", dir.path());
  error.clear();
  EXPECT_EQ(load_backend("broken", &error), nullptr);
  expect_one_line_error(error);
  // And the real backends still load with it on the path.
  error.clear();
  EXPECT_NE(load_backend("null", &error), nullptr) << error;
}

TEST(backend_load, EmptyFileFails) {
  TempDir dir("load");
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/hsbench-backend-empty.so";
  std::ofstream(path, std::ios::binary).close();
  std::string error;
  EXPECT_EQ(load_backend(path, &error), nullptr);
  expect_one_line_error(error);
}

TEST(backend_load, SharedObjectWithoutEntryPointFails) {
  std::string error;
  EXPECT_EQ(load_backend(HSBENCH_TEST_NO_ENTRY_POINT_PLUGIN, &error), nullptr);
  expect_one_line_error(error);
  EXPECT_NE(error.find(HSBENCH_BACKEND_ENTRY_POINT), std::string::npos) << error;
}

TEST(backend_load, PluginThatRefusesToStartFails) {
  std::string error;
  EXPECT_EQ(load_backend(HSBENCH_TEST_REFUSING_PLUGIN, &error), nullptr);
  expect_one_line_error(error);
  EXPECT_NE(error.find(HSBENCH_TEST_REFUSING_PLUGIN), std::string::npos) << error;
}

}  // namespace
}  // namespace hsbench::test
