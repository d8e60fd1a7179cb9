"""Reading the hand-edited Turtle sources: every file parses, or we say where it does not.

Each file is parsed twice: by rdflib, whose graph the validation uses, and by Oxigraph,
which the query service uses and which is stricter about some syntax. A file that either
rejects fails with its name, line and the parser's reason.

Literals stay as written (rdflib would turn ``"…T10:45:00Z"^^xsd:dateTime`` into ``"…+00:00"``
as it parses), and a literal the store would keep in another form is reported: the release's
files, the SPARQL endpoint and the sources then say the same thing, character for character.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
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
        with quiet_rdflib(), literals_as_written():
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


@dataclass(frozen=True)
class RewrittenLiteral:
    path: Path
    subject: object
    predicate: object
    literal: Literal
    kept_as: Literal


def literals_the_store_rewrites(path: Path, graph: Graph) -> Iterator[RewrittenLiteral]:
    """Literals Oxigraph would keep in another form than written, so the endpoint would answer
    differently from the dumps: a derived integer type (xsd:int, xsd:nonNegativeInteger, …) as
    xsd:integer, ``"015"`` as ``"15"``, ``"…+00:00"`` as ``"…Z"``."""
    typed = [(s, p, o) for s, p, o in graph
             if isinstance(o, Literal) and o.datatype is not None and not getattr(o, "ill_typed", False)]
    literals = list(dict.fromkeys(o for _, _, o in typed))
    store = ox.Store()
    mark = ox.NamedNode("urn:gpai-kg:literal")
    store.extend(ox.Quad(ox.NamedNode(f"urn:gpai-kg:literal:{i}"), mark,
                         ox.Literal(str(o), datatype=ox.NamedNode(str(o.datatype))))
                 for i, o in enumerate(literals))
    kept = {}
    for quad in store:
        written = literals[int(quad.subject.value.rsplit(":", 1)[1])]
        if (quad.object.value, quad.object.datatype.value) != (str(written), str(written.datatype)):
            kept[written] = Literal(quad.object.value, datatype=quad.object.datatype.value, normalize=False)
    for s, p, o in typed:
        if o in kept:
            yield RewrittenLiteral(path, s, p, o, kept[o])


def union(graphs: Iterable[Graph]) -> Graph:
    merged = Graph()
    for g in graphs:
        merged += g
    return merged


def _bad_syntax_line(exc: BadSyntax) -> int | None:
    match = _LINE.search(str(exc))
    return int(match.group(1)) if match else None


@contextmanager
def literals_as_written():
    """rdflib's parsers, by default, rewrite a literal's lexical form from the value they parsed
    ("…Z" becomes "…+00:00"): the dumps would then differ from the sources, and from the store,
    which has its own canonical forms. The switch is a module global, which pyshacl also sets
    (and resets to True) around each run: set it for each parse."""
    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


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
