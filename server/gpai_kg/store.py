"""The query store: a release (or any RDF files) loaded into Oxigraph, read-only by use.

Queries run with the union of all named graphs as the default graph, so a query without
``FROM`` sees the knowledge graph, the ontology and the shapes together.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .build import latest_release
from .errors import ParseError, ReleaseNotFound
from .project import Project

RELEASE_DUMP = "gpai-kg.nq"


def release_folder(project: Project, version: str | None = None) -> Path:
    """The folder of release ``version`` (default: the latest), or ReleaseNotFound."""
    if version:
        folder = project.dist / "releases" / version
    else:
        folder = latest_release(project.dist)
    if folder is None or not (folder / RELEASE_DUMP).is_file():
        wanted = f"release {version!r}" if version else "a release"
        raise ReleaseNotFound(f"no {wanted} under {project.dist}: run `gpai-kg build` first")
    return folder


def open_release(folder: Path) -> ox.Store:
    """An in-memory store holding the release's named graphs."""
    store = ox.Store()
    path = Path(folder) / RELEASE_DUMP
    try:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise ParseError(path, getattr(exc, "lineno", None), str(exc)) from None
    return store


def run_query(store: ox.Store, sparql: str, base_iri: str | None = None):
    """Run a SPARQL query over the union of the store's graphs; SyntaxError if it does not parse."""
    return store.query(sparql, use_default_graph_as_union=True, base_iri=base_iri)
