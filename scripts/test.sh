#!/usr/bin/env bash
# Tests hsbench: installs missing Debian packages (scripts/deps.txt), builds a
# preset, runs its ctest suite, then the Python tests in tests/python.
#
#   scripts/test.sh [--preset release|asan]     (default: release)
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HSBENCH_ROOT"

usage() { echo "usage: scripts/test.sh [--preset release|asan]" >&2; exit 2; }

preset=release
while [[ $# -gt 0 ]]; do
  case "$1" in
    --preset) [[ $# -ge 2 ]] || usage; preset=$2; shift 2 ;;
    --preset=*) preset=${1#--preset=}; shift ;;
    -h|--help) usage ;;
    *) echo "scripts/test.sh: unknown argument: $1" >&2; usage ;;
  esac
done
case "$preset" in
  release|asan) ;;
  *) echo "scripts/test.sh: unknown preset: $preset" >&2; usage ;;
esac

hsbench_ensure_deps
hsbench_build "$preset"

failed=()

hsbench_log "running ctest --preset $preset"
ctest --preset "$preset" --output-on-failure || failed+=("ctest ($preset)")

if [[ -d tests/python ]] \
   && [[ -n $(find tests/python -type f \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit) ]]; then
  hsbench_log "running pytest tests/python"
  rc=0
  # The Python tests that run hsbench run this preset's build; under asan
  # with the sanitizer options of its ctest preset (CMakePresets.json).
  if [[ $preset == asan ]]; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:intercept_tls_get_addr=0}
  fi
  HSBENCH_BIN=$HSBENCH_ROOT/build/$preset/bin/hsbench \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/python || rc=$?
  # 5: no tests collected, which is not a failure.
  if [[ $rc -ne 0 && $rc -ne 5 ]]; then failed+=("pytest"); fi
fi

if [[ ${#failed[@]} -gt 0 ]]; then
  hsbench_log "FAILED: ${failed[*]}"
  exit 1
fi
hsbench_log "all tests passed ($preset)"
