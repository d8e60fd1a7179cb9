"""Run the app under gunicorn (the production server), configured from our settings.

Each gunicorn worker builds its own app (and so its own query workers) after the fork;
the master has already prepared the on-disk store they all open read-only.

Our worker class (:class:`Worker`, gunicorn's threaded worker) adds three things:

* errors gunicorn answers itself, before the app sees the request (a request line or headers
  too long, a malformed request), come in the service's JSON error shape (or as a small page
  for a browser), never as gunicorn's HTML;
* on SIGTERM, SIGINT or SIGQUIT it stops its query workers first, so that queries in flight
  end at once with 503 and nothing is left running when it exits;
* request lines are sized to take a GET query of ``max_query_bytes``.
"""

from __future__ import annotations

import html
import json
import sys

import gunicorn.http.message
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from ..config import Settings


def request_line_limit(settings: Settings) -> int:
    """A request line holding a GET query of ``max_query_bytes`` (each byte %XX-encoded at worst),
    with room for the path and the other protocol parameters."""
    return 3 * settings.max_query_bytes + 16 * 1024


class _Captured:
    """A stand-in socket: what gunicorn would have written for an error it answers itself."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self):
        return 0.0

    def setblocking(self, flag) -> None:
        pass

    def send(self, data) -> int:
        self.data += bytes(data)
        return len(data)

    def sendall(self, data) -> None:
        self.data += bytes(data)


class Worker(ThreadWorker):
    """gunicorn's threaded worker, with our error shape and a prompt, tidy stop."""

    def handle_error(self, req, client, addr, exc):
        captured = _Captured()
        super().handle_error(req, captured, addr, exc)  # gunicorn's own status, reason and log line
        status_line = captured.data.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 500
        title = status_line[2] if len(status_line) > 2 else "Error"
        message = _MESSAGES.get(status) or (str(exc) if status < 500 else "the server could not answer this request")
        try:
            client.sendall(_error_bytes(status, title, message, _wants_html(req)))
        except OSError:
            pass

    def handle_exit(self, sig, frame):
        """SIGTERM: stop the queries in flight (503), then finish open requests as gunicorn does."""
        if self._stop_queries():
            super().handle_exit(sig, frame)

    def handle_quit(self, sig, frame):
        """SIGINT (Ctrl-C reaches the whole process group) and SIGQUIT: the same, without the grace.

        gunicorn's own handler exits from inside the signal handler, which can land in the middle
        of the interpreter's exit (a second signal comes from the master) and leaves request
        threads to be joined; ending the main loop is prompt and tidy.
        """
        if not hasattr(self, "wsgi"):
            # Still importing the app (a slow boot on a busy machine, or a large dataset): nothing to
            # stop, and no main loop yet to end; leave quietly (gunicorn lets SystemExit through a
            # worker's boot). The master's signal that follows finds us leaving: let the exit finish
            # (raising again inside the exit's own clean-up would print a traceback).
            if getattr(self, "_leaving", False):
                return
            self._leaving = True
            sys.exit(0)
        if self._stop_queries():
            self.cfg.set("graceful_timeout", 1)
            super().handle_exit(sig, frame)

    def _stop_queries(self) -> bool:
        """Stop the query workers, once (the master's SIGQUIT may follow the terminal's SIGINT)."""
        if getattr(self, "_stopping", False):
            return False
        self._stopping = True
        service = getattr(getattr(self, "wsgi", None), "extensions", {}).get("gpai_kg")
        if service is not None:
            service.shutdown()
        return True


_MESSAGES = {
    414: "the request line is longer than this service accepts: send a long query by POST",
    431: "the request's header fields are larger than this service accepts",
}


def _wants_html(req) -> bool:
    if req is None:
        return False
    accept = next((value for name, value in getattr(req, "headers", []) if name == "ACCEPT"), "")
    path = getattr(req, "path", "") or ""
    return "text/html" in accept and not path.startswith(("/sparql", "/data/", "/dumps", "/.well-known", "/-/"))


def _error_bytes(status: int, title: str, message: str, as_html: bool) -> bytes:
    if as_html:
        body = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status} {html.escape(title)}"
                f"</title></head><body><h1>{status} {html.escape(title)}</h1><p>{html.escape(message)}</p>"
                f"</body></html>").encode()
        media = "text/html; charset=utf-8"
    else:
        body = json.dumps({"ok": False, "status": status, "title": title, "error": message}).encode()
        media = "application/json"
    head = (f"HTTP/1.1 {status} {title}\r\nConnection: close\r\nContent-Type: {media}\r\n"
            f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class _Gunicorn(BaseApplication):
    def __init__(self, overrides: dict, settings: Settings) -> None:
        self.overrides = overrides
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        line = request_line_limit(s)
        # gunicorn caps limit_request_line at its MAX_REQUEST_LINE (8190) unless 0, which means no
        # limit at all; raise the cap to our limit instead, so long GET queries fit and no more.
        gunicorn.http.message.MAX_REQUEST_LINE = max(gunicorn.http.message.MAX_REQUEST_LINE, line)
        options = {
            "bind": f"{s.host}:{s.port}",
            "workers": s.workers,
            "threads": s.threads,
            "worker_class": f"{Worker.__module__}.{Worker.__qualname__}",
            "limit_request_line": line,
            # A request never outlives its query's limit; give gunicorn a margin over it.
            "timeout": int(s.query_timeout) + 30,
            "graceful_timeout": 5,
            # Clients that reuse connections (SPARQL clients, browsers) should not pay a new one
            # for each query.
            "keepalive": 30,
            "accesslog": "-",
            "errorlog": "-",
            "loglevel": "warning",
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        return create_app(self.overrides)


def run_gunicorn(overrides: dict, settings: Settings) -> None:
    _Gunicorn(overrides, settings).run()
