"""One error shape for every JSON error: {"ok": false, "status": …, "error": …}.

People in a browser (HTML preferred, outside the read API) get the same message as a page.

Our own errors (:class:`gpai_kg.errors.HttpError`) carry their status and a message meant
for the client; Werkzeug's HTTP errors keep their status and description; anything else is
logged and answered with a bare 500, never with the exception's text.
"""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import GpaiKgError, HttpError
from ..formats import HTML_TYPES, explicit_quality
from flask_babel import gettext

def N_(text: str) -> str:
    return text


#: The titles of the errors a page can show, for the interface's message catalogues.
HTTP_TITLES = (N_("Bad Request"), N_("Forbidden"), N_("Not Found"), N_("Method Not Allowed"), N_("Not Acceptable"),
               N_("Gone"), N_("Precondition Failed"), N_("Content Too Large"), N_("Unsupported Media Type"),
               N_("Range Not Satisfiable"), N_("Too Many Requests"), N_("Internal Server Error"),
               N_("Bad Gateway"), N_("Service Unavailable"), N_("Gateway Timeout"))

#: Paths whose clients are programs: they always get JSON errors.
API_PATHS = ("/sparql", "/dumps", "/releases", "/data/", "/.well-known", "/health", "/-/", "/api/", "/reconcile",
             "/openapi.json")


def wants_html() -> bool:
    """A person in a browser: HTML explicitly preferred to JSON, outside the read API."""
    if request.path.startswith(API_PATHS):
        return False
    html = explicit_quality(request.accept_mimetypes, HTML_TYPES)
    return html > 0 and html >= explicit_quality(request.accept_mimetypes, ("application/json",))


def error_response(status: int, title: str, message: str, headers: dict | None = None, **details):
    if wants_html():
        response = make_response(render_template("error.html", status=status, title=gettext(title),
                                                 message=message))
    else:
        body = {"ok": False, "status": status, "title": title, "error": message, **details}
        response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    if not request.path.startswith(API_PATHS):
        # HTML or JSON was chosen by Accept (and the page's words by the reader's language): caches must
        # keep them apart. The API's errors are JSON whatever is asked, but its 406s still vary.
        response.vary.add("Accept")
    elif status == 406:
        response.vary.add("Accept")
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def _ours(exc: HttpError):
        headers = dict(exc.headers)
        if "retry_after" in exc.details:
            headers["Retry-After"] = str(exc.details["retry_after"])
        details = {k: v for k, v in exc.details.items() if k != "retry_after"}
        return error_response(exc.status, exc.title, exc.message, headers, **details)

    @app.errorhandler(HTTPException)
    def _werkzeug(exc: HTTPException):
        headers = dict(exc.get_response().headers)
        headers.pop("Content-Type", None)
        headers.pop("Content-Length", None)
        message = exc.description or exc.name
        if exc.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than this service accepts ({limit} bytes); it was not read"
        return error_response(exc.code or 500, exc.name, message, headers)

    try:
        from gunicorn.http.errors import ParseException
    except ImportError:  # Flask's development server
        ParseException = None
    if ParseException is not None:
        @app.errorhandler(ParseException)
        def _malformed_body(exc):
            # gunicorn reads a chunked body as the view reads it: a broken one surfaces here.
            return error_response(400, "Bad Request", f"the request body is malformed: {exc}")

    @app.errorhandler(GpaiKgError)
    def _domain(exc: GpaiKgError):
        app.logger.warning("request failed: %s", exc)
        return error_response(500, "Internal Server Error", "the server could not answer this request")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "Internal Server Error", "the server could not answer this request")
