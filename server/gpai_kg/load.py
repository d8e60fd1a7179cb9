"""``gpai-kg load``: put a validated release into an external SPARQL store, and prove it is there.

1. The release must be one the build wrote and nobody changed since: every file matches its
   line in ``SHA256SUMS``; and its data, with its ontology, must conform to its own shapes
   (re-checked here, on the very bytes about to be sent). Anything else is refused before a
   single triple is sent.
2. Each release graph (data, ontology, shapes) replaces the named graph of the same IRI in the
   store, by ``PUT`` (SPARQL 1.1 Graph Store HTTP Protocol), as N-Triples split from the
   release's checksummed N-Quads dump.
3. The store is asked, by query, how many triples each graph holds, and whether it holds a
   sample of them term for term; any difference from the release fails the load, naming the
   graph.

Each PUT replaces one graph atomically on the stores tested; the three PUTs together are not
one transaction, which is why the counts are checked at the end (and a failed load is re-run).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from .errors import DamagedRelease, GpaiKgError
from .namespaces import Namespaces
from .store import RELEASE_DUMP, verify_release
from .store_client import StoreClient


class UnvalidatedRelease(GpaiKgError):
    """The release is not as the build validated and wrote it."""


class LoadMismatch(GpaiKgError):
    """The store does not hold what was sent."""


@dataclass(frozen=True)
class GraphLoad:
    graph: str
    file: Path
    sent: int           # triples in the release's file
    held: int = -1      # triples the store reports afterwards
    seconds: float = 0.0


def check_release(folder: Path, ns: Namespaces) -> None:
    """Refuse a release that is not, byte for byte, one the build validated and wrote."""
    try:
        verify_release(folder)
    except DamagedRelease as exc:
        raise UnvalidatedRelease(str(exc)) from None
    _check_shapes(folder, ns)


def _check_shapes(folder: Path, ns: Namespaces) -> None:
    from .loader import quiet_rdflib
    from .shacl import shacl

    dataset = Dataset()
    with quiet_rdflib():
        dataset.parse(folder / RELEASE_DUMP, format="nquads")
    graphs = {name: dataset.graph(URIRef(str(ns.graph) + name)) for name in ("data", "ontology", "shapes")}
    verdict = shacl([graphs["data"], graphs["ontology"]], graphs["shapes"])
    if not verdict.conforms:
        lines = [line.strip() for line in verdict.text.splitlines() if line.strip().startswith(("Message:", "Focus"))]
        raise UnvalidatedRelease(f"{folder / RELEASE_DUMP}: the data does not conform to the release's own "
                                 f"shapes ({'; '.join(lines[:6])}); it was not made by a validating build")


def plan(folder: Path, workdir: Path) -> list[GraphLoad]:
    """What to send: each graph of the release's N-Quads dump, split into an N-Triples file of its own.

    N-Triples, whatever other files the release has: it has no prefixed names or escapes for a
    store's parser to get wrong (Virtuoso 7 keeps the backslash of ``gpai:version\\/1.0.0`` in Turtle).
    """
    files: dict[str, tuple[Path, object]] = {}
    counts: dict[str, int] = {}
    try:
        for quad in ox.parse(path=str(folder / RELEASE_DUMP), format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name.value
            if graph not in files:
                path = Path(workdir) / f"graph-{len(files)}.nt"
                files[graph] = (path, open(path, "w", encoding="utf-8"))
                counts[graph] = 0
            files[graph][1].write(f"{quad.triple} .\n")
            counts[graph] += 1
    finally:
        for _, handle in files.values():
            handle.close()
    return [GraphLoad(graph, path, counts[graph]) for graph, (path, _) in files.items()]


def load(client: StoreClient, loads: list[GraphLoad], on_graph=None) -> list[GraphLoad]:
    """PUT each graph, then count what the store holds; LoadMismatch names any graph that differs."""
    done = []
    for item in loads:
        started = time.perf_counter()
        with open(item.file, "rb") as body:
            client.put_graph(item.graph, body, "application/n-triples")
        done.append(GraphLoad(item.graph, item.file, item.sent, seconds=time.perf_counter() - started))
        if on_graph:
            on_graph(done[-1])
    held = client.graph_counts([d.graph for d in done])
    done = [GraphLoad(d.graph, d.file, d.sent, held[d.graph], d.seconds) for d in done]
    wrong = [d for d in done if d.held != d.sent]
    if wrong:
        raise LoadMismatch("the store does not hold what was sent: " + "; ".join(
            f"graph <{d.graph}> holds {d.held:,} triples, {d.sent:,} were sent" for d in wrong))
    for d in done:
        _check_sample(client, d)
    return done


#: Triples looked up in the store after a load, per graph (besides the counts).
SAMPLE_SIZE = 200


def _check_sample(client: StoreClient, item: GraphLoad) -> None:
    """Look up a sample of the graph's triples in the store, term for term.

    Counts cannot see a term the store's parser changed (an IRI, a language tag, an escape).
    The sample takes the triples most at risk (escapes, non-ASCII text) and an even spread of
    the rest; blank nodes are left out, since a store renames them.
    """
    triples = [t for t in ox.parse(path=str(item.file), format=ox.RdfFormat.N_TRIPLES)
               if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)]
    risky = [t for t in triples if "\\" in str(t) or not str(t).isascii()][: SAMPLE_SIZE // 2]
    step = max(1, len(triples) // (SAMPLE_SIZE - len(risky)))
    sample = list(dict.fromkeys(risky + triples[::step]))[:SAMPLE_SIZE]
    if not sample:
        return
    # A UNION of single-triple patterns, not VALUES: Virtuoso 7.2 misses some rows of a VALUES
    # table mixing literal kinds, though it finds each alone.
    parts = " UNION ".join(f"{{ GRAPH <{item.graph}> {{ {t.subject} {t.predicate} {t.object} }} BIND({i} AS ?i) }}"
                           for i, t in enumerate(sample))
    found = client.select(f"SELECT ?i WHERE {{ {parts} }}")
    missing = sorted(set(range(len(sample))) - {int(row["i"]) for row in found})
    if missing:
        examples = "; ".join(str(sample[i]) for i in missing[:3])
        raise LoadMismatch(f"graph <{item.graph}>: {len(missing)} of {len(sample)} triples looked up are not in "
                           f"the store as sent (its parser changed them?), e.g. {examples}")
