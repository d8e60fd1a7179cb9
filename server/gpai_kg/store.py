"""The query store: a release (or any RDF files) loaded into Oxigraph, read-only by use.

The CLI loads a release in memory; the service bulk-loads it once into an on-disk store
that its query workers open read-only (see :func:`prepare_store`).

Queries run with the union of all named graphs as the default graph, so a query without
``FROM`` sees the knowledge graph, the ontology and the shapes together.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import multiprocessing as mp
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from .errors import ConfigError, DamagedRelease, ParseError, ReleaseNotFound
from .namespaces import CANONICAL_BASE, DCAT3, VOID, Namespaces
from .project import Project
from .release_files import (ARTEFACTS, CHANGE_FILES, CHECKSUMS_FILE, RELEASE_DUMP, VOID_FILE, is_release_folder,
                            is_version, latest_release, releases_dir)
from .void import sha256


def release_folder(project: Project, version: str | None = None) -> Path:
    """The folder of release ``version`` (default: the latest), or ReleaseNotFound."""
    if version:
        folder = releases_dir(project.dist) / version if is_version(version) else None
        if folder is None or not is_release_folder(folder):
            kept = sorted(p.name for p in releases_dir(project.dist).glob("*") if is_release_folder(p))
            raise ReleaseNotFound(f"no release {version!r} under {project.dist}: "
                                  + (f"the releases kept there are {', '.join(kept)}" if kept
                                     else "run `gpai-kg build` first"))
        return folder
    folder = latest_release(project.dist)
    if folder is None or not folder.is_dir():
        raise ReleaseNotFound(f"no release under {project.dist}: run `gpai-kg build` first")
    return folder


def verify_release(folder: Path) -> str:
    """Refuse a release that is not, byte for byte, what its validating build wrote.

    Every file the build writes must be listed in ``SHA256SUMS`` and match its checksum; the
    error names the first file that does not. Returns the SHA-256 of ``SHA256SUMS`` itself,
    which names the release's exact content.
    """
    sums_file = Path(folder) / CHECKSUMS_FILE
    listed = checksums(folder)
    for name in [a.name for a in ARTEFACTS] + [VOID_FILE]:
        if name not in listed:
            raise DamagedRelease(f"{folder / name} is not listed in {CHECKSUMS_FILE}; rebuild the release")
    for name, digest in listed.items():
        _check(Path(folder) / name, digest)
    # A release that names a predecessor publishes its change set against it (gpai_kg.diff).
    void = release_void(folder)
    if release_previous(void, release_namespaces(folder, void)) is not None:
        for change in CHANGE_FILES:
            if change.name not in listed:
                raise DamagedRelease(f"{folder / change.name} is not listed in {CHECKSUMS_FILE}, but the release "
                                     f"names a previous release; rebuild the release")
    return sha256(sums_file)


def verify_file(folder: Path, name: str) -> Path:
    """One file of a release, checked against its line in ``SHA256SUMS`` (DamagedRelease if it fails)."""
    listed = checksums(folder)
    if name not in listed:
        raise DamagedRelease(f"{Path(folder) / name} is not listed in {CHECKSUMS_FILE}")
    return _check(Path(folder) / name, listed[name])


def read_verified(folder: Path, name: str) -> bytes:
    """One file of a release, read once and checked in memory against its line in ``SHA256SUMS``."""
    listed = checksums(folder)
    path = Path(folder) / name
    if name not in listed:
        raise DamagedRelease(f"{path} is not listed in {CHECKSUMS_FILE}")
    try:
        content = path.read_bytes()
    except OSError:
        raise DamagedRelease(f"{path} is listed in {CHECKSUMS_FILE} but cannot be read; rebuild the release") from None
    if hashlib.sha256(content).hexdigest() != listed[name]:
        raise DamagedRelease(f"{path} does not match its checksum in {CHECKSUMS_FILE} (damaged or changed "
                             f"after the build validated it); rebuild the release")
    return content


def _check(path: Path, digest: str) -> Path:
    if not path.is_file():
        raise DamagedRelease(f"{path} is listed in {CHECKSUMS_FILE} but missing; rebuild the release")
    if sha256(path) != digest:
        raise DamagedRelease(f"{path} does not match its checksum in {CHECKSUMS_FILE} (damaged or changed "
                             f"after the build validated it); rebuild the release")
    return path


def checksums(folder: Path) -> dict[str, str]:
    """File name → SHA-256, as the release's ``SHA256SUMS`` lists them."""
    sums_file = Path(folder) / CHECKSUMS_FILE
    if not sums_file.is_file():
        raise DamagedRelease(f"{folder} has no {CHECKSUMS_FILE}: it is not a release written by `gpai-kg build`, "
                             f"which validates first")
    listed = {}
    for line in sums_file.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    return listed


def release_void(folder: Path) -> tuple[ox.Triple, ...]:
    """The triples of a release's VoID/DCAT description."""
    path = Path(folder) / VOID_FILE
    try:
        return tuple(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, OSError) as exc:
        raise DamagedRelease(f"{path}: cannot be read ({exc}); rebuild the release") from None


def release_base(void: tuple[ox.Triple, ...]) -> str | None:
    """The base IRI a release was built with, from its VoID's ``void:uriSpace`` ({base}id/)."""
    found = next((t.object.value for t in void if t.predicate.value == str(VOID.uriSpace)
                  and t.subject.value.endswith("/dataset")), None)
    return found[:-len("id/")] if found and found.endswith("id/") else None


def release_namespaces(folder: Path, void: tuple[ox.Triple, ...] | None = None) -> Namespaces:
    """The namespaces of a release's own IRIs (its base_iri may not be the canonical one)."""
    return Namespaces(release_base(release_void(folder) if void is None else void) or CANONICAL_BASE)


def release_previous(void: tuple[ox.Triple, ...], ns: Namespaces) -> str | None:
    """The version of the release this one says it follows (``dcat:previousVersion``), or None."""
    me = f"{ns.releases}"
    for t in void:
        if (t.predicate.value == str(DCAT3.previousVersion) and t.subject.value.startswith(me)
                and t.object.value.startswith(me)):
            return t.object.value[len(me):]
    return None


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
    lock: int | None = None  # a shared lock on the store folder, held while the store is in use

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


#: In each store folder: held (flock) by every process using the store, exclusively while it is built.
IN_USE = ".in-use"


#: The store cache's folders: a store under its key (cache_key), or a build of one in progress.
STORE_FOLDER = re.compile(r"^(?:[0-9a-f]{32}|\.tmp-[0-9a-f]{12}-.*)$")


def build_locked(target: Path, prefix: str, build) -> int:
    """Build a cache folder with ``build(tmp)`` in a temporary folder beside ``target`` and rename it into
    place; returns a descriptor holding a shared lock on ``target`` while the process lives.

    A build that is killed leaves its folder unlocked (the cache removes it); when another process
    published the same folder meanwhile, its copy is used and ours removed.
    """
    tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    hold = lock_folder(tmp, fcntl.LOCK_EX)
    try:
        build(tmp)
        try:
            os.rename(tmp, target)
            fcntl.flock(hold, fcntl.LOCK_SH)
        except OSError:  # another process prepared the same folder meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
            os.close(hold)
            hold = lock_folder(target, fcntl.LOCK_SH)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(hold)
        raise
    return hold


def prepare_store(inputs: list[StoreInput], cache_dir: Path) -> PreparedStore:
    """Bulk-load ``inputs`` into an on-disk store under ``cache_dir`` (reused while inputs are unchanged).

    Stores of earlier inputs, and folders of builds that were killed, are removed here, unless a
    running process still holds them (each holds a shared lock on its store while it lives).
    """
    key = cache_key(inputs)
    target = Path(cache_dir) / key
    meta_file = target / "gpai-kg-store.json"
    if meta_file.is_file():
        hold = lock_folder(target, fcntl.LOCK_SH)
    else:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        hold = build_locked(target, f".tmp-{key[:12]}-", lambda tmp: _in_a_process_of_its_own(
            _build_store, str(tmp), [(str(i.path), i.format.file_extension, i.graph) for i in inputs]))
    remove_unused(Path(cache_dir), target, STORE_FOLDER)
    graphs = json.loads(meta_file.read_text())["graphs"]
    return PreparedStore(target / "oxigraph", tuple(inputs), graphs, hold)


def _build_store(tmp: str, specs: list[tuple[str, str, str | None]]) -> None:
    tmp = Path(tmp)
    store = ox.Store(str(tmp / "oxigraph"))
    for path, extension, graph in specs:
        _bulk_load(store, StoreInput(Path(path), ox.RdfFormat.from_extension(extension), graph))
    store.optimize()
    graphs = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graphs[row["g"].value] = int(row["n"].value)
    store.flush()
    del store
    (tmp / "gpai-kg-store.json").write_text(json.dumps({"graphs": graphs}, indent=1))


def _in_a_process_of_its_own(function, *args) -> None:
    """Run ``function(*args)`` in a fresh process, and raise here what it raised there.

    RocksDB starts threads that outlive the store that started them. The process that serves must
    never have them: gunicorn forks its workers from it, and a forked worker would inherit the
    threads' locks but not the threads (it hangs at exit, waiting for them).
    """
    context = mp.get_context("spawn")
    with context.Pool(1) as pool:
        pool.apply(function, args)


def lock_folder(folder: Path, how: int) -> int:
    """A lock on a cache folder (its .in-use file) as a file descriptor: shared while a process uses it."""
    fd = os.open(folder / IN_USE, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, how)
    return fd


def remove_unused(cache_dir: Path, keep: Path, mine: re.Pattern) -> None:
    """Remove the folders of one cache that nobody holds (earlier inputs, builds that were killed).

    Several caches share the folder (stores, search indexes): each names its own folders by ``mine``
    and removes only those, since another cache's folder may be between being found and being held.
    """
    for folder in cache_dir.iterdir():
        if folder == keep or not mine.match(folder.name) or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            fd = os.open(folder / IN_USE, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a running server (or a build in progress) holds it
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def count_graphs(inputs: list[StoreInput], cache_dir: Path) -> dict[str, int]:
    """Triples per named graph in ``inputs``, without loading a store (cached while they are unchanged)."""
    cache = Path(cache_dir) / f"counts-{cache_key(inputs)}.json"
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


def cache_key(inputs: list[StoreInput]) -> str:
    digest = hashlib.sha256(ox.__version__.encode() if hasattr(ox, "__version__") else b"")
    for item in inputs:
        stat = item.path.stat()
        digest.update(json.dumps([str(item.path), stat.st_size, stat.st_mtime_ns, item.graph,
                                  item.format.file_extension]).encode())
    return digest.hexdigest()[:32]
