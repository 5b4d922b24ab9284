#!/usr/bin/python3
"""Instruction counts from callgrind's dumps into an hsbench result file.

    scripts/icount.py DUMP_DIR... --into RESULT.json... --out FILE.json [--tool TEXT]

`hsbench --callgrind`, run under `valgrind --tool=callgrind
--instr-atstart=no` (scripts/icount.sh does this), counts N deterministic
handshakes per scenario and backend, with callgrind's counters dumped at
every boundary the driver crosses (engine/run/icount.h, engine/tls/icount.h):

    "hsbench-icount driver"                     the driver's own work since the last dump
    "hsbench-icount step SIDE ACTION MESSAGE"   one side's advance that handled a message
    "hsbench-icount pending SIDE"               one that handled none (charged to the
                                                side's next step, as the trace does)
    "hsbench-icount count SCENARIO BACKEND N"   the rest, and the end of the N handshakes

so every instruction of the N handshakes is in exactly one dump (one
directory per valgrind process). A library's own stack (--engine native) has
no boundaries inside a handshake: its N handshakes are one dump,

    "hsbench-icount native SCENARIO BACKEND N"

This script sums them per handshake and writes, into each matching result of
RESULT.json (several: their results joined; one thread), "icount": {total,
client, server, handshakes, tool} and, into each of an engine result's steps,
"icount". total = client + server + the driver between steps; a native
result has its total alone (client and server null). Unusable input is one
line on stderr and exit code 2.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hsbench_results as hr  # noqa: E402

PROG = "icount.py"
PREFIX = "hsbench-icount "
TRIGGER = "desc: Trigger: Client Request: "


def dumps(directory):
    """(label, instructions) of every dump in directory, in the order taken."""
    files = []
    for name in os.listdir(directory):
        m = re.fullmatch(r"cg\.(\d+)(?:\.(\d+))?", name)  # cg.PID.PART; cg.PID at exit
        if m:
            files.append((int(m.group(1)), int(m.group(2) or 1 << 62),
                          os.path.join(directory, name)))
    out = []
    for _, _, path in sorted(files):
        label, summary = None, None
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith(TRIGGER):
                    label = line[len(TRIGGER):].strip()
                elif line.startswith("summary:"):
                    summary = int(line.split()[1])
                elif line.startswith("fn=") or line.startswith("ob="):
                    if label is not None and summary is not None:
                        break
        if label is not None and label.startswith(PREFIX):
            out.append((label[len(PREFIX):], summary or 0))
    return out


def fold(records):
    """{(scenario, backend, engine): {total, handshakes, steps: {(side, action, message):
    instr}}} per handshake, from the dumps."""
    counts = {}
    pending = {"client": 0, "server": 0}
    steps = {}
    total = 0
    for label, instr in records:
        words = label.split()
        kind = words[0]
        total += instr
        if kind == "driver" and len(words) == 1:
            pass
        elif kind == "step" and len(words) == 4:
            side = words[1]
            k = (side, words[2], words[3])
            steps[k] = steps.get(k, 0) + instr + pending.get(side, 0)
            pending[side] = 0
        elif kind == "pending" and len(words) == 2:
            pending[words[1]] = pending.get(words[1], 0) + instr
        elif kind in ("count", "native") and len(words) == 4:
            if not words[3].isdigit() or int(words[3]) < 1:
                raise hr.ResultsError(f"callgrind dump label {label!r}: no handshakes")
            n = int(words[3])
            if kind == "native" and (steps or any(pending.values())):
                raise hr.ResultsError(f"callgrind dump label {label!r}: native handshakes "
                                      "after engine steps that no count ended")
            engine = "hsbench" if kind == "count" else "native"
            counts[(words[1], words[2], engine)] = {
                "handshakes": n,
                "total": total / n,
                "steps": {k: v / n for k, v in steps.items()},
            }
            pending = {"client": 0, "server": 0}
            steps = {}
            total = 0
        else:
            raise hr.ResultsError(f"unexpected callgrind dump label {label!r}")
    return counts


def merge(doc, counts, tool):
    merged = 0
    for r in doc["results"]:
        if r["status"] != "ok" or r["threads"] != 1:
            continue
        c = counts.get((r["scenario"], r["backend"], r["engine"]))
        if not c or "total" not in c:
            continue
        by_step = c.get("steps", {})
        side = {"client": 0.0, "server": 0.0}
        for (s, _, _), v in by_step.items():
            side[s] += v
        r["icount"] = {
            "total": round(c["total"], 1),
            "client": round(side["client"], 1) if by_step else None,
            "server": round(side["server"], 1) if by_step else None,
            "handshakes": c["handshakes"],
            "tool": tool,
        }
        if r["engine"] == "hsbench":
            for s in r.get("steps", []):
                s["icount"] = round(by_step.get((s["side"], s["action"], s["message"]), 0.0), 1)
        merged += 1
    notes = doc["context"].setdefault("notes", [])
    engines = {r["engine"] for r in doc["results"] if "icount" in r}
    wanted = [NOTE] + ([NATIVE_NOTE] if "native" in engines else [])
    for note in wanted:
        if note not in notes:
            notes.append(note)
    return merged


NOTE = ("icount: instructions per handshake, counted by valgrind's callgrind over "
        "deterministic handshakes (fixed random source and ephemeral keys) on one thread, "
        "nothing else instrumented; per step and per side from a dump around each step, so "
        "total = client + server + the driver between steps (scripts/icount.sh).")
NATIVE_NOTE = ("icount, native results: the library's own handshakes (both sides, and the "
               "harness moving their bytes) counted whole, with the library's own random "
               "source: no per step or per side count, and a count that varies a little from "
               "run to run.")


def main(argv=None):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.error = lambda message: hr.fail(PROG, message)
    p.add_argument("dump_dirs", nargs="+", metavar="DUMP_DIR")
    p.add_argument("--into", required=True, action="append", metavar="RESULT.json")
    p.add_argument("--out", required=True, metavar="FILE.json")
    p.add_argument("--tool", default="callgrind")
    args = p.parse_args(argv)
    try:
        records = []
        for d in args.dump_dirs:
            if not os.path.isdir(d):
                raise hr.ResultsError(f"{d}: not a directory of callgrind dumps")
            records += dumps(d)
        counts = fold(records)
        if not counts:
            raise hr.ResultsError(f"{', '.join(args.dump_dirs)}: no hsbench-icount dumps (was "
                                  "hsbench run with --callgrind under valgrind --tool=callgrind?)")
        docs = hr.load_all(args.into)
        doc = docs[0]
        for other in docs[1:]:
            doc["results"] += other["results"]
            for b in other["context"]["backends"]:
                if b not in doc["context"]["backends"]:
                    doc["context"]["backends"].append(b)
        doc.pop("_path", None)
        if merge(doc, counts, args.tool) == 0:
            raise hr.ResultsError(f"{', '.join(args.into)}: no result (1 thread) "
                                  "matches the counted scenarios")
        hr.write_atomically(args.out, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    except hr.ResultsError as e:
        hr.fail(PROG, str(e))
    except OSError as e:
        hr.fail(PROG, f"{e.filename}: {e.strerror}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
