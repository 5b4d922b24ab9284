// hsbench pfs-demo: forward secrecy, shown (engine/demo/pfs.h).
#include <iostream>

#include "commands.h"

namespace hsbench::cli {

CLI::App* add_pfs_demo_command(CLI::App* app, demo::PfsDemoOptions* options) {
  auto* pfs = app->add_subcommand(
      "pfs-demo",
      "Forward secrecy, shown: record an RSA-key-transport and an ECDHE handshake, "
      "steal the server's key, and see which recording it opens");
  pfs->add_option("--backend", options->backend,
                  "a backend with real crypto (hsbench list backends; default: openssl)");
  pfs->add_option("--json", options->json_path, "Also write the result as JSON; - for stdout");
  pfs->add_option("--pcap", options->pcap_path, "Write the two recorded handshakes as a pcap");
  pfs->add_option("--pki-dir", options->pki_dir, "Directory of the default test PKI");
  return pfs;
}

int run_pfs_demo(const demo::PfsDemoOptions& options) {
  return demo::pfs_demo_command(options, std::cout, std::cerr);
}

}  // namespace hsbench::cli
