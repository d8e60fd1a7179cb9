"""What the web service serves: its settings, its dataset, its query workers and its dumps.

Built once per web worker process by :func:`gpai_kg.web.create_app`; the views read it from
``current_app.extensions["gpai_kg"]``. Data flows one way: release (or files) → on-disk store
→ query workers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .build import ARTEFACTS, CHECKSUMS_FILE, VOID_FILE
from .config import Settings
from .errors import ConfigError
from .namespaces import VOID, Namespaces
from .pool import QueryJob, QueryOutcome, WorkerPool
from .project import Project
from .queries import QueryFile, read_queries, rows
from .store import (PreparedStore, file_inputs, prepare_store, rdf_format_of, release_folder,
                    release_inputs)

GZIP = "application/gzip"


@dataclass(frozen=True)
class Dump:
    """A file offered for download at ``/dumps/{name}``."""

    name: str
    path: Path
    media_type: str


@dataclass
class Service:
    settings: Settings
    store: PreparedStore
    dumps: dict[str, Dump]
    source: str                       # "release <version>" or "files"
    project: Project
    release_version: str | None = None
    void_path: Path | None = None     # the release's VoID/DCAT description
    void: tuple[ox.Triple, ...] = ()  # … parsed once, at start-up
    _pool: WorkerPool | None = field(default=None, repr=False)
    _pool_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _view_rows: dict[str, list[dict]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Service:
        project = Project.from_settings(settings)
        cache = Path(settings.store_dir) if settings.store_dir else project.dist / "store"
        if settings.files:
            ns = Namespaces(settings.base_iri)
            inputs = file_inputs(list(settings.files), str(ns.graph))
            dumps = {p.path.name: Dump(p.path.name, p.path, _media_type(p.path)) for p in inputs}
            return cls(settings, prepare_store(inputs, cache), dumps, "files", project)
        folder = release_folder(project, settings.release)
        void = tuple(ox.parse(path=str(folder / VOID_FILE), format=ox.RdfFormat.TURTLE))
        _check_base(void, settings.base_iri)
        return cls(settings, prepare_store(release_inputs(folder), cache), _release_dumps(folder),
                   f"release {folder.name}", project, folder.name, folder / VOID_FILE, void)

    @cached_property
    def ns(self) -> Namespaces:
        return Namespaces(self.settings.base_iri)

    @cached_property
    def examples(self) -> list[QueryFile]:
        return read_queries(self.project.examples_dir)

    @cached_property
    def views(self) -> dict[str, QueryFile]:
        """The queries behind the home page (queries/views/), by name."""
        return {q.name: q for q in read_queries(self.project.root / "queries" / "views")}

    def view_rows(self, name: str) -> list[dict]:
        """The rows of a view query, run once per process: the store is read-only."""
        if name not in self._view_rows:
            self._view_rows[name] = self.select(self.views[name].text)
        return self._view_rows[name]

    def dataset_fact(self, predicate: str) -> str | None:
        """A value the release's VoID gives the dataset itself (its description, date…)."""
        return next((t.object.value for t in self.void
                     if t.subject.value == str(self.ns.dataset) and t.predicate.value == predicate), None)

    @property
    def pool(self) -> WorkerPool:
        # Started by the process that serves (never before gunicorn forks its workers).
        if self._pool is None:
            with self._pool_lock:
                if self._pool is None:
                    self._pool = WorkerPool(str(self.store.path), self.settings.threads,
                                            self.settings.query_memory_mb, self.store_mode == "memory")
        return self._pool

    @property
    def store_mode(self) -> str:
        """Where queries read from: "memory" (a copy per web worker) or "disk" (RocksDB)."""
        return "memory" if self.store.triples <= self.settings.memory_store_max_triples else "disk"

    def start(self) -> None:
        self.pool  # noqa: B018 - starting the pool is the point

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        return self.pool.run(job, timeout)

    # Queries the service asks itself (pages, charts), under the same limits as anyone's.
    def select(self, query: str) -> list[dict]:
        """The rows of a SELECT as dicts of bound pyoxigraph terms."""
        return rows(self._parsed(query))

    def ask(self, query: str) -> bool:
        return bool(self._parsed(query))

    def construct(self, query: str, format_name: str) -> QueryOutcome:
        job = QueryJob(query, format_name, True, self.settings.max_rows)
        return self.run(job, self.settings.query_timeout)

    def _parsed(self, query: str):
        job = QueryJob(query, "json", False, self.settings.max_rows)
        body = self.run(job, self.settings.query_timeout).body
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def version_info(self) -> dict:
        import pyoxigraph
        import rdflib

        return {"gpai_kg": __version__, "source": self.source, "release": self.release_version,
                "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}


def _check_base(void: tuple[ox.Triple, ...], base_iri: str) -> None:
    """Refuse to serve a release whose IRIs live under another base than the one configured."""
    found = next((t.object.value for t in void if t.predicate.value == str(VOID.uriSpace)
                  and t.subject.value.endswith("/dataset")), None)
    if found and found != base_iri + "id/":
        raise ConfigError(f"the release was built with its IRIs under {found}, but base_iri is {base_iri}: "
                          f"build and serve with the same base_iri")


def _release_dumps(folder: Path) -> dict[str, Dump]:
    dumps = {}
    for artefact in ARTEFACTS:
        media = GZIP if artefact.gzip else artefact.media_type
        dumps[artefact.name] = Dump(artefact.name, folder / artefact.name, media)
    dumps[VOID_FILE] = Dump(VOID_FILE, folder / VOID_FILE, "text/turtle")
    dumps[CHECKSUMS_FILE] = Dump(CHECKSUMS_FILE, folder / CHECKSUMS_FILE, "text/plain")
    return dumps


def _media_type(path: Path) -> str:
    return GZIP if path.name.endswith(".gz") else rdf_format_of(path).media_type
