"""Search speed on the ~1M-triple synthetic graph: the target is p95 under 20 ms per search.

    .venv/bin/gpai-kg build
    .venv/bin/python bench/search_bench.py                  # the index itself, in this process
    .venv/bin/python bench/search_bench.py --http           # and /api/search through gunicorn on loopback

What it does:
1. makes the synthetic graph with ``synthetic.py`` (the release's data copied until it holds ``--triples``
   triples: each copy has the same names, so every name is shared by ~60 entities, the worst case for ranking);
2. builds the search index of it (as ``gpai-kg serve`` does at start-up) and reports time and size;
3. runs a workload: the searches of issue 15, prefixes of 1 to 12 characters of 150 names drawn from the
   index, whole names, two-word queries, type-filtered searches and the fuzzy candidate search that
   reconciliation uses; each timed alone, repeated ``--runs`` times; prints p50, p95, p99 and max;
4. with ``--http``: serves the synthetic graph (``gpai-kg serve FILE``) on a free loopback port and times
   ``GET /api/search`` for the same workload, one request at a time (the client's time, end to end), each
   request new to the answer cache;
5. compares tokenizers on the queries that decide between them (FTS5 trigram vs ours).

Figures go in bench/README.md. Nothing but loopback is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from synthetic import synthetic_graph  # noqa: E402

from gpai_kg.namespaces import Namespaces  # noqa: E402
from gpai_kg.search_index import SearchIndex, build_index, release_quads  # noqa: E402
from gpai_kg.search_types import type_filter  # noqa: E402

ISSUE = ["tür", "serb", "全球", "PMIA", "RS", "SRB", "Q403", "セルビア"]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1)]
    return {"n": len(ordered), "p50": statistics.median(ordered), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def workload(index: SearchIndex, seed: int = 15) -> list[tuple[str, str, str | None, bool]]:
    """(kind, query, type name, fuzzy): what people and OpenRefine send."""
    rng = random.Random(seed)
    names = [r[0] for r in index.db.execute("SELECT DISTINCT text FROM name WHERE kind != 'id'")]
    sample = rng.sample(names, min(150, len(names)))
    out = [("issue", q, None, False) for q in ISSUE]
    for name in sample:
        for n in (1, 2, 3, 5, 8, 12):
            if len(name) > n:
                out.append((f"prefix{n}", name[:n], None, False))
        out.append(("whole name", name, None, False))
        words = name.split()
        if len(words) >= 2:
            out.append(("two words", " ".join(words[:2]), None, False))
    for q in ("serb", "a", "global", "minister", "report", "s"):
        for kind in ("countries", "sources", "people", "members"):
            out.append(("typed", q, kind, False))
    for name in sample[:60]:
        out.append(("reconcile (fuzzy)", name, None, True))
    return out


def time_index(index: SearchIndex, queries, runs: int) -> dict[str, list[float]]:
    by_kind: dict[str, list[float]] = {}
    filters = {name: type_filter([name], Namespaces()) for _, _, name, _ in queries if name}
    for _ in range(runs):
        for kind, q, name, fuzzy in queries:
            types = filters[name] if name else None
            started = time.perf_counter()
            index.search(q, types, 10 if not fuzzy else 25, fuzzy=fuzzy)
            by_kind.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
    return by_kind


def time_http(nq: Path, queries, runs: int, tmp: Path) -> dict[str, list[float]]:
    import requests
    from stores import free_port, stop_process

    port = free_port()
    log = open(tmp / "search-bench-server.log", "w")
    process = subprocess.Popen([str(Path(sys.executable).with_name("gpai-kg")), "serve", str(nq), "--port", str(port),
                                "--store-dir", str(tmp / "store"), "--workers", "2", "--client-max-queries", "64",
                                "--client-query-seconds", "1000000"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"the server exited; see {log.name}")
            try:
                if requests.get(url + "/health", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        session = requests.Session()
        by_kind: dict[str, list[float]] = {}
        for run in range(runs):
            for kind, q, name, fuzzy in queries:
                if fuzzy:
                    continue
                # A parameter the search ignores makes each run's requests new to the answer cache, which
                # would otherwise answer the second run itself: the index is what is timed.
                params = {"q": q[:200], "run": str(run)}
                if name:
                    params["type"] = name
                started = time.perf_counter()
                response = session.get(url + "/api/search", params=params, timeout=30)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{q!r}: {response.status_code} {response.text[:200]}")
                by_kind.setdefault(kind, []).append(elapsed)
        return by_kind
    finally:
        stop_process(process, 20)
        log.close()


def tokenizers() -> list[tuple[str, int, int]]:
    """Names found for each query by FTS5's trigram tokenizer and by ours, over a few real names."""
    from gpai_kg.search_text import key, match_expression, tokens

    names = ["全球人工智能合作伙伴关系", "セルビア", "Serbia", "Serbie", "Türkiye", "RS"]
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE tri USING fts5(a, tokenize='trigram remove_diacritics 1')")
    except sqlite3.OperationalError:  # remove_diacritics for trigram came with SQLite 3.45
        db.execute("CREATE VIRTUAL TABLE tri USING fts5(a, tokenize='trigram')")
    db.execute("CREATE VIRTUAL TABLE ours USING fts5(a, tokenize=\"unicode61 remove_diacritics 0 "
               "categories 'L* N* Co M*'\")")
    for name in names:
        db.execute("INSERT INTO tri VALUES (?)", (name,))
        db.execute("INSERT INTO ours VALUES (?)", (key(name),))
    out = []
    for q in ["全球", "セルビア", "serb", "tür", "RS"]:
        tri = db.execute("SELECT count(*) FROM tri WHERE a LIKE ?", ("%" + q + "%",)).fetchone()[0] if len(q) < 3 \
            else db.execute("SELECT count(*) FROM tri WHERE tri MATCH ?", ('"' + q + '"',)).fetchone()[0]
        tri_match = 0 if len(q) < 3 else tri  # MATCH needs three characters; LIKE falls back to a full scan
        ours = db.execute("SELECT count(*) FROM ours WHERE ours MATCH ?",
                          (match_expression(tokens(q)),)).fetchone()[0]
        out.append((q, tri_match, ours))
    return out


def table(title: str, by_kind: dict[str, list[float]]) -> str:
    lines = [f"#### {title}", "", "| searches | n | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|"]
    everything = [v for values in by_kind.values() for v in values]
    for kind, values in [*by_kind.items(), ("**all**", everything)]:
        p = percentiles(values)
        lines.append(f"| {kind} | {p['n']} | {p['p50']:.2f} | {p['p95']:.2f} | {p['p99']:.2f} | {p['max']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=ROOT / "dist" / "latest" / "gpai-kg.nq")
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--http", action="store_true", help="also time /api/search through the real server")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    nq, quads, copies = synthetic_graph(args.release, args.out, args.triples)
    print(f"synthetic graph: {quads:,} quads ({copies} copies of the release's data) in {nq}")

    index_path = args.out / "synthetic-search.sqlite"
    started = time.perf_counter()
    stats = build_index(release_quads([(nq, ox.RdfFormat.N_QUADS)]), index_path, Namespaces())
    print(f"index: {stats['entities']:,} entities, {stats['names']:,} names, built in "
          f"{time.perf_counter() - started:.1f} s, {index_path.stat().st_size / 2**20:.1f} MiB")

    index = SearchIndex(index_path)
    queries = workload(index)
    index.search("warm up")
    print()
    print(table(f"In process (SearchIndex.search), {args.runs} runs of {len(queries)} searches",
                time_index(index, queries, args.runs)))
    if args.http:
        print()
        print(table(f"GET /api/search through gunicorn on loopback, {args.runs} runs",
                    time_http(nq, queries, args.runs, args.out)))
    print()
    print("| query | trigram (MATCH) | ours |\n|---|---:|---:|")
    for q, tri, ours in tokenizers():
        print(f"| {q} | {tri} | {ours} |")
    print(json.dumps({"copies": copies, "quads": quads, **stats}))


if __name__ == "__main__":
    main()
