"""Reading the hand-edited Turtle sources: every file parses, or we say where it does not.

Each file is parsed twice: by rdflib, whose graph the validation uses, and by Oxigraph,
which the query service uses and which is stricter about some syntax. A file that either
rejects fails with its name, line and the parser's reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.plugins.parsers.notation3 import BadSyntax

from .errors import ParseError

_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class IllTypedLiteral:
    path: Path
    subject: object
    predicate: object
    literal: Literal


def parse_turtle(path: Path) -> Graph:
    """Parse one Turtle file into an rdflib graph, or raise :class:`ParseError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ParseError(path, None, exc.strerror or str(exc)) from None
    graph = Graph()
    try:
        with quiet_rdflib():
            graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise ParseError(path, _bad_syntax_line(exc), f"Turtle syntax error: {exc._why}") from None
    except Exception as exc:  # rdflib raises assorted errors for bad IRIs, prefixes, escapes
        raise ParseError(path, None, f"Turtle error: {exc}") from None
    try:
        for _ in ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as exc:
        reason = re.sub(r"\s*\([^()]*, line \d+\)$", "", str(exc))
        raise ParseError(path, exc.lineno, f"Turtle syntax error: {reason}") from None
    return graph


def ill_typed_literals(path: Path, graph: Graph) -> Iterator[IllTypedLiteral]:
    """Literals whose lexical form does not fit their datatype ("x"^^xsd:integer)."""
    for s, p, o in graph:
        if isinstance(o, Literal) and getattr(o, "ill_typed", False):
            yield IllTypedLiteral(path, s, p, o)


def union(graphs: Iterable[Graph]) -> Graph:
    merged = Graph()
    for g in graphs:
        merged += g
    return merged


def _bad_syntax_line(exc: BadSyntax) -> int | None:
    match = _LINE.search(str(exc))
    return int(match.group(1)) if match else None


@contextmanager
def quiet_rdflib():
    # rdflib logs a traceback for every ill-typed literal; we report those ourselves.
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
