"""results/schema.json describes what hsbench writes: real runs and the
reporters' golden JSON validate against it, and it rejects what it should.

The hsbench binary is $HSBENCH_BIN (ctest sets it), else the newest
build/*/bin/hsbench; without one, the tests that run it are skipped.
"""
import copy
import json
import os
import subprocess

import pytest
from hsbench_bin import find_hsbench

jsonschema = pytest.importorskip("jsonschema")  # Debian python3-jsonschema (scripts/deps.txt)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_PATH = os.path.join(ROOT, "results", "schema.json")
GOLDEN_JSON = os.path.join(ROOT, "tests", "report", "golden", "report.json")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def validator():
    schema = load(SCHEMA_PATH)
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def hsbench():
    path = find_hsbench()
    if not path:
        pytest.skip("no hsbench binary built (set HSBENCH_BIN)")
    return path


def run_json(hsbench, tmp_path, *args):
    out = tmp_path / "out.json"
    subprocess.run([hsbench, *args, "--json", str(out), "--quiet"], check=True,
                   stdout=subprocess.DEVNULL, cwd=tmp_path, timeout=300)
    return load(out)


def errors(validator, doc):
    return sorted(e.message for e in validator.iter_errors(doc))


def test_golden_report_validates(validator):
    doc = load(GOLDEN_JSON)
    assert errors(validator, doc) == []
    assert {r["status"] for r in doc["results"]} == {"ok", "skipped"}


def test_every_scenario_on_null_validates(validator, hsbench, tmp_path):
    doc = run_json(hsbench, tmp_path, "--backend", "null", "--scenario", "all",
                   "--handshakes", "2", "--repetitions", "2", "--warmup", "0")
    assert errors(validator, doc) == []
    # null has no KEM: the hybrid scenarios are skipped as unsupported.
    hybrid = [r for r in doc["results"] if r["config"]["kx"] == "hybrid"]
    rest = [r for r in doc["results"] if r["config"]["kx"] != "hybrid"]
    assert hybrid and all(r["status"] == "skipped" and r["skip_kind"] == "unsupported"
                          for r in hybrid)
    assert all(r["status"] == "ok" for r in rest)
    assert all(r["crypto_lower_bound_us"] > 0 for r in rest)


def test_untimed_threads_validate(validator, hsbench, tmp_path):
    doc = run_json(hsbench, tmp_path, "--backend", "null", "--threads", "1,2", "--no-timing",
                   "--handshakes", "2", "--repetitions", "1", "--warmup", "0",
                   "--no-lower-bound")
    assert errors(validator, doc) == []
    assert {r["threads"] for r in doc["results"]} == {1, 2}


def test_real_backends_validate(validator, hsbench, tmp_path):
    doc = run_json(hsbench, tmp_path, "--backend", "all", "--scenario",
                   "tls12-rsa-rsa2048,tls12-ecdhe-x25519-ecdsa-p256", "--handshakes", "2",
                   "--repetitions", "2", "--warmup", "0")
    assert errors(validator, doc) == []
    assert len(doc["context"]["backends"]) >= 1


def test_engine_and_native_validate(validator, hsbench, tmp_path):
    doc = run_json(hsbench, tmp_path, "--backend", "all", "--engine", "both", "--scenario",
                   "tls13-x25519-ecdsa-p256,tls13-psk-ecdsa-p256-resume", "--handshakes", "2",
                   "--repetitions", "1", "--warmup", "0", "--no-lower-bound")
    assert errors(validator, doc) == []
    assert {r["engine"] for r in doc["results"]} == {"hsbench", "native"}
    native = [r for r in doc["results"] if r["engine"] == "native" and r["status"] == "ok"]
    if any(b["name"] != "null" for b in doc["context"]["backends"]):
        assert native
    for r in native:
        assert all(s["boundary"] in ("exact", "approximate") for s in r["steps"])
        assert all(s["crypto"] == [] for s in r["steps"])


def test_schema_rejects_what_it_should(validator):
    good = load(GOLDEN_JSON)
    ok = next(r for r in good["results"] if r["status"] == "ok")
    skipped = next(r for r in good["results"] if r["status"] == "skipped")

    def broken(change):
        doc = copy.deepcopy(good)
        change(doc)
        return errors(validator, doc)

    assert broken(lambda d: d.update(schema="hsbench/v2"))
    assert broken(lambda d: d["context"].pop("host"))
    assert broken(lambda d: d["results"].append(dict(ok, threads=0)))
    assert broken(lambda d: d["results"].append({k: v for k, v in ok.items() if k != "steps"}))
    assert broken(lambda d: d["results"].append(dict(ok, skip_reason="why")))
    assert broken(lambda d: d["results"].append(dict(skipped, handshakes=3)))
    assert broken(lambda d: d["results"].append({k: v for k, v in skipped.items()
                                                 if k != "skip_reason"}))
    step = dict(ok["steps"][0], side="middle")
    assert broken(lambda d: d["results"].append(dict(ok, steps=[step])))
    step = dict(ok["steps"][0], boundary="roughly")
    assert broken(lambda d: d["results"].append(dict(ok, steps=[step])))
    assert broken(lambda d: d["results"].append(dict(ok, memory={"bytes_allocated_per_handshake": 1})))
    assert broken(lambda d: d["results"].append(dict(ok, engine="other")))
    assert broken(lambda d: d["results"].append(dict(ok, unexpected=1)))


def test_partial_runs_validate(validator):
    """An interrupted run (SIGINT) marks the document and its results partial."""
    doc = load(GOLDEN_JSON)
    doc["context"]["partial"] = True
    ok = next(r for r in doc["results"] if r["status"] == "ok")
    ok["partial"] = True
    assert errors(validator, doc) == []
    ok["partial"] = False  # only ever present as true
    assert errors(validator, doc)


# --- network mode (hsbench connect, hsbench serve) -------------------------------

DATA = os.path.join(ROOT, "tests", "python", "data")
NETWORK_FILES = ["connect.json", "connect_open.json", "connect_c1.json", "connect_c4.json",
                 "serve.json"]
NETWORK_GOLDEN = [os.path.join(ROOT, "tests", "report", "golden", n)
                  for n in ("network.json", "serve.json")]


@pytest.mark.parametrize("path", [os.path.join(DATA, n) for n in NETWORK_FILES] + NETWORK_GOLDEN)
def test_network_documents_validate(validator, path):
    doc = load(path)
    assert errors(validator, doc) == []
    nets = [r["network"] for r in doc["results"] if "network" in r]
    assert nets
    for r in doc["results"]:
        if "network" in r and r["latency_us"] is not None:
            assert "p999" in r["latency_us"]


def test_network_schema_rejects_what_it_should(validator):
    connect = load(os.path.join(DATA, "connect_open.json"))
    serve = load(os.path.join(DATA, "serve.json"))

    def broken(doc, change):
        doc = copy.deepcopy(doc)
        change(doc["results"][0]["network"], doc["results"][0])
        return errors(validator, doc)

    assert broken(connect, lambda n, r: None) == []
    assert broken(connect, lambda n, r: n.update(role="proxy"))
    assert broken(connect, lambda n, r: n.pop("target"))
    assert broken(connect, lambda n, r: n.update(unexpected=1))
    assert broken(connect, lambda n, r: n["load"].update(model="half-open"))
    assert broken(connect, lambda n, r: n["load"].pop("rate"))  # open loop: a rate
    assert broken(connect, lambda n, r: n["load"].update(model="closed"))  # closed: none
    assert broken(connect, lambda n, r: n["load"].update(arrival="bursty"))
    assert broken(connect, lambda n, r: n["phases"][0].update(phase="tcp"))
    assert broken(connect, lambda n, r: n["phases"][0]["latency_us"].pop("p999"))
    assert broken(connect, lambda n, r: n["corrected_latency_us"].update(p999=-1))
    assert broken(connect, lambda n, r: n["errors"].append({"kind": "refused", "count": 1}))
    assert broken(connect, lambda n, r: n["errors"].append(
        {"kind": "refused", "detail": "", "count": 0}))
    assert broken(connect, lambda n, r: n["negotiated"].pop("cipher"))
    assert broken(connect, lambda n, r: n["negotiated"].update(version="1.1"))
    assert broken(connect, lambda n, r: n.pop("client_cpu"))  # a client says its CPU
    assert broken(connect, lambda n, r: n.update(requests=3))  # a server's count
    assert broken(connect, lambda n, r: n["server_cpu"].append({"pid": 0, "us_per_handshake": 1,
                                                                "utilization": 0}))
    assert broken(connect, lambda n, r: r["latency_us"].update(p999="slow"))
    assert broken(connect, lambda n, r: r.update(network=[]))
    assert broken(serve, lambda n, r: None) == []
    assert broken(serve, lambda n, r: n.pop("requests"))
    assert broken(serve, lambda n, r: n.update(load={"model": "closed", "connections": 1}))
    assert broken(serve, lambda n, r: n.update(negotiated="TLS 1.3"))


def test_in_memory_latency_may_have_p999(validator):
    """p999 is optional in latency_us: in-memory results do not write it."""
    doc = load(GOLDEN_JSON)
    ok = next(r for r in doc["results"] if r["status"] == "ok" and r["latency_us"])
    assert "p999" not in ok["latency_us"]
    ok["latency_us"]["p999"] = ok["latency_us"]["p99"]
    assert errors(validator, doc) == []
    ok["latency_us"]["p9999"] = 1
    assert errors(validator, doc)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def has_network(path):
    return subprocess.run([path, "connect", "--help"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def network_hsbench():
    import shutil
    path = find_hsbench(has_network)
    if not path:
        pytest.skip("no hsbench with network mode built (set HSBENCH_BIN)")
    if not shutil.which("openssl"):
        pytest.skip("no openssl command to serve or connect with")
    return path


def test_real_connect_validates(validator, network_hsbench, tmp_path):
    """hsbench connect against openssl s_server: closed and open loop."""
    import time
    port = free_port()
    pki = os.path.join(ROOT, "pki", "ecdsa-p256")
    server = subprocess.Popen(
        ["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
         os.path.join(pki, "leaf.pem"), "-cert_chain", os.path.join(pki, "intermediate.pem"),
         "-key", os.path.join(pki, "key.pem"), "-tls1_3", "-www", "-quiet"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        for extra in ([], ["--rate", "50", "--request", "http"]):
            doc = run_json(network_hsbench, tmp_path, "connect", f"127.0.0.1:{port}",
                           "--duration", "0.3", "--warmup", "0", "--repetitions", "2", *extra)
            assert errors(validator, doc) == []
            n = doc["results"][0]["network"]
            assert n["role"] == "client" and n["load"]["model"] == ("open" if extra else "closed")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_real_serve_validates(validator, network_hsbench, tmp_path):
    """hsbench serve under a few openssl s_client handshakes."""
    import re
    out = tmp_path / "serve.json"
    # Without --quiet: it says on stderr where it listens.
    serve = subprocess.Popen([network_hsbench, "serve", "--listen", f"127.0.0.1:{free_port()}",
                              "--duration", "2", "--json", str(out)], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        m = None
        for line in serve.stderr:
            m = re.search(r"listening on [0-9.]+:([0-9]+)", line)
            if m:
                break
        assert m, "hsbench serve never said where it listens"
        for _ in range(3):
            subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{m.group(1)}"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
        assert serve.wait(timeout=30) == 0
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
    doc = load(out)
    assert errors(validator, doc) == []
    assert doc["results"][0]["network"]["role"] == "server"
