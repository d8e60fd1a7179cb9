"""What a SPARQL request is, read from its text without running it.

The service needs four facts before it runs a query: its form (to negotiate the response
format), whether it is an update (refused: the service is read-only), whether it names its
own dataset with ``FROM`` (then the union default graph must not override it), and which
remote endpoints it would call with ``SERVICE`` (refused unless allowed). A full parse costs
milliseconds; a tokenizer that skips comments, strings and IRIs answers all four in
microseconds, and cannot be fooled by a keyword inside a string or a comment.

>>> info = analyse('PREFIX ex: <http://example.org/> SELECT * WHERE { SERVICE ex:remote { ?s ?p ?o } }')
>>> info.form, info.services
('SELECT', ('http://example.org/remote',))
>>> analyse('# SERVICE <http://x> in a comment\\nASK { ?s ?p "SERVICE <http://y>" }').services
()
>>> analyse('INSERT DATA { <a> <b> <c> }').is_update
True
>>> analyse('SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } } LIMIT 100').limit
100
>>> analyse('SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }').limit is None
True
>>> analyse('SELECT * { <a> ?p <http://example.org/b> }').relative_iris
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
#: ``SERVICE`` with a variable names no endpoint we could check.
UNBOUND_SERVICE = "?"

_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w.:%-]|\\.)*)
  | (?P<number>\d+)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<space>\s+)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True)
class QueryInfo:
    form: str | None          # SELECT, CONSTRUCT, DESCRIBE, ASK, or None if not a query
    is_update: bool           # the text is a SPARQL Update request
    has_dataset: bool         # the query names its dataset with FROM / FROM NAMED
    services: tuple[str, ...]  # IRIs of SERVICE clauses ("?" for a variable)
    limit: int | None = None  # the top-level LIMIT (not a subquery's), if any
    relative_iris: bool = False  # the answer may depend on the base IRI

    @property
    def returns_graph(self) -> bool:
        return self.form in GRAPH_FORMS


def tokens(text: str):
    """(kind, value) pairs, without spaces and comments."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            yield kind, match.group()


@lru_cache(maxsize=1024)  # a pure function of the text; clients repeat their queries
def analyse(text: str) -> QueryInfo:
    prefixes: dict[str, str] = {}
    base = ""
    form = None
    is_update = False
    has_dataset = False
    services: list[str] = []
    limit = None
    relative = False
    depth = 0
    toks = list(tokens(text))
    i = 0
    in_prologue = True
    while i < len(toks):
        kind, value = toks[i]
        word = value.upper() if kind == "word" else None
        if in_prologue and word == "PREFIX" and i + 2 < len(toks):
            prefixes[toks[i + 1][1].rstrip(":")] = _iri(toks[i + 2][1], base)
            i += 3
            continue
        if in_prologue and word == "BASE" and i + 1 < len(toks):
            base = _iri(toks[i + 1][1], base)
            i += 2
            continue
        if in_prologue and word:
            in_prologue = False
            if word in QUERY_FORMS:
                form = word
            elif word in UPDATE_KEYWORDS:
                is_update = True
        if (kind == "iri" and not _SCHEME.match(value[1:-1])) or word in ("IRI", "URI"):
            relative = True  # a relative IRI, or a function that resolves against the base
        if kind == "other" and value in "{}":
            depth += 1 if value == "{" else -1
        elif word == "LIMIT" and depth == 0 and i + 1 < len(toks) and toks[i + 1][0] == "number":
            limit = int(toks[i + 1][1])
        elif word == "FROM":
            has_dataset = True
        elif word == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "SILENT":
                j += 1
            services.append(_target(toks[j] if j < len(toks) else ("other", ""), prefixes, base))
        elif word in UPDATE_KEYWORDS and form is None:
            is_update = True
        i += 1
    return QueryInfo(form, is_update, has_dataset, tuple(services), limit, relative)


_SCHEME = re.compile(r"^[A-Za-z][\w+.-]*:")


def without_dataset(text: str) -> str:
    """The query without its ``FROM``/``FROM NAMED`` clauses, each replaced by as many spaces.

    The protocol's ``default-graph-uri``/``named-graph-uri`` override them (SPARQL 1.1 Protocol,
    2.1.4); not every engine does so, and a query without them means the same on all.

    >>> without_dataset('SELECT * FROM <g> FROM NAMED ex:h WHERE { ?s ?p "FROM <x>" }')
    'SELECT *                          WHERE { ?s ?p "FROM <x>" }'
    """
    spans, pending = [], None
    for match in _TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "word" and value.upper() == "FROM":
            pending = match.start()
        elif pending is not None and kind == "word" and value.upper() == "NAMED":
            continue
        elif pending is not None:
            if kind in ("iri", "pname"):
                spans.append((pending, match.end()))
            pending = None
    for start, end in reversed(spans):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _iri(token: str, base: str) -> str:
    iri = token[1:-1] if token.startswith("<") else token
    if base and not _SCHEME.match(iri):
        return base + iri  # good enough for an allow-list check: relative IRIs are rare here
    return iri


def _target(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str:
    kind, value = token
    if kind == "iri":
        return _iri(value, base)
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return UNBOUND_SERVICE
