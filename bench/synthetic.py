"""A synthetic graph shaped exactly like ours, about 1M triples: the release's data copied K times.

    .venv/bin/python bench/synthetic.py dist/latest/gpai-kg.nq bench/out/synthetic.nq [--copies 200]

Copy 0 is the real data, unchanged, so the competency questions keep their answers; copies
1..K-1 rename every minted IRI (``…/id/country/fr`` → ``…/id/country/fr-c7``) and blank node,
so each copy is a parallel GPAI with the same shape: memberships, intervals, instants, events,
claims and sources. The ontology and shapes graphs are kept once.
"""

from __future__ import annotations

import argparse
import math
import re
from pathlib import Path

DATA_GRAPH = "<https://w3id.org/gpai-kg/graph/data>"
MINTED = re.compile(r"<(https://w3id\.org/gpai-kg/id/[a-z]+/[^>]+)>")
BNODE = re.compile(r"_:([A-Za-z0-9]+)")


def generate(source: Path, target: Path, copies: int) -> int:
    lines = source.read_text(encoding="utf-8").splitlines()
    data = [line for line in lines if line.endswith(DATA_GRAPH + " .")]
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with open(target, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
            written += 1
        for k in range(1, copies):
            suffix = f"-c{k}"
            for line in data:
                line = MINTED.sub(lambda m: f"<{m.group(1)}{suffix}>", line)
                line = BNODE.sub(lambda m: f"_:{m.group(1)}c{k}", line)
                out.write(line + "\n")
                written += 1
    return written


def synthetic_graph(release: Path, out: Path, triples: int = 1_000_000) -> tuple[Path, int, int]:
    """The release's data copied until it holds ``triples`` (made once, kept in ``out``):
    (file, quads, copies)."""
    data = sum(1 for line in release.read_text(encoding="utf-8").splitlines() if line.endswith(DATA_GRAPH + " ."))
    copies = max(1, math.ceil(triples / data))
    target = out / f"synthetic-{triples}.nq"
    if target.is_file() and target.stat().st_mtime >= release.stat().st_mtime:
        quads = sum(1 for _ in open(target, "rb"))
    else:
        quads = generate(release, target, copies)
    return target, quads, copies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()
    print(f"{generate(args.source, args.target, args.copies)} quads written to {args.target}")


if __name__ == "__main__":
    main()
