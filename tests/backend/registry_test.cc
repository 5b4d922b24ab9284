// The backend registry (hsbench/registry.h): every plugin found is listed,
// in the order its declarations give, one that does not load is reported
// with why, and a plugin hsbench was never told about (tests/backend/
// extra_plugin, on $HSBENCH_BACKEND_PATH) is in every list: the registry's,
// "hsbench list backends", "hsbench pki check" and a "--backend all" run,
// where its unsupported scenarios are skipped as such.
#include "hsbench/registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "backend/backend_test_util.h"
#include "cli_util.h"

namespace hsbench::test {
namespace {

const std::string kExtraDir = HSBENCH_TEST_EXTRA_PLUGIN_DIR;

// The names every list must give: the real backends built, in their
// declared order, then the stand-ins by name (extra when it is on the path).
std::vector<std::string> expected_names(bool with_extra) {
  std::vector<std::string> names = built_backends();  // in list order
  if (with_extra) names.emplace_back("extra");
  names.emplace_back("null");
  return names;
}

// Runs hsbench in dir with this process's environment.
Outcome hsbench(const std::string& dir, const std::string& args) {
  return run_shell(dir, quote(HSBENCH_BIN) + " " + args);
}

std::vector<std::string> first_words_of_unindented_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == ' ' || line[0] == '(') continue;
    out.push_back(line.substr(0, line.find(' ')));
  }
  return out;
}

TEST(backend_registry, DefaultOrderIsTheDeclaredOne) {
  ScopedEnv env("HSBENCH_BACKEND_PATH", std::nullopt);
  const BackendRegistry registry = BackendRegistry::discover();
  EXPECT_EQ(registry.names(), expected_names(false));
  EXPECT_TRUE(registry.failures().empty())
      << registry.failures().front().name << ": " << registry.failures().front().error;
}

TEST(backend_registry, CapabilitiesAreDeclaredByThePlugins) {
  ScopedEnv env("HSBENCH_BACKEND_PATH", kExtraDir);
  const BackendRegistry registry = BackendRegistry::discover();
  ASSERT_EQ(registry.names(), expected_names(true));
  for (const auto& lb : registry.backends()) {
    const Backend& b = lb->backend();
    SCOPED_TRACE(std::string(b.name()));
    const bool stand_in = b.name() == "null" || b.name() == "extra";
    EXPECT_EQ(b.real_crypto(), !stand_in);
    EXPECT_EQ(b.native_tls(), !stand_in);
  }
}

TEST(backend_registry, FindsAPluginOnTheSearchPath) {
  ScopedEnv env("HSBENCH_BACKEND_PATH", kExtraDir);
  const BackendRegistry registry = BackendRegistry::discover();
  const auto& backends = registry.backends();
  auto extra = std::find_if(backends.begin(), backends.end(),
                            [](const auto& lb) { return lb->backend().name() == "extra"; });
  ASSERT_NE(extra, backends.end());
  EXPECT_EQ((*extra)->path(), kExtraDir + "/hsbench-backend-extra.so");
  EXPECT_EQ((*extra)->backend().algorithms().groups, std::vector<Group>{Group::x25519});
}

TEST(backend_registry, APluginThatDoesNotLoadIsReportedWithItsReason) {
  TempDir dir("registry");
  ASSERT_FALSE(dir.path().empty());
  const std::string path = dir.path() + "/hsbench-backend-broken.so";
  std::ofstream(path, std::ios::binary) << "not a shared object\n";
  ScopedEnv env("HSBENCH_BACKEND_PATH", dir.path());
  const BackendRegistry registry = BackendRegistry::discover();
  ASSERT_EQ(registry.failures().size(), 1u);
  EXPECT_EQ(registry.failures()[0].name, "broken");
  EXPECT_NE(registry.failures()[0].error.find(path), std::string::npos)
      << registry.failures()[0].error;
  EXPECT_EQ(registry.failures()[0].error.find('\n'), std::string::npos);
  // The others still load, in their order, the failure listed last.
  std::vector<std::string> names = expected_names(false);
  names.emplace_back("broken");
  EXPECT_EQ(registry.names(), names);
}

TEST(backend_registry, TheOrderIsRealCryptoThenRankThenName) {
  ScopedEnv env("HSBENCH_BACKEND_PATH", kExtraDir);
  const BackendRegistry registry = BackendRegistry::discover();
  const auto& b = registry.backends();
  for (size_t i = 1; i < b.size(); i++) {
    EXPECT_TRUE(lists_before(b[i - 1]->backend(), b[i]->backend()))
        << b[i - 1]->backend().name() << " before " << b[i]->backend().name();
    EXPECT_FALSE(lists_before(b[i]->backend(), b[i - 1]->backend()));
  }
}

class RegistryCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(dir_.path().empty()); }
  TempDir dir_{"registry"};
};

TEST_F(RegistryCliTest, ListBackendsShowsEveryPluginFoundWithItsDeclarations) {
  ScopedEnv env("HSBENCH_BACKEND_PATH", kExtraDir);
  const Outcome o = hsbench(dir_.path(), "list backends");
  ASSERT_EQ(o.rc, 0) << o.out << o.err;
  EXPECT_EQ(first_words_of_unindented_lines(o.out), expected_names(true)) << o.out;
  // The name column is as wide as the longest name.
  EXPECT_TRUE(std::regex_search(o.out, std::regex("(^|\n)extra +extra \\(the null backend, "
                                                  "x25519 only\\)")))
      << o.out;
  EXPECT_NE(o.out.find("declares    -real-crypto -native-tls"), std::string::npos) << o.out;
  if (!built_backends().empty()) {
    EXPECT_NE(o.out.find("declares    real-crypto native-tls"), std::string::npos) << o.out;
  }
}

TEST_F(RegistryCliTest, ListBackendsReportsAPluginThatDoesNotLoad) {
  const std::string broken = dir_.path() + "/plugins";
  std::filesystem::create_directory(broken);
  std::ofstream(broken + "/hsbench-backend-broken.so", std::ios::binary) << "garbage\n";
  ScopedEnv env("HSBENCH_BACKEND_PATH", broken + ":" + kExtraDir);
  const Outcome o = hsbench(dir_.path(), "list backends");
  EXPECT_EQ(o.rc, 1) << o.out << o.err;  // a plugin was found that does not load
  EXPECT_TRUE(std::regex_search(o.out, std::regex("(^|\n)broken +unavailable: cannot load "
                                                  "backend plugin ")))
      << o.out;
  EXPECT_NE(o.out.find("unavailable: cannot load backend plugin " + broken), std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("extra "), std::string::npos) << o.out;

  // A run on all of them says what it leaves out, and why.
  const Outcome run = hsbench(dir_.path(),
                              "--backend all --scenario tls13-x25519-ecdsa-p256 --handshakes 2 "
                              "--repetitions 1 --warmup 0 --no-lower-bound --json out.json");
  ASSERT_EQ(run.rc, 0) << run.err;
  EXPECT_NE(run.err.find("hsbench: leaving out broken: cannot load backend plugin"),
            std::string::npos)
      << run.err;
}

TEST_F(RegistryCliTest, PkiCheckCoversEveryPluginFound) {
  ScopedEnv env("HSBENCH_BACKEND_PATH", kExtraDir);
  const Outcome o = hsbench(dir_.path(), "pki check");
  ASSERT_EQ(o.rc, 0) << o.out << o.err;
  EXPECT_EQ(first_words_of_unindented_lines(o.out), expected_names(true)) << o.out;
}

TEST_F(RegistryCliTest, RunOnAllIncludesTheExtraPluginAndTypesWhatItCannotDo) {
  ScopedEnv env("HSBENCH_BACKEND_PATH", kExtraDir);
  const Outcome o =
      hsbench(dir_.path(),
              "--backend all --scenario tls13-x25519-ecdsa-p256,tls13-p256-ecdsa-p256 "
              "--engine both --handshakes 2 --repetitions 1 --warmup 0 "
              "--no-lower-bound --json out.json");
  ASSERT_EQ(o.rc, 0) << o.err;
  const nlohmann::json doc = nlohmann::json::parse(slurp(dir_.path() + "/out.json"));

  std::vector<std::string> context_names;
  for (const auto& b : doc["context"]["backends"]) context_names.push_back(b["name"]);
  EXPECT_EQ(context_names, expected_names(true));

  auto result = [&](const std::string& scenario, const std::string& backend,
                    const std::string& engine) -> const nlohmann::json* {
    for (const auto& r : doc["results"]) {
      if (r["scenario"] == scenario && r["backend"] == backend && r["engine"] == engine) return &r;
    }
    ADD_FAILURE() << "no result for " << scenario << " on " << backend << "/" << engine;
    return nullptr;
  };
  // What it has, it runs.
  if (const auto* r = result("tls13-x25519-ecdsa-p256", "extra", "hsbench")) {
    EXPECT_EQ((*r)["status"], "ok") << r->dump();
    EXPECT_FALSE(r->contains("skip_kind"));
  }
  // What it lacks is unsupported, by type, with its reason.
  if (const auto* r = result("tls13-p256-ecdsa-p256", "extra", "hsbench")) {
    EXPECT_EQ((*r)["status"], "skipped");
    EXPECT_EQ((*r)["skip_kind"], "unsupported");
    EXPECT_EQ((*r)["skip_reason"], "extra lacks secp256r1");
  }
  for (const char* stand_in : {"extra", "null"}) {
    if (const auto* r = result("tls13-x25519-ecdsa-p256", stand_in, "native")) {
      EXPECT_EQ((*r)["status"], "skipped");
      EXPECT_EQ((*r)["skip_kind"], "unsupported");
      EXPECT_EQ((*r)["skip_reason"], std::string(stand_in) + " has no TLS stack of its own");
    }
  }
  // The null backend has every algorithm: nothing of it is unsupported.
  if (const auto* r = result("tls13-p256-ecdsa-p256", "null", "hsbench")) {
    EXPECT_EQ((*r)["status"], "ok") << r->dump();
  }
  // The table says why, as for any skipped result.
  EXPECT_NE(o.out.find("skipped: extra lacks secp256r1"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace hsbench::test
