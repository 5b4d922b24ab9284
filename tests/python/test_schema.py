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
    assert all(r["status"] == "ok" for r in doc["results"])
    assert all(r["crypto_lower_bound_us"] > 0 for r in doc["results"])


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
