"""What the web service serves: its settings, its dataset, where its queries run, its dumps.

Built once per web worker process by :func:`gpai_kg.web.create_app`; the views read it from
``current_app.extensions["gpai_kg"]``. Data flows one way: release (or files) → on-disk store
→ query workers; or, with the ``store`` setting, release → ``gpai-kg load`` → external store.
The dumps and the VoID are the release's files either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .build import ARTEFACTS, CHECKSUMS_FILE, VOID_FILE
from .backends import EmbeddedBackend, ExternalBackend
from .config import Settings
from .errors import ConfigError
from .namespaces import Namespaces
from .pool import QueryJob, QueryOutcome
from .project import Project
from .queries import QueryFile, read_queries, rows
from .store import (check_base, count_graphs, file_inputs, prepare_store, rdf_format_of, release_folder,
                    release_inputs, release_void)

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
    backend: EmbeddedBackend | ExternalBackend
    dumps: dict[str, Dump]
    source: str                       # "release <version>" or "files"
    project: Project
    release_version: str | None = None
    void_path: Path | None = None     # the release's VoID/DCAT description
    void: tuple[ox.Triple, ...] = ()  # … parsed once, at start-up
    _view_rows: dict[str, list[dict]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Service:
        project = Project.from_settings(settings)
        cache = Path(settings.store_dir) if settings.store_dir else project.dist / "store"
        if settings.files:
            if settings.store:
                raise ConfigError("serve FILES or serve from --store, not both: load a release into the store "
                                  "with `gpai-kg load`")
            ns = Namespaces(settings.base_iri)
            inputs = file_inputs(list(settings.files), str(ns.graph))
            dumps = {p.path.name: Dump(p.path.name, p.path, _media_type(p.path)) for p in inputs}
            backend = EmbeddedBackend(prepare_store(inputs, cache), settings)
            return cls(settings, backend, dumps, "files", project)
        folder = release_folder(project, settings.release)
        void = release_void(folder)
        check_base(void, settings.base_iri)
        if settings.store:
            expected = count_graphs(release_inputs(folder), cache)
            backend = ExternalBackend.connect(settings, expected, folder.name)
        else:
            backend = EmbeddedBackend(prepare_store(release_inputs(folder), cache), settings)
        return cls(settings, backend, _release_dumps(folder), f"release {folder.name}", project,
                   folder.name, folder / VOID_FILE, void)

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
    def graphs(self) -> dict[str, int]:
        """The dataset's named graphs and their sizes."""
        return self.backend.graphs

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def start(self) -> None:
        self.backend.start()

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        return self.backend.run(job, timeout)

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
        self.backend.close()

    def version_info(self) -> dict:
        import pyoxigraph
        import rdflib

        return {"gpai_kg": __version__, "source": self.source, "release": self.release_version,
                "backend": self.backend.kind, "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}


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
