"""The store a query worker queries, loaded where every worker can share it.

The pool's forkserver imports this module before it forks any worker. When the dataset is
small enough (the ``memory_store_max_triples`` setting), the store is copied here, once, from
the on-disk store into memory: queries on Oxigraph's in-memory store run several times faster
than on RocksDB, and workers forked from the forkserver share the copy's pages. Larger
datasets stay on disk, each worker opening them read-only after the fork (RocksDB runs
threads of its own, which must not cross a fork).
"""

from __future__ import annotations

import json
import os

import pyoxigraph as ox

ENV = "GPAI_KG_WORKER_STORE"

_spec = json.loads(os.environ.get(ENV) or "{}")
MEMORY_STORE: ox.Store | None = None
if _spec.get("in_memory"):
    _disk = ox.Store.read_only(_spec["path"])
    MEMORY_STORE = ox.Store()
    MEMORY_STORE.bulk_extend(_disk.quads_for_pattern(None, None, None, None))
    del _disk


def open_store(path: str) -> ox.Store:
    """The store for this worker: the shared in-memory copy, or the on-disk one read-only."""
    return MEMORY_STORE if MEMORY_STORE is not None else ox.Store.read_only(path)
