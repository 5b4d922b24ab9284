// hsbench pki check: that a chain verifies and its key signs, on each backend.
#include "hsbench/pki.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "hsbench/loader.h"
#include "options.h"

namespace hsbench::cli {
namespace {

void add_pki_options(CLI::App* app, PkiOptions* o) {
  app->add_option("--pki-dir", o->dir, "Directory of the default test PKI");
  app->add_option("--cert", o->kind,
                  "Default PKI kind: rsa2048, rsa3072, rsa4096, ecdsa-p256, "
                  "ecdsa-p384 or ed25519");
  auto* chain =
      app->add_option("--chain", o->files.chain, "Your own certificate chain (PEM, leaf first)");
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

}  // namespace

CLI::App* add_pki_command(CLI::App* app, PkiArgs* args) {
  auto* pki = app->add_subcommand("pki", "Certificate chains and keys");
  pki->require_subcommand(1, 1);
  auto* check = pki->add_subcommand(
      "check", "Check that a chain verifies and its key signs, on each backend");
  check->add_option("--backend", args->backend_list, "Backends: a list of names, or all");
  add_pki_options(check, &args->options);
  return pki;
}

int run_pki_check(const PkiArgs& args) {
  std::vector<std::string> names = args.backend_list == "all" ? backend_names()
                                                              : split_list(args.backend_list);
  if (names.empty()) {
    fmt::print(stderr, "hsbench: --backend names no backend\n");
    return kExitBadInput;
  }
  return pki_check(names, args.options);
}

}  // namespace hsbench::cli
