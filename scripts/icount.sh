#!/usr/bin/env bash
# Instruction counts: runs hsbench under valgrind's callgrind, counting only
# the measured handshakes (deterministic: a fixed random source and fixed
# ephemeral keys, one thread), and writes instructions per handshake, per
# side and per step into the JSON (results[].icount, results[].steps[].icount).
#
#   scripts/icount.sh [--handshakes N] [--wall] [--bin HSBENCH] [--json FILE]
#                     [hsbench selection: --backend ..., --scenario ... | --tls/--kx/--cert ...]
#
#   --handshakes N  handshakes counted per scenario and backend (default 20;
#                   the steps are counted over min(N, 10) more)
#   --wall          also run the same selection normally (no valgrind) and put
#                   the counts into that run's JSON, so one file has both the
#                   wall time and the instruction counts (baselines)
#   --bin HSBENCH   the binary (default: $HSBENCH_BIN, else build/release/bin/hsbench,
#                   else the newest build/*/bin/hsbench)
#   --json FILE     where to write (default: icount.json)
#
# --engine native (or both) also counts each library's own stack: its
# handshakes whole (no steps, no sides), with the library's own randomness,
# so those counts vary a little from run to run.
#
# Then: hsbench compare BASE.json NEW.json --metric icount.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=icount.sh

die() { echo "$prog: $*" >&2; exit 2; }

handshakes=20
wall=0
bin=${HSBENCH_BIN:-}
out=icount.json
backends=all
pass=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --backend|-b) [[ $# -ge 2 ]] || die "$1 needs a list"; backends=$2; shift 2 ;;
    --backend=*) backends=${1#--backend=}; shift ;;
    --handshakes) [[ $# -ge 2 ]] || die "--handshakes needs a number"; handshakes=$2; shift 2 ;;
    --wall) wall=1; shift ;;
    --bin) [[ $# -ge 2 ]] || die "--bin needs a path"; bin=$2; shift 2 ;;
    --json) [[ $# -ge 2 ]] || die "--json needs a path"; out=$2; shift 2 ;;
    --threads|--duration|--repetitions|--warmup|--callgrind|--format|--no-timing)
      die "$1: icount.sh chooses it (one thread, --handshakes, timing on)" ;;
    -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done
[[ $handshakes =~ ^[1-9][0-9]*$ ]] || die "--handshakes: '$handshakes' is not a count (1 or more)"
command -v valgrind >/dev/null || die "valgrind is not installed (Debian package valgrind)"

if [[ -z $bin ]]; then
  if [[ -x $root/build/release/bin/hsbench ]]; then
    bin=$root/build/release/bin/hsbench
  else
    bin=$(ls -t "$root"/build/*/bin/hsbench 2>/dev/null | head -n 1 || true)
  fi
fi
[[ -n $bin && -x $bin ]] || die "no hsbench binary (build one, or give --bin)"
# Valgrind cannot run a binary built with AddressSanitizer (the asan preset).
if ldd "$bin" 2>/dev/null | grep -q 'libasan'; then
  die "$bin is a sanitizer build, which valgrind cannot run: give a release build (--bin)"
fi

out_dir=$(dirname -- "$out")
[[ -d $out_dir ]] || die "--json $out: no directory $out_dir"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hsbench-icount.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [[ $backends == all ]]; then
  backends=$("$bin" list backends | awk '/^[a-z]/ {print $1}' | paste -sd, -)
fi
[[ -n $backends ]] || die "no backend to count"

# One valgrind process per backend, so that what one backend leaves in the
# heap cannot move the next one's counts. --instr-atstart=no: nothing is
# counted until hsbench starts the instrumentation around the counted
# handshakes (engine/run/icount.cc).
dirs=()
intos=()
IFS=, read -r -a names <<<"$backends"
for name in "${names[@]}"; do
  d=$tmp/$name
  mkdir -p "$d"
  if ! valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$d/cg.%p" \
        "$bin" --callgrind --backend "$name" --handshakes "$handshakes" --repetitions 1 \
        --warmup 0 --threads 1 --no-lower-bound --quiet --json "$d/run.json" "${pass[@]}" \
        >"$d/stdout" 2>"$d/stderr"; then
    line=$(grep -v '^==' "$d/stderr" | tail -n 1 || true)
    [[ -n $line ]] || line="see the valgrind output"
    die "hsbench --backend $name under callgrind failed: $line"
  fi
  dirs+=("$d")
  intos+=(--into "$d/run.json")
done

if [[ $wall == 1 ]]; then
  "$bin" --quiet --backend "$backends" --json "$tmp/wall.json" "${pass[@]}" >"$tmp/wall.txt" \
    || die "hsbench (wall time) failed"
  intos=(--into "$tmp/wall.json")
fi

tool="$(valgrind --version) callgrind"
/usr/bin/python3 "$root/scripts/icount.py" "${dirs[@]}" "${intos[@]}" --out "$out" --tool "$tool"
echo "$prog: wrote $out" >&2
