"""SPARQL tokens as the engine reads them: the lexical layer of the checked door (:mod:`gpai_kg.gate`).

The terminals follow the SPARQL 1.1 grammar (section 19.8) as Oxigraph 0.5 implements them,
because a security decision is only as good as its agreement with the engine's reading:

* ``\\uXXXX`` and ``\\UXXXXXXXX`` are decoded inside IRIs and strings, where Oxigraph decodes
  them (it has no spec-style pre-pass over the whole text);
* ``#`` starts a comment only where a token may start: never inside an IRI, a string or a
  prefixed name's ``\\#`` escape;
* ``<`` starts an IRI only when what follows up to the next ``>`` is an IRI reference once its
  escapes are decoded; otherwise it is the less-than operator (or ``<<``, ``<=``).

Anything the lexer cannot read is a :class:`LexError` with its line and column: a query the
door cannot read is not run.

>>> [t.text for t in tokens('SELECT * { ?s <urn:a\\\\u0041#> "x#y" } # a comment')]
['SELECT', '*', '{', '?s', '<urn:a\\\\u0041#>', '"x#y"', '}']
>>> [t.value for t in tokens('ASK { <urn:a\\\\u0041#> ex:b\\\\#c ?o }') if t.kind in (IRI, PNAME)]
['urn:aA#', 'ex:b#c']
>>> [(t.kind, t.text) for t in tokens('FILTER(?a < ?b)')][2:4]
[('var', '?a'), ('punct', '<')]
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: Token kinds.
IRI, PNAME, VAR, STRING, LANGTAG, NUMBER, BNODE, WORD, PUNCT, COMMENT = (
    "iri", "pname", "var", "string", "langtag", "number", "bnode", "word", "punct", "comment")

# Character classes of the grammar (Oxigraph 0.5 stops PN_CHARS_BASE at U+FFFD).
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
         "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD")
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = rf"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_VARNAME = rf"[{_U}0-9][{_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_ECHAR_UCHAR = r"\\(?:[tbnrf\"'\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"

_SCAN = re.compile(rf"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|{_ECHAR_UCHAR}))*\"\"\"
              |'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR_UCHAR}))*'''
              |\"(?:[^\"\\\r\n]|{_ECHAR_UCHAR})*\"
              |'(?:[^'\\\r\n]|{_ECHAR_UCHAR})*')
  | (?P<iri><[^<>"{{}}|^`\x00-\x20]*>)
  | (?P<var>[?$]{_VARNAME})
  | (?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
  | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
  | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)
  | (?P<number>(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct><<\(|<<|\)>>|>>|\{{\||\|\}}|\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\].,;*/+\-!=<>^|?~])
  | (?P<error>.)
""", re.VERBOSE | re.DOTALL)

_LESS_THAN = re.compile(r"<<\(|<<|<=|<")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_STRING_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
#: Characters an IRI may not hold (SPARQL 1.1 IRIREF, and RFC 3987's exclusions).
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7F-\x9F]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class LexError(ValueError):
    """The text is not a sequence of SPARQL tokens; carries the 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        self.line, self.column = line, column
        super().__init__(f"line {line}, column {column}: {message}")


class Token(NamedTuple):
    kind: str
    text: str    # as written
    start: int   # offset in the query text
    value: str   # IRIs decoded (no brackets), strings decoded (no quotes), names as written

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def is_word(self, *words: str) -> bool:
        return self.kind == WORD and self.text.upper() in words

    @property
    def escaped(self) -> bool:
        """Written with escapes the engine decodes (so its text differs from its value)."""
        return "\\" in self.text and self.kind in (IRI, STRING)


def tokens(text: str, *, comments: bool = False) -> list[Token]:
    """The query's tokens in order (without spaces; comments only when asked for)."""
    out: list[Token] = []
    append = out.append
    pos = 0
    while True:
        restart = None
        for match in _SCAN.finditer(text, pos):
            kind = match.lastgroup
            if kind == "ws":
                continue
            value, start = match.group(), match.start()
            if kind == IRI:
                decoded = _iri_value(value[1:-1])
                if decoded is None:  # not an IRI: the less-than operator (or << or <=); read on after it
                    value = _LESS_THAN.match(text, start).group()
                    append(Token(PUNCT, value, start, value))
                    restart = start + len(value)
                    break
                append(Token(IRI, value, start, decoded))
            elif kind == STRING:
                append(Token(STRING, value, start, _string_value(value, text, start)))
            elif kind == PNAME:
                append(Token(PNAME, value, start, _pname_value(value) if "\\" in value else value))
            elif kind == COMMENT:
                if comments:
                    append(Token(COMMENT, value, start, value))
            elif kind == "error":
                if value in "\"'":
                    raise LexError("a string is not closed, or holds an escape SPARQL does not have",
                                   *_line_column(text, start))
                raise LexError(f"unexpected character {value!r}", *_line_column(text, start))
            else:
                append(Token(kind, value, start, value))
        if restart is None:
            return out
        pos = restart


def _iri_value(body: str) -> str | None:
    """The IRI an IRIREF's body stands for, or None when the body is no IRI reference."""
    try:
        decoded = _ESCAPE.sub(_iri_escape, body)
    except ValueError:
        return None
    if _NOT_IN_IRI.search(decoded):
        return None
    return decoded


def _iri_escape(match: re.Match) -> str:
    code = match.group(1) or match.group(2)
    if code is None:
        raise ValueError("only \\u and \\U escapes are allowed in IRIs")
    return _codepoint(code)


def _codepoint(hex_digits: str) -> str:
    number = int(hex_digits, 16)
    if number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        raise ValueError(f"\\u{hex_digits} is not a character")
    return chr(number)


def _string_value(token: str, text: str, pos: int) -> str:
    quote = 3 if token[:3] in ('"""', "'''") else 1
    body = token[quote:-quote]

    def unescape(match: re.Match) -> str:
        code = match.group(1) or match.group(2)
        if code is not None:
            return _codepoint(code)
        return _STRING_ESCAPES[match.group(3)]

    try:
        return _ESCAPE.sub(unescape, body)
    except (ValueError, KeyError):
        raise LexError("a string holds an escape that stands for no character", *_line_column(text, pos)) from None


def _pname_value(token: str) -> str:
    # PN_LOCAL_ESC: the backslash goes, the character stays (%HH stays as written).
    return re.sub(r"\\(.)", r"\1", token)


def _line_column(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


def line_column(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of an offset."""
    return _line_column(text, pos)


def is_absolute(iri: str) -> bool:
    return bool(_SCHEME.match(iri))


def serialise_string(value: str) -> str:
    """A string literal that any SPARQL lexer reads back as ``value`` (escapes only for quotes,
    backslashes and line breaks; control characters as ``\\u`` escapes)."""
    out = []
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
