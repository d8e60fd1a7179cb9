"""What the web service serves: its settings, its dataset, its query workers and its dumps.

Built once per web worker process by :func:`gpai_kg.web.create_app`; the views read it from
``current_app.extensions["gpai_kg"]``. Data flows one way: release (or files) → on-disk store
→ query workers.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .build import ARTEFACTS, CHECKSUMS_FILE, VOID_FILE
from .config import Settings
from .namespaces import Namespaces
from .pool import QueryJob, QueryOutcome, WorkerPool
from .project import Project
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
    release_version: str | None = None
    _pool: WorkerPool | None = field(default=None, repr=False)
    _pool_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Service:
        project = Project.from_settings(settings)
        cache = Path(settings.store_dir) if settings.store_dir else project.dist / "store"
        if settings.files:
            ns = Namespaces(settings.base_iri)
            inputs = file_inputs(list(settings.files), str(ns.graph))
            dumps = {p.path.name: Dump(p.path.name, p.path, _media_type(p.path)) for p in inputs}
            return cls(settings, prepare_store(inputs, cache), dumps, "files")
        folder = release_folder(project, settings.release)
        return cls(settings, prepare_store(release_inputs(folder), cache), _release_dumps(folder),
                   f"release {folder.name}", folder.name)

    @property
    def pool(self) -> WorkerPool:
        # Started by the process that serves (never before gunicorn forks its workers).
        if self._pool is None:
            with self._pool_lock:
                if self._pool is None:
                    in_memory = self.store.triples <= self.settings.memory_store_max_triples
                    self._pool = WorkerPool(str(self.store.path), self.settings.threads,
                                            self.settings.query_memory_mb, in_memory)
        return self._pool

    def start(self) -> None:
        self.pool  # noqa: B018 - starting the pool is the point

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        return self.pool.run(job, timeout)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def version_info(self) -> dict:
        import pyoxigraph
        import rdflib

        return {"gpai_kg": __version__, "source": self.source, "release": self.release_version,
                "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}


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
