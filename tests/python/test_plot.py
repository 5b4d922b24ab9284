"""scripts/plot.py and scripts/report.py on a real hsbench result file
(tests/python/data/sample.json: `hsbench --backend all --handshakes 200
--repetitions 3 --threads 1,2`): every subcommand writes its images, the
report is one self-contained page, and unusable input is one line on stderr,
exit code 2 and no output.
"""
import copy
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts")
SAMPLE = os.path.join(ROOT, "tests", "python", "data", "sample.json")
PLOT = os.path.join(SCRIPTS, "plot.py")
REPORT = os.path.join(SCRIPTS, "report.py")

sys.path.insert(0, SCRIPTS)
import hsbench_results as hr  # noqa: E402
from hsbench_bin import find_hsbench  # noqa: E402

pytest.importorskip("matplotlib")  # Debian python3-matplotlib (scripts/deps.txt)

SLOW_KEY = ("tls12-rsa-rsa2048", "openssl", "hsbench", 1)


def run(script, *args, cwd=None):
    return subprocess.run([sys.executable, script, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


def is_svg(path):
    with open(path, encoding="utf-8") as f:
        head = f.read(400)
    return "<svg" in head


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """BASE and NEW from the sample: the same, except that in NEW one step of
    one scenario (the server's ClientKeyExchange of tls12-rsa-rsa2048 on
    openssl, one thread) is 20% slower, and both runs of that result have
    tight repetitions so the change is significant."""
    d = tmp_path_factory.mktemp("pair")
    base = load(SAMPLE)
    new = copy.deepcopy(base)
    for doc, factor in ((base, 1.0), (new, None)):
        for r in doc["results"]:
            if r["status"] != "ok" or hr.key(r) != SLOW_KEY:
                continue
            total = sum(s["mean_us"] for s in r["steps"])
            extra = 0.0
            if factor is None:
                for s in r["steps"]:
                    if s["user_step"] == 6 and s["side"] == "server":
                        extra += s["mean_us"] * 0.2
                        s["mean_us"] *= 1.2
            scale = total / (total + extra)
            reps = [1000.0 * scale * x for x in (1.0, 1.01, 0.99, 1.005, 0.995)]
            h = r["handshakes_per_sec"]
            h["repetitions"] = reps
            h["mean"] = h["median"] = sum(reps) / len(reps)
            h["stddev"] = 0.0
            h["ci95"] = [min(reps), max(reps)]
    paths = []
    for name, doc in (("base.json", base), ("new.json", new)):
        p = d / name
        p.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(str(p))
    return paths


@pytest.mark.parametrize("command", ["steps", "kx", "backends", "scaling", "latency"])
def test_subcommand_writes_png_and_svg(command, tmp_path):
    out = tmp_path / "img"
    p = run(PLOT, command, SAMPLE, "--out", str(out))
    assert p.returncode == 0, p.stderr
    png, svg = out / f"{command}.png", out / f"{command}.svg"
    assert is_png(png) and png.stat().st_size > 10_000
    assert is_svg(svg)
    assert sorted(p.stdout.split()) == sorted([str(png), str(svg)])
    assert sorted(os.listdir(out)) == sorted([png.name, svg.name])  # no temporary files left


def test_compare_writes_images(pair, tmp_path):
    p = run(PLOT, "compare", *pair, "--out", str(tmp_path), "--threshold", "5")
    assert p.returncode == 0, p.stderr
    assert is_png(tmp_path / "compare.png") and is_svg(tmp_path / "compare.svg")


def test_all_writes_every_plot(pair, tmp_path):
    p = run(PLOT, "all", *pair, "--out", str(tmp_path), "--format", "png")
    assert p.returncode == 0, p.stderr
    names = {"steps", "kx", "backends", "scaling", "latency", "compare"}
    assert sorted(os.listdir(tmp_path)) == sorted(f"{n}.png" for n in names)
    assert all(is_png(tmp_path / f"{n}.png") for n in names)


def test_filters_narrow_the_plot(tmp_path):
    p = run(PLOT, "steps", SAMPLE, "--out", str(tmp_path), "--backend", "null",
            "--scenario", "tls12-rsa-rsa2048", "--format", "svg")
    assert p.returncode == 0, p.stderr
    svg = (tmp_path / "steps.svg").read_text(encoding="utf-8")
    assert "tls12-rsa-rsa2048" in svg and "tls13-x25519-rsa2048" not in svg
    # A filter that leaves nothing is an error, not an empty plot.
    p = run(PLOT, "steps", SAMPLE, "--out", str(tmp_path / "none"), "--backend", "nosuch")
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1
    assert not (tmp_path / "none").exists()


def test_report_is_one_self_contained_page(pair, tmp_path):
    out = tmp_path / "report.html"
    p = run(REPORT, *pair, "--out", str(out))
    assert p.returncode == 0, p.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count('src="data:image/png;base64,') == 6  # five plots and compare
    for ref in ('src="http', "href=\"http", "<link", "<script"):
        assert ref not in page  # nothing loaded from elsewhere
    assert "tls12-ecdhe-x25519-ecdsa-p256" in page and "Client key exchange" in page
    assert "OpenSSL 3" in page  # the context: library versions
    # The comparison table names the one regression.
    assert page.count('<tr class="regression">') == 1


def test_report_of_one_file(tmp_path):
    out = tmp_path / "one.html"
    p = run(REPORT, SAMPLE, "--out", str(out))
    assert p.returncode == 0, p.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 5 and "Base versus new" not in page


BAD = {
    "not_json.json": "{\"schema\": \"hsbench/v1\", ",
    "empty.json": "",
    "array.json": "[1, 2, 3]",
    "other_schema.json": json.dumps({"schema": "hsbench/v2", "context": {}, "results": []}),
    "no_schema.json": json.dumps({"benchmarks": []}),
}


def bad_steps_side():
    doc = load(SAMPLE)
    doc["results"][0]["steps"][0]["side"] = "middle"
    return json.dumps(doc)


def bad_repetitions():
    doc = load(SAMPLE)
    doc["results"][0]["handshakes_per_sec"]["repetitions"] = "many"
    return json.dumps(doc)


@pytest.mark.parametrize("name", sorted(BAD) + ["bad_side.json", "bad_reps.json", "missing.json"])
@pytest.mark.parametrize("script", ["plot", "report"])
def test_bad_input_is_one_line_and_exit_2(name, script, tmp_path):
    path = tmp_path / name
    if name in BAD:
        path.write_text(BAD[name], encoding="utf-8")
    elif name == "bad_side.json":
        path.write_text(bad_steps_side(), encoding="utf-8")
    elif name == "bad_reps.json":
        path.write_text(bad_repetitions(), encoding="utf-8")
    out = tmp_path / "out"
    if script == "plot":
        p = run(PLOT, "all", SAMPLE, str(path), "--out", str(out))
    else:
        p = run(REPORT, SAMPLE, str(path), "--out", str(out) + ".html")
    assert p.returncode == 2
    lines = p.stderr.splitlines()
    assert len(lines) == 1, p.stderr
    assert name in lines[0] and lines[0].startswith(f"{script}.py: ")
    assert "Traceback" not in p.stderr
    assert not out.exists() and not os.path.exists(str(out) + ".html")
    assert sorted(os.listdir(tmp_path)) == ([name] if name != "missing.json" else [])


def test_usage_errors_are_one_line(tmp_path):
    for args in (["nope", SAMPLE, "--out", str(tmp_path)],
                 ["steps", SAMPLE],
                 ["compare", SAMPLE, "--out", str(tmp_path)],
                 ["steps", SAMPLE, "--out", str(tmp_path), "--format", "gif"]):
        p = run(PLOT, *args)
        assert p.returncode == 2 and len(p.stderr.splitlines()) == 1, (args, p.stderr)
    assert os.listdir(tmp_path) == []


# --- the statistics plot.py shares with `hsbench compare` ----------------------


def test_welch_and_verdicts():
    base = [1000, 1010, 990, 1005, 995]
    # The same figures: no change.
    d, lo, hi = hr.welch(base, base)
    assert d == 0 and lo < 0 < hi and hr.verdict(d, lo, hi, 5) == "no change"
    # Noise only: a 3% wobble with overlapping repetitions.
    d, lo, hi = hr.welch(base, [1030, 980, 1012, 1001, 990])
    assert hr.verdict(d, lo, hi, 5) == "no change"
    # 20% slower, tight: a regression; the reverse, an improvement.
    slow = [x * 0.8 for x in base]
    d, lo, hi = hr.welch(base, slow)
    assert round(d) == -20 and hi < 0 and hr.verdict(d, lo, hi, 5) == "regression"
    d, lo, hi = hr.welch(slow, base)
    assert hr.verdict(d, lo, hi, 5) == "improvement"
    # Beyond the threshold but not significant: too noisy to call.
    d, lo, hi = hr.welch(base, [700, 1300, 600, 1200, 800])
    assert d < -5 and lo < 0 < hi and hr.verdict(d, lo, hi, 5) == "no change"
    # Lower is better (CPU µs, instructions): a rise is the regression.
    d, lo, hi = hr.welch([100.0] * 3, [120.0] * 3)
    assert (d, lo, hi) == (20.0, 20.0, 20.0)
    assert hr.verdict(d, lo, hi, 5, higher_is_better=False) == "regression"
    # One repetition each: no interval, the threshold alone decides.
    d, lo, hi = hr.welch([100.0], [90.0])
    assert lo is None and hr.verdict(d, lo, hi, 5) == "regression"
    assert hr.verdict(*hr.welch([100.0], [97.0]), 5) == "no change"


def has_compare(path):
    return subprocess.run([path, "compare", "--help"], capture_output=True).returncode == 0


def test_plot_and_hsbench_compare_agree(pair, tmp_path):
    """plot.py's compare and `hsbench compare` reach the same verdicts."""
    hsbench = find_hsbench(has_compare)
    if not hsbench:
        pytest.skip("no hsbench with the compare subcommand built (set HSBENCH_BIN)")
    sys.path.insert(0, SCRIPTS)
    import plot
    base, new = hr.load(pair[0]), hr.load(pair[1])
    for threshold in ("5", "0", "30"):
        out = tmp_path / f"verdicts-{threshold}.json"
        p = subprocess.run([hsbench, "compare", *pair, "--threshold", threshold, "--json",
                            str(out)], capture_output=True, text=True, timeout=60)
        assert p.returncode in (0, 1), p.stderr
        cpp = {(v["scenario"], v["backend"], v["engine"], v["threads"]):
               (v["verdict"], v["delta_pct"]) for v in load(out)}
        py = {k: (v, d) for k, _, _, d, _, _, v in
              plot.compare_pairs(base, new, "hs_per_sec", float(threshold))}
        assert cpp.keys() == py.keys()
        for k in cpp:
            assert cpp[k][0] == py[k][0], k
            assert cpp[k][1] == pytest.approx(py[k][1], abs=1e-3), k
        assert (p.returncode == 1) == any(v == "regression" for v, _ in py.values())


# --- network mode: cdf and load ------------------------------------------------------
#
# Real documents of hsbench connect and serve against openssl s_server on
# loopback (tests/python/data, each with its command line in context):
# connect.json (both engines, two backends, 4 connections, an HTTP request),
# connect_open.json (open loop at 200/s), connect_c1.json and connect_c4.json
# (a sweep over --connections 1 and 4), serve.json (hsbench serve under
# openssl s_client).

DATA = os.path.join(ROOT, "tests", "python", "data")
CONNECT = os.path.join(DATA, "connect.json")
OPEN = os.path.join(DATA, "connect_open.json")
SERVE = os.path.join(DATA, "serve.json")
SWEEP = [os.path.join(DATA, "connect_c1.json"), os.path.join(DATA, "connect_c4.json")]


def svg_lines(svg, prefix):
    """{gid: number of vertices} of each line whose gid starts with prefix."""
    import re
    out = {}
    for m in re.finditer(r'<g id="(' + re.escape(prefix) + r'[^"]*)">\s*<path d="([^"]*)"', svg):
        out[m.group(1)] = len(re.findall(r"[ML] ", m.group(2)))
    return out


def network_args(**kw):
    import argparse
    return argparse.Namespace(filter=None, **kw)


def test_cdf_draws_each_phase_of_each_result(tmp_path):
    p = run(PLOT, "cdf", CONNECT, OPEN, SERVE, "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert is_png(tmp_path / "cdf.png") and (tmp_path / "cdf.png").stat().st_size > 10_000
    svg = (tmp_path / "cdf.svg").read_text(encoding="utf-8")
    # One line per phase that connections reached, per result in file order,
    # and open loop's corrected and uncorrected latency: five points each
    # (p50, p90, p99, p99.9, max).
    expected = {}
    results = [r for path in (CONNECT, OPEN, SERVE) for r in load(path)["results"]]
    for i, r in enumerate(results):
        for ph in r["network"]["phases"]:
            if ph["count"] > 0:
                expected[f"cdf-{i}-{ph['phase']}"] = 5
        if "corrected_latency_us" in r["network"]:
            expected[f"cdf-{i}-corrected"] = 5
            expected[f"cdf-{i}-uncorrected"] = 5
    assert svg_lines(svg, "cdf-") == expected
    assert "cdf-5-handshake" in expected and "cdf-5-connect" not in expected  # serve: one phase
    assert "p99.9" in svg and "drawn from each phase" in svg
    assert "server on 127.0.0.1:0 (127.0.0.1:" in svg  # serve names the port it listened on


def test_cdf_points_are_the_percentiles():
    sys.path.insert(0, SCRIPTS)
    import plot
    docs = hr.load_all([OPEN])
    fig = plot.plot_cdf(docs, hr.ok_results(docs), network_args())
    ax = fig.axes[0]
    net = docs[0]["results"][0]["network"]
    handshake = next(ph for ph in net["phases"] if ph["phase"] == "handshake")["latency_us"]
    line = next(line for line in ax.lines if line.get_gid() == "cdf-0-handshake")
    # Milliseconds: open loop's handshakes take more than one.
    assert list(line.get_ydata()) == pytest.approx(
        [handshake[k] / 1000 for k in ("p50", "p90", "p99", "p999", "max")])
    assert list(line.get_xdata()) == pytest.approx([0.30103, 1, 2, 3, 4], abs=1e-5)
    corrected = next(line for line in ax.lines if line.get_gid() == "cdf-0-corrected")
    assert corrected.get_ydata()[2] == pytest.approx(net["corrected_latency_us"]["p99"] / 1000)
    plot.plt.close(fig)


def test_load_draws_the_sweep(tmp_path):
    p = run(PLOT, "load", *SWEEP, CONNECT, "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    svg = (tmp_path / "load.svg").read_text(encoding="utf-8")
    # One line for the swept (scenario, backend, engine, threads, target):
    # connect.json's results are against another server, a point each, no line.
    assert svg_lines(svg, "load-") == {"load-connections-0": 2}
    assert svg_lines(svg, "p99-") == {"p99-connections-0": 2}

    sys.path.insert(0, SCRIPTS)
    import plot
    docs = hr.load_all(SWEEP)
    fig = plot.plot_load(docs, hr.ok_results(docs), network_args())
    line = next(line for ax in fig.axes for line in ax.lines
                if line.get_gid() == "load-connections-0")
    assert list(line.get_xdata()) == [1, 4]
    assert list(line.get_ydata()) == [d["results"][0]["handshakes_per_sec"]["mean"] for d in docs]
    plot.plt.close(fig)


def test_load_of_an_open_loop_sweep(tmp_path):
    """A sweep over --rate: the offered rate on x, with the line where
    handshakes/s meets it."""
    base = load(OPEN)
    paths = []
    for rate in (100, 200, 400):
        doc = copy.deepcopy(base)
        r = doc["results"][0]
        r["network"]["load"]["rate"] = float(rate)
        h = r["handshakes_per_sec"]
        scale = min(rate, 150) / h["mean"]
        h["repetitions"] = [v * scale for v in h["repetitions"]]
        h["mean"], h["median"] = h["mean"] * scale, h["median"] * scale
        h["ci95"] = [v * scale for v in h["ci95"]]
        p = tmp_path / f"rate{rate}.json"
        p.write_text(json.dumps(doc), encoding="utf-8")
        paths.append(str(p))
    out = tmp_path / "img"
    p = run(PLOT, "load", *paths, "--out", str(out), "--format", "svg")
    assert p.returncode == 0, p.stderr
    svg = (out / "load.svg").read_text(encoding="utf-8")
    assert svg_lines(svg, "load-") == {"load-rate-0": 3}
    assert "handshakes/s = offered rate" in svg


def test_load_needs_a_sweep(tmp_path):
    p = run(PLOT, "load", CONNECT, "--out", str(tmp_path))
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1, p.stderr
    assert "nothing to plot for load" in p.stderr
    assert os.listdir(tmp_path) == []


def test_all_on_network_files(tmp_path):
    p = run(PLOT, "all", *SWEEP, "--out", str(tmp_path), "--format", "png")
    assert p.returncode == 0, p.stderr
    made = {f[:-4] for f in os.listdir(tmp_path)}
    assert {"cdf", "load", "compare", "backends", "latency"} <= made
    # In-memory files draw no network plots, and say nothing of them.
    p = run(PLOT, "all", SAMPLE, "--out", str(tmp_path / "mem"), "--format", "png")
    assert p.returncode == 0 and "cdf" not in p.stderr and "load" not in p.stderr
    assert not (tmp_path / "mem" / "cdf.png").exists()


def test_network_keys_and_results():
    docs = hr.load_all(SWEEP)
    r = docs[0]["results"][0]
    assert hr.key(r) == (r["scenario"], "openssl", "hsbench", 1, "client", "127.0.0.1:24871")
    # ok_results folds the sweep into one result; network_results keeps both.
    assert len(hr.ok_results(docs)) == 1
    assert [x["network"]["load"]["connections"] for _, x in hr.network_results(docs)] == [1, 4]
    assert hr.load_point(r) == ("connections", 1)
    assert hr.load_point(load(OPEN)["results"][0]) == ("rate", 200.0)
    assert hr.load_point(load(SERVE)["results"][0]) is None


def bad_network_role():
    doc = load(CONNECT)
    doc["results"][0]["network"]["role"] = "proxy"
    return json.dumps(doc)


def test_bad_network_object_is_one_line(tmp_path):
    path = tmp_path / "bad_role.json"
    path.write_text(bad_network_role(), encoding="utf-8")
    p = run(PLOT, "cdf", str(path), "--out", str(tmp_path / "out"))
    assert p.returncode == 2 and len(p.stderr.splitlines()) == 1, p.stderr
    assert "results[0].network.role" in p.stderr and "bad_role.json" in p.stderr
    assert not (tmp_path / "out").exists()


def test_plot_and_hsbench_compare_agree_on_network_results(tmp_path):
    """Network results pair by role and target too, the same in both."""
    hsbench = find_hsbench(has_compare)
    if not hsbench:
        pytest.skip("no hsbench with the compare subcommand built (set HSBENCH_BIN)")
    sys.path.insert(0, SCRIPTS)
    import plot
    out = tmp_path / "v.json"
    p = subprocess.run([hsbench, "compare", *SWEEP, "--json", str(out)], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    cpp = {(v["scenario"], v["backend"], v["engine"], v["threads"], v["role"], v["target"]):
           v["verdict"] for v in load(out)}
    py = {k: v for k, _, _, _, _, _, v in
          plot.compare_pairs(hr.load(SWEEP[0]), hr.load(SWEEP[1]), "hs_per_sec", 5.0)}
    assert cpp == py and len(py) == 1


def test_latency_says_where_network_latency_comes_from(tmp_path):
    p = run(PLOT, "latency", CONNECT, "--out", str(tmp_path / "net"), "--format", "svg")
    assert p.returncode == 0, p.stderr
    assert "on the wire" in (tmp_path / "net" / "latency.svg").read_text(encoding="utf-8")
    p = run(PLOT, "latency", SAMPLE, "--out", str(tmp_path / "mem"), "--format", "svg")
    assert p.returncode == 0, p.stderr
    svg = (tmp_path / "mem" / "latency.svg").read_text(encoding="utf-8")
    assert "on the wire" not in svg and "one client/server pair" in svg


def test_wire_draws_each_scenarios_flights(tmp_path):
    """plot.py wire: one bar per scenario from its first engine result's
    flights; a file without wire bytes is nothing to plot (exit 2)."""
    doc = load(SAMPLE)
    flights = [
        {"side": "client", "bytes": 117, "segments": 1, "fits_initial_window": True,
         "handshake": True, "messages": [{"message": "ClientHello", "bytes": 117}]},
        {"side": "server", "bytes": 16000, "segments": 11, "fits_initial_window": False,
         "handshake": True, "messages": [{"message": "ServerHello", "bytes": 100},
                                         {"message": "Certificate", "bytes": 15900}]},
        {"side": "client", "bytes": 93, "segments": 1, "fits_initial_window": True,
         "handshake": False, "messages": [{"message": "ApplicationData", "bytes": 93}]},
    ]
    scenarios = set()
    for r in doc["results"]:
        if r["status"] == "ok" and r["engine"] == "hsbench":
            r["wire"] = {"mss": 1460, "initial_window_segments": 10, "round_trips": 3,
                         "flights": flights}
            scenarios.add(r["scenario"])
    with_wire = tmp_path / "wire.json"
    with_wire.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "img"
    p = run(PLOT, "wire", str(with_wire), "--out", str(out), "--format", "png")
    assert p.returncode == 0, p.stderr
    assert is_png(out / "wire.png") and len(scenarios) >= 2
    p = run(PLOT, "wire", SAMPLE, "--out", str(tmp_path / "none"))
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "wire" in p.stderr, p.stderr
    assert not (tmp_path / "none").exists()
