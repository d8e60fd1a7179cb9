"""The service under attack: pathological queries, SSRF attempts and abuse, beside ordinary users.

    .venv/bin/gpai-kg build
    .venv/bin/python bench/hostile.py [--seconds 60] [--clients 50] [--hostile 3] [--pathological 16]

Against `gpai-kg serve` with its defaults (the production settings) on a loopback port:

1. **Pathological**: ``--pathological`` threads (16) send runaway queries without pause, from four
   hostile addresses, while a probe (another address) asks a cheap ``ASK`` every 50 ms. Printed:
   the probe's p50/p95/p99 and whether p95 is under the 100 ms target; what the attackers got.
2. **Mixed load**: ``--clients`` clients (50) for ``--seconds`` (60), each from its own loopback
   address: ``--hostile`` (3) of them hostile (runaway and deeply nested queries, SSRF attempts by
   SERVICE, FROM and linked-data paths, absurd time limits, malformed and oversized requests), the
   others ordinary (the example queries, pages, data documents, dumps, health). Printed: requests
   by status for each kind of client, and the ordinary clients' p50/p95/p99.
3. **Memory**: a 300 MB POST, and each web worker's resident memory before and after.
4. **Outbound**: a loopback listener that every hostile request names; it must see 0 connections.

The machine is shared and the load generator shares it: read the figures as what they are, one
run on 2 cores, and compare runs made the same day.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
from stores import CountingListener as Listener, free_port, stop_process  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"




class _SourceAdapter(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(pool_connections=1, pool_maxsize=1)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def session_from(address: str) -> requests.Session:
    """A keep-alive client whose requests come from ``address`` (any 127.x.y.z on Linux)."""
    session = requests.Session()
    session.mount("http://", _SourceAdapter(address))
    return session


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0] if values else float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[94], cuts[98]


def ordinary_requests(base: str) -> list[tuple[str, str, dict]]:
    examples = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries" / "examples").glob("*.rq"))
                if "wikidata" not in p.name]
    plan = [("GET", "/sparql", {"params": {"query": q}}) for q in examples]
    plan += [("GET", path, {"headers": {"Accept": "text/html"}}) for path in (
        "/", "/page/id/country/rs", "/page/id/country/fr", "/page/id/organisation/gpai", "/browse/members",
        "/browse/events", "/query", "/page/ontology/Country")]
    plan += [("GET", path, {}) for path in ("/data/id/country/jp.ttl", "/data/id/country/de.jsonld", "/health",
                                            "/.well-known/void", "/sparql")]
    plan += [("HEAD", "/dumps/gpai-kg.nt", {}), ("GET", "/id/country/br", {"allow_redirects": True})]
    return plan


def hostile_requests(listener: Listener) -> list[tuple[str, str, dict]]:
    target = listener.base
    path = quote(f"x> ?p ?o }} UNION {{ SERVICE <{target}/p> {{ ?a ?b ?c }} }} }} #", safe="")
    return [
        ("GET", "/sparql", {"params": {"query": RUNAWAY}}),
        ("GET", "/sparql", {"params": {"query": RUNAWAY, "timeout": "0.000001"}}),
        ("GET", "/sparql", {"params": {"query": "SELECT * WHERE " + "{" * 5000 + "}" * 5000}}),
        ("GET", "/sparql", {"params": {"query": "SELECT (" + "1+" * 30000 + "1 AS ?x) {}"}}),
        ("GET", "/sparql", {"params": {"query": f"SELECT * WHERE {{ BIND(<urn:a\\u0041#> AS ?z) SERVICE <{target}/x> "
                                                f"{{ ?a ?b ?c }} }}"}}),
        ("POST", "/sparql", {"data": {"query": f"SELECT * FROM <{target}/g> WHERE {{ ?s ?p ?o }}"}}),
        ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": f"{target}/d"}}),
        ("GET", f"/id/{path}", {}), ("GET", f"/data/id/country/{path}.ttl", {}), ("GET", f"/ontology/{path}", {}),
        ("POST", "/sparql", {"data": b"x" * 2_000_000, "headers": {"Content-Type": "application/sparql-query"}}),
        ("GET", "/sparql?query=" + "A" * 400_000, {}),
        ("POST", "/sparql", {"data": "LOAD <" + target + "/l>", "headers": {"Content-Type": "application/sparql-query"}}),
        ("GET", "/dumps/..%2F..%2Fpyproject.toml", {}),
        ("GET", "/dumps/gpai-kg.nt", {"headers": {"Range": "bytes=0-0,5-9,100-200", "If-Match": "*"}}),
    ]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)

    def add(self, kind: str, status, seconds: float) -> None:
        with self.lock:
            self.statuses[kind][status] += 1
            self.latencies[kind].append(seconds * 1000)


def client(base: str, address: str, kind: str, plan, tally: Tally, stop: threading.Event, pause: float) -> None:
    session = session_from(address)
    rng = random.Random(address)
    while not stop.is_set():
        method, path, options = rng.choice(plan)
        started = time.perf_counter()
        try:
            response = session.request(method, base + path, timeout=60, **options)
            status = response.status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        tally.add(kind, status, time.perf_counter() - started)
        if pause:
            time.sleep(pause * rng.random())


def web_workers(master: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if ppid == master and b"gpai-kg" in command and b"multiprocessing" not in command:
                found.append(int(entry.name))
    return found


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(tmp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    log = open(tmp / "serve.log", "w")
    process = subprocess.Popen([str(BIN / "gpai-kg"), "serve", "--port", str(port), "--store-dir", str(tmp / "store"),
                                "--project-dir", str(ROOT)], stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/health", timeout=10).ok:
                return process, base
        except requests.RequestException:
            time.sleep(0.2)
    stop_process(process)
    raise SystemExit(f"the server did not start: {(tmp / 'serve.log').read_text()[-2000:]}")


def pathological(base: str, threads: int, seconds: float) -> None:
    tally, stop = Tally(), threading.Event()
    attackers = [threading.Thread(target=client, args=(base, f"127.0.3.{1 + i % 4}", "attack",
                                                        [("GET", "/sparql", {"params": {"query": RUNAWAY}})],
                                                        tally, stop, 0.0), daemon=True) for i in range(threads)]
    for thread in attackers:
        thread.start()
    time.sleep(1)  # the attack is under way
    probe = session_from("127.0.4.1")
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        started = time.perf_counter()
        status = probe.get(base + "/sparql", params={"query": CHEAP}, timeout=60).status_code
        tally.add("probe", status, time.perf_counter() - started)
        time.sleep(0.05)
    stop.set()
    for thread in attackers:
        thread.join(70)
    p50, p95, p99 = percentiles(tally.latencies["probe"])
    print(f"\n## 1. {threads} threads sending runaway queries without pause (4 addresses), {seconds:g} s\n")
    print(f"- probe `{CHEAP}`: {len(tally.latencies['probe'])} requests, statuses {dict(tally.statuses['probe'])}, "
          f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms: target p95 < 100 ms "
          f"{'MET' if p95 < 100 else 'MISSED'}")
    print(f"- attackers: {sum(tally.statuses['attack'].values())} requests, statuses "
          f"{dict(sorted(tally.statuses['attack'].items(), key=str))}")


def mixed(base: str, listener: Listener, clients: int, hostile: int, seconds: float) -> int:
    tally, stop = Tally(), threading.Event()
    ordinary, bad = ordinary_requests(base), hostile_requests(listener)
    threads = []
    for i in range(clients):
        kind = "hostile" if i < hostile else "ordinary"
        plan = bad if kind == "hostile" else ordinary
        address = f"127.0.{2 if kind == 'hostile' else 1}.{1 + i}"
        threads.append(threading.Thread(target=client, args=(base, address, kind, plan, tally, stop,
                                                                0.0 if kind == "hostile" else 0.05), daemon=True))
    for thread in threads:
        thread.start()
    probe = session_from("127.0.4.2")
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        started = time.perf_counter()
        status = probe.get(base + "/sparql", params={"query": CHEAP}, timeout=60).status_code
        tally.add("probe", status, time.perf_counter() - started)
        time.sleep(0.1)
    stop.set()
    for thread in threads:
        thread.join(70)
    total = sum(sum(c.values()) for c in tally.statuses.values())
    print(f"\n## 2. {clients} clients for {seconds:g} s, {hostile} of them hostile: {total} requests "
          f"({total / seconds:.0f}/s)\n")
    print("| clients | requests | statuses | p50 ms | p95 ms | p99 ms |\n|---|---:|---|---:|---:|---:|")
    for kind in ("ordinary", "hostile", "probe"):
        p50, p95, p99 = percentiles(tally.latencies[kind])
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses[kind].items(), key=lambda kv: str(kv[0])))
        print(f"| {kind} | {sum(tally.statuses[kind].values())} | {statuses} | {p50:.1f} | {p95:.1f} | {p99:.1f} |")
    server_errors = sum(v for kind in tally.statuses for k, v in tally.statuses[kind].items()
                        if isinstance(k, int) and k >= 500 and k != 503)
    print(f"\n5xx other than 503: {server_errors}")
    return total


def big_post(base: str, master: int) -> None:
    workers = web_workers(master)
    before = {pid: rss_mb(pid) for pid in workers}

    def body():
        chunk = b"q" * (1 << 20)
        for _ in range(300):
            yield chunk

    try:
        status = requests.post(base + "/sparql", data=body(), timeout=120,
                               headers={"Content-Type": "application/sparql-query"}).status_code
    except requests.ConnectionError:
        status = "connection closed after the answer"
    after = {pid: rss_mb(pid) for pid in workers}
    print("\n## 3. A 300 MB POST\n")
    print(f"- answer: {status}")
    for pid in workers:
        print(f"- web worker {pid}: {before[pid]:.0f} MB before, {after[pid]:.0f} MB after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--hostile", type=int, default=3)
    parser.add_argument("--pathological", type=int, default=16)
    parser.add_argument("--probe-seconds", type=float, default=30)
    args = parser.parse_args()
    listener = Listener()
    with tempfile.TemporaryDirectory(prefix="gpai-kg-hostile-") as tmp:
        process, base = start_server(Path(tmp))
        try:
            print(f"# bench/hostile.py, {time.strftime('%Y-%m-%d %H:%M')}, load average "
                  f"{os.getloadavg()[0]:.2f} at the start, {os.cpu_count()} cores")
            pathological(base, args.pathological, args.probe_seconds)
            total = mixed(base, listener, args.clients, args.hostile, args.seconds)
            big_post(base, process.pid)
            print(f"\n## 4. Outbound connections seen by the listener: {listener.connections}")
            print(f"\nrequests in all: {total} (target at least 10,000: {'MET' if total >= 10_000 else 'MISSED'})")
        finally:
            stop_process(process)


if __name__ == "__main__":
    main()
