#!/usr/bin/python3
"""Handshakes/s against a real server on this machine, side by side.

Starts nginx (one worker, pinned to --server-core, the project PKI) for
each scenario, then runs each load generator against it pinned to
--client-core, one after the other: hsbench connect (the engine on each
backend, --no-verify-chain, and each library's own client), openssl s_time
-new and h2load (one request per connection). For each it prints
handshakes/s, latency where the tool reports it, the client's own CPU per
handshake (its rusage, all threads, user and system) and the nginx
worker's (from /proc), so a reader sees who was saturated.

    scripts/netbench.py [--duration S] [--scenarios ID,...] [--backend B,...] [--json-dir DIR]
    scripts/netbench.py --sweep        open-loop sweep at 25/50/75/90% of
                                       the engine client's saturation rate
    scripts/netbench.py --ranks 1,2,3  hsbench-mpi with 1, 2, 3 ranks (on
                                       --client-core, a list for several)
                                       against nginx and hsbench serve:
                                       merged hs/s, p50, p99, start spread

Exit 2 on bad arguments or a tool that is missing.
"""

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUEST = "GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n"

# scenario id -> (tls, pki kind, nginx ssl_ciphers for TLS 1.2, OpenSSL suite name)
SCENARIOS = {
    "tls12-rsa-rsa2048": ("1.2", "rsa2048", "AES128-GCM-SHA256", "AES128-GCM-SHA256"),
    "tls12-ecdhe-x25519-ecdsa-p256": ("1.2", "ecdsa-p256", "ECDHE-ECDSA-AES128-GCM-SHA256",
                                      "ECDHE-ECDSA-AES128-GCM-SHA256"),
    "tls12-ecdhe-x25519-rsa2048": ("1.2", "rsa2048", "ECDHE-RSA-AES128-GCM-SHA256",
                                   "ECDHE-RSA-AES128-GCM-SHA256"),
    "tls13-x25519-ecdsa-p256": ("1.3", "ecdsa-p256", None, "TLS_AES_128_GCM_SHA256"),
    "tls13-x25519-rsa2048": ("1.3", "rsa2048", None, "TLS_AES_128_GCM_SHA256"),
}


def die(message, code=2):
    print(f"netbench: {message}", file=sys.stderr)
    sys.exit(code)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_ns(pid):
    """A process's CPU time, all its threads (schedstat, ns)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


class Nginx:
    def __init__(self, scenario, core):
        tls, kind, ciphers, _ = SCENARIOS[scenario]
        self.dir = tempfile.mkdtemp(prefix="hsbench-nginx-")
        self.port = free_port()
        pki = os.path.join(ROOT, "pki", kind)
        user = "user root;\n" if os.geteuid() == 0 else ""
        cipher_line = f"ssl_ciphers {ciphers};\n" if ciphers else ""
        conf = f"""{user}daemon off;
master_process on;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log;
events {{ worker_connections 16384; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  server {{
    listen 127.0.0.1:{self.port} ssl;
    ssl_certificate {pki}/chain.pem;
    ssl_certificate_key {pki}/key.pem;
    ssl_protocols TLSv{tls};
    {cipher_line}ssl_session_tickets off;
    location / {{ return 200 "hello\\n"; }}
  }}
}}
"""
        with open(os.path.join(self.dir, "nginx.conf"), "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(
            ["taskset", "-c", str(core), shutil.which("nginx") or "/usr/sbin/nginx",
             "-p", self.dir, "-e", f"{self.dir}/error.log", "-c", f"{self.dir}/nginx.conf"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 10
        self.worker = None
        while time.time() < deadline and self.worker is None:
            time.sleep(0.1)
            children = open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read().split()
            if children:
                self.worker = int(children[0])
        if self.worker is None:
            self.stop()
            die("nginx did not start a worker")
        time.sleep(0.2)

    def address(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)


def run_client(name, cmd, core, server, parse):
    """Runs one load generator; returns a row (dict)."""
    cpu0 = cpu_ns(server.worker)
    t0 = time.time()
    proc = subprocess.Popen(["taskset", "-c", str(core)] + cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.time() - t0
    cpu1 = cpu_ns(server.worker)
    row = {"client": name, "rc": proc.returncode}
    row.update(parse(out, err))
    row["server_cpu_s"] = (cpu1 - cpu0) / 1e9
    row["wall_s"] = wall
    return row


def children_cpu():
    """CPU seconds of the waited-for children so far, user + system, all
    threads: the difference around one run is that client's."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def hsbench_parse(path):
    def parse(out, err):
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            return {"error": err.strip().splitlines()[-1] if err.strip() else "no output"}
        r = doc["results"][0]
        if r.get("status") != "ok":
            return {"error": r.get("skip_reason", "skipped")}
        n = r["network"]
        lat = r.get("latency_us") or {}
        return {"hs_per_s": r["handshakes_per_sec"]["mean"], "handshakes": r["handshakes"],
                "measured_s": r["duration_s"], "p50_us": lat.get("p50"), "p99_us": lat.get("p99"),
                "errors": n["failed"],
                "own_client_us": n["client_cpu"]["us_per_handshake"],
                "own_server_us": (n["server_cpu"][0]["us_per_handshake"]
                                  if n["server_cpu"] else None),
                "server_util": n["server_cpu"][0]["utilization"] if n["server_cpu"] else None}
    return parse


def s_time_parse(out, err):
    # "1234 connections in 10.00s; 123.40 connections/user sec, bytes read 0"
    m = re.findall(r"(\d+) connections in ([\d.]+)s;", out)
    if not m:
        return {"error": (err or out).strip().splitlines()[-1:] or "no output"}
    n, secs = m[0]
    return {"handshakes": int(n), "measured_s": float(secs), "hs_per_s": int(n) / float(secs)}


def h2load_parse(out, err):
    done = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
    fin = re.search(r"finished in ([\d.]+)(m?s)", out)
    if not done or not fin:
        return {"error": (err or out).strip().splitlines()[-1:] or "no output"}
    secs = float(fin.group(1)) / (1000 if fin.group(2) == "ms" else 1)
    ok = int(done.group(2))
    return {"handshakes": ok, "measured_s": secs, "hs_per_s": ok / secs}


def real_backends(hsbench):
    """The backends with real crypto that `hsbench list backends` finds, in
    its order (the registry's): the names of its unindented lines whose
    "declares" line says real-crypto."""
    res = subprocess.run([hsbench, "list", "backends"], capture_output=True, text=True)
    names, current = [], None
    for line in res.stdout.splitlines():
        if line and not line[0].isspace():
            current = line.split()[0]
        elif current and line.split()[:2] == ["declares", "real-crypto"]:
            names.append(current)
    return names


def clients(scenario, server, args, tmp):
    tls, kind, ciphers, suite = SCENARIOS[scenario]
    hs = os.path.abspath(args.hsbench)
    out = []
    for backend in args.backends:
        for engine in ("hsbench", "native"):
            path = os.path.join(tmp, f"{scenario}-{backend}-{engine}.json")
            cmd = [hs, "connect", server.address(), "--backend", backend, "--engine", engine,
                   "--scenario", scenario, "--duration", str(args.duration), "--warmup", "1",
                   "--repetitions", "3", "--connections", str(args.connections),
                   "--server-pid", str(server.worker), "--json", path, "--quiet",
                   "--format", "csv"]
            if engine == "hsbench":
                cmd.append("--no-verify-chain")
            label = f"hsbench connect, {'engine' if engine == 'hsbench' else 'native'} {backend}"
            out.append((label, cmd, hsbench_parse(path)))
    version = "-tls1_3" if tls == "1.3" else "-tls1_2"
    suite_flag = "-ciphersuites" if tls == "1.3" else "-cipher"
    out.append(("openssl s_time -new",
                [shutil.which("openssl"), "s_time", "-new", "-connect", server.address(),
                 version, suite_flag, suite, "-time", str(int(args.duration * 3))],
                s_time_parse))
    total = int(args.h2load_rate * args.duration * 3)
    h2 = [shutil.which("h2load"), "--h1", "-n", str(total), "-c", str(total), "-t", "1",
          "-r", str(max(1, args.h2load_rate // 10)), "--rate-period", "100ms",
          f"https://127.0.0.1:{server.port}/"]
    if tls == "1.2":
        h2[1:1] = ["--ciphers", suite]
    else:
        h2[1:1] = ["--tls13-ciphers", suite]
    out.append((f"h2load (1 request/connection, {args.h2load_rate}/s offered)", h2,
                h2load_parse))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hsbench", default=os.path.join(ROOT, "build/release/bin/hsbench"))
    ap.add_argument("--scenarios", default="tls12-rsa-rsa2048,tls12-ecdhe-x25519-ecdsa-p256,"
                                           "tls13-x25519-ecdsa-p256")
    ap.add_argument("--duration", type=float, default=3, help="seconds per repetition")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--h2load-rate", type=int, default=3000, help="connections/s h2load offers")
    ap.add_argument("--server-core", type=int, default=0)
    ap.add_argument("--client-core", default="1", help="core(s) for the clients: 1, or 1-15")
    ap.add_argument("--backend", default="all",
                    help="hsbench connect's backends, comma-separated (default: every one "
                         "with real crypto that hsbench list backends shows)")
    ap.add_argument("--json-dir", help="keep each hsbench JSON here")
    ap.add_argument("--sweep", action="store_true", help="open-loop sweep instead")
    ap.add_argument("--ranks", help="hsbench-mpi at these rank counts instead (e.g. 1,2,3)")
    ap.add_argument("--hsbench-mpi",
                    default=os.path.join(ROOT, "build/release/bin/hsbench-mpi"))
    args = ap.parse_args()
    if args.ranks:
        return ranks_main(args)
    for tool in ("nginx", "taskset", "openssl", "h2load"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            die(f"{tool} not found (scripts/deps.txt)")
    if not os.access(args.hsbench, os.X_OK):
        die(f"{args.hsbench}: not built")
    found = real_backends(args.hsbench)
    args.backends = found if args.backend == "all" else args.backend.split(",")
    for b in args.backends:
        if b not in found:
            die(f"unknown backend {b} (real ones found: {', '.join(found) or 'none'})")
    scenarios = args.scenarios.split(",")
    for s in scenarios:
        if s not in SCENARIOS:
            die(f"unknown scenario {s} (known: {', '.join(SCENARIOS)})")
    tmp = args.json_dir or tempfile.mkdtemp(prefix="hsbench-netbench-")
    os.makedirs(tmp, exist_ok=True)

    print(f"nginx worker on core {args.server_core}, clients on core {args.client_core}; "
          f"client CPU = the client process's rusage; server CPU = the nginx worker's")
    for scenario in scenarios:
        server = Nginx(scenario, args.server_core)
        try:
            print(f"\n{scenario} (nginx worker pid {server.worker})")
            if args.sweep:
                sweep(scenario, server, args, tmp)
                continue
            print(f"  {'client':<44} {'hs/s':>8} {'p50 µs':>8} {'p99 µs':>8} "
                  f"{'client µs/hs':>12} {'nginx µs/hs':>11} {'nginx busy':>10}")
            for label, cmd, parse in clients(scenario, server, args, tmp):
                before = children_cpu()
                row = run_client(label, cmd, args.client_core, server, parse)
                client_s = children_cpu() - before
                if "error" in row or not row.get("handshakes"):
                    print(f"  {label:<44} failed: {row.get('error', 'no handshake')}")
                    continue
                n = row["handshakes"]
                # hsbench reports both CPUs over its measured window; the
                # others report their whole run, so their CPU is over it.
                if label.startswith("hsbench"):
                    client_us = row["own_client_us"]
                    server_us = row["own_server_us"]
                    busy = row["server_util"]
                else:
                    client_us = client_s / n * 1e6
                    server_us = row["server_cpu_s"] / n * 1e6
                    busy = row["server_cpu_s"] / row["wall_s"]
                fmt = lambda v: "-" if v is None else f"{v:.0f}"
                print(f"  {label:<44} {row['hs_per_s']:>8.0f} {fmt(row.get('p50_us')):>8} "
                      f"{fmt(row.get('p99_us')):>8} {fmt(client_us):>12} {fmt(server_us):>11} "
                      f"{'-' if busy is None else f'{busy * 100:.0f}%':>10}")
        finally:
            server.stop()
    return 0


def mpi_row(target, scenario, n, args, tmp, server_pid):
    """One hsbench-mpi run of n ranks against target: its merged figures."""
    path = os.path.join(tmp, f"{scenario}-ranks{n}.json")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["taskset", "-c", str(args.client_core), shutil.which("mpirun"), "--oversubscribe",
           "--bind-to", "none", "-np", str(n), os.path.abspath(args.hsbench_mpi), "connect",
           target, "--scenario", scenario, "--no-verify-chain", "--duration", str(args.duration),
           "--repetitions", "3", "--connections", str(args.connections), "--json", path,
           "--quiet", "--format", "csv"]
    if server_pid:
        cmd += ["--server-pid", str(server_pid)]
    run = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, check=False)
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[:1]
    with open(path) as f:
        return json.load(f)["results"][0], None


def ranks_main(args):
    if shutil.which("mpirun") is None or not os.access(args.hsbench_mpi, os.X_OK):
        die("mpirun or hsbench-mpi missing (libopenmpi-dev, openmpi-bin in scripts/deps.txt)")
    counts = [int(n) for n in args.ranks.split(",")]
    tmp = args.json_dir or tempfile.mkdtemp(prefix="hsbench-netbench-")
    os.makedirs(tmp, exist_ok=True)
    print(f"servers on core {args.server_core}; ranks on core(s) {args.client_core}, "
          f"{args.connections} connections each")
    for scenario in args.scenarios.split(","):
        if scenario not in SCENARIOS:
            die(f"unknown scenario {scenario} (known: {', '.join(SCENARIOS)})")
        for kind in ("nginx", "hsbench serve"):
            if kind == "nginx":
                server = Nginx(scenario, args.server_core)
                target, pid = server.address(), server.worker
            else:
                port = free_port()
                proc = subprocess.Popen(
                    ["taskset", "-c", str(args.server_core), os.path.abspath(args.hsbench),
                     "serve", "--listen", f"127.0.0.1:{port}", "--scenario", scenario,
                     "--no-timing", "--json", os.path.join(tmp, "serve.json"), "--quiet"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(0.5)
                target, pid = f"127.0.0.1:{port}", proc.pid
            try:
                print(f"\n{scenario} against {kind}")
                print(f"  {'ranks':>5} {'hs/s':>8} {'p50 µs':>8} {'p99 µs':>8} "
                      f"{'spread µs':>10} {'client util':>11} {'server busy':>11}")
                for n in counts:
                    r, error = mpi_row(target, scenario, n, args, tmp, pid)
                    if r is None:
                        print(f"  {n:>5} failed: {error}")
                        continue
                    net = r["network"]
                    busy = net["server_cpu"][0]["utilization"] if net["server_cpu"] else None
                    print(f"  {n:>5} {r['handshakes_per_sec']['mean']:>8.0f} "
                          f"{r['latency_us']['p50']:>8.0f} {r['latency_us']['p99']:>8.0f} "
                          f"{net['mpi']['start_spread_us'] if 'mpi' in net else 0:>10.0f} "
                          f"{net['client_cpu']['utilization'] * 100:>10.0f}% "
                          f"{'-' if busy is None else f'{busy * 100:.0f}%':>11}")
            finally:
                if kind == "nginx":
                    server.stop()
                else:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=10)
    return 0


def sweep(scenario, server, args, tmp):
    hs = os.path.abspath(args.hsbench)
    base = os.path.join(tmp, f"{scenario}-saturation.json")
    cmd = [hs, "connect", server.address(), "--scenario", scenario, "--no-verify-chain",
           "--duration", str(args.duration), "--repetitions", "3", "--connections",
           str(args.connections), "--server-pid", str(server.worker), "--json", base, "--quiet",
           "--format", "csv"]
    subprocess.run(["taskset", "-c", str(args.client_core)] + cmd, check=False,
                   stdout=subprocess.DEVNULL)
    with open(base) as f:
        saturation = json.load(f)["results"][0]["handshakes_per_sec"]["mean"]
    print(f"  saturation (closed loop, {args.connections} connections): {saturation:.0f} hs/s")
    print(f"  {'offered':>10} {'achieved':>9} {'p50 µs':>8} {'p99 corrected':>14} "
          f"{'p99 uncorrected':>16}")
    for pct in (25, 50, 75, 90):
        rate = saturation * pct / 100
        path = os.path.join(tmp, f"{scenario}-rate{pct}.json")
        cmd = [hs, "connect", server.address(), "--scenario", scenario, "--no-verify-chain",
               "--rate", f"{rate:.0f}", "--arrival", "poisson", "--duration",
               str(args.duration), "--repetitions", "3", "--json", path, "--quiet",
               "--format", "csv"]
        subprocess.run(["taskset", "-c", str(args.client_core)] + cmd, check=False,
                       stdout=subprocess.DEVNULL)
        with open(path) as f:
            r = json.load(f)["results"][0]
        n = r["network"]
        print(f"  {pct:>3}% {rate:>5.0f}/s {r['handshakes_per_sec']['mean']:>9.0f} "
              f"{r['latency_us']['p50']:>8.0f} {n['corrected_latency_us']['p99']:>14.0f} "
              f"{n['uncorrected_latency_us']['p99']:>16.0f}")


if __name__ == "__main__":
    sys.exit(main())
