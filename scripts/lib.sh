# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; it does nothing by itself.
#
#   HSBENCH_ROOT           the repository root (set here)
#   hsbench_ensure_deps    install the packages of scripts/deps.txt that are missing
#   hsbench_build PRESET   fetch build/libs (scripts/fetch-boringssl13.sh), then
#                          configure and build a CMake preset
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

# deps.txt lines are NAME, or NAME/SUITE>=VERSION for a package that must
# come from another suite of the same Debian (bookworm-backports) at that
# version or newer. hsbench_deps prints "NAME SUITE VERSION" per package,
# "-" for the fields a line leaves out; comments and blank lines dropped.
hsbench_deps() {
  local line name suite version
  while IFS= read -r line || [[ -n $line ]]; do
    line="${line%%#*}"
    line="${line//[[:space:]]/}"
    [[ -n $line ]] || continue
    name=$line suite=- version=-
    if [[ $line == */* ]]; then
      name=${line%%/*}
      suite=${line#*/}
      if [[ $suite == *'>='* ]]; then
        version=${suite#*>=}
        suite=${suite%%>=*}
      fi
    fi
    printf '%s %s %s\n' "$name" "$suite" "$version"
  done <"$HSBENCH_ROOT/scripts/deps.txt"
}

# The packages in deps.txt that dpkg does not list as installed, or lists at
# a version older than the line asks; as apt-get install arguments
# (NAME/SUITE for those from another suite).
hsbench_missing_deps() {
  local name suite version installed
  while read -r name suite version; do
    installed=$(dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$name" 2>/dev/null || true)
    if [[ $installed == "installed "* ]] \
      && { [[ $version == - ]] || dpkg --compare-versions "${installed#installed }" ge "$version"; }; then
      continue
    fi
    if [[ $suite == - ]]; then printf '%s\n' "$name"; else printf '%s/%s\n' "$name" "$suite"; fi
  done < <(hsbench_deps)
}

# The archive address of the machine's own Debian source (deb822 .sources
# or one-line sources.list), so another suite comes from the same mirror.
hsbench_debian_uri() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ && u != "" { print u; exit }')
  if [[ -z $uri ]]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { if ($(i + 1) == "bookworm") { print $i; exit } break } }')
  fi
  printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# Adds SUITE (say bookworm-backports) to apt's sources, pinned so that apt
# takes only the named packages from it: every other package stays on the
# machine's own suite, whatever the suite's default priority.
hsbench_add_suite() {
  local suite=$1
  shift
  local sources=/etc/apt/sources.list.d/hsbench-$suite.sources
  local prefs=/etc/apt/preferences.d/hsbench-$suite
  local body
  body="Types: deb
URIs: $(hsbench_debian_uri)
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
  if [[ ! -f $sources ]] || [[ $(cat "$sources") != "$body" ]]; then
    hsbench_log "adding $suite to apt's sources ($sources)"
    printf '%s\n' "$body" | "${sudo[@]}" tee "$sources" >/dev/null \
      || hsbench_die "cannot write $sources"
  fi
  printf 'Package: *\nPin: release n=%s\nPin-Priority: 1\n\nPackage: %s\nPin: release n=%s\nPin-Priority: 500\n' \
    "$suite" "$*" "$suite" | "${sudo[@]}" tee "$prefs" >/dev/null \
    || hsbench_die "cannot write $prefs"
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
  local name suite version
  local -A suite_packages=()
  while read -r name suite version; do
    [[ $suite == - ]] || suite_packages[$suite]+="${suite_packages[$suite]:+ }$name"
  done < <(hsbench_deps)
  for suite in "${!suite_packages[@]}"; do
    hsbench_add_suite "$suite" "${suite_packages[$suite]}"
  done
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
  [[ ${#missing[@]} -eq 0 ]] || hsbench_die "still not installed, or too old: ${missing[*]}"
}

# Configures and builds a preset of CMakePresets.json (build/PRESET). Build
# output goes to stderr, so that a program run afterwards owns stdout.
hsbench_build() {
  local preset=$1
  local -a jobs=(--parallel)
  # Android 13 BoringSSL beside the system one (the backend boringssl-a13).
  "$HSBENCH_ROOT/scripts/fetch-boringssl13.sh" || hsbench_die "cannot fetch BoringSSL 13"
  [[ -n ${HSBENCH_JOBS:-} ]] && jobs=(--parallel "$HSBENCH_JOBS")
  hsbench_log "configuring preset $preset"
  (cd "$HSBENCH_ROOT" && cmake --preset "$preset") >&2 \
    || hsbench_die "cmake --preset $preset failed"
  hsbench_log "building preset $preset"
  (cd "$HSBENCH_ROOT" && cmake --build --preset "$preset" "${jobs[@]}") >&2 \
    || hsbench_die "build of preset $preset failed"
}
