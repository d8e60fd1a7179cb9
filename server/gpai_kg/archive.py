"""The kept releases, as the service offers them beside the one it serves.

At start-up the service lists the releases kept in its dist folder (:func:`gpai_kg.releases.kept_releases`)
and checks each against its ``SHA256SUMS``, as it checks the one it serves (a few tens of milliseconds
a release). A damaged earlier release does not stop the service: it is logged, marked damaged in
the list, and none of its files is served (each answers 500, naming the problem:
:class:`gpai_kg.errors.ReleaseDamaged`); the other releases are served.

The data document of a resource as an earlier release described it (``/releases/{version}/data/…``)
is answered from that release's own dump, loaded into a small in-memory Oxigraph store on first use
(:class:`MemoryStores`): the query store holds the served release only. Up to
``release_memory_max_triples`` quads stay loaded per web worker, least recently used first out. The
description query is the served release's (:data:`gpai_kg.describe.DESCRIPTION`) and passes the same
checked door (:func:`gpai_kg.gate.check`) before it runs.

Why in memory rather than documents written at build time: a release of ours (16,000 triples) loads
in about 0.1 s and takes a few MB, and an earlier release is asked for rarely; documents written at
build time would cost a description query per resource at every build (minutes at a million
triples) and many times the release's size on disk, for pages few people open.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import DamagedRelease, NotFound, ReleaseDamaged, ServiceBusy
from .formats import Format
from .gate import Policy, Template, check
from .namespaces import DCAT, DCAT3, DCTERMS, RDF, Namespaces
from .release_files import RELEASE_DUMP, Dump, is_version, release_dumps
from .releases import KeptRelease, kept_releases
from .results import Rendered, render
from .store import checksums, release_void, verify_release

log = logging.getLogger(__name__)

#: The title of the catalogue of releases ({base}releases/).
CATALOGUE_TITLE = "Releases of the GPAI Knowledge Graph"


class Archive:
    """The releases kept beside the served one: listed and verified once, at start-up."""

    def __init__(self, dist: Path, served: str, ns: Namespaces, max_quads: int, max_rows: int,
                 max_query_bytes: int) -> None:
        self.ns = ns
        self.served = served
        self.releases: dict[str, KeptRelease] = {r.version: r for r in kept_releases(dist)}  # newest first
        self.stores = MemoryStores(max_quads)
        self.max_rows = max_rows
        self.policy = Policy(frozenset(), None, max_query_bytes)
        # version -> None (verified) or the problem; the served release was verified by the service.
        self._checked: dict[str, str | None] = {served: None}
        for version, release in self.releases.items():
            if version not in self._checked:
                self._checked[version] = _problem(release)
                if self._checked[version]:
                    log.warning("release %s is damaged and will not be served: %s", version, self._checked[version])
        self._files: dict[str, dict[str, Dump]] = {}
        self._catalogue: list[ox.Triple] | None = None

    # which releases ----------------------------------------------------------------------------
    def get(self, version: str) -> KeptRelease:
        """A kept release; the version is looked up, never made into a path (a bad one is a 404)."""
        release = self.releases.get(version) if is_version(version) else None
        if release is None:
            raise NotFound(f"no release {version!r} is kept here; the releases are listed at /releases/")
        return release

    def problem(self, version: str) -> str | None:
        """Why a kept release is not served (its files do not match its SHA256SUMS), or None."""
        return self._checked.get(version)

    def chain(self) -> list[KeptRelease]:
        """The served release and those before it, newest first (its history)."""
        found, version = [], self.served
        while version in self.releases and all(r.version != version for r in found):
            found.append(self.releases[version])
            version = self.releases[version].previous
        return found

    def verified(self, version: str) -> KeptRelease:
        """The release, if its files matched its SHA256SUMS at start-up."""
        release = self.get(version)
        problem = self._checked[version]
        if problem is not None:
            raise ReleaseDamaged(f"release {version} is damaged and none of its files is served: {problem}",
                                 kind="damaged-release", release=version)
        return release

    def files(self, version: str) -> dict[str, Dump]:
        """The release's files, by name, once verified."""
        release = self.verified(version)
        if version not in self._files:
            self._files[version] = release_dumps(release.folder, checksums(release.folder))
        return self._files[version]

    # what they say of themselves -----------------------------------------------------------------
    def void(self, version: str) -> tuple[ox.Triple, ...]:
        return release_void(self.verified(version).folder)

    def catalogue(self) -> list[ox.Triple]:
        """DCAT for machines: the dataset, its versions, each with its files and its change set (made once)."""
        if self._catalogue is None:
            self._catalogue = self._make_catalogue()
        return self._catalogue

    def _make_catalogue(self) -> list[ox.Triple]:
        ns = self.ns
        home = ox.NamedNode(str(ns.releases))
        dataset = ox.NamedNode(str(ns.dataset))
        triples = [ox.Triple(home, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(DCAT.Catalog))),
                   ox.Triple(home, ox.NamedNode(str(DCTERMS.title)), ox.Literal(CATALOGUE_TITLE, language="en")),
                   ox.Triple(home, ox.NamedNode(str(DCAT.dataset)), dataset),
                   ox.Triple(dataset, ox.NamedNode(str(DCAT3.hasCurrentVersion)),
                             ox.NamedNode(str(ns.release(self.served))))]
        for index, release in enumerate(self.releases.values()):
            me = ox.NamedNode(str(ns.release(release.version)))
            triples += [ox.Triple(home, ox.NamedNode(str(DCAT.dataset)), me),
                        ox.Triple(dataset, ox.NamedNode(str(DCAT3.hasVersion)), me)]
            try:
                triples += _version_triples(self.void(release.version), ns, release.version, f"r{index}x")
            except ReleaseDamaged:
                continue  # listed, not described: its files are not served either
        return triples

    # earlier releases' data documents ----------------------------------------------------------
    def ask(self, version: str, template: Template, **params) -> bool:
        return bool(self._query(version, template, params))

    def construct(self, version: str, template: Template, fmt: Format, **params) -> Rendered:
        return render(self._query(version, template, params), fmt, self.max_rows)

    def _query(self, version: str, template: Template, params: dict):
        query = check(template.fill(**params), self.policy)  # the same door as every query
        return self.stores.get(self.verified(version)).query(query.text, use_default_graph_as_union=True)


def _problem(release: KeptRelease) -> str | None:
    try:
        verify_release(release.folder)
    except DamagedRelease as exc:
        return str(exc)
    return None


def _version_triples(void: tuple[ox.Triple, ...], ns: Namespaces, version: str, prefix: str) -> list[ox.Triple]:
    """What a release's VoID says of it as a version: itself, its change set, their files and checksums.

    Blank nodes (checksums) are renamed with ``prefix``, so that the VoIDs of several releases merge.
    """
    me = str(ns.release(version))
    subjects = {me, str(ns.changes(version))}
    files = f"{ns.releases}{version}/"
    keep = [t for t in void if t.subject.value in subjects or t.subject.value.startswith(files)]
    blanks = {t.object.value for t in keep if isinstance(t.object, ox.BlankNode)}
    keep += [t for t in void if isinstance(t.subject, ox.BlankNode) and t.subject.value in blanks]

    def rename(term):
        return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term

    return [ox.Triple(rename(t.subject), t.predicate, rename(t.object)) for t in keep]


@dataclass
class _Loaded:
    store: ox.Store
    quads: int


class MemoryStores:
    """Earlier releases in memory, each loaded on first use; beyond ``max_quads`` in all, least recently used out."""

    def __init__(self, max_quads: int) -> None:
        self.max_quads = max_quads
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}
        self.loads = 0

    def get(self, release: KeptRelease) -> ox.Store:
        key = str(release.folder)
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key].store
            lock = self._loading.setdefault(key, threading.Lock())
        with lock:  # one thread loads a release; the others wait for it
            with self._lock:
                if key in self._loaded:
                    return self._loaded[key].store
            path = release.folder / RELEASE_DUMP
            quads = _count_lines(path)
            if quads > self.max_quads:
                raise ServiceBusy(f"release {release.version} holds {quads} quads, more than the "
                                  f"{self.max_quads} this server keeps in memory for earlier releases "
                                  f"(release_memory_max_triples): its data is at "
                                  f"/releases/{release.version}/{RELEASE_DUMP}", limit="memory")
            store = ox.Store()
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            with self._lock:
                self.loads += 1
                self._loaded[key] = _Loaded(store, quads)
                while sum(item.quads for item in self._loaded.values()) > self.max_quads:
                    self._loaded.popitem(last=False)
            return store

    def stats(self) -> dict:
        with self._lock:
            return {"releases": len(self._loaded), "quads": sum(i.quads for i in self._loaded.values()),
                    "max_quads": self.max_quads, "loads": self.loads}


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            count += chunk.count(b"\n")
    return count
