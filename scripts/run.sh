#!/usr/bin/env bash
# Runs the benchmark: installs missing Debian packages (scripts/deps.txt),
# builds the release preset, then runs hsbench with the given arguments.
#
#   scripts/run.sh                      hsbench --backend all (the default matrix)
#   scripts/run.sh [hsbench args...]    e.g. scripts/run.sh list backends
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HSBENCH_ROOT"

hsbench_ensure_deps
hsbench_build release

[[ $# -gt 0 ]] || set -- --backend all
exec "$HSBENCH_ROOT/build/release/bin/hsbench" "$@"
