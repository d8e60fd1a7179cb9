"""Rendered pages and data documents, kept per process: a release never changes while it is served.

A resource page costs tens of milliseconds of rendering (a description query, an RDF graph, a
template); the same page asked again costs a dictionary lookup. So heavy pages are no lever for
a client who wants to keep the web workers busy, and people get their pages at once.

The cache is keyed by what decides the answer (the view, its arguments and the negotiated
language or format, never the raw headers), bounded by its total size, and least recently used
first out. It holds successful answers only: errors (a store that is down) are never kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, current_app, make_response, request

from .answer_cache import CACHEABLE

#: Bytes of rendered answers one web worker keeps.
MAX_BYTES = 64 * 1024 * 1024


class ResponseCache:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[int, list[tuple[str, str]], bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_render(self, key: tuple, render: Callable[[], Response]) -> Response:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                self.hits += 1
        if item is not None:
            status, headers, body = item
            response = Response(body, status=status, headers=headers)
            response.headers["Server-Timing"] = "cache;desc=hit"
            return response
        response = render()
        if response.status_code == 200 and not response.direct_passthrough:
            body = response.get_data()
            with self._lock:
                self.misses += 1
                if key not in self._items and len(body) <= self.max_bytes // 16:
                    self._items[key] = (response.status_code, list(response.headers.items()), body)
                    self._bytes += len(body)
                    while self._bytes > self.max_bytes:
                        _, (_, _, dropped) = self._items.popitem(last=False)
                        self._bytes -= len(dropped)
        return response

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._items), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}


def cached(view: str, *parts, render: Callable[[], Response]) -> Response:
    """The answer of ``render()`` for this view, these parts (the negotiated language or format) and the
    request's query arguments (links on a page carry them): rendered once per process."""
    cache = current_app.extensions.get("gpai_kg_cache")
    if cache is None or request.method != "GET":
        return make_response(render())
    key = (view, request.script_root, *parts, tuple(sorted(request.args.items(multi=True))))
    response = cache.get_or_render(key, lambda: make_response(render()))
    if response.status_code == 200:
        response.headers[CACHEABLE] = "1"   # the same for the same request: gpai_kg.web.answer_cache
    return response
