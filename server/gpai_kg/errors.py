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


class ValidationFailed(GpaiKgError):
    """The sources do not pass validation; carries the full report."""

    def __init__(self, report) -> None:  # report: gpai_kg.report.Report
        self.report = report
        super().__init__(report.summary())


class BuildError(GpaiKgError):
    """The release could not be written."""


class ReleaseNotFound(GpaiKgError):
    """No built release where one was expected."""


class QueryError(GpaiKgError):
    """A SPARQL query cannot be run as asked (syntax, or a format that does not fit its form)."""
