"""Start-up time and memory of the service on a large graph, against Oxigraph's own server.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/serve_bench.py [--triples 1000000] [--rounds 2] [--layouts memory,disk]

For the synthetic graph of about 1M triples (`synthetic.py`), and for each store layout of ours
(``memory``: the store copied into memory, one copy per web worker; ``disk``: every query worker
opens the on-disk store read-only, ``--memory-store-max-triples 0``, the default at this size) and
for Oxigraph's server:

* **ready, cold**: from starting the server on the N-Quads file with an empty store folder (ours:
  `gpai-kg serve FILE`; Oxigraph: `oxigraph load` then `serve-read-only`) until a query answers;
* **ready, warm**: the same with the store already built (a restart);
* **memory**: after 8 clients have run the query catalogue of `sparql_bench.py` `--rounds` times
  (but the four that take minutes there, TOO_SLOW_ON_SYNTHETIC), so that every web worker and query
  worker has run queries: the proportional set size
  (PSS: each shared page divided among the processes sharing it) and the RSS, summed over the
  server's whole process tree, read from ``/proc/PID/smaps_rollup``. The OS page cache that
  RocksDB reads through is shared by every process and by nobody's PSS, as it is for Oxigraph.

It prints each figure beside issue 17's target (ready ≤ 10 s cold, ≤ 2 s warm; ≤ 1.2 GiB PSS).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))
from processes import tree  # noqa: E402
from sparql_bench import ACCEPT_ANY, ADMIT_ALL, TOO_SLOW_ON_SYNTHETIC, catalogue, free_port, stop_process  # noqa: E402
from synthetic import synthetic_graph  # noqa: E402

GIB = 1024 ** 3

LAYOUTS = {"memory": ["--memory-store-max-triples", "1000000000"], "disk": ["--memory-store-max-triples", "0"]}


def memory(pid: int) -> tuple[int, int, int]:
    """(PSS bytes, RSS bytes, processes) of a process tree."""
    pss = rss = count = 0
    for p in tree(pid):
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        count += 1
        for line in text.splitlines():
            name, _, rest = line.partition(":")
            if name in ("Pss", "Rss"):
                value = int(rest.split()[0]) * 1024
                pss += value if name == "Pss" else 0
                rss += value if name == "Rss" else 0
    return pss, rss, count


def ready(url: str, process: subprocess.Popen, started: float, seconds: float = 600) -> float:
    """Seconds from `started` until the endpoint answers a query."""
    deadline = started + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {url}")
        try:
            if requests.get(url, params={"query": "ASK {}"}, timeout=60).status_code == 200:
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise SystemExit(f"server did not answer within {seconds} s: {url}")


def exercise(url: str, rounds: int, clients: int = 8) -> None:
    """Every catalogue query but the slowest, `rounds` times, from `clients` clients at once."""
    queries = [q for name, q in catalogue().items() if name not in TOO_SLOW_ON_SYNTHETIC] * rounds

    def one(query: str) -> None:
        response = requests.post(url, data=query.encode(), timeout=900,
                                 headers={"Accept": ACCEPT_ANY, "Content-Type": "application/sparql-query"})
        response.raise_for_status()

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, queries))


def ours(nquads: Path, extra: list[str], store_dir: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPAI_KG_")}
    started = time.monotonic()
    process = subprocess.Popen([str(BIN / "gpai-kg"), "serve", str(nquads), "--port", str(port),
                                "--store-dir", str(store_dir), "--max-rows", "10000000",
                                "--query-timeout", "600", *ADMIT_ALL, *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return process, url, ready(url, process, started)


def oxigraph(nquads: Path, location: Path, load: bool) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/query"
    started = time.monotonic()
    if load:
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nquads)],
                       check=True, capture_output=True)
    process = subprocess.Popen([str(BIN / "oxigraph"), "serve-read-only", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, url, ready(url, process, started)


def measure(name: str, start, rounds: int) -> dict:
    process, url, cold = start(cold=True)
    try:
        exercise(url, rounds)
        pss, rss, count = memory(process.pid)
    finally:
        stop_process(process)
    process, url, warm = start(cold=False)
    stop_process(process)
    print(f"  {name}: ready cold {cold:.1f} s, warm {warm:.1f} s; PSS {pss / GIB:.2f} GiB, "
          f"RSS {rss / GIB:.2f} GiB over {count} processes", flush=True)
    return {"cold": cold, "warm": warm, "pss": pss, "rss": rss, "processes": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--layouts", default="memory,disk")
    parser.add_argument("--release", type=Path, default=ROOT / "dist" / "latest")
    args = parser.parse_args()
    real = args.release / "gpai-kg.nq"
    if not real.is_file():
        raise SystemExit(f"no release at {args.release}: run `gpai-kg build` first")
    nquads, quads, _ = synthetic_graph(real, ROOT / "bench" / "out", args.triples)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; {nquads.name}: {quads:,} quads", flush=True)
    results = {}
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        tmp = Path(tmp)
        location = tmp / "oxigraph"
        results["Oxigraph server"] = measure(
            "Oxigraph server", lambda cold: oxigraph(nquads, location, load=cold), args.rounds)
        for layout in args.layouts.split(","):
            store_dir = tmp / f"store-{layout}"

            def start(cold: bool, layout=layout, store_dir=store_dir):
                if cold:
                    shutil.rmtree(store_dir, ignore_errors=True)
                return ours(nquads, LAYOUTS[layout], store_dir)

            results[f"gpai-kg, {layout}"] = measure(f"gpai-kg, {layout}", start, args.rounds)
    print()
    print("| server | ready cold s | ready warm s | PSS GiB | RSS GiB | processes |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['cold']:.1f} | {r['warm']:.1f} | {r['pss'] / GIB:.2f} | {r['rss'] / GIB:.2f} | "
              f"{r['processes']} |")
    print()
    print("| target (issue 17) | " + " | ".join(n for n in results if n.startswith("gpai")) + " | Oxigraph |")
    print("|---|" + "---:|" * (len(results)) )
    oxi = results["Oxigraph server"]
    for label, key, limit, unit in (("ready cold ≤ 10 s", "cold", 10, "s"), ("ready warm ≤ 2 s", "warm", 2, "s"),
                                    ("PSS ≤ 1.2 GiB", "pss", 1.2 * GIB, "GiB")):
        cells = []
        for name, r in results.items():
            if name.startswith("gpai"):
                value = r[key] / GIB if unit == "GiB" else r[key]
                cells.append(f"{value:.2f} {unit} {'met' if r[key] <= limit else 'NOT met'}")
        ox_value = oxi[key] / GIB if unit == "GiB" else oxi[key]
        print(f"| {label} | " + " | ".join(cells) + f" | {ox_value:.2f} {unit} |")


if __name__ == "__main__":
    main()
