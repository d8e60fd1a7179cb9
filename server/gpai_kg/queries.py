"""SPARQL files of the project: the quality checks and the example queries.

A query file opens with comment lines: the first is its title, the following ones its
description. Checks (``queries/checks/*-violation.rq``) select the resources at fault as
``?this`` (plus any other columns worth showing) and must return no rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph


@dataclass(frozen=True)
class QueryFile:
    path: Path
    title: str
    description: str
    text: str

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def services(self) -> tuple[str, ...]:
        """The endpoints it calls with SERVICE: a federated query needs them allowed."""
        from .gate import endpoints
        return endpoints(self.text)


def read_query(path: Path) -> QueryFile:
    text = Path(path).read_text(encoding="utf-8")
    comments = []
    for line in text.splitlines():
        if line.startswith("#"):
            comments.append(line.lstrip("#").strip())
        elif line.strip():
            break
    title = comments[0] if comments else Path(path).stem
    description = " ".join(c for c in comments[1:] if c).strip()
    return QueryFile(Path(path), title, description, text)


def read_queries(folder: Path, pattern: str = "*.rq") -> list[QueryFile]:
    return [read_query(p) for p in sorted(Path(folder).glob(pattern))]


def oxigraph_store(*graphs: Graph) -> ox.Store:
    """An in-memory Oxigraph store holding the union of rdflib graphs, in its default graph."""
    return ntriples_store(ntriples(*graphs))


def ntriples(*graphs: Graph) -> bytes:
    """The graphs as one N-Triples document, literals as rdflib holds them (rdflib's blank node
    labels are unique across graphs, so the union needs no copy into one graph)."""
    return b"".join(g.serialize(format="nt", encoding="utf-8") for g in graphs if len(g))


def ntriples_store(payload: bytes) -> ox.Store:
    """An in-memory Oxigraph store of one N-Triples document, in its default graph.

    One document, one load: Oxigraph scopes blank node labels to a load, and an instant described
    in one graph and dated in another must stay one node.
    """
    store = ox.Store()
    if payload:
        store.load(payload, format=ox.RdfFormat.N_TRIPLES)
    return store


def select(store: ox.Store, query: str, union: bool = False) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
    """Rows of a SELECT query as dicts of bound variables (``union``: over all named graphs)."""
    return rows(store.query(query, use_default_graph_as_union=union))


def rows(solutions: ox.QuerySolutions) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
    """Query solutions as dicts of their bound variables."""
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in solutions]
