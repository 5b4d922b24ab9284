"""Reading hsbench result files (schema "hsbench/v1", results/schema.json) for
the plotting and report scripts, and the few statistics they share with
`hsbench compare` (engine/report/compare.cc): both must reach the same
verdicts from the same files.

Everything here raises ResultsError with a one-line message; the scripts turn
it into one line on stderr and exit code 2.
"""
import json
import math
import os
import sys
import tempfile

SCHEMA = "hsbench/v1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_PATH = os.path.join(ROOT, "results", "schema.json")

# The 8 steps users think in (README.md, "The handshake, step by step"); 0 holds the engine's
# steps outside them.
USER_STEPS = {
    0: "Other",
    1: "ClientHello",
    2: "ServerHello",
    3: "Certificate",
    4: "Key exchange",
    5: "Server Finished",
    6: "Client key exchange",
    7: "Client Finished",
    8: "Session established",
}

EXIT_BAD_INPUT = 2


class ResultsError(Exception):
    """Unusable input, said in one line."""


# --- loading ---------------------------------------------------------------


def _where(path):
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _require(cond, path, where, what):
    if not cond:
        raise ResultsError(f"{path}: {where}: {what}")


def _number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_result(path, i, r):
    at = f"results[{i}]"
    _require(isinstance(r, dict), path, at, "not an object")
    for key in ("scenario", "backend", "engine", "status"):
        _require(isinstance(r.get(key), str) and r[key], path, f"{at}.{key}", "missing or not a string")
    _require(isinstance(r.get("threads"), int) and r["threads"] >= 1, path, f"{at}.threads",
             "missing or not a positive integer")
    _require(isinstance(r.get("config"), dict), path, f"{at}.config", "missing or not an object")
    for key in ("tls", "kx", "cert"):
        _require(isinstance(r["config"].get(key), str), path, f"{at}.config.{key}",
                 "missing or not a string")
    _require(r["status"] in ("ok", "skipped"), path, f"{at}.status", "neither 'ok' nor 'skipped'")
    if r["status"] != "ok":
        return
    hps = r.get("handshakes_per_sec")
    _require(isinstance(hps, dict), path, f"{at}.handshakes_per_sec", "missing or not an object")
    for key in ("mean", "median", "stddev"):
        _require(_number(hps.get(key)), path, f"{at}.handshakes_per_sec.{key}", "not a number")
    reps = hps.get("repetitions")
    _require(isinstance(reps, list) and reps and all(_number(v) for v in reps), path,
             f"{at}.handshakes_per_sec.repetitions", "not a non-empty list of numbers")
    ci = hps.get("ci95")
    _require(isinstance(ci, list) and len(ci) == 2 and all(_number(v) for v in ci), path,
             f"{at}.handshakes_per_sec.ci95", "not a pair of numbers")
    cpu = r.get("cpu_us_per_handshake")
    _require(isinstance(cpu, dict) and _number(cpu.get("total")), path,
             f"{at}.cpu_us_per_handshake.total", "missing or not a number")
    lat = r.get("latency_us")
    _require(lat is None or (isinstance(lat, dict) and all(
        _number(lat.get(k)) for k in ("mean", "p50", "p90", "p99", "max"))), path,
        f"{at}.latency_us", "neither null nor {mean, p50, p90, p99, max}")
    steps = r.get("steps")
    _require(isinstance(steps, list), path, f"{at}.steps", "missing or not a list")
    for j, s in enumerate(steps):
        sat = f"{at}.steps[{j}]"
        _require(isinstance(s, dict), path, sat, "not an object")
        _require(isinstance(s.get("user_step"), int) and s["user_step"] in USER_STEPS, path,
                 f"{sat}.user_step", "not an integer 0..8")
        _require(s.get("side") in ("client", "server"), path, f"{sat}.side",
                 "neither 'client' nor 'server'")
        _require(s.get("action") in ("write", "read"), path, f"{sat}.action",
                 "neither 'write' nor 'read'")
        _require(isinstance(s.get("message"), str), path, f"{sat}.message", "not a string")
        _require(_number(s.get("mean_us")), path, f"{sat}.mean_us", "not a number")
        _require(isinstance(s.get("crypto", []), list), path, f"{sat}.crypto", "not a list")
    if "network" in r:
        _check_network(path, at, r["network"])
    ops = r.get("crypto_ops", [])
    _require(isinstance(ops, list) and all(
        isinstance(o, dict) and isinstance(o.get("op"), str) and _number(o.get("count"))
        and _number(o.get("mean_us")) for o in ops), path, f"{at}.crypto_ops",
        "not a list of {op, count, mean_us}")


LATENCY_POINTS = ("p50", "p90", "p99", "p999", "max")


def _check_latency(path, where, lat):
    _require(isinstance(lat, dict) and all(_number(lat.get(k)) for k in LATENCY_POINTS), path,
             where, "not {" + ", ".join(LATENCY_POINTS) + "}")


def _check_network(path, at, net):
    """What the network plots read of a network result (hsbench connect, serve)."""
    at += ".network"
    _require(isinstance(net, dict), path, at, "not an object")
    _require(net.get("role") in ("client", "server"), path, f"{at}.role",
             "neither 'client' nor 'server'")
    _require(isinstance(net.get("target"), str) and net["target"], path, f"{at}.target",
             "missing or not a string")
    if net["role"] == "client":
        load = net.get("load")
        _require(isinstance(load, dict) and load.get("model") in ("closed", "open"), path,
                 f"{at}.load", "not {model: closed|open, ...}")
        _require(isinstance(load.get("connections"), int), path, f"{at}.load.connections",
                 "not an integer")
        if load["model"] == "open":
            _require(_number(load.get("rate")), path, f"{at}.load.rate", "not a number")
    phases = net.get("phases")
    _require(isinstance(phases, list), path, f"{at}.phases", "missing or not a list")
    for j, ph in enumerate(phases):
        pat = f"{at}.phases[{j}]"
        _require(isinstance(ph, dict) and isinstance(ph.get("phase"), str), path, pat,
                 "not {phase, count, latency_us}")
        _require(isinstance(ph.get("count"), int), path, f"{pat}.count", "not an integer")
        _check_latency(path, f"{pat}.latency_us", ph.get("latency_us"))
    for name in ("corrected_latency_us", "uncorrected_latency_us"):
        if name in net:
            _check_latency(path, f"{at}.{name}", net[name])


def _schema_validator():
    """results/schema.json through python3-jsonschema, when both are here."""
    try:
        import jsonschema  # Debian python3-jsonschema; optional
    except ImportError:
        return None
    try:
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            return jsonschema.Draft7Validator(json.load(f))
    except (OSError, ValueError):
        return None


_VALIDATOR = None


def load(path):
    """One result file, checked: returns the document, or raises ResultsError."""
    global _VALIDATOR
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ResultsError(f"{path}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ResultsError(f"{path}: not UTF-8 text, so not an hsbench result file") from None
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ResultsError(f"{path}: not JSON: {e}") from None
    _require(isinstance(doc, dict), path, "(top level)", "not a JSON object")
    schema = doc.get("schema")
    if schema != SCHEMA:
        raise ResultsError(f"{path}: schema is {json.dumps(schema)}, expected \"{SCHEMA}\""
                           if schema is not None else
                           f"{path}: no \"schema\" field, so not an hsbench result file "
                           f"(expected \"{SCHEMA}\")")
    _require(isinstance(doc.get("context"), dict), path, "context", "missing or not an object")
    _require(isinstance(doc.get("results"), list), path, "results", "missing or not a list")
    for i, r in enumerate(doc["results"]):
        _check_result(path, i, r)
    if _VALIDATOR is None:
        _VALIDATOR = _schema_validator() or False
    if _VALIDATOR:
        import jsonschema
        err = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(doc))
        if err is not None:
            msg = " ".join(err.message.split())
            if len(msg) > 160:
                msg = msg[:157] + "..."
            raise ResultsError(f"{path}: {_where(err.absolute_path)}: {msg} "
                               f"(results/schema.json)")
    return doc


def load_all(paths):
    docs = [load(p) for p in paths]
    for path, doc in zip(paths, docs):
        doc["_path"] = path
    return docs


# --- results ---------------------------------------------------------------


def key(r):
    """What `hsbench compare` matches results by: a network result also by its
    role and target."""
    k = (r["scenario"], r["backend"], r["engine"], r["threads"])
    net = r.get("network")
    if isinstance(net, dict):
        k += (net["role"], net["target"])
    return k


def network_results(docs):
    """[(doc, result)] for every measured network result of every document, in
    file order. Unlike ok_results, nothing is folded: a sweep over
    --connections or --rate repeats the same key in each file."""
    return [(doc, r) for doc in docs for r in doc["results"]
            if r["status"] == "ok" and isinstance(r.get("network"), dict)]


def load_point(r):
    """("connections", n) for a closed loop client, ("rate", hs/s) for an open
    loop one, None for a server (its load came from elsewhere)."""
    net = r.get("network") or {}
    load = net.get("load")
    if net.get("role") != "client" or not isinstance(load, dict):
        return None
    if load["model"] == "open":
        return ("rate", load["rate"])
    return ("connections", load["connections"])


def ok_results(docs):
    """Every measured result of every document, in file order; when two files
    hold the same (scenario, backend, engine, threads), the later one wins."""
    seen = {}
    for doc in docs:
        for r in doc["results"]:
            if r["status"] == "ok":
                seen[key(r)] = r
    return list(seen.values())


def label(r, *, backend=True, engine=None, threads=False):
    """"openssl", "boringssl native", "null · 4 threads": short names for legends."""
    parts = []
    if backend:
        parts.append(r["backend"])
    if engine or (engine is None and r["engine"] != "hsbench"):
        parts.append(r["engine"])
    out = " ".join(parts)
    if threads:
        out += f" · {r['threads']} thread{'s' if r['threads'] != 1 else ''}"
    return out


def scenario_order(results):
    """Scenarios as the files list them (the runner's order: the matrix)."""
    order = []
    for r in results:
        if r["scenario"] not in order:
            order.append(r["scenario"])
    return order


def backend_order(results):
    order = []
    for r in results:
        if r["backend"] not in order:
            order.append(r["backend"])
    return order


def user_step_times(r, field="mean_us"):
    """{side: [µs per handshake for user step 0..8]}: each side's steps summed
    by user step (the console table's per-step view); field "icount" sums
    instructions instead."""
    out = {"client": [0.0] * 9, "server": [0.0] * 9}
    for s in r.get("steps", []):
        out[s["side"]][s["user_step"]] += s.get(field, 0.0)
    return out


def step_key_list(r):
    """[(user_step, side, action, message, occurrence), ...] with each step's
    mean µs, so two runs' steps can be matched one to one."""
    seen = {}
    out = []
    for s in r.get("steps", []):
        k = (s["user_step"], s["side"], s["action"], s["message"])
        n = seen.get(k, 0)
        seen[k] = n + 1
        out.append((k + (n,), s["mean_us"]))
    return out


# --- statistics (the same as engine/report/compare.cc) ----------------------


def student_t95(df):
    """t_{0.975, df}, the table engine/stats/stats.cc uses."""
    table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
             2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
             2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
    if df < 1:
        return 0.0
    if df <= 30:
        return table[df - 1]
    if df <= 40:
        return 2.021
    if df <= 60:
        return 2.000
    if df <= 120:
        return 1.980
    return 1.960


def _mean_var(xs):
    n = len(xs)
    m = sum(xs) / n
    v = sum((x - m) ** 2 for x in xs) / (n - 1) if n > 1 else 0.0
    return m, v


def welch(base, new):
    """Welch's t interval for mean(new) - mean(base) at 95%, as percent of
    mean(base): (delta_pct, lo_pct, hi_pct), lo/hi None when either side has
    a single value (no spread to judge by)."""
    mb, vb = _mean_var(base)
    mn, vn = _mean_var(new)
    if mb == 0:
        return 0.0, None, None
    delta = (mn - mb) / mb * 100
    if len(base) < 2 or len(new) < 2:
        return delta, None, None
    sb, sn = vb / len(base), vn / len(new)
    se = math.sqrt(sb + sn)
    if se == 0:
        return delta, delta, delta
    df = (sb + sn) ** 2 / ((sb * sb / (len(base) - 1) if sb else 0) +
                           (sn * sn / (len(new) - 1) if sn else 0))
    half = student_t95(int(math.floor(df))) * se / mb * 100
    return delta, delta - half, delta + half


def verdict(delta_pct, lo, hi, threshold_pct, higher_is_better=True):
    """"regression", "improvement" or "no change": beyond the threshold and,
    where there is an interval, with the interval excluding zero."""
    worse = -delta_pct if higher_is_better else delta_pct
    if lo is None:
        significant_worse = significant_better = True
    else:
        significant_worse = hi < 0 if higher_is_better else lo > 0
        significant_better = lo > 0 if higher_is_better else hi < 0
    if worse > threshold_pct and significant_worse:
        return "regression"
    if -worse > threshold_pct and significant_better:
        return "improvement"
    return "no change"


# --- output ----------------------------------------------------------------


def write_atomically(path, data):
    """Writes bytes or text to path through a temporary file in the same
    directory and a rename: a reader never sees half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def fail(prog, message):
    print(f"{prog}: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)
