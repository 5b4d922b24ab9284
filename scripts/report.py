#!/usr/bin/python3
"""One self-contained HTML page from hsbench result files.

    scripts/report.py RESULT.json... --out FILE.html [--title TEXT]
                      [--threshold PCT] [--metric hs_per_sec|cpu_us|icount]

The page holds every plot scripts/plot.py can draw from the files (PNG,
embedded as data: URLs), the run context of each file, the results table,
the per-step table and, for two files, the base-versus-new comparison. It
loads nothing from elsewhere. Unusable input is one line on stderr and exit
code 2, and no file is written.
"""
import argparse
import base64
import html
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hsbench_results as hr  # noqa: E402
import plot  # noqa: E402

PROG = "report.py"

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 1400px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin-top: 1.4em; }
.sub { color: #666; margin-top: 0; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 12.5px; }
th, td { padding: 3px 9px; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th { background: #f5f5f5; border-bottom: 1px solid #ccc; }
td.l, th.l { text-align: left; }
table.kv td { text-align: left; white-space: normal; }
table.kv td:first-child { color: #666; width: 11em; }
tr.regression td { background: #fde8e8; }
tr.improvement td { background: #e7f6e7; }
.skip { color: #888; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 12.5px; margin-top: 0.3em; }
.note { color: #666; font-size: 12.5px; }
"""

CAPTIONS = {
    "steps": "Per user step, the wall time each side spends in its steps (µs per handshake), "
             "one thread.",
    "kx": "RSA key transport against ECDHE: handshakes/s, and the time of each side's steps "
          "split by the work done in them. The ECDHE extra is the price of forward secrecy.",
    "backends": "The same scenarios on each backend (hatched: the library's native libssl); "
                "right, CPU per handshake against the crypto lower bound.",
    "scaling": "Handshakes/s summed over threads, each thread with its own client/server pair; "
               "dotted: linear scaling from the first point.",
    "latency": "Latency of one handshake: p50, p90, p99 and the maximum (log scale).",
    "compare": "New against base: change per result with its 95% interval, and per user step.",
}


def esc(x):
    return html.escape(str(x), quote=True)


def fmt(x, digits=1):
    if x is None:
        return "–"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}f}"


def table(headers, rows, *, left=1, css_rows=None):
    out = ["<table><thead><tr>"]
    for i, h in enumerate(headers):
        out.append(f'<th class="l">{esc(h)}</th>' if i < left else f"<th>{esc(h)}</th>")
    out.append("</tr></thead><tbody>")
    for k, row in enumerate(rows):
        cls = f' class="{css_rows[k]}"' if css_rows and css_rows[k] else ""
        out.append(f"<tr{cls}>")
        for i, cell in enumerate(row):
            out.append(f'<td class="l">{esc(cell)}</td>' if i < left else f"<td>{esc(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def context_section(doc):
    c = doc["context"]
    host = c.get("host", {})
    s = c.get("settings", {})
    how = (f"{s.get('handshakes')} handshakes per thread" if s.get("handshakes")
           else f"{s.get('duration_s')} s") + \
        f" per repetition, {s.get('repetitions')} repetitions after {s.get('warmup_s')} s " \
        f"warm-up; threads {', '.join(map(str, s.get('threads', [])))}" + \
        ("" if s.get("timing", True) else "; no timing")
    rows = [
        ("file", doc["_path"]),
        ("hsbench", f"{c.get('version')} ({c.get('git_commit')}), {c.get('build_type')}, "
                    f"{c.get('compiler')}"),
        ("date", c.get("date")),
        ("host", f"{host.get('cpu_model')}, {host.get('cores')} cores, {host.get('kernel')}"),
        ("backends", "; ".join(f"{b['name']} = {b['version']}" for b in c.get("backends", []))),
        ("run", how),
        ("command", c.get("command_line")),
    ]
    out = ['<table class="kv"><tbody>']
    for k, v in rows:
        out.append(f"<tr><td>{esc(k)}</td><td>{esc(v)}</td></tr>")
    out.append("</tbody></table>")
    notes = c.get("notes") or []
    if notes:
        out.append('<details class="note"><summary>how the numbers are made</summary><ul>')
        out.extend(f"<li>{esc(n)}</li>" for n in notes)
        out.append("</ul></details>")
    return "".join(out)


def results_section(doc):
    rows, skipped = [], []
    for r in doc["results"]:
        if r["status"] != "ok":
            skipped.append(f"{r['scenario']} on {r['backend']} ({r['engine']}): "
                           f"{r.get('skip_reason', 'skipped')}")
            continue
        h = r["handshakes_per_sec"]
        half = (h["ci95"][1] - h["ci95"][0]) / 2
        cpu = r["cpu_us_per_handshake"]
        lat = r.get("latency_us") or {}
        rows.append([r["scenario"], r["backend"], r["engine"], r["threads"],
                     fmt(h["mean"]), f"{half / h['mean'] * 100:.1f}%" if h["mean"] else "–",
                     fmt(r.get("us_per_handshake")), fmt(cpu.get("client")),
                     fmt(cpu.get("server")), fmt(cpu.get("total")), fmt(lat.get("p50")),
                     fmt(lat.get("p99")), fmt(r.get("crypto_lower_bound_us")),
                     f"{r['overhead_ratio']:.2f}" if r.get("overhead_ratio") else "–"])
        if any("icount" in x for x in doc["results"]):
            ic = r.get("icount") or {}
            rows[-1] += [f"{ic['total'] / 1e6:.3f}" if ic else "–",
                         f"{ic['client'] / 1e6:.3f}" if ic.get("client") is not None else "–",
                         f"{ic['server'] / 1e6:.3f}" if ic.get("server") is not None else "–"]
    headers = ["scenario", "backend", "engine", "threads", "hs/s", "± (95%)", "µs/handshake",
               "CPU client µs", "CPU server µs", "CPU total µs", "latency p50 µs", "p99 µs",
               "lower bound µs", "overhead"]
    if any("icount" in x for x in doc["results"]):
        headers += ["M instr/handshake", "M instr client", "M instr server"]
    out = [table(headers, rows, left=3)]
    if skipped:
        out.append("<p class=\"skip\">Skipped: " + "; ".join(esc(s) for s in skipped) + "</p>")
    return "".join(out)


def steps_section(doc):
    results = [r for r in plot.lowest_threads(hr.ok_results([doc])) if r.get("steps")]
    if not results:
        return "<p class=\"note\">No per-step figures (they need the hsbench engine and timing).</p>"
    out = ['<p class="note">µs per handshake that each side spends in the steps of each user '
           'step (client | server), one thread.</p>']
    for sc in hr.scenario_order(results):
        rs = [r for r in results if r["scenario"] == sc]
        headers = ["user step"]
        for r in rs:
            name = hr.label(r)
            headers += [f"{name} client", f"{name} server"]
        times = [hr.user_step_times(r) for r in rs]
        rows = []
        for step in list(range(1, 9)) + [0]:
            cells = []
            for t in times:
                cells += [t["client"][step], t["server"][step]]
            if step == 0 and not any(cells):
                continue
            rows.append([f"{step} {hr.USER_STEPS[step]}" if step else "outside the 8"] +
                        [fmt(x, 2) if x else "–" for x in cells])
        totals = []
        for t in times:
            totals += [sum(t["client"]), sum(t["server"])]
        rows.append(["total"] + [fmt(x, 2) for x in totals])
        out.append(f"<h3>{esc(sc)}</h3>")
        out.append(table(headers, rows))
    return "".join(out)


def compare_section(docs, args):
    pairs = plot.compare_pairs(docs[0], docs[1], args.metric, args.threshold)
    if not pairs:
        return "<p class=\"note\">The two files have no result in common.</p>"
    rows, css = [], []
    for k, b, n, delta, lo, hi, v in pairs:
        read = plot.METRICS[args.metric][0]
        vb, vn = read(b), read(n)
        ci = "–" if lo is None else f"[{lo:+.1f}%, {hi:+.1f}%]"
        rows.append([k[0], k[1], k[2], k[3], fmt(sum(vb) / len(vb)), fmt(sum(vn) / len(vn)),
                     f"{delta:+.1f}%", ci, v])
        css.append(v.replace(" ", "-") if v != "no change" else "")
    return (f'<p class="note">Metric {esc(args.metric)}; threshold {args.threshold:g}%; '
            "a change counts when it is beyond the threshold and its 95% interval (Welch) "
            "excludes zero. Base: " + esc(docs[0]["_path"]) + "; new: " + esc(docs[1]["_path"]) +
            ".</p>" + table(["scenario", "backend", "engine", "threads", "base", "new", "delta",
                             "95% interval", "verdict"], rows, left=3, css_rows=css))


def build(docs, args):
    names = plot.names_for("all", docs)
    made = plot.figures(names, docs, args)
    figs = []
    for name, fig in made:
        png = plot.render(fig, "png")
        plot.plt.close(fig)
        figs.append((name, base64.b64encode(png).decode("ascii")))
    title = args.title or "hsbench report"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{esc(title)}</title>",
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<style>{CSS}</style></head><body>",
           f"<h1>{esc(title)}</h1>",
           '<p class="sub">' + esc(", ".join(d["_path"] for d in docs)) + "</p>"]
    sections = [("plots", "Plots")] + ([("compare", "Base versus new")] if len(docs) == 2 else []) \
        + [("results", "Results"), ("steps", "Per step"), ("context", "Runs")]
    out.append("<nav>" + "".join(f'<a href="#{a}">{esc(t)}</a>' for a, t in sections) + "</nav>")

    out.append('<h2 id="plots">Plots</h2>')
    if not figs:
        out.append('<p class="note">Nothing to plot.</p>')
    for name, b64 in figs:
        out.append(f'<figure id="plot-{name}"><img alt="{esc(name)} plot" '
                   f'src="data:image/png;base64,{b64}">'
                   f"<figcaption>{esc(CAPTIONS.get(name, ''))}</figcaption></figure>")
    if len(docs) == 2:
        out.append('<h2 id="compare">Base versus new</h2>')
        out.append(compare_section(docs, args))
    out.append('<h2 id="results">Results</h2>')
    for d in docs:
        if len(docs) > 1:
            out.append(f"<h3>{esc(d['_path'])}</h3>")
        out.append(results_section(d))
    out.append('<h2 id="steps">Per step</h2>')
    for d in docs:
        if len(docs) > 1:
            out.append(f"<h3>{esc(d['_path'])}</h3>")
        out.append(steps_section(d))
    out.append('<h2 id="context">Runs</h2>')
    for d in docs:
        out.append(context_section(d))
    out.append("</body></html>\n")
    return "\n".join(out)


def main(argv=None):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.error = lambda message: hr.fail(PROG, message)
    p.add_argument("files", nargs="+", metavar="RESULT.json")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument("--title")
    p.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="two files: the change that counts (default 5)")
    p.add_argument("--metric", choices=list(plot.METRICS), default="hs_per_sec")
    args = p.parse_args(argv)
    args.filter = None
    args.backend = None
    out_dir = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(out_dir):
        hr.fail(PROG, f"--out {args.out}: no directory {out_dir}")
    if os.path.isdir(args.out):
        hr.fail(PROG, f"--out {args.out}: is a directory")
    try:
        docs = hr.load_all(args.files)
        page = build(docs, args)
    except hr.ResultsError as e:
        hr.fail(PROG, str(e))
    try:
        hr.write_atomically(args.out, page)
    except OSError as e:
        hr.fail(PROG, f"cannot write {args.out}: {e.strerror or e}")
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
