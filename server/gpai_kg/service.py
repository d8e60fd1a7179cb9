"""What the web service serves: its settings, its dataset, where its queries run, its dumps.

Built once per web worker process by :func:`gpai_kg.web.create_app`; the views read it from
``current_app.extensions["gpai_kg"]``. Data flows one way: release (or files) → on-disk store
→ query workers; or, with the ``store`` setting, release → ``gpai-kg load`` → external store.
The dumps and the VoID are the release's files either way.
"""

from __future__ import annotations

import contextvars
import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .admission import Admission, Limits
from .archive import Archive
from .backends import EmbeddedBackend, ExternalBackend
from .config import Settings, allowed_services
from .errors import ConfigError
from .formats import GZIP
from .gate import CheckedQuery, Policy, Template, check, rebase_query
from .history import ResourceHistory
from .namespaces import DCTERMS, OWL, Namespaces
from .pool import QueryJob, QueryOutcome
from .project import Project
from .queries import QueryFile, read_queries, rows
from .release_files import VOID_FILE, Dump, release_dumps, stat_etag
from .search_index import Hit, SearchIndex, TypeFilter, prepare_index, release_quads
from .store import (RELEASE_DUMP, cache_key, check_base, count_graphs, file_inputs, prepare_store, rdf_format_of,
                    release_folder, checksums, release_inputs, release_void, verify_release)

#: Who the current request's queries are for (the client address, set by the web layer):
#: admission control counts per client.
CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("gpai_kg_client", default="(the service itself)")
#: A search reads a few hundred index rows and takes milliseconds; one still running after this is stopped.
SEARCH_SECONDS = 2.0


def _with_index(backend: Callable[[], EmbeddedBackend | ExternalBackend], index_key: str, quads, cache: Path,
                ns: Namespaces) -> tuple[EmbeddedBackend | ExternalBackend, Path, int]:
    """``backend()``, with the search index of ``quads()`` prepared meanwhile on a thread: the store is
    bulk-loaded by a process of its own, and on a first start with a large dataset the two take about
    as long (the machine has two cores). Returns the backend, the index's path and its folder's lock."""
    with ThreadPoolExecutor(1, thread_name_prefix="gpai-kg-index") as beside:
        indexed = beside.submit(prepare_index, index_key, quads, cache, ns)
        built = backend()
        return built, *indexed.result()


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
    checksum: str | None = None       # SHA-256 of the release's SHA256SUMS, verified at start-up
    search_index: SearchIndex | None = None  # names and identifiers (gpai_kg.search_index)
    _index_lock: int | None = field(default=None, repr=False)
    archive: Archive | None = None    # the releases kept beside it (release mode)
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
            dumps = {p.path.name: Dump(p.path.name, p.path, _media_type(p.path), stat_etag(p.path)) for p in inputs}
            backend, index, hold = _with_index(
                lambda: EmbeddedBackend(prepare_store(inputs, cache), settings),
                cache_key(inputs), lambda: release_quads([(i.path, i.format) for i in inputs]), cache, ns)
            return cls(settings, backend, dumps, "files", project, search_index=SearchIndex(index), _index_lock=hold)
        folder = release_folder(project, settings.release)
        checksum = verify_release(folder)  # a damaged or incomplete release is never served
        void = release_void(folder)
        check_base(void, settings.base_iri)

        def connect() -> EmbeddedBackend | ExternalBackend:
            if settings.store:
                return ExternalBackend.connect(settings, count_graphs(release_inputs(folder), cache), folder.name)
            return EmbeddedBackend(prepare_store(release_inputs(folder), cache), settings)

        # The index is keyed by the release's checksums: built once per release, whatever the backend.
        backend, index, hold = _with_index(
            connect, checksum, lambda: release_quads([(folder / RELEASE_DUMP, ox.RdfFormat.N_QUADS)]), cache,
            Namespaces(settings.base_iri))
        archive = Archive(project.dist, folder.name, Namespaces(settings.base_iri),
                          settings.release_memory_max_triples, settings.max_rows, settings.max_query_bytes)
        return cls(settings, backend, release_dumps(folder, checksums(folder)), f"release {folder.name}", project,
                   folder.name, folder / VOID_FILE, void, checksum, SearchIndex(index), hold, archive)

    @cached_property
    def ns(self) -> Namespaces:
        return Namespaces(self.settings.base_iri)

    @cached_property
    def examples(self) -> list[QueryFile]:
        """The example queries, their IRIs under this release's base."""
        return [self._rebased(q) for q in read_queries(self.project.examples_dir)]

    @cached_property
    def views(self) -> dict[str, QueryFile]:
        """The queries behind the home page (queries/views/), by name, under this release's base."""
        return {q.name: self._rebased(q) for q in read_queries(self.project.root / "queries" / "views")}

    def _rebased(self, query: QueryFile) -> QueryFile:
        return dataclasses.replace(query, text=rebase_query(query.text, self.ns.base))

    def view_rows(self, name: str) -> list[dict]:
        """The rows of a view query, run once per process: the store is read-only."""
        if name not in self._view_rows:
            self._view_rows[name] = self.select(Template(self.views[name].text, name))
        return self._view_rows[name]

    @cached_property
    def history(self) -> ResourceHistory:
        """What the change sets of the served release and those before it say of each resource."""
        return ResourceHistory(self.archive.chain() if self.archive else [])

    @cached_property
    def tombstones(self) -> dict[str, str | None]:
        """IRIs the curators withdrew: each to its replacement (a 301), or to None if deprecated (a 410).

        Read once per process: the release does not change while it is served.
        """
        found: dict[str, str | None] = {}
        for row in self.select(TOMBSTONES):
            iri = row["r"].value
            if "replacement" in row:
                found[iri] = row["replacement"].value
            elif row["deprecated"].value in ("true", "1"):  # Virtuoso writes booleans as 1 and 0
                found.setdefault(iri, None)
        return found

    def dataset_fact(self, predicate: str, subject: str | None = None) -> str | None:
        """A value the release's VoID gives the dataset itself (its description, date…), or ``subject``."""
        return next(iter(self.dataset_facts(predicate, subject)), None)

    def dataset_facts(self, predicate: str, subject: str | None = None) -> list[str]:
        """Every such value, sorted."""
        subject = subject or str(self.ns.dataset)
        return sorted(t.object.value for t in self.void
                      if t.subject.value == subject and t.predicate.value == predicate)

    @property
    def graphs(self) -> dict[str, int]:
        """The dataset's named graphs and their sizes."""
        return self.backend.graphs

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    @cached_property
    def policy(self) -> Policy:
        """What the checked door allows here: the allow-listed endpoints, the dataset's graphs, the limits."""
        return Policy(frozenset(allowed_services(self.settings)), frozenset(self.graphs),
                      self.settings.max_query_bytes)

    @cached_property
    def admission(self) -> Admission:
        s = self.settings
        return Admission(Limits(**{name: s[name] for name in Limits.__dataclass_fields__}))

    def start(self) -> None:
        self.backend.start()

    def check(self, text: str, protocol_graphs=()) -> CheckedQuery:
        """The checked door (gpai_kg.gate) with this service's policy."""
        return check(text, self.policy, protocol_graphs)

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        """Run a checked query for the current client, under admission control and the time limit."""
        if not isinstance(job.query, CheckedQuery):
            raise TypeError("only a query the checked door let through may run")
        ticket = self.admission.admit(CLIENT.get())
        try:
            return self.backend.run(job, timeout, ticket)
        finally:
            ticket.close()

    # Queries the service asks itself (pages, charts), through the same door and under the same
    # limits as anyone's; request input enters them only as RDF terms (gpai_kg.gate.Template).
    def select(self, template: Template, **params) -> list[dict]:
        """The rows of a SELECT as dicts of bound pyoxigraph terms."""
        return rows(self._results(template, params))

    def ask(self, template: Template, **params) -> bool:
        return bool(self._results(template, params))

    def construct(self, template: Template, format_name: str, **params) -> QueryOutcome:
        job = QueryJob(self.check(template.fill(**params)), format_name, self.settings.max_rows)
        return self.run(job, self.settings.query_timeout)

    def _results(self, template: Template, params: dict):
        job = QueryJob(self.check(template.fill(**params)), "json", self.settings.max_rows)
        body = self.run(job, self.settings.query_timeout).body
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def search(self, query: str, types: TypeFilter | None = None, limit: int = 10, fuzzy: bool = False) -> list[Hit]:
        """Search the names and identifiers (gpai_kg.search_index) for the current client, under admission
        control and a time limit, like a query."""
        if self.search_index is None:
            return []
        ticket = self.admission.admit(CLIENT.get())
        try:
            return self.search_index.search(query, types, limit, fuzzy=fuzzy,
                                            deadline=time.monotonic() + min(SEARCH_SECONDS, self.settings.query_timeout))
        finally:
            ticket.close()

    def shutdown(self) -> None:
        """Stop now: queries in flight end with 503, nothing is left running."""
        self.backend.shutdown()

    close = shutdown

    def version_info(self) -> dict:
        import pyoxigraph
        import rdflib

        return {"gpai_kg": __version__, "source": self.source, "release": self.release_version,
                "backend": self.backend.kind, "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}


#: The deprecated and replaced IRIs of the served release (gpai_kg.web.linked_data answers 410 and 301).
TOMBSTONES = Template(f"""
    SELECT ?r ?replacement ?deprecated WHERE {{
      {{ ?r <{DCTERMS.isReplacedBy}> ?replacement FILTER(isIRI(?r)) }}
      UNION {{ ?r <{OWL.deprecated}> ?deprecated FILTER(isIRI(?r)) }}
    }}""", "tombstones")


def _media_type(path: Path) -> str:
    return GZIP if path.name.endswith(".gz") else rdf_format_of(path).media_type
