#!/usr/bin/env bash
# The instruction-count gate (.ci/run): head against a base, both counted on
# this machine in this run, so that the CPU, the libraries and valgrind are
# the same on both sides and only the code differs (as rustls's ci-bench).
#
#   scripts/gate.sh [--base REF | --merge-base BRANCH] [--threshold PCT] [--out DIR]
#                   [--scenario LIST] [--backend LIST] [--handshakes N] [--no-build]
#                   [--baseline FILE]
#   scripts/gate.sh --plugins BASE_DIR NEW_DIR [--backend LIST] [--bin HSBENCH] ...
#   scripts/gate.sh --pair BASE_BACKEND NEW_BACKEND [--bin HSBENCH] ...
#
# Trees (the default): REF is checked out in a git worktree under
# build/gate/base (inside the checkout, so that ccache, whose CCACHE_BASEDIR
# is the checkout, serves its unchanged files from the head build's cache),
# both trees are built (release preset, the hsbench target and its plugins),
# each is counted by its own scripts/icount.sh with its own binary, and
#   hsbench compare BASE NEW --metric icount --threshold PCT
# runs with head's binary: a regression names the scenario, the backend and
# the step whose count rose most.
#   --base REF          the base commit (default: the baseline's
#                       context.git_commit, "-dirty" dropped)
#   --merge-base BRANCH the base is git merge-base HEAD BRANCH
#   --baseline FILE     where the default REF is read (default
#                       results/baselines/default.json); nothing else in it is used
#   --no-build          use the builds already there
#
# Plugins (--plugins): one hsbench binary (head's, or --bin) counts the same
# scenarios with HSBENCH_BACKEND_PATH=BASE_DIR, then =NEW_DIR, and compares
# the two: two builds of a library (another prefix, a patched plugin) side by
# side. Each directory holds hsbench-backend-NAME.so plugins; the backends are
# those in both (or --backend).
#
# Pair (--pair): two backends of one build, e.g. the two BoringSSL versions
# (boringssl-a13 against boringssl) or a library built with
# HSBENCH_EXTRA_BACKENDS against the system one, counted in one run; the new
# backend's results are compared as if they were the base backend's.
#
#   --threshold PCT  a count that rose by more than PCT% is a regression (default 1)
#   --scenario LIST  default tls12-rsa-rsa2048,tls12-ecdhe-x25519-ecdsa-p256,tls13-x25519-ecdsa-p256
#   --backend LIST   default: every backend each side has
#   --handshakes N   counted handshakes per scenario and backend (default 20)
#   --engine E       hsbench (the engine on each backend's crypto), native (the
#                    library's own stack, counted whole) or both; default hsbench
#                    for trees, both for --pair and --plugins, where a library's
#                    own TLS code is what changed as much as its crypto
#   --out DIR        base.json, new.json, gate.md, verdicts.json (default build/gate)
#
# Exit 0: something was compared and nothing regressed; 1: a regression; 2:
# the gate could not compare anything (no base, a failed build or count,
# nothing in common), said in one line. It never passes having compared
# nothing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
source "$root/scripts/lib.sh"
prog=gate.sh
die() { echo "$prog: $*" >&2; exit 2; }
say() { echo "$prog: $*" >&2; }

base_ref=
merge_base=
baseline=$root/results/baselines/default.json
threshold=1
out=$root/build/gate
scenarios=tls12-rsa-rsa2048,tls12-ecdhe-x25519-ecdsa-p256,tls13-x25519-ecdsa-p256
backends=all
handshakes=20
engine=
build=1
plugins=()
pair=()
bin=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base) [[ $# -ge 2 ]] || die "--base needs a commit"; base_ref=$2; shift 2 ;;
    --merge-base) [[ $# -ge 2 ]] || die "--merge-base needs a branch"; merge_base=$2; shift 2 ;;
    --baseline) [[ $# -ge 2 ]] || die "--baseline needs a file"; baseline=$2; shift 2 ;;
    --threshold) [[ $# -ge 2 ]] || die "--threshold needs a percentage"; threshold=$2; shift 2 ;;
    --scenario) [[ $# -ge 2 ]] || die "--scenario needs a list"; scenarios=$2; shift 2 ;;
    --backend) [[ $# -ge 2 ]] || die "--backend needs a list"; backends=$2; shift 2 ;;
    --handshakes) [[ $# -ge 2 ]] || die "--handshakes needs a number"; handshakes=$2; shift 2 ;;
    --engine) [[ $# -ge 2 ]] || die "--engine needs hsbench, native or both"; engine=$2; shift 2 ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --plugins) [[ $# -ge 3 ]] || die "--plugins needs two directories"; plugins=("$2" "$3"); shift 3 ;;
    --pair) [[ $# -ge 3 ]] || die "--pair needs two backends"; pair=("$2" "$3"); shift 3 ;;
    --bin) [[ $# -ge 2 ]] || die "--bin needs a path"; bin=$2; shift 2 ;;
    -h|--help) sed -n '2,51p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ $threshold =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--threshold: '$threshold' is not a percentage"
[[ $handshakes =~ ^[1-9][0-9]*$ ]] || die "--handshakes: '$handshakes' is not a count (1 or more)"
if [[ -z $engine ]]; then
  engine=hsbench
  [[ ${#plugins[@]} -gt 0 || ${#pair[@]} -gt 0 ]] && engine=both
fi
[[ $engine =~ ^(hsbench|native|both)$ ]] || die "--engine: '$engine' is not hsbench, native or both"
[[ -n $base_ref && -n $merge_base ]] && die "--base and --merge-base: give one"
if [[ ${#plugins[@]} -gt 0 && (-n $base_ref || -n $merge_base) ]]; then
  die "--plugins compares two plugin directories with one binary: no --base or --merge-base"
fi
# The hsbench binary that counts both sides of --pair and --plugins: --bin,
# or the head tree's own release build (built first unless --no-build).
head_binary() {
  if [[ -z $bin ]]; then
    bin=$root/build/release/bin/hsbench
    if [[ $build == 1 ]]; then
      mkdir -p "$root/build"
      build_tree "$root" "$out/build-head.log"
    fi
  fi
  [[ -x $bin ]] || die "no hsbench binary $bin (build one, or give --bin)"
}

if [[ ${#pair[@]} -gt 0 ]]; then
  [[ ${#plugins[@]} -eq 0 && -z $base_ref && -z $merge_base ]] \
    || die "--pair compares two backends of one build: no --plugins, --base or --merge-base"
  [[ $backends == all ]] || die "--pair names the backends: no --backend"
  [[ ${pair[0]} != "${pair[1]}" ]] || die "--pair: ${pair[0]} against itself"
fi
[[ ${#plugins[@]} -eq 0 && ${#pair[@]} -eq 0 && -n $bin ]] \
  && die "--bin goes with --plugins or --pair (trees build their own)"
command -v valgrind >/dev/null || die "valgrind is not installed (Debian package valgrind)"
mkdir -p "$out" || die "cannot make $out"
out=$(cd "$out" && pwd)
rm -f "$out"/{base,new,both}.json "$out"/{gate.md,verdicts.json}

# Builds the hsbench target (it depends on every plugin) of the release
# preset in a tree; the build's output goes to DIR/build.log.
build_tree() {
  local tree=$1 log=$2
  local -a jobs=(--parallel)
  [[ -n ${HSBENCH_JOBS:-} ]] && jobs=(--parallel "$HSBENCH_JOBS")
  if ! (cd "$tree" && cmake --preset release && cmake --build --preset release --target hsbench \
          "${jobs[@]}") >"$log" 2>&1; then
    die "the build of $tree failed: $(grep -m1 -E 'error|Error' "$log" || tail -n 1 "$log") (see $log)"
  fi
}

# Counts one side: count SIDE ICOUNT_SH HSBENCH [VAR=VALUE...]
count() {
  local side=$1 script=$2 hsbench=$3
  shift 3
  say "counting $side ($hsbench${*:+, $*})"
  local -a engine_flag=()
  # An older base tree's icount.sh may not count natively: the engine alone
  # is its default.
  [[ $engine != hsbench ]] && engine_flag=(--engine "$engine")
  env "$@" bash "$script" --bin "$hsbench" --backend "$backends" --scenario "$scenarios" \
    --handshakes "$handshakes" "${engine_flag[@]}" --json "$out/$side.json" \
    || die "counting $side failed (above)"
}

if [[ ${#pair[@]} -gt 0 ]]; then
  head_binary
  backends="${pair[0]},${pair[1]}"
  count both "$root/scripts/icount.sh" "$bin"
  # base.json: the base backend's results; new.json: the new backend's,
  # under the base backend's name, so that compare pairs them.
  /usr/bin/python3 - "$out/both.json" "$out" "${pair[@]}" <<'PY' || die "cannot split $out/both.json"
import json, sys
both, out, base, new = sys.argv[1:]
doc = json.load(open(both, encoding="utf-8"))
for side, name in (("base", base), ("new", new)):
    part = dict(doc)
    part["results"] = [dict(r, backend=base) for r in doc["results"] if r.get("backend") == name]
    if not part["results"]:
        sys.exit(f"gate.sh: no results of backend {name} in {both}")
    with open(f"{out}/{side}.json", "w", encoding="utf-8") as f:
        json.dump(part, f)
PY
  what="backend ${pair[1]} against ${pair[0]}"
elif [[ ${#plugins[@]} -gt 0 ]]; then
  dirs=()
  for d in "${plugins[@]}"; do
    [[ -d $d ]] || die "--plugins: no directory $d"
    dirs+=("$(cd "$d" && pwd)")
  done
  head_binary
  names() { find "$1" -maxdepth 1 -name 'hsbench-backend-*.so' -printf '%f\n' \
              | sed 's/^hsbench-backend-//; s/[.]so$//' | sort; }
  if [[ $backends == all ]]; then
    backends=$(comm -12 <(names "${dirs[0]}") <(names "${dirs[1]}") | paste -sd, -)
    [[ -n $backends ]] || die "no hsbench-backend-NAME.so in both ${dirs[0]} and ${dirs[1]}"
  else
    IFS=, read -r -a want <<<"$backends"
    for name in "${want[@]}"; do
      for d in "${dirs[@]}"; do
        [[ -f $d/hsbench-backend-$name.so ]] || die "--backend $name: no $d/hsbench-backend-$name.so"
      done
    done
  fi
  # HSBENCH_BACKEND_PATH is searched before the plugins beside the binary.
  count base "$root/scripts/icount.sh" "$bin" HSBENCH_BACKEND_PATH="${dirs[0]}"
  count new "$root/scripts/icount.sh" "$bin" HSBENCH_BACKEND_PATH="${dirs[1]}"
  what="plugins ${dirs[1]} against ${dirs[0]} ($backends)"
else
  git -C "$root" rev-parse --git-dir >/dev/null 2>&1 || die "$root is not a git checkout"
  if [[ -n $merge_base ]]; then
    base_ref=$(git -C "$root" merge-base HEAD "$merge_base" 2>/dev/null) \
      || die "--merge-base $merge_base: no merge base of HEAD and $merge_base"
  elif [[ -z $base_ref ]]; then
    [[ -f $baseline ]] || die "no baseline $baseline to take the base commit from (or give --base)"
    base_ref=$(/usr/bin/python3 -c '
import json, sys
try:
    print(json.load(open(sys.argv[1], encoding="utf-8"))["context"]["git_commit"])
except Exception as e:
    sys.exit(f"{sys.argv[1]}: no context.git_commit ({e})")' "$baseline") \
      || die "cannot take the base commit from $baseline"
    base_ref=${base_ref%-dirty}
  fi
  base_sha=$(git -C "$root" rev-parse --verify --quiet "$base_ref^{commit}") \
    || die "base '$base_ref' is not a commit here (a shallow clone? fetch it, or give --base)"
  head_sha=$(git -C "$root" rev-parse HEAD)
  tree=$root/build/gate/base
  if [[ $build == 1 ]]; then
    # The base's worktree: kept between runs (its build/ too, so the next
    # build is incremental), moved to the base commit.
    if git -C "$tree" rev-parse --show-toplevel 2>/dev/null | grep -qx "$tree"; then
      git -C "$tree" checkout --quiet --force --detach "$base_sha" \
        || die "cannot check out $base_sha in $tree"
      git -C "$tree" clean --quiet -fdx -e build >/dev/null
    else
      git -C "$root" worktree prune
      rm -rf "$tree"
      mkdir -p "$(dirname "$tree")"
      git -C "$root" worktree add --quiet --detach "$tree" "$base_sha" >/dev/null \
        || die "git worktree add $tree $base_sha failed"
    fi
    say "building head (${head_sha:0:12}$(git -C "$root" diff --quiet HEAD -- 2>/dev/null || echo ', with its uncommitted changes'))"
    build_tree "$root" "$out/build-head.log"
    say "building base (${base_sha:0:12}) in $tree"
    build_tree "$tree" "$out/build-base.log"
  else
    [[ $(git -C "$tree" rev-parse HEAD 2>/dev/null) == "$base_sha" ]] \
      || die "--no-build: $tree is not a checkout of $base_sha (run once without --no-build)"
  fi
  bin=$root/build/release/bin/hsbench
  base_bin=$tree/build/release/bin/hsbench
  [[ -x $bin ]] || die "no head binary $bin"
  [[ -x $base_bin ]] || die "no base binary $base_bin"
  # Each tree is counted by its own icount.sh (its options are its binary's);
  # a base older than icount.sh is counted by head's.
  base_script=$tree/scripts/icount.sh
  [[ -f $base_script ]] || base_script=$root/scripts/icount.sh
  count base "$base_script" "$base_bin"
  count new "$root/scripts/icount.sh" "$bin"
  what="head ${head_sha:0:12} against base ${base_sha:0:12}"
fi

rc=0
"$bin" compare "$out/base.json" "$out/new.json" --metric icount --threshold "$threshold" \
  --markdown "$out/gate.md" --json "$out/verdicts.json" || rc=$?
case $rc in
  0)
    # compare exits 2 when the two files share nothing; make sure of it here.
    n=$(/usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' \
          "$out/verdicts.json" 2>/dev/null || echo 0)
    [[ $n -gt 0 ]] || die "$what: nothing compared; the gate did not run"
    say "$what: $n compared, no regression beyond $threshold%"
    ;;
  1) say "$what: regression beyond $threshold% (above; $out/gate.md)" ;;
  *) die "$what: hsbench compare could not compare (above)" ;;
esac
exit "$rc"
