"""Time `gpai-kg diff` on two synthetic releases of about 1M triples each: median of N runs.

    .venv/bin/gpai-kg build
    .venv/bin/python bench/diff_bench.py [--release dist/latest] [--quads 1000000] [--runs 5]

OLD is the release's data copied as ``synthetic.py`` copies it (copy 0 the real data, the others
under renamed IRIs and blank nodes), until it holds ``--quads`` quads. NEW is the same graph with,
in every ``--edit-every``-th copy, the edits a curator makes between releases:

* a membership added (a copy of the first one, under a new IRI, with its interval and instants);
* every date known to the month refined to the day (the instant's value, datatype and precision);
* labels changed (the English label of each place);
* an IRI replaced (the first place renamed everywhere, the old IRI ``dcterms:isReplacedBy`` the new);
* a claim withdrawn (its description removed, its IRI ``owl:deprecated``).

Both are labelled as the build labels a release (:func:`gpai_kg.blank_nodes.label_blank_nodes`) and
written as release folders (``gpai-kg.nq``, a VoID naming the base and the predecessor,
``SHA256SUMS``). The timed command is the real CLI in a fresh process, imports included, as a user
runs it: ``gpai-kg diff bench-old bench-new``. The script also times the diff's phases in this process.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from synthetic import BNODE, DATA_GRAPH, MINTED

from gpai_kg.blank_nodes import label_blank_nodes
from gpai_kg.diff import Snapshot, compare, write_change_set
from gpai_kg.releases import find_release

CLI = str(Path(sys.executable).with_name("gpai-kg"))
BASE = "https://w3id.org/gpai-kg/"
ID = BASE + "id/"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
MONTH = re.compile(r'<http://www\.w3\.org/2006/time#inXSDgYearMonth> "(\d{4}-\d{2})"\^\^'
                   r'<http://www\.w3\.org/2001/XMLSchema#gYearMonth>')
UNIT_MONTH = "<http://www.w3.org/2006/time#unitMonth>"


def subject(line: str) -> str:
    return line[: line.index(" ")]


def molecule(lines: list[str], iri: str) -> list[str]:
    """The lines about ``iri`` and the blank nodes it leads to, transitively."""
    wanted, found, todo = {f"<{iri}>"}, [], True
    while todo:
        todo = False
        for line in lines:
            if subject(line) in wanted and line not in found:
                found.append(line)
                obj = line.split(" ")[2]
                if obj.startswith("_:") and obj not in wanted:
                    wanted.add(obj)
                    todo = True
    return found


def first_subject(lines: list[str], kind: str) -> str:
    return next(subject(line)[1:-1] for line in lines if line.startswith(f"<{ID}{kind}/"))


def edited(data: list[str]) -> list[str]:
    """The source's data lines as NEW has them (applied before a copy renames its IRIs)."""
    membership, place, claim = (first_subject(data, kind) for kind in ("membership", "place", "claim"))
    withdrawn = set(molecule(data, claim))
    lines = [line for line in data if line not in withdrawn]
    lines.append(f"<{claim}> <http://www.w3.org/2002/07/owl#deprecated> "
                 f'"true"^^<http://www.w3.org/2001/XMLSchema#boolean> {DATA_GRAPH} .')
    joined = [line.replace(f"<{membership}>", f"<{membership}-bis>") for line in molecule(data, membership)]
    lines += [BNODE.sub(lambda m: f"_:{m.group(1)}bis", line) for line in joined]
    out = []
    for line in lines:
        line = MONTH.sub(lambda m: f'<http://www.w3.org/2006/time#inXSDDate> "{m.group(1)}-15"^^'
                                   f'<http://www.w3.org/2001/XMLSchema#date>', line)
        line = line.replace(UNIT_MONTH, "<http://www.w3.org/2006/time#unitDay>")
        if line.startswith(f"<{ID}place/") and f" {LABEL} " in line and line.endswith(f'"@en {DATA_GRAPH} .'):
            line = line.replace('"@en ', ' (revised)"@en ')
        out.append(line.replace(f"<{place}>", f"<{place}-renamed>"))
    out.append(f"<{place}> <http://purl.org/dc/terms/isReplacedBy> <{place}-renamed> {DATA_GRAPH} .")
    return out


def synthetic(lines: list[str], quads: int, every: int) -> tuple[list[str], list[str], int]:
    """OLD's and NEW's N-Quads lines, and how many copies of the data they hold."""
    data = [line for line in lines if line.endswith(DATA_GRAPH + " .")]
    other = [line for line in lines if not line.endswith(DATA_GRAPH + " .")]
    new_data = edited(data)
    copies = max(1, -(-(quads - len(other)) // len(data)))
    old, new = list(lines), other + (new_data if every == 1 else data)
    for k in range(1, copies):
        suffix = f"-c{k}"

        def rename(line: str) -> str:
            line = MINTED.sub(lambda m: f"<{m.group(1)}{suffix}>", line)
            return BNODE.sub(lambda m: f"_:{m.group(1)}c{k}", line)

        copy = [rename(line) for line in data]
        old += copy
        new += [rename(line) for line in new_data] if k % every == 0 else copy
    return old, new, copies


def write_release(dist: Path, version: str, lines: list[str], previous: str | None) -> float:
    """A release folder as the build labels and writes it; returns the seconds labelling took."""
    started = time.perf_counter()
    quads = label_blank_nodes(ox.parse("\n".join(lines), format=ox.RdfFormat.N_QUADS))
    labelling = time.perf_counter() - started
    folder = dist / "releases" / version
    folder.mkdir(parents=True)
    (folder / "gpai-kg.nq").write_bytes(ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS))
    void = [f'<{BASE}dataset> <http://rdfs.org/ns/void#uriSpace> "{ID}" .',
            f'<{BASE}releases/{version}> <http://www.w3.org/ns/dcat#version> "{version}" .']
    if previous:
        void.append(f"<{BASE}releases/{version}> <http://www.w3.org/ns/dcat#previousVersion> "
                    f"<{BASE}releases/{previous}> .")
    (folder / "void.ttl").write_text("\n".join(void) + "\n", encoding="utf-8")
    sums = [f"{hashlib.sha256((folder / n).read_bytes()).hexdigest()}  {n}\n" for n in ("gpai-kg.nq", "void.ttl")]
    (folder / "SHA256SUMS").write_text("".join(sums), encoding="utf-8")
    return labelling


def timed(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([CLI, *args], check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout.strip()


def phases(dist: Path, out: Path) -> dict[str, float]:
    """The diff's own steps, in this process: read both releases, compare, write and check the change set."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    old = Snapshot.of_release(find_release(dist, "bench-old"))
    new = Snapshot.of_release(find_release(dist, "bench-new"))
    seconds["read both releases"] = time.perf_counter() - started
    started = time.perf_counter()
    comparison = compare(old, new)
    seconds["compare and changelog"] = time.perf_counter() - started
    started = time.perf_counter()
    write_change_set(comparison, out, in_release=False)
    seconds["patch (checked) and files"] = time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=Path("dist/latest"))
    parser.add_argument("--quads", type=int, default=1_000_000)
    parser.add_argument("--edit-every", type=int, default=5, help="edit one copy in this many (default 5)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    lines = [line for line in (args.release / "gpai-kg.nq").read_text(encoding="utf-8").split("\n") if line]
    old, new, copies = synthetic(lines, args.quads, args.edit_every)
    with tempfile.TemporaryDirectory(prefix="gpai-kg-diff-bench-") as tmp:
        dist = Path(tmp)
        labelling = write_release(dist, "bench-old", old, None)
        write_release(dist, "bench-new", new, "bench-old")
        (dist / "latest").symlink_to("releases/bench-new")
        print(f"OLD {len(old):,} quads, NEW {len(new):,} quads ({copies} copies of the data, one in "
              f"{args.edit_every} edited); labelling blank nodes as the build does: {labelling:.1f} s a release")
        runs = []
        for run in range(args.runs):
            seconds, said = timed("diff", "bench-old", "bench-new", "--dist-dir", str(dist),
                                  "--out", str(dist / f"out-{run}"))
            runs.append(seconds)
        print(said)
        print(f"gpai-kg diff: median {statistics.median(runs):.2f} s over {args.runs} runs "
              f"(min {min(runs):.2f}, max {max(runs):.2f}); target < 10 s")
        for step, seconds in phases(dist, dist / "out-phases").items():
            print(f"  {step}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
