// hsbench: the command line. Errors are one line on stderr and exit code 2
// (bad input) or 1 (a check that ran and failed).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "hsbench/backend.h"
#include "hsbench/loader.h"
#include "hsbench/pki.h"

namespace hsbench {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 2;

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

template <typename T, size_t N>
std::string join_names(const std::vector<T>& supported, const T (&all)[N]) {
  std::string out;
  for (const T& a : all) {
    bool has = std::find(supported.begin(), supported.end(), a) != supported.end();
    out += fmt::format("{}{}{}", out.empty() ? "" : " ", has ? "" : "-", name(a));
  }
  return out;
}

// Every backend this build made, then any other plugin found on the path.
std::vector<std::string> backend_names() {
  std::vector<std::string> names = split_list(HSBENCH_BUILT_BACKENDS);
  for (const auto& n : available_backends()) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names;
}

int list_backends() {
  int rc = 0;
  std::vector<std::string> built = split_list(HSBENCH_BUILT_BACKENDS);
  for (const auto& n : {std::string("openssl"), std::string("boringssl")}) {
    if (std::find(built.begin(), built.end(), n) == built.end()) {
      fmt::print("{:<10} not built (disabled, or its library was not found when hsbench was configured)\n", n);
    }
  }
  for (const auto& n : backend_names()) {
    std::string error;
    auto lb = load_backend(n, &error);
    if (!lb) {
      fmt::print("{:<10} unavailable: {}\n", n, error);
      rc = kExitFailed;
      continue;
    }
    Backend& b = lb->backend();
    const Algorithms& a = b.algorithms();
    fmt::print("{:<10} {}\n", b.name(), b.version());
    fmt::print("           plugin      {}\n", lb->path());
    fmt::print("           hashes      {}\n", join_names(a.hashes, kAllHashes));
    fmt::print("           aeads       {}\n", join_names(a.aeads, kAllAeads));
    fmt::print("           groups      {}\n", join_names(a.groups, kAllGroups));
    fmt::print("           signatures  {}\n", join_names(a.signature_schemes, kAllSignatureSchemes));
    fmt::print("           other       {}hkdf {}tls12-prf {}rsa-pkcs1-encryption {}x509\n",
               a.hkdf ? "" : "-", a.tls12_prf ? "" : "-", a.rsa_pkcs1_encryption ? "" : "-",
               a.x509 ? "" : "-");
  }
  fmt::print("(a name marked '-' is unsupported by that backend)\n");
  return rc;
}

struct PkiOptions {
  std::string dir;
  std::string kind = "rsa2048";
  PkiFiles files;
  std::string hostname = "localhost";
};

void add_pki_options(CLI::App* app, PkiOptions* o) {
  app->add_option("--pki-dir", o->dir, "Directory of the default test PKI");
  app->add_option("--cert", o->kind, "Default PKI kind: rsa2048, rsa3072, rsa4096, ecdsa-p256, "
                                     "ecdsa-p384 or ed25519");
  auto* chain = app->add_option("--chain", o->files.chain,
                                "Your own certificate chain (PEM, leaf first)");
  auto* key = app->add_option("--key", o->files.key, "Your own leaf private key (PEM or DER)");
  auto* root = app->add_option("--root", o->files.root, "Your own trust anchor (PEM or DER)");
  chain->needs(key)->needs(root);
  key->needs(chain);
  root->needs(chain);
  app->add_option("--hostname", o->hostname, "Name the leaf must be valid for ('' for none)");
}

// Reads the PKI the options name: the user's files, or a default kind.
std::unique_ptr<Pki> read_pki_options(const PkiOptions& o, std::string* out_error) {
  if (!o.files.chain.empty()) return read_pki("custom", o.files, out_error);
  const auto& kinds = default_pki_kinds();
  if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) {
    *out_error = "unknown certificate kind '" + o.kind + "'";
    return nullptr;
  }
  std::string dir = o.dir.empty() ? default_pki_dir() : o.dir;
  return read_pki(o.kind, default_pki_files(dir, o.kind), out_error);
}

int pki_check(const std::vector<std::string>& backends, const PkiOptions& o) {
  std::string error;
  auto pki = read_pki_options(o, &error);
  if (!pki) {
    fmt::print(stderr, "hsbench: {}\n", error);
    return kExitBadInput;
  }
  int rc = 0;
  for (const auto& name : backends) {
    auto lb = load_backend(name, &error);
    if (!lb) {
      fmt::print(stderr, "hsbench: {}\n", error);
      return kExitBadInput;
    }
    auto creds = prepare_credentials(lb->backend(), *pki, o.hostname, &error);
    if (!creds) {
      fmt::print(stderr, "hsbench: {}: {}\n", name, error);
      rc = kExitFailed;
      continue;
    }
    fmt::print("{:<10} {}: chain of {} verifies, key {} {} matches the leaf\n", name, pki->name,
               creds->chain->size(), hsbench::name(creds->leaf.type), creds->leaf.bits);
  }
  return rc;
}

int run(int argc, char** argv) {
  CLI::App app{"hsbench: what a TLS handshake costs, step by step"};
  app.set_version_flag("--version", std::string("hsbench ") + HSBENCH_VERSION);
  app.require_subcommand(1, 1);

  auto* version = app.add_subcommand("version", "Print the version and build");

  auto* list = app.add_subcommand("list", "List backends");
  std::string what = "backends";
  list->add_option("what", what, "What to list")->check(CLI::IsMember({"backends"}));

  auto* pki = app.add_subcommand("pki", "Certificate chains and keys");
  pki->require_subcommand(1, 1);
  auto* check = pki->add_subcommand(
      "check", "Check that a chain verifies and its key signs, on each backend");
  PkiOptions pki_options;
  std::string backend_list = "all";
  check->add_option("--backend", backend_list, "Backends: a list of names, or all");
  add_pki_options(check, &pki_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    std::replace(message.begin(), message.end(), '\n', ' ');
    fmt::print(stderr, "hsbench: {}\n", message);
    return kExitBadInput;
  }

  if (*version) {
    fmt::print("hsbench {}\ncompiler {}\nbuild {}\nbackends built {}\n", HSBENCH_VERSION,
               HSBENCH_COMPILER, HSBENCH_BUILD_TYPE, HSBENCH_BUILT_BACKENDS);
    return 0;
  }
  if (*list) return list_backends();
  if (*check) {
    std::vector<std::string> names =
        backend_list == "all" ? split_list(HSBENCH_BUILT_BACKENDS) : split_list(backend_list);
    if (names.empty()) {
      fmt::print(stderr, "hsbench: --backend names no backend\n");
      return kExitBadInput;
    }
    return pki_check(names, pki_options);
  }
  return kExitBadInput;
}

}  // namespace
}  // namespace hsbench

int main(int argc, char** argv) { return hsbench::run(argc, argv); }
