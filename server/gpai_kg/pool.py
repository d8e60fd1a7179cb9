"""Queries run in worker processes that can be stopped, cannot reach the network, and die with their owner.

No SPARQL engine here can interrupt a running query, and Oxigraph aborts the whole process
when memory (or stack) runs out. So each query runs in a worker process holding the store
read-only. The web process waits at most the time limit; a worker that overruns is killed and
replaced, and one that dies (a query over its memory cap) is replaced too. Either way the
client gets a clean 503 and the other workers keep answering.

A worker:

* is confined by the kernel before it opens the store (:mod:`gpai_kg.sandbox`): no network
  at all, or, for the federation pool, TCP to the allowed endpoints' ports only;
* dies with its owner: it and the forkserver that forks it carry ``PR_SET_PDEATHSIG`` (SIGKILL),
  so a web worker killed with ``kill -9`` takes its queries with it; Ctrl-C (SIGINT to the whole
  process group) is left to the owner, which stops its workers at once;
* runs queries on a thread with a large stack, so a long chain of operators is a query that
  takes its time (and is stopped at the time limit), not a crashed process.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing as mp
import os
import queue
import re
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import worker_store
from .errors import BadRequest, ConfigError, QueryLimitExceeded, ServiceBusy, ServiceStopping

#: Workers are forked by a forkserver, never by the web process: the web process runs threads,
#: and a child forked from it would inherit their locks in whatever state they were in. The
#: forkserver is single-threaded and preloads the store (see gpai_kg.worker_store).
_CONTEXT = mp.get_context("forkserver")
#: Stack of the thread a worker runs queries on (address space, touched only as used): Oxigraph
#: recurses about 1.5 KiB per operator of a chain like 1+1+…, and a 100 KB query holds 50,000.
QUERY_STACK_BYTES = 128 * 1024 * 1024
#: How long a new worker may take to open the store and say it is ready.
START_SECONDS = 120


@dataclass(frozen=True)
class QueryJob:
    """A checked query (:class:`gpai_kg.gate.CheckedQuery`) and how to answer it."""

    query: object                                 # gpai_kg.gate.CheckedQuery
    format_name: str
    max_rows: int
    base_iri: str | None = None
    default_graph: tuple[str, ...] | None = None  # protocol default-graph-uri
    named_graphs: tuple[str, ...] | None = None   # protocol named-graph-uri

    @property
    def graph_result(self) -> bool:
        return self.query.returns_graph

    @property
    def protocol_dataset(self) -> bool:
        return self.default_graph is not None or self.named_graphs is not None

    def wire(self) -> tuple:
        """What a worker needs, as plain values (pickled through a pipe)."""
        return (self.query.text, self.format_name, self.graph_result, self.max_rows, self.base_iri,
                self.default_graph, self.named_graphs, not self.query.has_dataset, self.query.limit)


@dataclass(frozen=True)
class QueryOutcome:
    body: bytes
    truncated: bool
    seconds: float


# --- In the worker process --------------------------------------------------------------------

def _worker_main(store_path: str, conn, memory_bytes: int, endpoints: tuple[str, ...]) -> None:
    """A worker: confine itself, open the store, then answer jobs until the pipe closes."""
    from .sandbox import confine, die_with_parent

    die_with_parent(worker_store.FORKSERVER_PID)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the owner's to handle
    try:
        confinement = confine(endpoints)
        # The stack is address space too: a quarter of the cap at most.
        threading.stack_size(min(QUERY_STACK_BYTES, memory_bytes // 4) if memory_bytes else QUERY_STACK_BYTES)
        thread = threading.Thread(target=_serve, args=(store_path, conn, confinement, memory_bytes),
                                  name="gpai-kg-query")
        thread.start()
    except (OSError, RuntimeError, ValueError, MemoryError) as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    thread.join()


def _mapped_bytes() -> int:
    """This process's address space now (VmSize), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _serve(store_path: str, conn, confinement: str, memory_bytes: int) -> None:
    import pyoxigraph as ox

    from .formats import GRAPH_FORMATS, RESULT_FORMATS, by_name
    from .results import render

    try:
        store = worker_store.open_store(store_path)
    except (OSError, MemoryError) as exc:
        conn.send(("failed", f"the store could not be opened: {exc}"))
        return
    if memory_bytes > 0:
        # The cap is what a query may use, on top of what this worker maps once it is ready: the
        # interpreter, the query thread's stack, the store (the shared in-memory copy, or RocksDB's
        # threads and their malloc arenas, about 400 MB), what the forkserver left mapped. That
        # varies with the machine and its load; a cap on the total failed workers at random on a
        # busy machine (no room for a thread: "can't start new thread", or RocksDB aborting).
        limit = _mapped_bytes() + memory_bytes
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (OSError, ValueError) as exc:
            conn.send(("failed", f"the memory cap could not be set: {exc}"))
            return
    conn.send(("ready", confinement))
    while True:
        try:
            (text, format_name, graph_result, max_rows, base_iri, default_graph, named_graphs, union,
             limit) = conn.recv()
        except (EOFError, OSError):
            return
        started = time.perf_counter()
        try:
            kwargs = {"base_iri": base_iri}
            if default_graph is not None:
                kwargs["default_graph"] = [ox.DefaultGraph() if g == "" else ox.NamedNode(g) for g in default_graph]
            elif union:
                kwargs["use_default_graph_as_union"] = True
            if named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
            result = store.query(text, **kwargs)
            fmt = by_name(GRAPH_FORMATS if graph_result else RESULT_FORMATS, format_name)
            rendered = render(result, fmt, max_rows, limit)
            conn.send(("ok", rendered.body, rendered.truncated, time.perf_counter() - started))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc)))
        except MemoryError:
            conn.send(("memory", "the query needs more memory than a query may use"))
        except (ValueError, OSError, RuntimeError, TypeError) as exc:
            # Evaluation errors Oxigraph reports: an unknown function, a SERVICE it could not call…
            conn.send(("error", str(exc) or type(exc).__name__))


# --- In the web process -----------------------------------------------------------------------

class _Spawner:
    """The one long-lived thread that starts workers (and so the forkserver).

    ``PR_SET_PDEATHSIG`` fires when the *thread* that created a process ends, not the process:
    the forkserver must be started by a thread that lives as long as the web worker.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="gpai-kg-spawner")
        self._thread.start()

    def submit(self, job: Callable[[], None]) -> None:
        self._jobs.put(job)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job()
            except Exception:  # noqa: BLE001 - a failed start is retried by the next request's need
                import logging
                logging.getLogger("gpai_kg").exception("a query worker could not start")


_SPAWNER: _Spawner | None = None
_SPAWNER_LOCK = threading.Lock()


def _spawner() -> _Spawner:
    global _SPAWNER
    with _SPAWNER_LOCK:
        if _SPAWNER is None or not _SPAWNER._thread.is_alive():
            _SPAWNER = _Spawner()
        return _SPAWNER


class _Worker:
    def __init__(self, store_path: str, memory_bytes: int, endpoints: tuple[str, ...]) -> None:
        self._lock = threading.Lock()
        self._dead = False
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_worker_main, args=(store_path, child, memory_bytes, endpoints),
                                        daemon=True, name="gpai-kg-query")
        self.process.start()
        child.close()  # so that a worker's death reads as EOF here
        if not self.conn.poll(START_SECONDS):
            self.kill()
            raise RuntimeError(f"a query worker did not start within {START_SECONDS} s")
        try:
            kind, self.confinement = self.conn.recv()
        except EOFError:
            self.kill()
            raise RuntimeError(f"a query worker died as it started (exit code {self.process.exitcode})") from None
        if kind != "ready":
            self.kill()
            raise RuntimeError(f"a query worker could not start: {self.confinement}")

    def kill(self, wait: bool = True) -> None:
        """Kill the process (and reap it, if ``wait``), close the pipe; safe to call twice, from two threads."""
        with self._lock:
            if self._dead:
                return
            self._dead = True
        try:
            self.process.kill()
            if wait:
                self.process.join(timeout=2)
        except (OSError, ValueError, AssertionError):
            pass
        try:
            self.conn.close()
        except OSError:
            pass


_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+)")


class WorkerPool:
    """A fixed number of query workers over one on-disk store."""

    def __init__(self, store_path: str, size: int, memory_mb: int = 0, in_memory: bool = False,
                 endpoints: tuple[str, ...] = ()) -> None:
        os.environ.setdefault("RUST_BACKTRACE", "0")  # a worker over its memory cap dies quietly
        # Read by the forkserver when it starts, on the first worker's start.
        os.environ[worker_store.ENV] = json.dumps({"path": str(store_path), "in_memory": in_memory,
                                                  "owner": os.getpid()})
        _CONTEXT.set_forkserver_preload(["gpai_kg.worker_store", "gpai_kg.pool"])
        self.store_path = str(store_path)
        self.size = size
        self.endpoints = tuple(endpoints)
        self.memory_bytes = memory_mb * 1024 * 1024
        self.confinement = "starting"
        self.start_error: str | None = None
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closing = False
        self.stats = {"queries": 0, "timeouts": 0, "deaths": 0, "stopped": 0}
        for _ in range(size):
            _spawner().submit(self._start_one)
        atexit.register(self.close)

    def wait_ready(self, timeout: float = START_SECONDS) -> None:
        """Block until every worker has started (so that the first request waits for none); a worker
        that cannot start is a ConfigError saying why (a memory cap too small, a store unreadable)."""
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size and time.monotonic() < deadline and not self._closing:
            if self.start_error:
                raise ConfigError(f"query workers cannot start: {self.start_error}")
            time.sleep(0.01)

    def _start_one(self, attempt: int = 0) -> None:
        if self._closing:
            return
        try:
            worker = _Worker(self.store_path, self.memory_bytes, self.endpoints)
        except RuntimeError as exc:
            self.start_error = str(exc)
            if attempt < 5:  # a replacement that fails is tried again, a little later each time
                threading.Timer(0.5 * 2 ** attempt, _spawner().submit,
                                args=(lambda: self._start_one(attempt + 1),)).start()
            raise
        with self._lock:
            if self._closing:
                worker.kill()
                return
            self._all.add(worker)
            self.confinement = worker.confinement
            self.start_error = None
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        _spawner().submit(self._start_one)  # off the request's path: the client has its answer

    def run(self, job: QueryJob, timeout: float, ticket=None) -> QueryOutcome:
        """Run ``job`` within ``timeout`` seconds; ``ticket`` (admission control) is told when it runs long."""
        deadline = time.monotonic() + timeout
        if self._closing:
            raise ServiceStopping("the server is stopping; try again in a moment", retry_after=1)
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            # The query's time ran out before a worker was free (busy, or being replaced).
            raise ServiceBusy(f"every query worker stayed busy for {timeout:g} s (the query's time limit); "
                              f"try again later", limit="time", retry_after=int(timeout) + 1) from None
        self.stats["queries"] += 1
        try:
            worker.conn.send(job.wire())
            ready = False
            if ticket is not None and ticket.long_after < deadline - time.monotonic():
                ready = worker.conn.poll(ticket.long_after)
                if not ready:
                    try:
                        ticket.becomes_long()
                    except Exception:
                        self.stats["stopped"] += 1
                        self._replace(worker)
                        raise
            if not ready:
                ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            if self._closing:
                raise ServiceStopping("the server stopped while the query ran; try again in a moment",
                                      retry_after=1) from None
            self.stats["deaths"] += 1
            raise QueryLimitExceeded(
                "the query was stopped: it needed more memory (or deeper recursion) than a query may use",
                limit="memory") from None
        if reply is None:
            self.stats["timeouts"] += 1
            self._replace(worker)
            raise QueryLimitExceeded(f"the query was stopped after the time limit of {timeout:g} s",
                                     limit="time", seconds=timeout)
        self._idle.put(worker)
        kind, *rest = reply
        if kind == "ok":
            body, truncated, seconds = rest
            return QueryOutcome(body, truncated, seconds)
        if kind == "syntax":
            position = _SYNTAX_POSITION.search(rest[0])
            where = {"line": int(position.group(1)), "column": int(position.group(2))} if position else {}
            raise BadRequest(f"the query does not parse: {_shorten(rest[0])}", kind="syntax", **where)
        if kind == "memory":
            raise QueryLimitExceeded(rest[0], limit="memory")
        raise BadRequest(f"the query could not be evaluated: {_shorten(rest[0])}", kind="evaluation")

    def shutdown(self) -> None:
        """Stop every worker now: queries in flight end with 503 (the server is stopping)."""
        with self._lock:
            self._closing = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:  # SIGKILL and go: the forkserver reaps them, nobody waits for it
            worker.kill(wait=False)

    close = shutdown


def _shorten(message: str, most: int = 600) -> str:
    return message if len(message) <= most else message[:most] + "…"
