# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; it does nothing by itself.
#
#   HSBENCH_ROOT           the repository root (set here)
#   hsbench_ensure_deps    install the packages of scripts/deps.txt that are missing
#   hsbench_build PRESET   configure and build a CMake preset
#
# Environment:
#   HSBENCH_SKIP_DEPS=1    do not check or install Debian packages
#   HSBENCH_JOBS=N         build with N parallel jobs (default: the generator's)

HSBENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ccache (when the build finds it): paths relative to the checkout, so that a
# second tree of the same sources (the gate's base) hits the same cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$HSBENCH_ROOT}
export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}

hsbench_log() { echo "hsbench: $*" >&2; }
hsbench_die() { echo "hsbench: error: $*" >&2; exit 1; }

# The package names in deps.txt, comments and blank lines dropped.
hsbench_deps() {
  local line
  while IFS= read -r line || [[ -n $line ]]; do
    line="${line%%#*}"
    line="${line//[[:space:]]/}"
    if [[ -n $line ]]; then printf '%s\n' "$line"; fi
  done <"$HSBENCH_ROOT/scripts/deps.txt"
}

# The packages in deps.txt that dpkg does not list as installed.
hsbench_missing_deps() {
  local pkg
  while IFS= read -r pkg; do
    dpkg-query -W -f='${db:Status-Status}\n' "$pkg" 2>/dev/null | grep -qx installed \
      || printf '%s\n' "$pkg"
  done < <(hsbench_deps)
}

hsbench_ensure_deps() {
  if [[ ${HSBENCH_SKIP_DEPS:-0} == 1 ]]; then
    hsbench_log "HSBENCH_SKIP_DEPS=1: not checking Debian packages"
    return 0
  fi
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    hsbench_die "dpkg-query/apt-get not found: this needs Debian 12 (or install the packages in scripts/deps.txt yourself and set HSBENCH_SKIP_DEPS=1)"
  fi

  local -a missing
  mapfile -t missing < <(hsbench_missing_deps)
  [[ ${#missing[@]} -eq 0 ]] && return 0

  hsbench_log "installing missing Debian packages: ${missing[*]}"
  local -a sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null \
      || hsbench_die "not root and sudo is not installed; as root run: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  # Never ask questions; in particular tshark's "should non-superusers be
  # able to capture packets?" is answered no.
  echo "wireshark-common wireshark-common/install-setuid boolean false" \
    | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update \
    || hsbench_die "apt-get update failed"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" \
    || hsbench_die "apt-get install failed for: ${missing[*]}"

  mapfile -t missing < <(hsbench_missing_deps)
  [[ ${#missing[@]} -eq 0 ]] || hsbench_die "still not installed: ${missing[*]}"
}

# Configures and builds a preset of CMakePresets.json (build/PRESET). Build
# output goes to stderr, so that a program run afterwards owns stdout.
hsbench_build() {
  local preset=$1
  local -a jobs=(--parallel)
  [[ -n ${HSBENCH_JOBS:-} ]] && jobs=(--parallel "$HSBENCH_JOBS")
  hsbench_log "configuring preset $preset"
  (cd "$HSBENCH_ROOT" && cmake --preset "$preset") >&2 \
    || hsbench_die "cmake --preset $preset failed"
  hsbench_log "building preset $preset"
  (cd "$HSBENCH_ROOT" && cmake --build --preset "$preset" "${jobs[@]}") >&2 \
    || hsbench_die "build of preset $preset failed"
}
