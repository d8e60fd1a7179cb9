"""Where queries run: the embedded Oxigraph store, or an external SPARQL store.

Both take the same :class:`~gpai_kg.pool.QueryJob` (a query the web layer has already checked,
with its negotiated format, row cap and dataset) and give the same
:class:`~gpai_kg.pool.QueryOutcome` (the response body, whether it was cut), so everything above
them (protocol, limits, content negotiation, pages, dumps) is one code path.

* :class:`EmbeddedBackend`: the release bulk-loaded into Oxigraph, queried by killable worker
  processes (see :mod:`gpai_kg.pool`).
* :class:`ExternalBackend`: the release loaded into a store with ``gpai-kg load``, queried over
  the SPARQL 1.1 Protocol. Its answer is streamed through Oxigraph's parsers and serialisers,
  so clients get our formats and our row cap whatever the engine, and the time limit holds
  on our side: a store that overruns is abandoned and the client gets 504.
"""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pyoxigraph as ox

from .config import Settings, allowed_services
from .errors import BadGateway, ConfigError, GatewayTimeout, HttpError
from .formats import GRAPH_FORMATS, RESULT_FORMATS, by_name
from .pool import QueryJob, QueryOutcome, WorkerPool
from .results import render, render_triples
from .gate import CheckedQuery, Policy, check
from .store import PreparedStore
from .store_client import Credentials, StoreClient


class EmbeddedBackend:
    """The release in Oxigraph, in this machine's memory or on its disk.

    Queries run in the ``local`` pool, whose workers have no network at all. With federation
    on (a non-empty allow-list), queries whose ``SERVICE`` calls the door allowed run in a
    small ``federated`` pool whose workers may reach the allowed endpoints' ports only.
    """

    kind = "embedded"

    def __init__(self, store: PreparedStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._pools: dict[str, WorkerPool] = {}
        self._lock = threading.Lock()

    @property
    def graphs(self) -> dict[str, int]:
        return self.store.graphs

    @property
    def mode(self) -> str:
        """Where queries read from: "memory" (a copy per web worker) or "disk" (RocksDB)."""
        return "memory" if self.store.triples <= self.settings.memory_store_max_triples else "disk"

    def pool(self, federated: bool = False) -> WorkerPool:
        # Started by the process that serves (never before gunicorn forks its workers).
        name = "federated" if federated else "local"
        if name not in self._pools:
            with self._lock:
                if name not in self._pools:
                    endpoints = allowed_services(self.settings) if federated else ()
                    size = max(1, self.settings.query_workers // 2) if federated else self.settings.query_workers
                    self._pools[name] = WorkerPool(str(self.store.path), size, self.settings.query_memory_mb,
                                                   self.mode == "memory", endpoints)
        return self._pools[name]

    def start(self) -> None:
        self.pool().wait_ready()
        if allowed_services(self.settings):
            self.pool(federated=True).wait_ready()

    def run(self, job: QueryJob, timeout: float, ticket=None) -> QueryOutcome:
        return self.pool(federated=bool(job.query.services)).run(job, timeout, ticket)

    def health(self) -> dict:
        report = _probe({"kind": self.kind, "store": self.mode},
                        lambda: self.run(QueryJob(_PROBE, "json", 1), 2.0))
        report["query_workers"] = {name: {"workers": pool.size, "confinement": pool.confinement, **pool.stats}
                                   for name, pool in self._pools.items()}
        return report

    def shutdown(self) -> None:
        for pool in list(self._pools.values()):
            pool.shutdown()

    close = shutdown


#: What we ask a store for: formats Oxigraph parses as a stream. SPARQL XML results rather than
#: JSON for SELECT and ASK, because the one engine quirk we must repair is simplest there.
RESULTS_ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


class ExternalBackend:
    """The release in an external store, queried over the SPARQL 1.1 Protocol."""

    kind = "external"
    mode = "external"

    def __init__(self, client: StoreClient, graphs: dict[str, int], settings: Settings) -> None:
        self.client = client
        self.graphs = graphs
        self.settings = settings
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @classmethod
    def connect(cls, settings: Settings, expected: dict[str, int], release: str) -> ExternalBackend:
        """The store at ``settings.store``, once it answers and holds ``expected`` (graph → triples)."""
        client = StoreClient(settings.store, credentials=Credentials.from_environment())
        answers, _, why = client.ping(timeout=min(settings.query_timeout, 10))
        if not answers:
            raise ConfigError(f"{why}: start the store, or serve the embedded store (no --store)")
        held = client.graph_counts(expected, timeout=max(settings.query_timeout, 60))
        wrong = [f"<{g}> holds {held[g]:,} triples, release {release} has {n:,}"
                 for g, n in expected.items() if held[g] != n]
        if wrong:
            raise ConfigError(f"the store at {settings.store} does not hold release {release}: "
                              + "; ".join(wrong) + f". Run `gpai-kg load --store {settings.store} "
                              f"--graph-store URL --release {release}` first")
        return cls(client, held, settings)

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    # Twice the web threads: an abandoned request may hold a thread a little longer
                    # (until its next read from the store notices), and must not starve new ones.
                    self._executor = ThreadPoolExecutor(self.settings.threads * 2, "gpai-kg-store")
        return self._executor

    def start(self) -> None:
        self.executor  # noqa: B018

    def run(self, job: QueryJob, timeout: float, ticket=None) -> QueryOutcome:
        deadline = time.monotonic() + timeout
        abandoned = threading.Event()
        future = self.executor.submit(self._fetch, job, deadline, abandoned)
        try:
            if ticket is not None and ticket.long_after < timeout:
                try:
                    return future.result(timeout=ticket.long_after)
                except FutureTimeout:
                    try:
                        ticket.becomes_long()
                    except Exception:
                        abandoned.set()
                        raise
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            abandoned.set()
            raise GatewayTimeout(f"the store did not answer within the time limit of {timeout:g} s; "
                                 f"the query was abandoned", limit="time", seconds=timeout) from None

    def _fetch(self, job: QueryJob, deadline: float, abandoned: threading.Event) -> QueryOutcome:
        started = time.perf_counter()
        checked: CheckedQuery = job.query
        query = checked.text
        if job.protocol_dataset:
            default, named = job.default_graph or (), job.named_graphs or ()
            if checked.has_dataset:
                query = checked.text_without_dataset  # the protocol's dataset wins, on every engine
        elif not checked.has_dataset:
            # Name the dataset: the default graph is the union of our graphs and GRAPH sees only
            # ours, whatever the store's own default (Virtuoso's union includes its system graphs).
            default = named = tuple(self.graphs)
        else:
            default = named = ()  # the query's own FROM / FROM NAMED
        if job.base_iri and checked.relative_iris:
            # Relative IRIs resolve against our endpoint's URL, not the store's: a BASE on the same
            # line (so a syntax error keeps its line number), the IRI written by Oxigraph.
            query = f"BASE {ox.NamedNode(job.base_iri)} {query}"
        accept = GRAPH_ACCEPT if job.graph_result else RESULTS_ACCEPT
        # The deadline is kept by run(); the socket's own timeout, a second later, only frees this
        # thread if the store never answers an abandoned request.
        response = self.client.query(query, accept, timeout=max(deadline - time.monotonic(), 0) + 1,
                                     default_graphs=default, named_graphs=named)
        with response:
            media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
            stream = _StoreStream(response, deadline, abandoned, repair_bnodes=media.endswith("+xml"))
            try:
                rendered = self._render(job, checked.form, media, stream)
            except HttpError:
                raise
            except Exception as exc:  # noqa: BLE001 - Oxigraph reports a broken stream in several types
                if stream.expired:
                    raise GatewayTimeout("the store did not finish its answer within the time limit",
                                         limit="time") from None
                if stream.broken:
                    raise BadGateway(f"the store's answer broke off: {stream.broken}") from None
                raise BadGateway(f"the store's answer could not be read as {media or 'no media type'}: "
                                 f"{exc}") from None
        return QueryOutcome(rendered.body, rendered.truncated, time.perf_counter() - started)

    @staticmethod
    def _render(job: QueryJob, form: str | None, media: str, stream: _StoreStream):
        if job.graph_result:
            fmt = ox.RdfFormat.from_media_type(media)
            if fmt is None or fmt.supports_datasets:
                raise BadGateway(f"the store answered a graph query with {media or 'no media type'}")
            return render_triples(ox.parse(stream, format=fmt), by_name(GRAPH_FORMATS, job.format_name),
                                  job.max_rows)
        fmt = ox.QueryResultsFormat.from_media_type(media)
        if fmt is None:
            raise BadGateway(f"the store answered a query with {media or 'no media type'}")
        result = ox.parse_query_results(stream, format=fmt)
        if form == "ASK" and not isinstance(result, ox.QueryBoolean):
            result = _ask_from_table(result)
        return render(result, by_name(RESULT_FORMATS, job.format_name), job.max_rows, job.query.limit)

    def health(self) -> dict:
        answers, seconds, why = self.client.ping(timeout=2.0)
        report = {"kind": self.kind, "endpoint": self.client.query_endpoint, "answers": answers,
                  "ms": round(seconds * 1000, 1)}
        if why:
            report["error"] = why
        return report

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)

    close = shutdown


def _ask_from_table(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """Virtuoso answers ASK with a table: one row binding ``__ASK_RETVAL`` to 1 when true, none when false."""
    if [v.value for v in solutions.variables] != ["__ASK_RETVAL"]:
        raise BadGateway("the store answered an ASK query with a table of results")
    answer = any(row[0] is not None and row[0].value in ("1", "true") for row in solutions)
    return ox.parse_query_results(b'{"head": {}, "boolean": %s}' % (b"true" if answer else b"false"),
                                  format=ox.QueryResultsFormat.JSON)


_PROBE = check("ASK {}", Policy(frozenset(), None))  # /health's query


def _probe(report: dict, ask) -> dict:
    started = time.perf_counter()
    try:
        ask()
        report["answers"] = True
    except HttpError as exc:
        report.update(answers=False, error=exc.message)
    report["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return report


class _StoreStream(io.RawIOBase):
    """A store's response body, read under the deadline; stops when the request is abandoned.

    Virtuoso writes a blank node in SPARQL XML results as ``<bnode>nodeID://b10007</bnode>``,
    which is no blank node label; the label after the prefix is, and is unique in the answer.
    In XML the byte sequence ``<bnode>nodeID://`` can only be markup (text escapes ``<``).
    """

    QUIRK, REPAIRED = b"<bnode>nodeID://", b"<bnode>"

    def __init__(self, response, deadline: float, abandoned: threading.Event, repair_bnodes: bool) -> None:
        self.raw = response.raw
        self.deadline = deadline
        self.abandoned = abandoned
        self.repair = repair_bnodes
        self.expired = False
        self.broken: str | None = None
        self._ready = b""
        self._carry = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._ready and not self._eof:
            self._ready = self._next()
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size

    def _next(self) -> bytes:
        if self.abandoned.is_set() or time.monotonic() > self.deadline:
            self.expired = True
            raise OSError("the time limit is over")
        try:
            chunk = self.raw.read(65536)
        except Exception as exc:  # urllib3 read timeout or broken connection
            self.broken = type(exc).__name__
            if "timeout" in str(exc).lower() or "Timeout" in self.broken:
                self.expired = True
            raise OSError(self.broken) from None
        if not chunk:
            self._eof = True
        if not self.repair:
            return chunk
        data = (self._carry + chunk).replace(self.QUIRK, self.REPAIRED)
        if self._eof:
            self._carry = b""
            return data
        keep = len(self.QUIRK) - 1  # a quirk cut in two by the chunking is repaired next time
        self._carry = data[-keep:]
        return data[:-keep]
