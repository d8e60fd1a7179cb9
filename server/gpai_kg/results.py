"""Query results to bytes, by Oxigraph's own serialisers, with a cap on rows that says when it cut.

Oxigraph serialises a whole result stream and has no row limit, and walking solutions in
Python costs several times more than its serialisers. So:

* a SELECT whose own top-level ``LIMIT`` is within the cap is serialised directly;
* otherwise the results are serialised as TSV (SELECT) or N-Triples (graphs), formats with
  exactly one row per line, into a writer that stops Oxigraph after the cap; the kept lines
  are then parsed back and written in the format asked for, all in Rust.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .formats import Format


@dataclass(frozen=True)
class Rendered:
    body: bytes
    truncated: bool


def render(result, fmt: Format, max_rows: int, limit: int | None = None) -> Rendered:
    """Serialise a pyoxigraph query result in ``fmt``, keeping at most ``max_rows`` rows or triples.

    ``limit`` is the query's own top-level LIMIT, if any.
    """
    if isinstance(result, ox.QueryBoolean):
        return Rendered(result.serialize(format=fmt.results), False)
    if isinstance(result, ox.QueryTriples):
        return render_triples(result, fmt, max_rows)
    if limit is not None and limit <= max_rows:
        return Rendered(result.serialize(format=fmt.results), False)
    # + 1: the header line
    table, truncated = _capped(lambda out: result.serialize(out, format=ox.QueryResultsFormat.TSV), max_rows + 1)
    if fmt.results == ox.QueryResultsFormat.TSV:
        return Rendered(table, truncated)
    solutions = ox.parse_query_results(table, format=ox.QueryResultsFormat.TSV)
    return Rendered(solutions.serialize(format=fmt.results), truncated)


def rdf_document(ntriples: bytes, fmt: Format, first: str, prefixes: dict[str, str]) -> bytes:
    """A data document about ``first``: its triples first, then the others by subject, written in
    ``fmt`` with the prefixes its IRIs use (Turtle, RDF/XML and JSON-LD are read by people too)."""
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    triples.sort(key=lambda t: (t.subject.value != first, isinstance(t.subject, ox.BlankNode), str(t.subject),
                                str(t.predicate), str(t.object)))
    if fmt.rdf == ox.RdfFormat.N_TRIPLES:
        return ox.serialize(triples, format=fmt.rdf)
    used = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)}
    used |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    wanted = {name: iri for name, iri in prefixes.items() if any(u.startswith(iri) for u in used)}
    return ox.serialize(triples, format=fmt.rdf, prefixes=wanted)


def render_triples(triples: Iterable[ox.Triple], fmt: Format, max_rows: int) -> Rendered:
    """Serialise triples (a CONSTRUCT's, or parsed from a store's answer) in ``fmt``, at most ``max_rows``."""
    nt = ox.RdfFormat.N_TRIPLES
    # A graph is a set: a triple two solutions build alike is written once (Oxigraph writes each).
    if isinstance(triples, ox.QueryTriples):  # Oxigraph's own serialiser, no Python loop per triple
        lines, truncated = _capped(lambda out: triples.serialize(out, format=nt), max_rows, _DistinctLines)
    else:
        lines, truncated = _capped(lambda out: ox.serialize(triples, out, format=nt), max_rows, _DistinctLines)
    if fmt.rdf == ox.RdfFormat.N_TRIPLES:
        return Rendered(lines, truncated)
    kept = ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)
    return Rendered(ox.serialize(kept, format=fmt.rdf), truncated)


class _Enough(Exception):
    """Raised from inside Oxigraph's serialiser to stop it."""


class _LineCap(io.RawIOBase):
    """Collects bytes up to ``max_lines`` complete lines, then stops the writer."""

    def __init__(self, max_lines: int) -> None:
        self.buffer = bytearray()
        self.lines = 0
        self.max_lines = max_lines
        self.truncated = False

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        chunk = bytes(chunk)
        count = chunk.count(b"\n")
        if self.lines + count <= self.max_lines:
            self.buffer += chunk
            self.lines += count
            return len(chunk)
        end = -1
        for _ in range(self.max_lines - self.lines):
            end = chunk.index(b"\n", end + 1)
        self.buffer += chunk[:end + 1]
        self.lines = self.max_lines
        self.truncated = True
        raise _Enough


class _DistinctLines(_LineCap):
    """The same, keeping each distinct line once (N-Triples: one triple per line, one way to write it)."""

    def __init__(self, max_lines: int) -> None:
        super().__init__(max_lines)
        self.seen: set[bytes] = set()
        self.partial = b""

    def write(self, chunk) -> int:
        data = self.partial + bytes(chunk)
        *lines, self.partial = data.split(b"\n")
        for line in lines:
            if line in self.seen:
                continue
            if self.lines == self.max_lines:
                self.truncated = True
                raise _Enough
            self.seen.add(line)
            self.buffer += line + b"\n"
            self.lines += 1
        return len(chunk)


def _capped(write: Callable[[io.RawIOBase], None], max_lines: int,
            writer_class: type[_LineCap] = _LineCap) -> tuple[bytes, bool]:
    """What ``write(output)`` writes, up to ``max_lines`` lines, and whether it wrote more."""
    writer = writer_class(max_lines)
    try:
        write(writer)
    except Exception:
        if not writer.truncated:
            raise
    # The writer stops only when a line beyond the cap arrives: then there is more.
    return bytes(writer.buffer), writer.truncated
