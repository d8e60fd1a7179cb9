"""Throughput of the web tier against Oxigraph's own server, with wrk (a native load generator).

    apt-get install wrk
    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/http_bench.py [--seconds 8] [--passes 2] [--connections 8] [--nginx]

Both servers serve the latest release's N-Quads on loopback (Oxigraph: `serve-read-only
--union-default-graph`; ours: `gpai-kg serve FILE`, gunicorn with its defaults). For each request
the script runs wrk against each server in turn, interleaved, `--passes` times, and prints the median
requests/s, the ratio ours/Oxigraph, the CPU each server used per request (user + system time of its
whole process tree during the run, over the requests answered) and wrk's own CPU per request, so that
one can see the load generator is not the bottleneck. It prints the machine's load average, and each
target of issue 17 that these figures decide beside the measured value.

With ``--nginx`` it measures a third system too: our server behind nginx from Debian with the
repository's own deploy/nginx/gpai-kg.conf (the shared cache for scale-out; tests/nginx_front.py
starts it, tests/test_http_cache_front.py checks that it is never wrong). Its CPU per request counts
nginx and our server together.

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
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from processes import tree_cpu  # noqa: E402
from sparql_bench import Servers  # noqa: E402
from nginx_front import Nginx  # noqa: E402  (tests/, put on the path by sparql_bench)

FOUNDERS = (ROOT / "queries" / "examples" / "founding-members.rq").read_text(encoding="utf-8")
JSON = "application/sparql-results+json"
#: (name, path and query string on each server, Accept); None: that server has no such resource.
REQUESTS = [
    ("ASK {}", {"q": "ASK {}"}, JSON),
    ("founding-members", {"q": FOUNDERS}, JSON),
    ("country page /page/id/country/rs", {"path": "/page/id/country/rs"}, "text/html"),
    ("data document /data/id/country/rs.ttl", {"path": "/data/id/country/rs.ttl"}, "text/turtle"),
]
FRONTED = "gpai-kg behind nginx"
#: Issue 17's throughput targets: (request, what, value) -- value is a ratio to Oxigraph or req/s.
TARGETS = [("founding-members", "ratio", 1.5), ("ASK {}", "rate", 8000),
           ("country page /page/id/country/rs", "rate", 1000), ("data document /data/id/country/rs.ttl", "rate", 1000)]


def wrk(url: str, accept: str, seconds: float, connections: int, pids: tuple[int, ...],
        extra: tuple[str, ...] = ()) -> dict:
    """wrk against ``url``; ``extra``: more wrk arguments (``-s script.lua`` for a POST)."""
    before_server, before_self = sum(map(tree_cpu, pids)), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--latency",
                          "-H", f"Accept: {accept}", *extra, url], capture_output=True, text=True, check=True).stdout
    after_self = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = sum(map(tree_cpu, pids)) - before_server
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
    parser.add_argument("--nginx", action="store_true",
                        help="also measure gpai-kg behind nginx with deploy/nginx/gpai-kg.conf (apt-get install nginx)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("http_bench: wrk is not installed (apt-get install wrk)")
    nquads = args.release.resolve() / "gpai-kg.nq"
    if not nquads.exists():
        raise SystemExit(f"http_bench: no release at {args.release} (run `make build`)")
    with tempfile.TemporaryDirectory() as tmp:
        servers = Servers(nquads, Path(tmp), ["--trusted-proxies", "1"])
        nginx = None
        try:
            pids = {name: (p.pid,) for name, p in zip(("oxigraph", "gpai-kg"), servers.processes)}
            systems = ["gpai-kg", "oxigraph"]
            if args.nginx:
                (Path(tmp) / "nginx").mkdir()
                nginx = Nginx(Path(tmp) / "nginx", servers.urls["gpai-kg"].split("/")[2], worker_processes="auto")
                servers.urls[FRONTED] = nginx.url + "/sparql"
                pids[FRONTED] = (nginx.process.pid, *pids["gpai-kg"])  # a miss costs the origin's CPU too
                systems.insert(1, FRONTED)
            results: dict[tuple[str, str], list[dict]] = {}
            for _ in range(args.passes):
                for name, target, accept in REQUESTS:
                    for system in systems:
                        url = _url(servers.urls[system], system, target)
                        if url is None:
                            continue
                        results.setdefault((name, system), []).append(
                            wrk(url, accept, args.seconds, args.connections, pids[system]))
        finally:
            if nginx is not None:
                nginx.stop()
            servers.stop()
    _report(results, args, systems)


def _url(endpoint: str, system: str, target: dict) -> str | None:
    if "q" in target:
        return endpoint + "?" + urlencode({"query": target["q"]})
    if system == "oxigraph":
        return None
    return endpoint.rsplit("/", 1)[0] + target["path"]


def _report(results: dict, args, systems: list[str]) -> None:
    load = os.getloadavg()
    print(f"# bench/http_bench.py, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; wrk -t2 -c{args.connections} "
          f"-d{args.seconds:g}s, median of {args.passes} interleaved passes\n")
    print("| request | server | req/s | × Oxigraph | server CPU ms/req | wrk CPU ms/req | p50 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    medians: dict[tuple[str, str], float] = {}
    for name, _, _ in REQUESTS:
        theirs = results.get((name, "oxigraph"))
        oxigraph_rate = statistics.median(r["rate"] for r in theirs) if theirs else None
        for system in systems:
            runs = results.get((name, system))
            if not runs:
                continue
            m = {k: statistics.median(r[k] for r in runs) for k in ("rate", "server_cpu_ms", "wrk_cpu_ms", "p50_ms")}
            medians[(name, system)] = m["rate"]
            ratio = f"{m['rate'] / oxigraph_rate:.2f}" if oxigraph_rate else "—"
            print(f"| {name} | {system} | {m['rate']:,.0f} | {ratio} | {m['server_cpu_ms']:.3f} | "
                  f"{m['wrk_cpu_ms']:.3f} | {m['p50_ms']:.2f} | {sum(r['non2xx'] for r in runs)} |")
    ours = [s for s in systems if s != "oxigraph"]
    print("\n| target (issue 17) | wanted | " + " | ".join(ours) + " |")
    print("|---|---:|" + "---:|" * len(ours))
    for name, kind, wanted in TARGETS:
        want = f"≥ {wanted}× Oxigraph" if kind == "ratio" else f"≥ {wanted:,} req/s"
        cells = []
        for system in ours:
            value = medians[(name, system)]
            if kind == "ratio":
                value /= medians[(name, "oxigraph")]
            shown = f"{value:.2f}×" if kind == "ratio" else f"{value:,.0f} req/s"
            cells.append(f"{shown} {'met' if value >= wanted else 'NOT met'}")
        print(f"| {name} | {want} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
