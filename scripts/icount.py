#!/usr/bin/python3
"""Instruction counts from callgrind's dumps into an hsbench result file.

    scripts/icount.py DUMP_DIR --into RESULT.json --out FILE.json [--tool TEXT]

`hsbench --callgrind`, run under `valgrind --tool=callgrind
--instr-atstart=no` (scripts/icount.sh does this), leaves one dump per
client request (engine/run/icount.h):

    "hsbench-icount total SCENARIO BACKEND N"   the instructions of N handshakes
    "hsbench-icount step SIDE ACTION MESSAGE"   one side's advance that handled a message
    "hsbench-icount pending SIDE"               one that handled none (charged to
                                                the side's next step, as the trace does)
    "hsbench-icount steps SCENARIO BACKEND M"   closes the M handshakes of step dumps

This script sums them per handshake and writes, into each matching result of
RESULT.json (engine hsbench, one thread), "icount": {total, client, server,
handshakes, step_handshakes, tool} and, into each of its steps, "icount".
Steps are counted without the driver between them, so client + server is a
little under total. Unusable input is one line on stderr and exit code 2.
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
        m = re.fullmatch(r".*\.(\d+)", name)
        if m and name.startswith("cg."):
            files.append((int(m.group(1)), os.path.join(directory, name)))
    out = []
    for _, path in sorted(files):
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
    """{(scenario, backend): {total, handshakes, steps: {(side, action, message): instr},
    step_handshakes}} from the dumps."""
    counts = {}
    pending = {"client": 0, "server": 0}
    steps = {}
    for label, instr in records:
        words = label.split()
        kind = words[0]
        if kind == "total" and len(words) == 4:
            c = counts.setdefault((words[1], words[2]), {})
            c["handshakes"] = int(words[3])
            c["total"] = instr / c["handshakes"]
            pending = {"client": 0, "server": 0}
            steps = {}
        elif kind == "step" and len(words) == 4:
            side = words[1]
            k = (side, words[2], words[3])
            steps[k] = steps.get(k, 0) + instr + pending.get(side, 0)
            pending[side] = 0
        elif kind == "pending" and len(words) == 2:
            pending[words[1]] = pending.get(words[1], 0) + instr
        elif kind == "steps" and len(words) == 4:
            c = counts.setdefault((words[1], words[2]), {})
            m = int(words[3])
            c["step_handshakes"] = m
            c["steps"] = {k: v / m for k, v in steps.items()} if m else {}
            steps = {}
            pending = {"client": 0, "server": 0}
        else:
            raise hr.ResultsError(f"unexpected callgrind dump label {label!r}")
    return counts


def merge(doc, counts, tool):
    merged = 0
    for r in doc["results"]:
        if r["status"] != "ok" or r["engine"] != "hsbench" or r["threads"] != 1:
            continue
        c = counts.get((r["scenario"], r["backend"]))
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
            "step_handshakes": c.get("step_handshakes", 0),
            "tool": tool,
        }
        for s in r.get("steps", []):
            s["icount"] = round(by_step.get((s["side"], s["action"], s["message"]), 0.0), 1)
        merged += 1
    note = ("icount: instructions per handshake, counted by valgrind's callgrind over "
            "deterministic handshakes (fixed random source and ephemeral keys) on one thread, "
            "nothing else instrumented; per step and per side from one dump per step, without "
            "the driver between steps (scripts/icount.sh).")
    notes = doc["context"].setdefault("notes", [])
    if note not in notes:
        notes.append(note)
    return merged


def main(argv=None):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.error = lambda message: hr.fail(PROG, message)
    p.add_argument("dump_dir")
    p.add_argument("--into", required=True, metavar="RESULT.json")
    p.add_argument("--out", required=True, metavar="FILE.json")
    p.add_argument("--tool", default="callgrind")
    args = p.parse_args(argv)
    try:
        if not os.path.isdir(args.dump_dir):
            raise hr.ResultsError(f"{args.dump_dir}: not a directory of callgrind dumps")
        counts = fold(dumps(args.dump_dir))
        if not counts:
            raise hr.ResultsError(f"{args.dump_dir}: no hsbench-icount dumps (was hsbench run "
                                  "with --callgrind under valgrind --tool=callgrind?)")
        doc = hr.load(args.into)
        doc.pop("_path", None)
        if merge(doc, counts, args.tool) == 0:
            raise hr.ResultsError(f"{args.into}: no result (engine hsbench, 1 thread) matches "
                                  "the counted scenarios")
        hr.write_atomically(args.out, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    except hr.ResultsError as e:
        hr.fail(PROG, str(e))
    except OSError as e:
        hr.fail(PROG, f"{e.filename}: {e.strerror}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
