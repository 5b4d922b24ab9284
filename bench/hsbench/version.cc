// hsbench version: the version, the commit and the build.
#include <fmt/format.h>

#include "commands.h"
#include "hsbench_git.h"

namespace hsbench::cli {

CLI::App* add_version_command(CLI::App* app) {
  return app->add_subcommand("version", "Print the version and build");
}

int run_version() {
  fmt::print("hsbench {} (git {})\ncompiler {}\nbuild {}\nbackends built {}\n", HSBENCH_VERSION,
             HSBENCH_GIT_COMMIT, HSBENCH_COMPILER, HSBENCH_BUILD_TYPE, HSBENCH_BUILT_BACKENDS);
  return 0;
}

}  // namespace hsbench::cli
