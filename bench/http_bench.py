"""Throughput of the web tier against Oxigraph's own server, with wrk (a native load generator).

    apt-get install wrk
    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/http_bench.py [--seconds 8] [--passes 2] [--connections 8]

Both servers serve the latest release's N-Quads on loopback (Oxigraph: `serve-read-only
--union-default-graph`; ours: `gpai-kg serve FILE`, gunicorn with its defaults). For each request
the script runs wrk against each server in turn, interleaved, `--passes` times, and prints the median
requests/s, the ratio ours/Oxigraph, the CPU each server used per request (user + system time of its
whole process tree during the run, over the requests answered) and wrk's own CPU per request, so that
one can see the load generator is not the bottleneck. It prints the machine's load average, and each
target of issue 17 that these figures decide beside the measured value.

Repeated GETs are what a cache answers: gpai-kg keeps each GET answer of a release and serves the
next identical request before Flask (gpai_kg.web.answer_cache); Oxigraph evaluates every request.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from sparql_bench import Servers  # noqa: E402

FOUNDERS = (ROOT / "queries" / "examples" / "founding-members.rq").read_text(encoding="utf-8")
JSON = "application/sparql-results+json"
#: (name, path and query string on each server, Accept); None: that server has no such resource.
REQUESTS = [
    ("ASK {}", {"q": "ASK {}"}, JSON),
    ("founding-members", {"q": FOUNDERS}, JSON),
    ("country page /page/id/country/rs", {"path": "/page/id/country/rs"}, "text/html"),
    ("data document /data/id/country/rs.ttl", {"path": "/data/id/country/rs.ttl"}, "text/turtle"),
]
#: Issue 17's throughput targets: (request, what, value) -- value is a ratio to Oxigraph or req/s.
TARGETS = [("founding-members", "ratio", 1.5), ("ASK {}", "rate", 8000),
           ("country page /page/id/country/rs", "rate", 1000), ("data document /data/id/country/rs.ttl", "rate", 1000)]


def tree_cpu(pid: int) -> float:
    """User + system seconds of a process and its live descendants."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
    tree, grown = {pid}, True
    while grown:
        more = {p for p, fields in stats.items() if int(fields[1]) in tree} - tree
        tree |= more
        grown = bool(more)
    tick = os.sysconf("SC_CLK_TCK")
    return sum((int(stats[p][11]) + int(stats[p][12])) / tick for p in tree if p in stats)


def wrk(url: str, accept: str, seconds: float, connections: int, pid: int) -> dict:
    before_server, before_self = tree_cpu(pid), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--latency",
                          "-H", f"Accept: {accept}", url], capture_output=True, text=True, check=True).stdout
    after_self = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = tree_cpu(pid) - before_server
    wrk_cpu = (after_self.ru_utime - before_self.ru_utime) + (after_self.ru_stime - before_self.ru_stime)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": total,
            "non2xx": int(bad.group(1)) if bad else 0, "socket_errors": errors.group(1) if errors else "",
            "server_cpu_ms": 1000 * server_cpu / max(total, 1), "wrk_cpu_ms": 1000 * wrk_cpu / max(total, 1),
            "p50_ms": _latency(out, "50%")}


def _latency(out: str, which: str) -> float:
    value, unit = re.search(rf"{which}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--release", type=Path, default=ROOT / "dist" / "latest")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("http_bench: wrk is not installed (apt-get install wrk)")
    nquads = args.release.resolve() / "gpai-kg.nq"
    if not nquads.exists():
        raise SystemExit(f"http_bench: no release at {args.release} (run `make build`)")
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(nquads, Path(tmp), ["--client-max-queries", "64"])
        try:
            pids = {name: p.pid for name, p in zip(("oxigraph", "gpai-kg"), servers.processes)}
            results: dict[tuple[str, str], list[dict]] = {}
            for _ in range(args.passes):
                for name, target, accept in REQUESTS:
                    for system in ("gpai-kg", "oxigraph"):
                        url = _url(servers.urls[system], system, target)
                        if url is None:
                            continue
                        results.setdefault((name, system), []).append(
                            wrk(url, accept, args.seconds, args.connections, pids[system]))
        finally:
            servers.stop()
    _report(results, args)


def _url(endpoint: str, system: str, target: dict) -> str | None:
    if "q" in target:
        return endpoint + "?" + urlencode({"query": target["q"]})
    if system == "oxigraph":
        return None
    return endpoint.rsplit("/", 1)[0] + target["path"]


def _report(results: dict, args) -> None:
    load = os.getloadavg()
    print(f"# bench/http_bench.py, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; wrk -t2 -c{args.connections} "
          f"-d{args.seconds:g}s, median of {args.passes} interleaved passes\n")
    print("| request | gpai-kg req/s | Oxigraph req/s | ratio | gpai-kg CPU ms/req | Oxigraph CPU ms/req "
          "| wrk CPU ms/req | gpai-kg p50 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    medians = {}
    for name, _, _ in REQUESTS:
        ours = results[(name, "gpai-kg")]
        theirs = results.get((name, "oxigraph"))
        m = {k: statistics.median(r[k] for r in ours) for k in ("rate", "server_cpu_ms", "wrk_cpu_ms", "p50_ms")}
        o = {k: statistics.median(r[k] for r in theirs) for k in ("rate", "server_cpu_ms")} if theirs else None
        errors = sum(r["non2xx"] for r in ours) + sum(r["non2xx"] for r in theirs or [])
        medians[name] = (m["rate"], o["rate"] if o else None)
        print(f"| {name} | {m['rate']:,.0f} | {o['rate']:,.0f} | {m['rate'] / o['rate']:.2f} | "
              f"{m['server_cpu_ms']:.3f} | {o['server_cpu_ms']:.3f} | {m['wrk_cpu_ms']:.3f} | {m['p50_ms']:.2f} | "
              f"{errors} |" if o else
              f"| {name} | {m['rate']:,.0f} | — | — | {m['server_cpu_ms']:.3f} | — | {m['wrk_cpu_ms']:.3f} | "
              f"{m['p50_ms']:.2f} | {errors} |")
    print("\n| target (issue 17) | wanted | measured | met |")
    print("|---|---:|---:|:-:|")
    for name, kind, wanted in TARGETS:
        ours, theirs = medians[name]
        value = ours / theirs if kind == "ratio" else ours
        shown = f"{value:.2f}× Oxigraph" if kind == "ratio" else f"{value:,.0f} req/s"
        want = f"≥ {wanted}× Oxigraph" if kind == "ratio" else f"≥ {wanted:,} req/s"
        print(f"| {name} | {want} | {shown} | {'yes' if value >= wanted else 'no'} |")


if __name__ == "__main__":
    main()
