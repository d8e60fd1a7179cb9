"""The checked door: every query the service runs passes here, whoever wrote it.

A query reaches an engine only as a :class:`CheckedQuery`, and only :func:`check` makes one.
It decides on the query as the engine reads it (:mod:`gpai_kg.sparql_lexer`: escapes decoded,
comments where the engine sees comments), never on the raw text:

* the form: SELECT, CONSTRUCT, DESCRIBE or ASK; updates are refused (403);
* ``SERVICE``: only endpoints of the allow-list, named by an absolute IRI (a variable, a
  relative IRI or an undeclared prefix is refused);
* ``FROM`` and ``FROM NAMED``: only graphs the dataset holds, so no engine is asked to fetch one;
* limits: the query's size and how deep its groups, brackets and parentheses nest (an engine
  parses recursively; a worker must not die on a query nested 5,000 deep).

The engine then runs :attr:`CheckedQuery.text`: the query with its comments blanked out and its
escaped IRIs and strings written out, so that what was checked is what runs, on any engine.

The service's own queries are :class:`Template`\\s: request input enters them only as RDF terms
(``$name`` parameters filled with pyoxigraph terms, serialised by Oxigraph), never as text.

>>> policy = Policy(allowed_services=frozenset(), graphs=None)
>>> check('PREFIX ex: <http://example.org/> SELECT * { ?s ex:p ?o } LIMIT 5', policy).limit
5
>>> check('SELECT * { BIND(<urn:a\\\\u0041#> AS ?z) SERVICE <http://127.0.0.1:9/x> { ?a ?b ?c } }', policy)
Traceback (most recent call last):
...
gpai_kg.errors.BadRequest: SERVICE <http://127.0.0.1:9/x> is not allowed: this service calls no other endpoint unless it is in its allow-list
>>> Template('ASK { $r ?p ?o }').fill(r=ox.NamedNode('http://example.org/a b'))
Traceback (most recent call last):
...
ValueError: Invalid IRI code point ' '
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .errors import BadRequest, Forbidden
from .namespaces import CANONICAL_BASE
from .sparql_lexer import (COMMENT, IRI, NUMBER, PNAME, PUNCT, STRING, VAR, WORD, LexError, Token, is_absolute,
                           serialise_string, tokens)

QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
OPENERS = frozenset({"{", "(", "[", "<<", "<<(", "{|"})
CLOSERS = frozenset({"}", ")", "]", ">>", ")>>", "|}"})
#: Deeper than any real query, shallow enough for any engine's recursive parser.
MAX_DEPTH = 64


@dataclass(frozen=True)
class Policy:
    """What the service allows: the endpoints SERVICE may call, the graphs FROM may name."""

    allowed_services: frozenset[str]
    graphs: frozenset[str] | None        # None: any graph (a store of the caller's own)
    max_bytes: int = 1_000_000
    max_depth: int = MAX_DEPTH


@dataclass(frozen=True)
class CheckedQuery:
    """A query the door let through, with what it decided on."""

    text: str                          # what the engine runs
    form: str                          # SELECT, CONSTRUCT, DESCRIBE or ASK
    services: tuple[str, ...] = ()     # the (allowed) endpoints it calls
    graphs: tuple[str, ...] = ()       # the graphs its FROM and FROM NAMED name
    limit: int | None = None           # its own top-level LIMIT
    relative_iris: bool = False        # its answer may depend on the base IRI
    text_without_dataset: str = field(default="", repr=False)  # text, FROM clauses blanked

    @property
    def returns_graph(self) -> bool:
        return self.form in GRAPH_FORMS

    @property
    def has_dataset(self) -> bool:
        return bool(self.graphs)


@dataclass(frozen=True)
class _Reading:
    """What the lexer tells of a query text, before any policy (cached: clients repeat queries)."""

    text: str
    text_without_dataset: str
    form: str | None
    is_update: bool
    services: tuple[tuple[str, str], ...]   # (target IRI or "", why it cannot be checked or "")
    graphs: tuple[tuple[str, str], ...]     # the same, for FROM / FROM NAMED
    depth: int
    limit: int | None
    relative_iris: bool


def check(text: str, policy: Policy, protocol_graphs: Iterable[str] = ()) -> CheckedQuery:
    """The query as the engine will run it, or the 4xx error that says why it may not run.

    ``protocol_graphs``: the ``default-graph-uri`` and ``named-graph-uri`` of the request,
    held to the same rule as ``FROM``.
    """
    size = len(text.encode("utf-8"))
    if size > policy.max_bytes:
        raise BadRequest(f"the query is {size} bytes; this service accepts at most {policy.max_bytes}",
                         limit="size")
    reading = _read(text) if size <= 16_384 else _read.__wrapped__(text)
    if reading.is_update:
        raise Forbidden("this service is read-only: SPARQL Update requests are refused")
    if reading.form is None:
        raise BadRequest("the query does not parse: after any PREFIX and BASE it must be a SELECT, "
                         "CONSTRUCT, DESCRIBE or ASK query", kind="syntax")
    if reading.depth > policy.max_depth:
        raise BadRequest(f"the query nests groups, brackets or parentheses {reading.depth} deep; this service "
                         f"accepts at most {policy.max_depth}", limit="depth")
    for target, why in reading.services:
        if why:
            raise BadRequest(why, kind="service")
        if target not in policy.allowed_services:
            raise BadRequest(f"SERVICE <{target}> is not allowed: this service calls no other endpoint unless "
                             f"it is in its allow-list", kind="service")
    graphs = [*(g for g, _ in reading.graphs), *protocol_graphs]
    for (target, why) in reading.graphs:
        if why:
            raise BadRequest(why, kind="dataset")
    if policy.graphs is not None:
        for graph in graphs:
            if graph not in policy.graphs:
                raise BadRequest(f"this service holds no graph <{graph}>; its graphs are "
                                 + ", ".join(f"<{g}>" for g in sorted(policy.graphs)), kind="dataset")
    return CheckedQuery(reading.text, reading.form, tuple(t for t, _ in reading.services),
                        tuple(g for g, _ in reading.graphs), reading.limit, reading.relative_iris,
                        reading.text_without_dataset)


def endpoints(text: str) -> tuple[str, ...]:
    """The endpoints a (well-formed) query calls with SERVICE: a federated query needs them allowed."""
    return tuple(target for target, _ in _read(text).services if target)


@lru_cache(maxsize=2048)
def _read(text: str) -> _Reading:
    try:
        toks = tokens(text, comments=True)
    except LexError as exc:
        raise BadRequest(f"the query does not parse: {exc}", kind="syntax", line=exc.line,
                         column=exc.column) from None
    code = [t for t in toks if t.kind != COMMENT]
    prefixes, position = _prologue(code)
    form, is_update = None, False
    if position < len(code) and code[position].kind == WORD:
        word = code[position].text.upper()
        form = word if word in QUERY_FORMS else None
        is_update = word in UPDATE_KEYWORDS
    services, graphs, from_spans = [], [], []
    depth = braces = deepest = 0
    limit, relative = None, False
    for i, tok in enumerate(code):
        if tok.kind == PUNCT:
            if tok.text in OPENERS:
                depth += 1
                deepest = max(deepest, depth)
                braces += tok.text == "{"
            elif tok.text in CLOSERS:
                depth -= 1
                braces -= tok.text == "}"
        elif tok.kind == IRI:
            relative = relative or not is_absolute(tok.value)
        elif tok.kind == WORD:
            word = tok.text.upper()
            if word == "SERVICE":
                j = i + 2 if _at(code, i + 1).is_word("SILENT") else i + 1
                services.append(_target(_at(code, j), prefixes, "SERVICE"))
            elif word == "FROM":
                j = i + 2 if _at(code, i + 1).is_word("NAMED") else i + 1
                graphs.append(_target(_at(code, j), prefixes, "FROM"))
                from_spans.append((tok.start, _at(code, j).end))
            elif word == "LIMIT" and braces == 0 and _at(code, i + 1).kind == NUMBER:
                limit = int(_at(code, i + 1).text) if _at(code, i + 1).text.isdigit() else None
            elif word in ("IRI", "URI") and _at(code, i + 1).text == "(":
                relative = True  # resolves its argument against the base
            elif word in UPDATE_KEYWORDS and form is None:
                is_update = True
    return _Reading(_engine_text(text, toks), _engine_text(text, toks, from_spans) if from_spans else "",
                    form, is_update, tuple(services), tuple(graphs), deepest, limit, relative)


_NOTHING = Token(PUNCT, "", 0, "")


def _at(code: list[Token], index: int) -> Token:
    return code[index] if index < len(code) else _NOTHING


def _prologue(code: list[Token]) -> tuple[dict[str, str | None], int]:
    """The prefixes the prologue declares (None: a relative IRI), and where the query proper starts."""
    prefixes: dict[str, str | None] = {}
    i = 0
    while i < len(code):
        tok = code[i]
        if tok.is_word("PREFIX") and _at(code, i + 1).kind == PNAME and _at(code, i + 2).kind == IRI:
            iri = _at(code, i + 2).value
            prefixes[_at(code, i + 1).value.rstrip(":")] = iri if is_absolute(iri) else None
            i += 3
        elif tok.is_word("BASE") and _at(code, i + 1).kind == IRI:
            i += 2
        elif tok.is_word("VERSION") and _at(code, i + 1).kind == STRING:
            i += 2
        else:
            break
    return prefixes, i


def _target(tok: Token, prefixes: dict[str, str | None], keyword: str) -> tuple[str, str]:
    """(the absolute IRI ``tok`` names, "") or ("", why it cannot be checked)."""
    if tok.kind == IRI:
        if is_absolute(tok.value):
            return tok.value, ""
        return "", f"{keyword} <{tok.value}>: name it with an absolute IRI"
    if tok.kind == PNAME:
        prefix, _, local = tok.value.partition(":")
        if prefix not in prefixes:
            return "", f"{keyword} {tok.text}: the prefix {prefix}: is not declared"
        if prefixes[prefix] is None:
            return "", f"{keyword} {tok.text}: its prefix stands for a relative IRI; use an absolute one"
        return prefixes[prefix] + local, ""
    if tok.kind == VAR:
        return "", f"{keyword} with a variable ({tok.text}) is refused: name it with an IRI"
    return "", f"{keyword} must be followed by an IRI"


def _engine_text(text: str, toks: list[Token], blank: list[tuple[int, int]] = ()) -> str:
    """``text`` with comments (and the ``blank`` spans) turned to spaces and escaped IRIs and strings
    written out: the same query, with nothing left for two lexers to disagree on."""
    edits = [(start, end, " " * (end - start)) for start, end in blank]
    for tok in toks:
        if tok.kind == COMMENT:
            edits.append((tok.start, tok.end, " " * len(tok.text)))
        elif tok.escaped:
            edits.append((tok.start, tok.end, f"<{tok.value}>" if tok.kind == IRI else serialise_string(tok.value)))
    if not edits:
        return text
    out, pos = [], 0
    for start, end, replacement in sorted(edits):
        if start < pos:
            continue  # inside a span already blanked
        out += [text[pos:start], replacement]
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- The service's own queries -------------------------------------------------------------

def rebase_query(text: str, base: str, canonical: str = CANONICAL_BASE) -> str:
    """A query file of the project (written for the canonical base) for a release built with ``base``:
    every IRI under ``canonical`` (in PREFIX declarations too) moves under ``base``.

    >>> rebase_query("PREFIX gpai: <https://w3id.org/gpai-kg/ontology/> ASK { ?s a gpai:Summit }", "https://example.org/kg/")
    'PREFIX gpai: <https://example.org/kg/ontology/> ASK { ?s a gpai:Summit }'
    """
    if base == canonical:
        return text
    out, pos = [], 0
    for tok in tokens(text):
        if tok.kind == IRI and tok.value.startswith(canonical):
            out += [text[pos:tok.start], f"<{base}{tok.value[len(canonical):]}>"]
            pos = tok.end
    out.append(text[pos:])
    return "".join(out)


Value = ox.NamedNode | ox.Literal | int | Iterable


class Template:
    """A query with ``$name`` parameters, filled only with RDF terms (and integers for LIMIT/OFFSET).

    >>> t = Template('SELECT ?l { $r <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = $lang) } LIMIT $n')
    >>> print(t.fill(r=ox.NamedNode('https://w3id.org/gpai-kg/id/country/rs'), lang=ox.Literal('fr'), n=5))
    SELECT ?l { <https://w3id.org/gpai-kg/id/country/rs> <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(lang(?l) = "fr") } LIMIT 5
    """

    def __init__(self, text: str, name: str = "query") -> None:
        self.text = text
        self.name = name
        self._slots = [t for t in tokens(text) if t.kind == VAR and t.text.startswith("$")]
        self.parameters = frozenset(t.text[1:] for t in self._slots)

    @classmethod
    def from_file(cls, path: Path) -> Template:
        return cls(Path(path).read_text(encoding="utf-8"), Path(path).stem)

    def fill(self, **values: Value) -> str:
        if set(values) != self.parameters:
            raise TypeError(f"{self.name} takes {sorted(self.parameters)}, not {sorted(values)}")
        out, pos = [], 0
        for slot in self._slots:
            out += [self.text[pos:slot.start], _term_text(values[slot.text[1:]])]
            pos = slot.end
        out.append(self.text[pos:])
        return "".join(out)


def _term_text(value: Value) -> str:
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return str(value)  # Oxigraph's own serialisation: a checked IRI, an escaped literal
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, (list, tuple, frozenset, set)):
        return " ".join(_term_text(v) for v in value)
    raise TypeError(f"a query parameter must be an RDF term or an integer, not {type(value).__name__}")


__all__ = ["CheckedQuery", "Policy", "Template", "check", "endpoints", "rebase_query", "MAX_DEPTH", "serialise_string"]
