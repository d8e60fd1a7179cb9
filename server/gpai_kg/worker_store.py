"""The store a query worker queries, loaded where every worker can share it.

The pool's forkserver imports this module before it forks any worker. When the dataset is
small enough (the ``memory_store_max_triples`` setting), the store is copied here, once, from
the on-disk store into memory: queries on Oxigraph's in-memory store run several times faster
than on RocksDB, and workers forked from the forkserver start out sharing the copy's pages. Only
start out: Oxigraph's in-memory store writes to every quad it reads (its iterator upgrades each
node's ``Weak`` reference, an atomic count in the node, and locks the node's version ``Mutex``), so
each page a query scans is copied into the worker that ran it; after heavy queries a worker holds
most of a copy of its own (bench/serve_bench.py). Hence the setting is small. Larger datasets stay on disk, each worker opening them
read-only after the fork (RocksDB runs threads of its own, which must not cross a fork); the page
cache under them is shared by all.

The forkserver dies with the web worker that started it (``PR_SET_PDEATHSIG``), and leaves
Ctrl-C to it: the web worker stops its query workers itself, at once.
"""

from __future__ import annotations

import json
import os
import signal

import pyoxigraph as ox

ENV = "GPAI_KG_WORKER_STORE"

_spec = json.loads(os.environ.get(ENV) or "{}")
#: The forkserver's pid, as its children (the query workers) inherit it: their parent must be it.
FORKSERVER_PID: int | None = None
MEMORY_STORE: ox.Store | None = None

if _spec:  # imported by the forkserver (the web process imports it with no spec in the environment)
    FORKSERVER_PID = os.getpid()
    from .sandbox import die_with_parent

    die_with_parent(_spec.get("owner"))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _spec.get("in_memory"):
        _disk = ox.Store.read_only(_spec["path"])
        MEMORY_STORE = ox.Store()
        MEMORY_STORE.bulk_extend(_disk.quads_for_pattern(None, None, None, None))
        del _disk


def open_store(path: str) -> ox.Store:
    """The store for this worker: the shared in-memory copy, or the on-disk one read-only.

    One process has one forkserver: a second pool over another store (tests do that) gets that
    store from disk, never the first one's copy.
    """
    if MEMORY_STORE is not None and _spec.get("path") == str(path):
        return MEMORY_STORE
    return ox.Store.read_only(path)
