#!/usr/bin/python3
"""Plots of hsbench result files (schema "hsbench/v1").

    scripts/plot.py SUBCOMMAND RESULT.json... --out DIR [filters]

    steps     stacked bars per user step, client and server, per scenario and backend
    kx        RSA key transport versus ECDHE: handshakes/s and where the time goes
    backends  backend versus backend (and engine versus native): handshakes/s, CPU
    scaling   handshakes/s against threads
    latency   latency percentiles per scenario
    cdf       network results (hsbench connect, serve): each phase's latency distribution
    load      network clients: handshakes/s and p99 against --connections or --rate,
              over the results of several files (a sweep)
    wire      bytes per flight of each scenario's handshake, client and server, with the
              initial window of a fresh TCP connection and the round trips it needs
    compare   BASE.json NEW.json: change per scenario and per step (--threshold, --metric)
    all       every one of the above that the files allow (cdf and load: network files)

Each writes DIR/NAME.png and DIR/NAME.svg. Filters (comma lists): --backend,
--scenario, --engine, --threads. Unusable input is one line on stderr and
exit code 2, and no image is written.

matplotlib and numpy come from Debian (python3-matplotlib, python3-numpy);
run with /usr/bin/python3.
"""
import argparse
import io
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hsbench_results as hr  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

PROG = "plot.py"

plt.rcParams.update({
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "svg.hashsalt": "hsbench",  # the same data gives the same SVG
})

# One colour per user step (0: steps outside the 8), per backend, per
# verdict, per kind of crypto work: the same everywhere.
STEP_COLORS = {
    1: "#4e79a7", 2: "#f28e2b", 3: "#59a14f", 4: "#e15759",
    5: "#76b7b2", 6: "#edc948", 7: "#b07aa1", 8: "#ff9da7", 0: "#bab0ac",
}
BACKEND_COLORS = ["#4e79a7", "#f28e2b", "#9c755f", "#59a14f", "#b07aa1", "#76b7b2"]
NULL_COLOR = "#bab0ac"
KX_COLORS = {"rsa": "#e15759", "ecdhe": "#4e79a7", "hybrid": "#59a14f"}
KX_LABELS = {"rsa": "RSA key transport (no forward secrecy)", "ecdhe": "ECDHE (forward secrecy)",
             "hybrid": "hybrid post-quantum (X25519 + Kyber768)"}
VERDICT_COLORS = {"regression": "#d62728", "improvement": "#2ca02c", "no change": "#8c8c8c"}

# Where a handshake's time goes, by the crypto operation's name
# (engine op_name: "sign:ecdsa_secp256r1_sha256", "decrypt:rsa2048-pkcs1").
WORK = [
    ("RSA key transport", ("encrypt:rsa", "decrypt:rsa"), "#e15759"),
    ("(EC)DHE keygen + derive", ("keygen:", "derive:"), "#4e79a7"),
    ("signing", ("sign:",), "#f28e2b"),
    ("signature verify", ("verify:",), "#edc948"),
    ("certificate chain", ("parse_chain", "verify_chain"), "#59a14f"),
    ("key schedule (hash, PRF, HKDF, HMAC)", ("hash:", "prf:", "hkdf", "hmac:"), "#76b7b2"),
    ("record protection (AEAD)", ("aead",), "#b07aa1"),
    ("random", ("random",), "#ff9da7"),
    ("other crypto", ("",), "#9c755f"),
]
PROTOCOL = ("protocol (no crypto)", "#d4d4d4")


class NothingToPlot(Exception):
    pass


def backend_color(name, order):
    if name == "null":
        return NULL_COLOR
    real = [b for b in order if b != "null"]
    return BACKEND_COLORS[real.index(name) % len(BACKEND_COLORS)] if name in real else "#333333"


def work_kind(op):
    for name, prefixes, _ in WORK:
        if any(op.startswith(p) for p in prefixes):
            return name
    return WORK[-1][0]


def lowest_threads(results):
    """Per (scenario, backend, engine), the result with the fewest threads:
    the plots that are not about scaling show one thread's figures."""
    best = {}
    for r in results:
        k = (r["scenario"], r["backend"], r["engine"])
        if k not in best or r["threads"] < best[k]["threads"]:
            best[k] = r
    return [r for r in results if best[(r["scenario"], r["backend"], r["engine"])] is r]


def threads_note(results):
    ts = sorted({r["threads"] for r in results})
    return f"{ts[0]} thread" + ("s" if ts[0] != 1 else "") if len(ts) == 1 else \
        "threads " + ", ".join(map(str, ts))


def source_note(docs, labels=None):
    """The footer: where the numbers come from."""
    parts = []
    for i, doc in enumerate(docs):
        c = doc["context"]
        host = c.get("host", {})
        s = c.get("settings", {})
        how = (f"{s.get('handshakes')} handshakes" if s.get("handshakes")
               else f"{s.get('duration_s')} s") + f" × {s.get('repetitions')} repetitions"
        parts.append((f"{labels[i]}: " if labels else "") + f"hsbench {c.get('version', '?')} ({c.get('git_commit', '?')}), "
                     f"{c.get('date', '?')}, {host.get('cpu_model', '?')}, "
                     f"{host.get('cores', '?')} cores; {how}")
    return "\n".join(parts)


def finish(fig, docs, title, labels=None):
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.text(0.005, 0.003, source_note(docs, labels), fontsize=6.5, color="#666666",
             ha="left", va="bottom")
    return fig


def two_level_yticks(ax, centers, group_labels, positions, bar_labels, pad=48):
    """Scenario names at the group centres, "client"/"server" at each bar."""
    ax.set_yticks(centers)
    ax.set_yticklabels(group_labels)
    ax.tick_params(axis="y", which="major", pad=pad, length=0)
    ax.set_yticks(positions, minor=True)
    ax.set_yticklabels(bar_labels, minor=True, fontsize=7, color="#555555")
    ax.tick_params(axis="y", which="minor", length=0)
    ax.grid(False, axis="y")


def hps_error(r):
    h = r["handshakes_per_sec"]
    lo, hi = h["ci95"]
    return [[max(0.0, h["mean"] - lo)], [max(0.0, hi - h["mean"])]]


def maybe_log(ax, values, axis="x"):
    vals = [v for v in values if v > 0]
    if vals and max(vals) / min(vals) > 30:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        return True
    return False


# --- steps -------------------------------------------------------------------


def plot_steps(docs, results, args):
    results = [r for r in lowest_threads(results) if r.get("steps")]
    if not results:
        raise NothingToPlot("no result with steps (steps need the hsbench engine and timing)")
    backends = hr.backend_order(results)
    scenarios = hr.scenario_order(results)
    rows = []
    for b in backends:
        rows.append((b, [r for r in results if r["backend"] == b]))
    fig, axes = plt.subplots(len(rows), 1, squeeze=False,
                             figsize=(11, 1.3 + sum(0.62 * len(rs) + 0.9 for _, rs in rows)),
                             gridspec_kw={"height_ratios": [len(rs) + 0.5 for _, rs in rows]})
    used_steps = set()
    for ax, (b, rs) in zip(axes[:, 0], rows):
        rs = sorted(rs, key=lambda r: (scenarios.index(r["scenario"]), r["engine"]))
        centers, positions, group_labels, bar_labels = [], [], [], []
        xmax = 0
        for i, r in enumerate(rs):
            times = hr.user_step_times(r)
            base = 3 * i
            for j, side in enumerate(("client", "server")):
                y = base + j
                left = 0.0
                for step in list(range(1, 9)) + [0]:
                    w = times[side][step]
                    if w <= 0:
                        continue
                    used_steps.add(step)
                    ax.barh(y, w, left=left, height=0.85, color=STEP_COLORS[step],
                            edgecolor="white", linewidth=0.4)
                    left += w
                ax.text(left, y, f" {left:,.1f}", va="center", ha="left", fontsize=7)
                xmax = max(xmax, left)
                positions.append(y)
                bar_labels.append(side)
            centers.append(base + 0.5)
            name = r["scenario"] + ("" if r["engine"] == "hsbench" else f" ({r['engine']})")
            group_labels.append(name)
        two_level_yticks(ax, centers, group_labels, positions, bar_labels)
        ax.invert_yaxis()
        ax.set_xlim(0, xmax * 1.12 if xmax else 1)
        ax.set_xlabel("µs per handshake (wall time of the side's steps)")
        ax.set_title(f"{b}  ·  {threads_note(rs)}", loc="left")
        ax.grid(True, axis="x")
    handles = [Patch(color=STEP_COLORS[s], label=f"{s} {hr.USER_STEPS[s]}" if s else "outside the 8")
               for s in list(range(1, 9)) + [0] if s in used_steps]
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 5),
               bbox_to_anchor=(0.5, 1 - 0.55 / fig.get_figheight()), title="user step")
    fig.tight_layout(rect=(0, 0.03, 1, 1 - 1.25 / fig.get_figheight()))
    return finish(fig, docs, "Where a handshake's time goes, step by step: client and server")


# --- kx ------------------------------------------------------------------------


def side_work(r):
    """{side: {kind: µs}}: the crypto work in each side's steps by kind, and
    the rest of the steps' time as protocol work."""
    out = {}
    for side in ("client", "server"):
        kinds = {name: 0.0 for name, _, _ in WORK}
        total = crypto = 0.0
        for s in r["steps"]:
            if s["side"] != side:
                continue
            total += s["mean_us"]
            for c in s.get("crypto", []):
                us = c["count"] * c["mean_us"]
                kinds[work_kind(c["op"])] += us
                crypto += us
        kinds[PROTOCOL[0]] = max(0.0, total - crypto)
        out[side] = kinds
    return out


def plot_kx(docs, results, args):
    results = [r for r in lowest_threads(results) if r["engine"] == "hsbench"
               and not r["config"].get("resumption")]
    if not any(r["config"]["kx"] == "rsa" for r in results) or \
            not any(r["config"]["kx"] == "ecdhe" for r in results):
        raise NothingToPlot("the kx plot needs both an RSA key transport and an ECDHE scenario")
    backends = hr.backend_order(results)
    scenarios = hr.scenario_order(results)
    rows = [(b, sorted((r for r in results if r["backend"] == b),
                       key=lambda r: scenarios.index(r["scenario"]))) for b in backends]
    height = 1.6 + sum(0.55 * len(rs) + 1.0 for _, rs in rows)
    fig, axes = plt.subplots(len(rows), 2, squeeze=False, figsize=(13, height),
                             gridspec_kw={"width_ratios": [1, 1.6],
                                          "height_ratios": [len(rs) + 0.6 for _, rs in rows]})
    used = set()
    for (ax_h, ax_w), (b, rs) in zip(axes, rows):
        ys = np.arange(len(rs))
        means = [r["handshakes_per_sec"]["mean"] for r in rs]
        for y, r, m in zip(ys, rs, means):
            ax_h.barh(y, m, xerr=hps_error(r), color=KX_COLORS[r["config"]["kx"]],
                      height=0.7, error_kw={"elinewidth": 0.8, "capsize": 2})
        # The price of forward secrecy: each ECDHE or hybrid scenario against
        # RSA key transport with the same version and certificate.
        rsa = {(r["config"]["tls"], r["config"]["cert"]): r["handshakes_per_sec"]["mean"]
               for r in rs if r["config"]["kx"] == "rsa"}
        for y, r, m in zip(ys, rs, means):
            ref = rsa.get((r["config"]["tls"], r["config"]["cert"]))
            note = f" {m:,.0f}"
            if r["config"]["kx"] != "rsa" and ref:
                note += f"  ({(m / ref - 1) * 100:+.0f}% vs RSA kx)"
            ax_h.text(max(m, r["handshakes_per_sec"]["ci95"][1]), y, note, va="center",
                      ha="left", fontsize=7)
        ax_h.set_yticks(ys)
        ax_h.set_yticklabels([r["scenario"] for r in rs])
        ax_h.invert_yaxis()
        ax_h.set_xlim(0, max(max(means), max(r["handshakes_per_sec"]["ci95"][1] for r in rs)) * 1.5)
        ax_h.set_xlabel("handshakes/s (bars: 95% CI)")
        ax_h.set_title(f"{b}: handshakes/s  ·  {threads_note(rs)}", loc="left")
        ax_h.grid(False, axis="y")

        # Where the time goes, per side.
        centers, positions, labels, side_labels = [], [], [], []
        xmax = 0
        for i, r in enumerate(rs):
            work = side_work(r)
            for j, side in enumerate(("server", "client")):
                y = 3 * i + j
                left = 0.0
                for name, color in [(n, c) for n, _, c in WORK] + [PROTOCOL]:
                    w = work[side][name]
                    if w <= 0:
                        continue
                    used.add(name)
                    ax_w.barh(y, w, left=left, color=color, height=0.85,
                              edgecolor="white", linewidth=0.4)
                    left += w
                ax_w.text(left, y, f" {left:,.0f}", va="center", ha="left", fontsize=7)
                xmax = max(xmax, left)
                positions.append(y)
                side_labels.append(side)
            centers.append(3 * i + 0.5)
            labels.append(r["scenario"])
        two_level_yticks(ax_w, centers, labels, positions, side_labels)
        ax_w.invert_yaxis()
        ax_w.set_xlim(0, xmax * 1.1 if xmax else 1)
        ax_w.set_xlabel("µs per handshake (steps' wall time, by the work done in them)")
        ax_w.set_title(f"{b}: where the time goes", loc="left")
    kinds = {r["config"]["kx"] for _, rs in rows for r in rs}
    handles = [Patch(color=KX_COLORS[k], label=KX_LABELS[k]) for k in KX_COLORS if k in kinds]
    work_handles = [Patch(color=c, label=n) for n, _, c in WORK if n in used]
    if PROTOCOL[0] in used:
        work_handles.append(Patch(color=PROTOCOL[1], label=PROTOCOL[0]))
    top = 1 - 0.5 / fig.get_figheight()
    fig.legend(handles=handles, loc="upper left", ncol=1, bbox_to_anchor=(0.01, top))
    fig.legend(handles=work_handles, loc="upper left", ncol=3, bbox_to_anchor=(0.36, top))
    fig.tight_layout(rect=(0, 0.03, 1, 1 - 1.35 / fig.get_figheight()))
    return finish(fig, docs, "RSA key transport versus ECDHE: the price of forward secrecy")


# --- backends -------------------------------------------------------------------


def plot_backends(docs, results, args):
    results = lowest_threads(results)
    if not results:
        raise NothingToPlot("no measured result")
    # The null backend does no cryptography: beside real ones it only
    # squashes their bars. It stays when asked for (--backend) or alone.
    left_out = ""
    if not (args.filter and getattr(args, "backend", None)) and \
            any(r["backend"] != "null" for r in results) and \
            any(r["backend"] == "null" for r in results):
        results = [r for r in results if r["backend"] != "null"]
        left_out = " (null backend left out: it does no crypto)"
    scenarios = hr.scenario_order(results)
    backends = hr.backend_order(results)
    series = []  # (backend, engine)
    for r in results:
        s = (r["backend"], r["engine"])
        if s not in series:
            series.append(s)
    series.sort(key=lambda s: (backends.index(s[0]), s[1] != "hsbench"))
    n = len(series)
    height = 0.8 / n
    fig, (ax_h, ax_c) = plt.subplots(1, 2, figsize=(13, 1.8 + 0.32 * len(scenarios) * max(n, 2)),
                                     sharey=True)
    by = {(r["scenario"], r["backend"], r["engine"]): r for r in results}
    hps_all, cpu_all = [], []
    for k, (b, e) in enumerate(series):
        color = backend_color(b, backends)
        hatch = "//" if e == "native" else None
        lab = b if e == "hsbench" else f"{b} native libssl"
        for i, sc in enumerate(scenarios):
            r = by.get((sc, b, e))
            if r is None:
                continue
            y = i - 0.4 + height * (k + 0.5)
            m = r["handshakes_per_sec"]["mean"]
            hps_all.append(m)
            ax_h.barh(y, m, height=height * 0.92, xerr=hps_error(r), color=color, hatch=hatch,
                      edgecolor="white" if not hatch else "black", linewidth=0.3,
                      error_kw={"elinewidth": 0.7, "capsize": 1.5},
                      label=lab if i == next(j for j, s2 in enumerate(scenarios)
                                             if (s2, b, e) in by) else None)
            cpu = r["cpu_us_per_handshake"]["total"]
            cpu_all.append(cpu)
            ax_c.barh(y, cpu, height=height * 0.92, color=color, hatch=hatch,
                      edgecolor="white" if not hatch else "black", linewidth=0.3)
            lb = r.get("crypto_lower_bound_us")
            if lb:
                ax_c.plot([lb, lb], [y - height * 0.46, y + height * 0.46], color="black",
                          linewidth=1.4, solid_capstyle="butt",
                          label="crypto lower bound" if not any(
                              l.get_label() == "crypto lower bound" for l in ax_c.lines) else None)
            ratio = r.get("overhead_ratio")
            if ratio:
                ax_c.text(max(cpu, lb or 0), y, f" ×{ratio:.2f}", va="center", fontsize=6.5)
    ax_h.set_yticks(range(len(scenarios)))
    ax_h.set_yticklabels(scenarios)
    ax_h.invert_yaxis()
    ax_h.grid(False, axis="y")
    ax_c.grid(False, axis="y")
    log_h = maybe_log(ax_h, hps_all)
    log_c = maybe_log(ax_c, cpu_all)
    ax_h.set_xlabel("handshakes/s" + (" (log scale)" if log_h else "") + "; bars: 95% CI")
    ax_c.set_xlabel("CPU µs per handshake, client + server" + (" (log scale)" if log_c else ""))
    ax_h.set_title(f"handshakes/s  ·  {threads_note(results)}  (higher is better)", loc="left")
    ax_c.set_title("CPU per handshake; | crypto lower bound, × overhead", loc="left")
    if not log_c:
        ax_c.set_xlim(0, max(cpu_all) * 1.15)
    handles, labels = ax_h.get_legend_handles_labels()
    h2, l2 = ax_c.get_legend_handles_labels()
    fig.legend(handles + h2, labels + l2, loc="upper center", ncol=len(handles) + len(h2),
               bbox_to_anchor=(0.5, 1 - 0.45 / fig.get_figheight()))
    fig.tight_layout(rect=(0, 0.03, 1, 1 - 0.9 / fig.get_figheight()))
    title = "Backend versus backend" + (", engine versus native libssl"
                                        if any(e == "native" for _, e in series) else "")
    return finish(fig, docs, title + left_out)


# --- scaling ----------------------------------------------------------------------


def plot_scaling(docs, results, args):
    if not results:
        raise NothingToPlot("no measured result")
    backends = hr.backend_order(results)
    scenarios = hr.scenario_order(results)
    threads = sorted({r["threads"] for r in results})
    ncols = min(len(backends), 3)
    nrows = (len(backends) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(4.6 * ncols + 1.5, 3.8 * nrows + 1))
    cmap = plt.get_cmap("tab10")
    for ax in axes.flat[len(backends):]:
        ax.set_visible(False)
    for ax, b in zip(axes.flat, backends):
        rs = [r for r in results if r["backend"] == b]
        lines = {}
        for r in rs:
            lines.setdefault((r["scenario"], r["engine"]), []).append(r)
        for (sc, e), pts in sorted(lines.items(), key=lambda kv: (scenarios.index(kv[0][0]), kv[0][1])):
            pts.sort(key=lambda r: r["threads"])
            color = cmap(scenarios.index(sc) % 10)
            x = [r["threads"] for r in pts]
            y = [r["handshakes_per_sec"]["mean"] for r in pts]
            err = np.array([hps_error(r) for r in pts])[:, :, 0].T
            ax.errorbar(x, y, yerr=err, marker="o", markersize=3.5, linewidth=1.3, capsize=2,
                        color=color, linestyle="-" if e == "hsbench" else "--",
                        label=sc + ("" if e == "hsbench" else f" ({e})"))
            ideal = [y[0] * t / x[0] for t in x]
            ax.plot(x, ideal, color=color, linestyle=":", linewidth=0.8, alpha=0.6)
        ax.set_xticks(threads)
        ax.set_xlabel("threads (each its own client/server pair)")
        ax.set_ylabel("handshakes/s (sum over threads)")
        ax.set_ylim(bottom=0)
        ax.set_title(b, loc="left")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    seen = dict(zip(labels, handles))
    for ax in axes.flat[1:len(backends)]:
        h, l = ax.get_legend_handles_labels()
        for hh, ll in zip(h, l):
            seen.setdefault(ll, hh)
    from matplotlib.lines import Line2D
    seen["dotted: linear scaling from the first point"] = Line2D([], [], color="#666666",
                                                                 linestyle=":")
    ncol = min(3, len(seen))
    legend_rows = (len(seen) + ncol - 1) // ncol
    fig.legend(list(seen.values()), list(seen.keys()), loc="upper center", ncol=ncol,
               bbox_to_anchor=(0.5, 1 - 0.45 / fig.get_figheight()))
    fig.tight_layout(rect=(0, 0.03, 1, 1 - (0.7 + 0.17 * legend_rows) / fig.get_figheight()))
    note = "" if len(threads) > 1 else " (one thread count: run with --threads 1,2,4,...)"
    return finish(fig, docs, "Scaling: handshakes/s against threads" + note)


# --- latency ----------------------------------------------------------------------


def plot_latency(docs, results, args):
    results = [r for r in lowest_threads(results) if r.get("latency_us")]
    if not results:
        raise NothingToPlot("no result with latency (latency needs timing)")
    backends = hr.backend_order(results)
    scenarios = hr.scenario_order(results)
    series = []
    for r in results:
        if (r["backend"], r["engine"]) not in series:
            series.append((r["backend"], r["engine"]))
    series.sort(key=lambda s: (backends.index(s[0]), s[1] != "hsbench"))
    by = {(r["scenario"], r["backend"], r["engine"]): r for r in results}
    n = len(series)
    fig, ax = plt.subplots(figsize=(11, 1.8 + 0.3 * len(scenarios) * max(n, 2)))
    marks = [("p50", "o"), ("p90", "s"), ("p99", "^"), ("max", "x")]
    step = 0.8 / n
    for k, (b, e) in enumerate(series):
        color = backend_color(b, backends)
        for i, sc in enumerate(scenarios):
            r = by.get((sc, b, e))
            if r is None:
                continue
            lat = r["latency_us"]
            y = i - 0.4 + step * (k + 0.5)
            ax.plot([lat["p50"], lat["max"]], [y, y], color=color, linewidth=1,
                    linestyle="-" if e == "hsbench" else "--")
            for name, m in marks:
                ax.plot(lat[name], y, marker=m, color=color, markersize=5 if m != "x" else 6,
                        linestyle="none")
    ax.set_xscale("log")
    ax.set_yticks(range(len(scenarios)))
    ax.set_yticklabels(scenarios)
    ax.invert_yaxis()
    ax.grid(False, axis="y")
    ax.grid(True, axis="x", which="both", alpha=0.2)
    ax.set_xlabel("handshake latency, µs (log scale)")
    where = ("on the wire: the handshake phase of hsbench connect (from the connect call) or "
             "serve" if any("network" in r for r in results)
             else "one handshake, start to end, on one client/server pair")
    ax.set_title(f"{where}  ·  {threads_note(results)}", loc="left")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=backend_color(b, backends),
                      linestyle="-" if e == "hsbench" else "--",
                      label=b if e == "hsbench" else f"{b} native") for b, e in series]
    handles += [Line2D([], [], color="#333333", marker=m, linestyle="none", label=name)
                for name, m in marks]
    fig.legend(handles=handles, loc="upper center", ncol=len(handles),
               bbox_to_anchor=(0.5, 1 - 0.45 / fig.get_figheight()))
    fig.tight_layout(rect=(0, 0.03, 1, 1 - 0.9 / fig.get_figheight()))
    return finish(fig, docs, "Latency percentiles")


# --- network: latency distribution and load ------------------------------------------

PHASE_COLORS = {"connect": "#9c755f", "first_flight": "#f28e2b", "server_finished": "#76b7b2",
                "handshake": "#4e79a7", "first_byte": "#59a14f"}
# Percentiles on a "nines" axis (HdrHistogram's percentile plot): p50 at
# log10(2), p90 at 1, p99 at 2, p99.9 at 3, and the maximum one step on.
PERCENTILES = [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("p999", 0.999)]
MAX_AT = 4.0


def nines(q):
    return -math.log10(1 - q)


def percentile_points(lat):
    """(x, y) of a latency's percentiles on the nines axis; a percentile the
    document lacks is left out."""
    pts = [(nines(q), lat[k]) for k, q in PERCENTILES if k in lat]
    pts.append((MAX_AT, lat["max"]))
    return [p[0] for p in pts], [p[1] for p in pts]


def latency_scale(values):
    """µs, or ms where the typical value is a millisecond or more."""
    values = sorted(v for v in values if v > 0)
    if values and values[len(values) // 2] >= 1000:
        return 1e-3, "ms"
    return 1.0, "µs"


def load_text(r):
    net = r["network"]
    if net["role"] == "server":
        return "serve"
    load = net["load"]
    if load["model"] == "open":
        return f"open loop {load['rate']:g}/s {load['arrival']}"
    return f"{load['connections']} connection" + ("s" if load["connections"] != 1 else "")


def network_label(r):
    net = r["network"]
    arrow = "→" if net["role"] == "client" else "on"
    where = net["target"]
    if net.get("address") and net["address"] != where:
        where += f" ({net['address']})"
    return (f"{r['scenario']}  {hr.label(r, engine=None)}  {r['threads']}t\n"
            f"{net['role']} {arrow} {where} · {load_text(r)}")


def network_items(docs, args):
    items = hr.network_results(docs)
    if args.filter:
        items = [(d, r) for d, r in items if args.filter(r)]
    return items


def plot_cdf(docs, results, args):
    items = [(d, r) for d, r in network_items(docs, args) if r["network"]["phases"]]
    if not items:
        raise NothingToPlot("no network result with phases (hsbench connect or serve)")
    per, unit = latency_scale([ph["latency_us"]["p50"] for _, r in items
                               for ph in r["network"]["phases"] if ph["count"] > 0])
    ncols = min(3, len(items))
    nrows = (len(items) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, figsize=(4.8 * ncols, 1.6 + 3.3 * nrows))
    for ax in axes.flat[len(items):]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D
    used = []
    for i, (ax, (doc, r)) in enumerate(zip(axes.flat, items)):
        net = r["network"]
        ys_all = []
        for ph in net["phases"]:
            if ph["count"] <= 0:
                continue
            x, y = percentile_points(ph["latency_us"])
            y = [v * per for v in y]
            ys_all += y
            ax.plot(x, y, marker="o", markersize=3.5, linewidth=1.4,
                    color=PHASE_COLORS.get(ph["phase"], "#333333"), gid=f"cdf-{i}-{ph['phase']}")
            if ph["phase"] not in used:
                used.append(ph["phase"])
        # Open loop: the handshake from its intended start (coordinated
        # omission corrected) against from its actual start.
        for name, style in (("corrected_latency_us", "--"), ("uncorrected_latency_us", ":")):
            if name in net:
                x, y = percentile_points(net[name])
                y = [v * per for v in y]
                ys_all += y
                ax.plot(x, y, linestyle=style, color="#333333", linewidth=1.2,
                        gid=f"cdf-{i}-{name.split('_')[0]}")
                if name not in used:
                    used.append(name)
        ax.set_xticks([nines(q) for _, q in PERCENTILES] + [MAX_AT])
        ax.set_xticklabels(["p50", "p90", "p99", "p99.9", "max"])
        ax.set_xlim(0, MAX_AT + 0.3)
        maybe_log(ax, ys_all, axis="y")
        ax.set_ylabel(f"latency, {unit}")
        ax.set_title(network_label(r), loc="left", fontsize=8)
        failed = net["failed"]
        if failed:
            ax.text(0.02, 0.97, f"{failed} of {net['attempted']} failed", transform=ax.transAxes,
                    va="top", fontsize=7, color=VERDICT_COLORS["regression"])
    handles = [Line2D([], [], color=PHASE_COLORS.get(n, "#333333"), marker="o", label=n)
               for n in used if n in PHASE_COLORS or not n.endswith("_latency_us")]
    if "corrected_latency_us" in used:
        handles.append(Line2D([], [], color="#333333", linestyle="--",
                              label="open loop, from the intended start (corrected)"))
    if "uncorrected_latency_us" in used:
        handles.append(Line2D([], [], color="#333333", linestyle=":",
                              label="open loop, from the actual start"))
    fig.legend(handles=handles, loc="upper center", ncol=min(len(handles), 4),
               bbox_to_anchor=(0.5, 1 - 0.45 / fig.get_figheight()))
    fig.tight_layout(rect=(0, 0.04, 1, 1 - 1.0 / fig.get_figheight()))
    return finish(fig, docs, "Latency by phase, drawn from each phase's percentiles "
                             "(p50, p90, p99, p99.9, max), not the full histogram")


def plot_load(docs, results, args):
    """Handshakes/s and the handshake's p99 against the offered load, one line
    per (scenario, backend, engine, threads, target, loop) whose load varies."""
    groups = {}
    for doc, r in network_items(docs, args):
        point = hr.load_point(r)
        if point is None:
            continue
        k = (r["scenario"], r["backend"], r["engine"], r["threads"], r["network"]["target"],
             point[0])
        groups.setdefault(k, {})[point[1]] = r  # a later file's point wins
    groups = {k: v for k, v in groups.items() if len(v) >= 2}
    if not groups:
        raise NothingToPlot("no network client results that differ in --connections or --rate "
                            "(give several files of one sweep)")
    kinds = [k for k in ("connections", "rate") if any(g[5] == k for g in groups)]
    fig, axes = plt.subplots(len(kinds), 2, squeeze=False, figsize=(13, 1.6 + 3.6 * len(kinds)))
    backends = hr.backend_order([r for g in groups.values() for r in g.values()])
    p99s = []
    for g in groups.values():
        for r in g.values():
            if r.get("latency_us"):
                p99s.append(r["latency_us"]["p99"])
    per, unit = latency_scale(p99s)
    cmap = plt.get_cmap("tab10")
    for row, kind in enumerate(kinds):
        ax_h, ax_l = axes[row]
        mine = [(k, g) for k, g in groups.items() if k[5] == kind]
        for n, (k, g) in enumerate(mine):
            xs = sorted(g)
            pts = [g[x] for x in xs]
            color = cmap(n % 10) if len(mine) > 1 else backend_color(k[1], backends)
            name = (f"{k[0]} {k[1]}" + ("" if k[2] == "hsbench" else f" {k[2]}") +
                    f" {k[3]}t → {k[4]}")
            err = np.array([hps_error(r) for r in pts])[:, :, 0].T
            ax_h.errorbar(xs, [r["handshakes_per_sec"]["mean"] for r in pts], yerr=err,
                          marker="o", markersize=3.5, capsize=2, linewidth=1.3, color=color,
                          label=name, gid=f"load-{kind}-{n}")
            lat = [(x, r["latency_us"]["p99"] * per) for x, r in zip(xs, pts)
                   if r.get("latency_us")]
            if lat:
                ax_l.plot([p[0] for p in lat], [p[1] for p in lat], marker="o", markersize=3.5,
                          linewidth=1.3, color=color, label=name, gid=f"p99-{kind}-{n}")
        if kind == "rate":
            lo = min(x for _, g in mine for x in g)
            hi = max(x for _, g in mine for x in g)
            ax_h.plot([lo, hi], [lo, hi], linestyle=":", color="#666666", linewidth=0.9,
                      label="handshakes/s = offered rate")
        what = ("connections in flight (closed loop, over all threads)" if kind == "connections"
                else "offered rate, new handshakes/s (open loop)")
        ticks = sorted({x for _, g in mine for x in g})
        for ax in (ax_h, ax_l):
            ax.set_xlabel(what)
            ax.set_ylim(bottom=0)
            if kind == "connections":
                ax.set_xticks(ticks)
        ax_h.set_ylabel("handshakes/s (bars: 95% CI)")
        ax_l.set_ylabel(f"handshake p99, {unit}")
        ax_h.set_title(f"handshakes/s against {kind}", loc="left")
        ax_l.set_title(f"handshake latency p99 against {kind}", loc="left")
        ax_h.legend(loc="best")
    fig.tight_layout(rect=(0, 0.04, 1, 1 - 0.5 / fig.get_figheight()))
    return finish(fig, docs, "Network mode: throughput and latency against load")


# --- compare ------------------------------------------------------------------------


METRICS = {
    # name: (how to read per-repetition values, higher is better, unit)
    "hs_per_sec": (lambda r: r["handshakes_per_sec"]["repetitions"], True, "handshakes/s"),
    "cpu_us": (lambda r: [r["cpu_us_per_handshake"]["total"]], False, "CPU µs per handshake"),
    "icount": (lambda r: [r["icount"]["total"]] if r.get("icount") else None, False,
               "instructions per handshake"),
    "p99_us": (lambda r: [r["latency_us"]["p99"]] if r.get("latency_us") else None, False,
               "handshake latency p99 µs"),
}


def compare_pairs(base_doc, new_doc, metric, threshold):
    """[(key, base, new, delta_pct, lo, hi, verdict)] for every pair of results
    in both files, in the base file's order."""
    read, higher_better, _ = METRICS[metric]
    new_by = {hr.key(r): r for r in new_doc["results"] if r["status"] == "ok"}
    out = []
    for b in base_doc["results"]:
        if b["status"] != "ok" or hr.key(b) not in new_by:
            continue
        n = new_by[hr.key(b)]
        vb, vn = read(b), read(n)
        if not vb or not vn:
            continue
        delta, lo, hi = hr.welch(vb, vn)
        out.append((hr.key(b), b, n, delta, lo, hi,
                    hr.verdict(delta, lo, hi, threshold, higher_better)))
    return out


def plot_compare(docs, results, args):
    if len(docs) != 2:
        raise hr.ResultsError(f"compare takes two result files, BASE.json NEW.json; got {len(docs)}")
    pairs = compare_pairs(docs[0], docs[1], args.metric, args.threshold)
    if args.filter:
        pairs = [p for p in pairs if args.filter(p[1])]
    if not pairs:
        raise hr.ResultsError(f"{docs[0]['_path']} and {docs[1]['_path']} have no "
                              f"(scenario, backend, engine, threads) with {args.metric} in common")
    _, higher_better, unit = METRICS[args.metric]
    labels = [f"{k[0]}  {k[1]}" + ("" if k[2] == "hsbench" else f" {k[2]}") + f"  {k[3]}t" +
              (f"  {k[4]} {k[5]}" if len(k) > 4 else "") for k, *_ in pairs]
    step_field = {"icount": "icount", "p99_us": "p99_us"}.get(args.metric, "mean_us")
    with_steps = [p for p in pairs if p[1].get("steps") and p[2].get("steps")]
    fig, axes = plt.subplots(1, 2 if with_steps else 1, squeeze=False,
                             figsize=(14 if with_steps else 8, 2.0 + 0.28 * len(pairs)),
                             gridspec_kw={"width_ratios": [1, 1.15] if with_steps else [1]})
    ax = axes[0, 0]
    ys = np.arange(len(pairs))
    t = args.threshold
    ax.axvspan(-t, t, color="#eeeeee", zorder=0)
    ax.axvline(0, color="#555555", linewidth=0.8)
    for y, (k, b, n, delta, lo, hi, v) in zip(ys, pairs):
        err = None if lo is None else [[delta - lo], [hi - delta]]
        ax.errorbar(delta, y, xerr=err, marker="o", color=VERDICT_COLORS[v], capsize=2,
                    markersize=4, linestyle="none")
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_ylim(len(pairs) - 0.5, -0.5)
    ax.grid(False, axis="y")
    # Wide intervals (noisy runs) are cut at the edge rather than squashing
    # the deltas into the middle.
    widest = max([abs(x) for p in pairs for x in (p[4], p[5]) if x is not None] + [0])
    lim = max([abs(p[3]) * 1.3 for p in pairs] + [t * 3, min(widest, 100)])
    ax.set_xlim(-lim * 1.05, lim * 1.05)
    better = "right" if higher_better else "left"
    ax.set_xlabel(f"change in {unit}, new vs base, %\n"
                  f"(bars: 95% CI; {better} is better; grey: the ±{t:g}% threshold)")
    ax.set_title(f"per scenario: {args.metric}", loc="left")
    handles = [Patch(color=c, label=v) for v, c in VERDICT_COLORS.items()]
    ax.legend(handles=handles, loc="lower right", frameon=True)

    if with_steps:
        ax2 = axes[0, 1]
        steps = list(range(1, 9))
        grid = np.full((len(pairs), len(steps)), np.nan)
        for i, (k, b, n, *_rest) in enumerate(pairs):
            if not (b.get("steps") and n.get("steps")):
                continue
            tb, tn = hr.user_step_times(b, step_field), hr.user_step_times(n, step_field)
            for j, s in enumerate(steps):
                sb = tb["client"][s] + tb["server"][s]
                sn = tn["client"][s] + tn["server"][s]
                if sb > 0:
                    grid[i, j] = (sn - sb) / sb * 100
        shown = np.clip(grid, -50, 50)
        im = ax2.imshow(shown, cmap="RdBu_r", vmin=-50, vmax=50, aspect="auto")
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                if not np.isnan(grid[i, j]):
                    v = round(grid[i, j])
                    ax2.text(j, i, f"{v:+d}" if v else "0", ha="center", va="center",
                             fontsize=6.5, color="white" if abs(shown[i, j]) > 30 else "black")
        ax2.set_ylim(len(pairs) - 0.5, -0.5)
        ax2.set_xticks(range(len(steps)))
        ax2.set_xticklabels([f"{s} {hr.USER_STEPS[s]}" for s in steps], rotation=30, ha="right")
        ax2.set_yticks(ys)
        ax2.set_yticklabels([])
        ax2.grid(False)
        ax2.set_title("per user step: change in step " +
                      ("instructions" if step_field == "icount" else "time") +
                      " (client + server), %", loc="left")
        cb = fig.colorbar(im, ax=ax2, fraction=0.03, pad=0.01)
        cb.set_label("% (red: slower; clipped at ±50)")
    fig.tight_layout(rect=(0, 0.04, 1, 1 - 0.55 / fig.get_figheight()))
    counts = {v: sum(1 for p in pairs if p[6] == v) for v in VERDICT_COLORS}
    return finish(fig, docs, f"Base versus new: {counts['regression']} regressed, "
                             f"{counts['improvement']} improved, {counts['no change']} unchanged",
                  labels=[f"base {docs[0]['_path']}", f"new {docs[1]['_path']}"])


# --- driver ---------------------------------------------------------------------------

def plot_wire(docs, results, args):
    """Per scenario (its first engine result: the bytes are the protocol's),
    one bar per flight, client flights to the left of zero and server
    flights to the right, split by message, with the initial window."""
    seen, rows = set(), []
    for r in results:
        if r.get("wire") and r["scenario"] not in seen:
            seen.add(r["scenario"])
            rows.append(r)
    if not rows:
        raise NothingToPlot("no engine result with wire bytes")
    wire0 = rows[0]["wire"]
    window = wire0["mss"] * wire0["initial_window_segments"]
    fig, ax = plt.subplots(figsize=(11, 1.6 + 0.5 * len(rows)))
    palette = plt.get_cmap("tab20").colors
    kinds = []
    for i, r in enumerate(rows):
        offset = {"client": 0.0, "server": 0.0}
        handshake = [f for f in r["wire"]["flights"] if f["handshake"]]
        for k, f in enumerate(handshake):
            sign = -1 if f["side"] == "client" else 1
            # Later flights stack beyond earlier ones, in the order sent.
            for m in f["messages"]:
                if m["message"] not in kinds:
                    kinds.append(m["message"])
                color = palette[kinds.index(m["message"]) % len(palette)]
                ax.barh(i, sign * m["bytes"], left=sign * offset[f["side"]], color=color,
                        edgecolor="white", linewidth=0.5)
                offset[f["side"]] += m["bytes"]
        ax.text(offset["server"] + 40, i, f"{r['wire']['round_trips']} RTT", va="center",
                fontsize=8)
    for x in (-window, window):
        ax.axvline(x, color="#c44e52", linestyle=":", linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["scenario"] for r in rows])
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel(f"bytes on the wire: client flights ← 0 → server flights  ·  dotted: a fresh "
                  f"connection's initial window ({wire0['initial_window_segments']} x "
                  f"{wire0['mss']} B)")
    ax.set_title("handshake bytes per flight, by message, and round trips on a fresh TCP "
                 "connection", loc="left")
    handles = [Patch(color=palette[i % len(palette)], label=k) for i, k in enumerate(kinds)]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), fontsize=8)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return finish(fig, docs, "Bytes on the wire")


PLOTS = {
    "steps": plot_steps,
    "kx": plot_kx,
    "backends": plot_backends,
    "scaling": plot_scaling,
    "latency": plot_latency,
    "cdf": plot_cdf,
    "load": plot_load,
    "wire": plot_wire,
    "compare": plot_compare,
}


def make_filter(args):
    def split(s):
        return {x.strip() for x in s.split(",") if x.strip()} if s else None
    backends, scenarios, engines = split(args.backend), split(args.scenario), split(args.engine)
    threads = None
    if args.threads:
        try:
            threads = {int(x) for x in split(args.threads)}
        except ValueError:
            raise hr.ResultsError(f"--threads {args.threads}: not a list of integers") from None
    if not (backends or scenarios or engines or threads):
        return None

    def keep(r):
        return ((not backends or r["backend"] in backends)
                and (not scenarios or r["scenario"] in scenarios)
                and (not engines or r["engine"] in engines)
                and (not threads or r["threads"] in threads))
    return keep


def render(fig, fmt):
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buf, format=fmt, metadata=meta)
    return buf.getvalue()


def figures(names, docs, args):
    """(name, Figure) for each plot in names the data allows; a plot named
    alone that cannot be drawn is an error, one of `all` is skipped."""
    results = hr.ok_results(docs)
    if args.filter:
        results = [r for r in results if args.filter(r)]
    out = []
    for name in names:
        try:
            out.append((name, PLOTS[name](docs, results, args)))
        except NothingToPlot as e:
            if len(names) == 1:
                raise hr.ResultsError(f"nothing to plot for {name}: {e}") from None
            print(f"{PROG}: skipping {name}: {e}", file=sys.stderr)
    return out


def names_for(command, docs):
    if command == "all":
        names = ["steps", "kx", "backends", "scaling", "latency", "wire"]
        if hr.network_results(docs):
            names += ["cdf", "load"]
        if len(docs) == 2:
            names.append("compare")
        return names
    return [command]


def parser():
    p = argparse.ArgumentParser(
        prog="plot.py", description=__doc__.split("\n\n")[0],
        epilog="Writes OUT/NAME.png and OUT/NAME.svg for each plot.")
    p.add_argument("command", choices=list(PLOTS) + ["all"])
    p.add_argument("files", nargs="+", metavar="RESULT.json")
    p.add_argument("--out", required=True, metavar="DIR", help="directory for the images")
    p.add_argument("--format", default="png,svg", help="png, svg or png,svg (default)")
    p.add_argument("--backend", help="only these backends (comma-separated)")
    p.add_argument("--scenario", help="only these scenarios")
    p.add_argument("--engine", help="only these engines (hsbench, native)")
    p.add_argument("--threads", help="only these thread counts")
    p.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                   help="compare: the change that counts (default 5)")
    p.add_argument("--metric", choices=list(METRICS), default="hs_per_sec",
                   help="compare: the metric (default hs_per_sec)")
    return p


def main(argv=None):
    p = parser()
    p.error = lambda message: hr.fail(PROG, message)  # one line, exit 2
    args = p.parse_args(argv)
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not formats or any(f not in ("png", "svg") for f in formats):
        hr.fail(PROG, f"--format {args.format}: expected png, svg or png,svg")
    if args.threshold < 0:
        hr.fail(PROG, f"--threshold {args.threshold:g}: must not be negative")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        hr.fail(PROG, f"--out {args.out}: not a directory")
    try:
        args.filter = make_filter(args)
        docs = hr.load_all(args.files)
        if args.command == "compare" and len(docs) != 2:
            raise hr.ResultsError(f"compare takes two result files, BASE.json NEW.json; "
                                  f"got {len(docs)}")
        made = figures(names_for(args.command, docs), docs, args)
        if not made:
            raise hr.ResultsError("nothing to plot in " + ", ".join(args.files))
        # Render everything before writing anything: no partial output.
        images = []
        for name, fig in made:
            for fmt in formats:
                images.append((os.path.join(args.out, f"{name}.{fmt}"), render(fig, fmt)))
            plt.close(fig)
    except hr.ResultsError as e:
        hr.fail(PROG, str(e))
    try:
        os.makedirs(args.out, exist_ok=True)
        for path, data in images:
            hr.write_atomically(path, data)
    except OSError as e:
        hr.fail(PROG, f"cannot write {e.filename or args.out}: {e.strerror or e}")
    for path, _ in images:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
