"""Queries run in worker processes that can be stopped.

No SPARQL engine here can interrupt a running query, and Oxigraph aborts the whole process
when memory runs out. So each query runs in a separate worker process holding the store
opened read-only. The web process waits at most the time limit; a worker that overruns is
killed and replaced, and one that dies (a query over its memory cap) is replaced too. Either
way the client gets a clean 503 and the other workers keep answering.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing as mp
import os
import queue
import resource
import threading
import time
from dataclasses import dataclass

from . import worker_store
from .errors import BadRequest, QueryLimitExceeded, ServiceBusy

#: Workers are forked by a forkserver, never by the web process: the web process runs threads,
#: and a child forked from it would inherit their locks in whatever state they were in. The
#: forkserver is single-threaded and preloads the store (see gpai_kg.worker_store).
_CONTEXT = mp.get_context("forkserver")


@dataclass(frozen=True)
class QueryJob:
    """Everything a worker needs to run one query and write its response body."""

    query: str
    format_name: str
    graph_result: bool
    max_rows: int
    base_iri: str | None = None
    default_graph: tuple[str, ...] | None = None  # protocol default-graph-uri
    named_graphs: tuple[str, ...] | None = None   # protocol named-graph-uri
    union_default_graph: bool = True
    limit: int | None = None                      # the query's own top-level LIMIT


@dataclass(frozen=True)
class QueryOutcome:
    body: bytes
    truncated: bool
    seconds: float


def _worker_main(store_path: str, conn, memory_bytes: int) -> None:
    """A worker: open the store, then answer jobs until the pipe closes."""
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    import pyoxigraph as ox

    from .formats import GRAPH_FORMATS, RESULT_FORMATS, by_name
    from .results import render
    from .worker_store import open_store

    store = open_store(store_path)
    while True:
        try:
            job: QueryJob = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        started = time.perf_counter()
        try:
            kwargs = {"base_iri": job.base_iri}
            if job.default_graph is not None:
                kwargs["default_graph"] = [_graph(ox, g) for g in job.default_graph]
            elif job.union_default_graph:
                kwargs["use_default_graph_as_union"] = True
            if job.named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
            result = store.query(job.query, **kwargs)
            fmt = by_name(GRAPH_FORMATS if job.graph_result else RESULT_FORMATS, job.format_name)
            rendered = render(result, fmt, job.max_rows, job.limit)
            conn.send(("ok", rendered.body, rendered.truncated, time.perf_counter() - started))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc)))
        except MemoryError:
            conn.send(("memory", "the query needs more memory than a query may use"))
        except (ValueError, OSError, RuntimeError) as exc:
            # Evaluation errors Oxigraph reports (e.g. a SERVICE it could not call).
            conn.send(("error", type(exc).__name__))


def _graph(ox, iri: str):
    return ox.DefaultGraph() if iri == "" else ox.NamedNode(iri)


class _Worker:
    def __init__(self, store_path: str, memory_bytes: int) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process = _CONTEXT.Process(target=_worker_main, args=(store_path, child, memory_bytes),
                                        daemon=True, name="gpai-kg-query")
        self.process.start()
        child.close()  # so that a worker's death reads as EOF here

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """A fixed number of query workers over one on-disk store."""

    def __init__(self, store_path: str, size: int, memory_mb: int = 0, in_memory: bool = False) -> None:
        os.environ.setdefault("RUST_BACKTRACE", "0")  # a worker over its memory cap dies quietly
        # Read by the forkserver when it starts, on the first worker's start below.
        os.environ[worker_store.ENV] = json.dumps({"path": str(store_path), "in_memory": in_memory})
        _CONTEXT.set_forkserver_preload(["gpai_kg.worker_store"])
        self.store_path = str(store_path)
        self.size = size
        self.memory_bytes = memory_mb * 1024 * 1024
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self.stats = {"queries": 0, "timeouts": 0, "deaths": 0}
        for _ in range(size):
            self._idle.put(self._spawn())
        atexit.register(self.close)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.store_path, self.memory_bytes)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        # Start the replacement off the request's path: the client already has its answer.
        threading.Thread(target=lambda: self._idle.put(self._spawn()), daemon=True).start()

    def run(self, job: QueryJob, timeout: float) -> QueryOutcome:
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise ServiceBusy(f"every query worker stayed busy for {timeout:g} s; try again later",
                              retry_after=int(timeout) + 1) from None
        self.stats["queries"] += 1
        try:
            worker.conn.send(job)
            ready = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            reply = worker.conn.recv() if ready else None
        except (EOFError, OSError, BrokenPipeError):
            self.stats["deaths"] += 1
            self._replace(worker)
            raise QueryLimitExceeded(
                "the query was stopped: it needed more memory than a query may use",
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
            raise BadRequest(f"the query does not parse: {rest[0]}")
        if kind == "memory":
            raise QueryLimitExceeded(rest[0], limit="memory")
        raise BadRequest(f"the query could not be evaluated ({rest[0]})")

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
