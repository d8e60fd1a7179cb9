"""The project's exception tree: each error says what went wrong and for whom.

Every error the package raises on purpose derives from :class:`GpaiKgError`. The CLI turns
them into one readable line and an exit code; the web service (later) into one JSON
error shape. Nothing else should reach a user as a traceback.
"""

from __future__ import annotations

from pathlib import Path


class GpaiKgError(Exception):
    """Base of every error the package raises on purpose."""

    exit_code = 1


class ConfigError(GpaiKgError):
    """A setting has a value that cannot be used."""

    exit_code = 2


class ParseError(GpaiKgError):
    """An RDF file could not be read: names the file, the line and the parser's reason."""

    def __init__(self, path: Path, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):  # raised in the process that builds the store, reported by the one that serves
        return ParseError, (self.path, self.line, self.reason)


class ValidationFailed(GpaiKgError):
    """The sources do not pass validation; carries the full report."""

    def __init__(self, report) -> None:  # report: gpai_kg.report.Report
        self.report = report
        super().__init__(report.summary())


class BuildError(GpaiKgError):
    """The release could not be written."""


class ReleaseNotFound(GpaiKgError):
    """No built release where one was expected."""


class DamagedRelease(GpaiKgError):
    """A release whose files do not match its checksums: not what its validating build wrote."""


class QueryError(GpaiKgError):
    """A SPARQL query cannot be run as asked (syntax, or a format that does not fit its form)."""


# --- Errors a web client sees. Each carries its HTTP status; one handler renders them all
# as {"ok": false, "status": …, "error": …} (see gpai_kg.web.errors).

class HttpError(GpaiKgError):
    status = 500
    title = "Internal Server Error"

    def __init__(self, message: str, headers: dict[str, str] | None = None, **details) -> None:
        self.message = message
        self.headers = dict(headers or {})  # sent as HTTP headers, not in the body
        self.details = details
        super().__init__(message)


class BadRequest(HttpError):
    status, title = 400, "Bad Request"


class Forbidden(HttpError):
    status, title = 403, "Forbidden"


class NotFound(HttpError):
    status, title = 404, "Not Found"


class MethodNotAllowed(HttpError):
    status, title = 405, "Method Not Allowed"


class Gone(HttpError):
    """A published IRI whose resource the curators deprecated: kept, never reused, no longer described."""

    status, title = 410, "Gone"


class NotAcceptable(HttpError):
    status, title = 406, "Not Acceptable"

    def __init__(self, message: str, offered: list[str]) -> None:
        super().__init__(message + "; offered: " + ", ".join(offered), offered=offered)


class UnsupportedMediaType(HttpError):
    status, title = 415, "Unsupported Media Type"


class PreconditionFailed(HttpError):
    status, title = 412, "Precondition Failed"


class RangeNotSatisfiable(HttpError):
    status, title = 416, "Range Not Satisfiable"


class RequestTooLarge(HttpError):
    status, title = 413, "Content Too Large"


class TooManyRequests(HttpError):
    """Admission control refused or stopped a query (see gpai_kg.admission); says when to retry."""

    status, title = 429, "Too Many Requests"


class QueryLimitExceeded(HttpError):
    """A query ran out of time or memory and was stopped; the service goes on."""

    status, title = 503, "Service Unavailable"


class ServiceBusy(HttpError):
    status, title = 503, "Service Unavailable"


class ServiceStopping(HttpError):
    """The server is stopping: queries in flight are ended, new ones refused."""

    status, title = 503, "Service Unavailable"


class ReleaseDamaged(HttpError):
    """A kept release whose files no longer match its SHA256SUMS: none of them is served."""

    status, title = 500, "Internal Server Error"


class BadGateway(HttpError):
    """The external store is down, refuses us, or answered something we cannot read."""

    status, title = 502, "Bad Gateway"
    exit_code = 3  # as for any endpoint the CLI cannot ask (see gpai_kg.wikidata)


class GatewayTimeout(HttpError):
    """The external store did not answer within the time limit."""

    status, title = 504, "Gateway Timeout"
    exit_code = 3
