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
