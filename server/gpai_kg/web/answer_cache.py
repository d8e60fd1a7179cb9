"""Answers to repeated GETs, served before Flask and without a query worker, validated by ETag.

A release never changes while it is served, so the answer to a GET is the same every time the same
request comes: the same path and query string, and the same headers the answer depends on (Accept,
Accept-Language, the language cookie, Host and the proxy headers that make links, Origin for CORS).
This WSGI layer keeps the successful answers the app marked as cacheable (``CACHEABLE`` header: SPARQL
results of a GET, pages, data documents) under exactly that key, and answers the next such request
itself: no Flask request, no checked door, no query worker, no admission count (a cache hit is not a
query). Nothing else is kept: errors, partial answers (a time limit), answers that set a cookie.

Every kept answer carries a strong ETag (its SHA-256, so every replica of a release gives the same)
and ``Cache-Control: public, max-age``, so browsers and shared caches (Varnish, nginx) may keep it too;
``If-None-Match`` gets 304 whether the answer came from here or from the app.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from werkzeug.http import parse_etags

#: The header by which a view marks its answer as the same for every identical request (removed here).
CACHEABLE = "GPAI-KG-Cacheable"
#: Seconds a browser or shared cache may keep an answer without asking again. Short: a new release may
#: be served at any time, and then the ETag tells whether the answer changed.
MAX_AGE = 300
#: Bytes of answers one web worker keeps, least recently used out; one answer at most a sixteenth.
MAX_BYTES = 64 * 1024 * 1024
#: Seconds a request waits for the same request's answer being computed on another thread.
FILL_WAIT = 30.0
#: Paths whose concurrent identical requests each go their own way: a SPARQL query is admitted or
#: refused per client (gpai_kg.admission), and no client may park threads here behind another's query.
UNSHARED_PATHS = frozenset({"/sparql"})
#: The request headers an answer may depend on (WSGI names). Anything else must not change it.
KEY_HEADERS = ("HTTP_HOST", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE", "HTTP_ORIGIN",
               "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO",
               "HTTP_X_FORWARDED_PREFIX", "wsgi.url_scheme", "SCRIPT_NAME")
#: Headers of a kept answer that a 304 repeats (RFC 9110 15.4.5).
NOT_MODIFIED_HEADERS = {"etag", "cache-control", "vary", "content-location", "expires", "date"}


class Answer:
    __slots__ = ("status", "headers", "body", "etag")

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, etag: str) -> None:
        self.status, self.headers, self.body, self.etag = status, headers, body, etag


class AnswerCache:
    """WSGI middleware around the Flask app."""

    def __init__(self, app: Callable, max_bytes: int = MAX_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._filling: dict[tuple, threading.Event] = {}
        self.hits = self.misses = 0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
               *(environ.get(h, "") for h in KEY_HEADERS))
        for attempt in range(2):
            with self._lock:
                answer = self._items.get(key)
                if answer is not None:
                    self._items.move_to_end(key)
                    self.hits += 1
                    break
                if key[0] in UNSHARED_PATHS:
                    filling = threading.Event()   # this request's own: nobody waits for it
                    break
                filling = self._filling.get(key)
                if filling is None:
                    filling = self._filling[key] = threading.Event()
                    break
            # The same request is being answered on another thread: wait for that answer rather than
            # run its queries again (eight clients asking a new page at once take one query worker).
            filling.wait(FILL_WAIT)
            filling = None
        if answer is not None:
            return self._send(answer, environ, start_response, hit=True)
        if filling is None:   # waited in vain (an error, or not cacheable): answer it ourselves
            return self.app(environ, start_response)
        try:
            return self._fill(key, environ, start_response)
        finally:
            with self._lock:
                if self._filling.get(key) is filling:
                    del self._filling[key]
            filling.set()

    def _fill(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        seen: dict = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return lambda data: None  # views here return their body; none writes through this

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = seen["status"], seen["headers"]
        names = {name.lower() for name, _ in headers}
        if not status.startswith("200") or CACHEABLE.lower() not in names or "set-cookie" in names:
            return self._plain(status, headers, body, start_response)
        headers = [(n, v) for n, v in headers if n.lower() not in (CACHEABLE.lower(), "etag", "cache-control")]
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers += [("ETag", etag), ("Cache-Control", f"public, max-age={MAX_AGE}")]
        answer = Answer(status, headers, body, etag)
        if len(body) <= self.max_bytes // 16:
            with self._lock:
                self.misses += 1
                if key not in self._items:
                    self._items[key] = answer
                    self._bytes += len(body)
                    while self._bytes > self.max_bytes:
                        _, dropped = self._items.popitem(last=False)
                        self._bytes -= len(dropped.body)
        return self._send(answer, environ, start_response, hit=False)

    @staticmethod
    def _plain(status: str, headers: list, body: bytes, start_response: Callable) -> Iterable[bytes]:
        headers = [(n, v) for n, v in headers if n.lower() != CACHEABLE.lower()]
        start_response(status, headers)
        return [body]

    @staticmethod
    def _send(answer: Answer, environ: dict, start_response: Callable, hit: bool) -> Iterable[bytes]:
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains_weak(answer.etag.strip('"')):
            start_response("304 Not Modified", [(n, v) for n, v in answer.headers
                                                if n.lower() in NOT_MODIFIED_HEADERS])
            return []
        headers = answer.headers
        if hit:
            headers = [(n, v) for n, v in headers if n.lower() != "server-timing"]
            headers.append(("Server-Timing", "cache;desc=hit"))
        start_response(answer.status, headers)
        return [answer.body]

    def stats(self) -> dict:
        with self._lock:
            return {"entries": len(self._items), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}
