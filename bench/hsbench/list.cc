// hsbench list [backends|scenarios|steps]
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "commands.h"
#include "hsbench/algorithms.h"
#include "hsbench/backend.h"
#include "hsbench/loader.h"
#include "hsbench/registry.h"
#include "hsbench/runner.h"
#include "hsbench/scenario.h"
#include "hsbench/trace.h"
#include "options.h"

namespace hsbench::cli {
namespace {

template <typename T, size_t N>
std::string join_names(const std::vector<T>& supported, const T (&all)[N]) {
  std::string out;
  for (const T& a : all) {
    bool has = std::find(supported.begin(), supported.end(), a) != supported.end();
    out += fmt::format("{}{}{}", out.empty() ? "" : " ", has ? "" : "-", name(a));
  }
  return out;
}

int list_backends() {
  int rc = 0;
  const BackendRegistry registry = BackendRegistry::discover();
  // The name column fits the longest name (a user's own build may be long).
  size_t width = 10;
  for (const std::string& n : registry.names()) width = std::max(width, n.size());
  const std::string indent(width + 1, ' ');
  for (const auto& lb : registry.backends()) {
    Backend& b = lb->backend();
    const Algorithms& a = b.algorithms();
    fmt::print("{:<{}} {}\n", b.name(), width, b.version());
    fmt::print("{}plugin      {}\n", indent, lb->path());
    fmt::print("{}declares    {}real-crypto {}native-tls\n", indent, b.real_crypto() ? "" : "-",
               b.native_tls() ? "" : "-");
    fmt::print("{}hashes      {}\n", indent, join_names(a.hashes, kAllHashes));
    fmt::print("{}aeads       {}\n", indent, join_names(a.aeads, kAllAeads));
    fmt::print("{}groups      {}\n", indent, join_names(a.groups, kAllGroups));
    fmt::print("{}hybrid      {}\n", indent, join_names(a.groups, kHybridGroups));
    for (const UnsupportedGroup& u : a.unsupported_groups) {
      fmt::print("{}  -{}: {}\n", indent, name(u.group), u.reason);
    }
    fmt::print("{}signatures  {}\n", indent, join_names(a.signature_schemes, kAllSignatureSchemes));
    fmt::print("{}other       {}hkdf {}tls12-prf {}rsa-pkcs1-encryption {}x509\n", indent,
               a.hkdf ? "" : "-", a.tls12_prf ? "" : "-", a.rsa_pkcs1_encryption ? "" : "-",
               a.x509 ? "" : "-");
  }
  for (const PluginFailure& f : registry.failures()) {
    fmt::print("{:<{}} unavailable: {}\n", f.name, width, f.error);
    rc = kExitFailed;
  }
  fmt::print("(a name marked '-' is unsupported by that backend)\n");
  return rc;
}

int list_scenarios() {
  const std::vector<const Scenario*> defaults = default_scenarios();
  fmt::print("{:<38} {:<4} {:<6} {:<21} {:<11} {:<40} {}\n", "scenario", "tls", "kx", "group",
             "cert", "cipher suite", "default");
  for (const Scenario& s : all_scenarios()) {
    const ScenarioConfig c = scenario_config(s);
    const bool is_default = std::find(defaults.begin(), defaults.end(), &s) != defaults.end();
    fmt::print("{:<38} {:<4} {:<6} {:<21} {:<11} {:<40} {}\n", s.id, c.tls, c.kx,
               c.group.empty() ? "-" : c.group, c.cert, c.cipher, is_default ? "yes" : "");
  }
  fmt::print(
      "(--scenario ID,... or --tls/--kx/--cert choose; with neither, the default ones run)\n");
  return 0;
}

// The messages each version's handshake carries, in the order they flow;
// mutual_tls marks those only a mutual TLS handshake has.
struct MessageSender {
  Message message;
  Side sender;
  bool mutual_tls = false;
};
constexpr MessageSender kTls12Messages[] = {
    {Message::client_hello, Side::client},
    {Message::server_hello, Side::server},
    {Message::certificate, Side::server},
    {Message::server_key_exchange, Side::server},
    {Message::certificate_request, Side::server, true},
    {Message::server_hello_done, Side::server},
    {Message::certificate, Side::client, true},
    {Message::client_key_exchange, Side::client},
    {Message::certificate_verify, Side::client, true},
    {Message::change_cipher_spec, Side::client},
    {Message::finished, Side::client},
    {Message::new_session_ticket, Side::server},
    {Message::change_cipher_spec, Side::server},
    {Message::finished, Side::server},
    {Message::application_data, Side::client},
    {Message::application_data, Side::server},
};
constexpr MessageSender kTls13Messages[] = {
    {Message::client_hello, Side::client},
    {Message::hello_retry_request, Side::server},
    {Message::server_hello, Side::server},
    {Message::change_cipher_spec, Side::server},
    {Message::encrypted_extensions, Side::server},
    {Message::certificate_request, Side::server, true},
    {Message::certificate, Side::server},
    {Message::certificate_verify, Side::server},
    {Message::finished, Side::server},
    {Message::change_cipher_spec, Side::client},
    {Message::certificate, Side::client, true},
    {Message::certificate_verify, Side::client, true},
    {Message::finished, Side::client},
    {Message::new_session_ticket, Side::server},
    {Message::application_data, Side::client},
    {Message::application_data, Side::server},
};

template <size_t N>
std::string messages_of(int step, TlsVersion v, const MessageSender (&list)[N]) {
  std::vector<std::string> names;
  for (const MessageSender& m : list) {
    if (user_step(v, m.message, m.sender) != step) continue;
    std::string n = std::string(name(m.sender)) + " " + std::string(name(m.message));
    if (m.mutual_tls) n += '*';
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
  }
  return names.empty() ? "-" : join(names);
}

int list_steps() {
  fmt::print(
      "The 8 user steps and the messages each groups (a step's time is the writer's\n"
      "work to build and send it plus the reader's work to receive and process it):\n\n");
  for (int step = 1; step <= kUserSteps; step++) {
    fmt::print("{} {}\n", step, user_step_name(step));
    fmt::print("    TLS 1.2: {}\n", messages_of(step, TlsVersion::tls12, kTls12Messages));
    fmt::print("    TLS 1.3: {}\n", messages_of(step, TlsVersion::tls13, kTls13Messages));
  }
  fmt::print(
      "\n* only in mutual TLS (the -mtls scenarios).\n"
      "\nTLS 1.2 runs them in the order 1,2,3,4,6,7,5,8. In the JSON, each result's\n"
      "\"steps\" lists the engine's real steps (side, action, message) in wire order,\n"
      "each with its user_step; a native result (--engine native) lists the library's\n"
      "messages as its message callbacks report them, each with its \"boundary\".\n");
  return 0;
}

}  // namespace

CLI::App* add_list_command(CLI::App* app, ListArgs* args) {
  auto* list = app->add_subcommand("list", "List backends, scenarios or steps");
  list->add_option("what", args->what, "What to list: backends, scenarios or steps")
      ->check(CLI::IsMember({"backends", "scenarios", "steps"}).description(""));
  return list;
}

int run_list(const ListArgs& args) {
  if (args.what == "scenarios") return list_scenarios();
  if (args.what == "steps") return list_steps();
  return list_backends();
}

}  // namespace hsbench::cli
