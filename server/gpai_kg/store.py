"""The query store: a release (or any RDF files) loaded into Oxigraph, read-only by use.

The CLI loads a release in memory; the service bulk-loads it once into an on-disk store
that its query workers open read-only (see :func:`prepare_store`).

Queries run with the union of all named graphs as the default graph, so a query without
``FROM`` sees the knowledge graph, the ontology and the shapes together.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from .build import VOID_FILE, latest_release
from .errors import ConfigError, ParseError, ReleaseNotFound
from .namespaces import VOID
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


def release_void(folder: Path) -> tuple[ox.Triple, ...]:
    """The triples of a release's VoID/DCAT description."""
    return tuple(ox.parse(path=str(Path(folder) / VOID_FILE), format=ox.RdfFormat.TURTLE))


def check_base(void: tuple[ox.Triple, ...], base_iri: str) -> None:
    """Refuse to serve a release whose IRIs live under another base than the one configured."""
    found = next((t.object.value for t in void if t.predicate.value == str(VOID.uriSpace)
                  and t.subject.value.endswith("/dataset")), None)
    if found and found != base_iri + "id/":
        raise ConfigError(f"the release was built with its IRIs under {found}, but base_iri is {base_iri}: "
                          f"build and serve with the same base_iri")


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


# --- The service's store: the release (or any RDF files) bulk-loaded once into an on-disk
# Oxigraph store that every query worker opens read-only.

QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)


@dataclass(frozen=True)
class StoreInput:
    """One RDF file to load, and the named graph its triples go into (None for quad formats)."""

    path: Path
    format: ox.RdfFormat
    graph: str | None


@dataclass(frozen=True)
class PreparedStore:
    path: Path
    inputs: tuple[StoreInput, ...]
    graphs: dict[str, int]  # graph IRI -> triples

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def file_inputs(files: list[Path], graph_base: str) -> list[StoreInput]:
    """Each triples file becomes the graph ``{graph_base}{file name}``; quad files keep their graphs."""
    inputs, names = [], set()
    for file in files:
        path = Path(file)
        if not path.is_file():
            raise ConfigError(f"{path}: no such file")
        fmt = rdf_format_of(path)
        graph = None if fmt in QUAD_FORMATS else graph_base + quote(path.name)
        if graph in names:
            raise ConfigError(f"{path}: another file is also named {path.name}; rename one")
        names.add(graph)
        inputs.append(StoreInput(path.resolve(), fmt, graph))
    return inputs


def release_inputs(folder: Path) -> list[StoreInput]:
    return [StoreInput((Path(folder) / RELEASE_DUMP).resolve(), ox.RdfFormat.N_QUADS, None)]


def rdf_format_of(path: Path) -> ox.RdfFormat:
    name = path.name[:-3] if path.name.endswith(".gz") else path.name
    fmt = ox.RdfFormat.from_extension(name.rsplit(".", 1)[-1]) if "." in name else None
    if fmt is None:
        raise ConfigError(f"{path}: unknown RDF format; use .ttl, .nt, .nq, .trig, .rdf, .jsonld or .n3")
    return fmt


def prepare_store(inputs: list[StoreInput], cache_dir: Path) -> PreparedStore:
    """Bulk-load ``inputs`` into an on-disk store under ``cache_dir`` (reused while inputs are unchanged)."""
    key = _cache_key(inputs)
    target = Path(cache_dir) / key
    meta_file = target / "gpai-kg-store.json"
    if not meta_file.is_file():
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key[:12]}-", dir=cache_dir))
        try:
            store = ox.Store(str(tmp / "oxigraph"))
            for item in inputs:
                _bulk_load(store, item)
            store.optimize()
            graphs = {}
            for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
                graphs[row["g"].value] = int(row["n"].value)
            store.flush()
            del store
            (tmp / "gpai-kg-store.json").write_text(json.dumps({"graphs": graphs}, indent=1))
            try:
                os.rename(tmp, target)
            except OSError:  # another process prepared the same store meanwhile
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    graphs = json.loads(meta_file.read_text())["graphs"]
    return PreparedStore(target / "oxigraph", tuple(inputs), graphs)


def count_graphs(inputs: list[StoreInput], cache_dir: Path) -> dict[str, int]:
    """Triples per named graph in ``inputs``, without loading a store (cached while they are unchanged)."""
    cache = Path(cache_dir) / f"counts-{_cache_key(inputs)}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    counts: dict[str, int] = {}
    for item in inputs:
        try:
            for quad in ox.parse(path=str(item.path), format=item.format):
                graph = item.graph or quad.graph_name.value
                counts[graph] = counts.get(graph, 0) + 1
        except SyntaxError as exc:
            raise ParseError(item.path, None, str(exc)) from None
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(counts, indent=1))
    os.replace(tmp, cache)
    return counts


def _bulk_load(store: ox.Store, item: StoreInput) -> None:
    kwargs = {"format": item.format}
    if item.graph is not None:
        kwargs["to_graph"] = ox.NamedNode(item.graph)
    try:
        if item.path.name.endswith(".gz"):
            with gzip.open(item.path, "rb") as handle:
                store.bulk_load(handle, **kwargs)
        else:
            store.bulk_load(path=str(item.path), **kwargs)
    except SyntaxError as exc:
        raise ParseError(item.path, None, str(exc)) from None


def _cache_key(inputs: list[StoreInput]) -> str:
    digest = hashlib.sha256(ox.__version__.encode() if hasattr(ox, "__version__") else b"")
    for item in inputs:
        stat = item.path.stat()
        digest.update(json.dumps([str(item.path), stat.st_size, stat.st_mtime_ns, item.graph,
                                  item.format.file_extension]).encode())
    return digest.hexdigest()[:32]
