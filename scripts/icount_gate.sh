#!/usr/bin/env bash
# The instruction-count gate (.ci/run): counts a small scenario set with
# scripts/icount.sh and compares it with the baseline by
#   hsbench compare BASELINE NEW --metric icount --threshold PCT
# Exit 0: nothing regressed; 1: a regression; 2: unusable input.
#
#   scripts/icount_gate.sh [--baseline FILE] [--threshold PCT] [--out DIR] [--bin HSBENCH]
#
# Instruction counts depend on the library version and on the CPU (valgrind
# shows the code the CPU's features select), so a backend whose library
# version or CPU model differs from the baseline's is left out, with a line
# saying so (retake the baseline: see results/baselines/README.md). The null
# backend (no library crypto) is always compared when the CPU matches.
#
# The threshold, 1%: the same build counted twice moves by at most 0.03%
# (openssl, boringssl; null repeats exactly), and this scenario subset
# against the full-matrix baseline by at most 0.07% (the scenarios before a
# count leave a different heap). 1% is over ten times that, and still
# catches a change of a hundredth of a handshake's work.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prog=icount_gate.sh
die() { echo "$prog: $*" >&2; exit 2; }

baseline=$root/results/baselines/default.json
threshold=1
out=$root/build/icount-gate
bin=${HSBENCH_BIN:-}
scenarios=tls12-rsa-rsa2048,tls12-ecdhe-x25519-ecdsa-p256,tls13-x25519-ecdsa-p256
while [[ $# -gt 0 ]]; do
  case "$1" in
    --baseline) [[ $# -ge 2 ]] || die "--baseline needs a file"; baseline=$2; shift 2 ;;
    --threshold) [[ $# -ge 2 ]] || die "--threshold needs a percentage"; threshold=$2; shift 2 ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a directory"; out=$2; shift 2 ;;
    --bin) [[ $# -ge 2 ]] || die "--bin needs a path"; bin=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ -f $baseline ]] || die "no baseline $baseline"
if [[ -z $bin ]]; then
  bin=$root/build/release/bin/hsbench
  [[ -x $bin ]] || bin=$(ls -t "$root"/build/*/bin/hsbench 2>/dev/null | head -n 1 || true)
fi
[[ -n $bin && -x $bin ]] || die "no hsbench binary (build one, or give --bin)"
mkdir -p "$out"

bash "$root/scripts/icount.sh" --bin "$bin" --backend all --scenario "$scenarios" \
  --handshakes 20 --json "$out/new.json"

# Keep what can be compared: the backends whose library version, and the
# CPU, are the baseline's.
/usr/bin/python3 - "$baseline" "$out/new.json" "$out" <<'EOF'
import json, sys
base_path, new_path, out = sys.argv[1:4]
base, new = (json.load(open(p, encoding="utf-8")) for p in (base_path, new_path))
cpu_b = base["context"]["host"]["cpu_model"]
cpu_n = new["context"]["host"]["cpu_model"]
vb = {b["name"]: b["version"] for b in base["context"]["backends"]}
vn = {b["name"]: b["version"] for b in new["context"]["backends"]}
keep = set()
for name, version in vn.items():
    if name not in vb:
        print(f"icount gate: {name}: not in the baseline", file=sys.stderr)
    elif cpu_b != cpu_n:
        print(f"icount gate: {name}: baseline taken on {cpu_b!r}, this is {cpu_n!r}: "
              "not compared (retake the baseline on this machine)", file=sys.stderr)
    elif vb[name] != version:
        print(f"icount gate: {name}: baseline {vb[name]!r}, here {version!r}: not compared "
              "(retake the baseline)", file=sys.stderr)
    else:
        keep.add(name)
counted = {(r["scenario"], r["backend"]) for r in new["results"]}
for doc, name in ((base, "base.json"), (new, "gated.json")):
    doc["results"] = [r for r in doc["results"]
                      if r["backend"] in keep and (r["scenario"], r["backend"]) in counted]
    with open(f"{out}/{name}", "w", encoding="utf-8") as f:
        json.dump(doc, f)
print(f"icount gate: comparing {', '.join(sorted(keep)) or 'nothing'}", file=sys.stderr)
EOF

rc=0
"$bin" compare "$out/base.json" "$out/gated.json" --metric icount --threshold "$threshold" \
  --markdown "$out/icount-gate.md" --json "$out/verdicts.json" || rc=$?
if [[ $rc == 2 ]] && ! grep -q '"icount"' "$out/gated.json"; then
  echo "$prog: nothing comparable with the baseline here; the gate did not run" >&2
  exit 0
fi
exit "$rc"
