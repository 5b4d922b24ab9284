#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang, ASan + UBSan) and runs
# each one over its seed corpus (fuzz/README.md).
#
#   scripts/fuzz.sh [--seconds N] [TARGET...]   fuzz each target for N seconds (default 10)
#   scripts/fuzz.sh --replay [TARGET...]        only run the committed seeds once (-runs=0)
#
# TARGET is a name from fuzz/fuzz_NAME.cc (record, client, finished, ...);
# the default is all of them, one after the other. Seeds are read from
# fuzz/corpus/NAME (a dictionary from fuzz/NAME.dict, if any); inputs the
# fuzzer finds go to build/fuzz/corpus/NAME and crashes to
# build/fuzz/artifacts/, never into the source tree. Before any target runs,
# check_fuzz_seeds replays every seed of the state machine targets (client,
# server, openssl, boringssl, wolfssl, gnutls), each of which must still
# reach a completed handshake. Exits 1 if a seed stops short, or if any target crashed,
# leaked, timed out or failed to start.
#
# Environment: HSBENCH_FUZZ_ARGS adds libFuzzer flags (e.g. "-jobs=2");
# HSBENCH_SKIP_DEPS and HSBENCH_JOBS as for scripts/lib.sh.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$HSBENCH_ROOT"

usage() { echo "usage: scripts/fuzz.sh [--seconds N | --replay] [TARGET...]" >&2; exit 2; }

seconds=10
replay=0
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) [[ $# -ge 2 ]] || usage; seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --replay) replay=1; shift ;;
    -h|--help) usage ;;
    -*) echo "scripts/fuzz.sh: unknown argument: $1" >&2; usage ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "scripts/fuzz.sh: --seconds needs a positive integer" >&2; usage; }

all_targets=()
for source in fuzz/fuzz_*.cc; do
  name=${source#fuzz/fuzz_}
  all_targets+=("${name%.cc}")
done
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=("${all_targets[@]}")
fi
for t in "${targets[@]}"; do
  [[ -f fuzz/fuzz_$t.cc ]] || hsbench_die "no fuzz target '$t' (have: ${all_targets[*]})"
done

hsbench_ensure_deps
hsbench_build fuzz

bin=build/fuzz/bin
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p build/fuzz/artifacts build/fuzz/logs
# shellcheck disable=SC2206  # word splitting of extra flags is intended
extra=(${HSBENCH_FUZZ_ARGS:-})

failed=()
summary=()
hsbench_log "checking that the state machine seeds reach a completed handshake"
rc=0
"$bin/check_fuzz_seeds" fuzz/corpus >build/fuzz/logs/check_seeds.log 2>&1 || rc=$?
if [[ $rc -ne 0 ]]; then
  failed+=(seeds)
  summary+=("$(printf '%-22s FAILED (exit %s; log %s)' seeds "$rc" build/fuzz/logs/check_seeds.log)")
  grep -v '^==' build/fuzz/logs/check_seeds.log | tail -n 40 >&2
else
  summary+=("$(printf '%-22s %s' seeds "$(sed -n 's/^check_fuzz_seeds: //p' build/fuzz/logs/check_seeds.log)")")
fi
for t in "${targets[@]}"; do
  seeds=fuzz/corpus/$t
  [[ -d $seeds ]] || hsbench_die "no seed corpus $seeds (see fuzz/README.md)"
  log=build/fuzz/logs/$t.$([[ $replay == 1 ]] && echo replay || echo fuzz).log
  common=(-artifact_prefix="build/fuzz/artifacts/$t-" -timeout=10 -print_final_stats=1)
  if [[ -f fuzz/$t.dict ]]; then common+=(-dict="fuzz/$t.dict"); fi
  rc=0
  if [[ $replay == 1 ]]; then
    hsbench_log "replaying $seeds"
    "$bin/fuzz_$t" "${common[@]}" -runs=0 "${extra[@]}" "$seeds" >"$log" 2>&1 || rc=$?
  else
    work=build/fuzz/corpus/$t
    mkdir -p "$work"
    hsbench_log "fuzzing $t for ${seconds}s"
    "$bin/fuzz_$t" "${common[@]}" -max_total_time="$seconds" "${extra[@]}" "$work" "$seeds" \
      >"$log" 2>&1 || rc=$?
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  line=$(printf '%-22s %10s runs' "$t" "${runs:-?}")
  if [[ $rc -ne 0 ]]; then
    failed+=("$t")
    line+="  FAILED (exit $rc; log $log)"
    tail -n 40 "$log" >&2
  fi
  summary+=("$line")
done

hsbench_log "fuzz summary ($([[ $replay == 1 ]] && echo "replay of the seeds" || echo "${seconds}s each")):"
printf '  %s\n' "${summary[@]}" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
  hsbench_log "FAILED: ${failed[*]} (logs in build/fuzz/logs/, crashing inputs in build/fuzz/artifacts/)"
  exit 1
fi
hsbench_log "no crashes"
