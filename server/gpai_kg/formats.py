"""Media types as tables, and the choice of one for a request.

Results of SELECT and ASK and graphs of CONSTRUCT and DESCRIBE have their own tables. A
``format=`` parameter (a short name or a media type) wins over ``Accept``; Accept is parsed by
Werkzeug (q-values, wildcards, lists). The first entry of each table is the default.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    name: str                 # short name for format=
    media_type: str           # what we send
    extension: str
    aliases: tuple[str, ...]  # other media types a client may ask for
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    short_names: tuple[str, ...] = ()  # other names for format=

    @property
    def content_type(self) -> str:
        return self.media_type + "; charset=utf-8"

    def accepts(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def display_type(self) -> str:
        """A media type browsers show rather than save, for the same bytes: JSON as application/json,
        XML as application/xml, the text formats as text/plain."""
        if self.media_type.endswith("+json"):
            return "application/json; charset=utf-8"
        if self.media_type.endswith("+xml"):
            return "application/xml; charset=utf-8"
        return "text/plain; charset=utf-8"


RESULT_FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", ("application/json",),
           results=ox.QueryResultsFormat.JSON, short_names=("srj",)),
    Format("xml", "application/sparql-results+xml", "srx", ("application/xml", "text/xml"),
           results=ox.QueryResultsFormat.XML, short_names=("srx",)),
    Format("csv", "text/csv", "csv", (), results=ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", "tsv", (), results=ox.QueryResultsFormat.TSV),
)

GRAPH_FORMATS: tuple[Format, ...] = (
    # Turtle is a subset of N3: N3 clients get Turtle.
    Format("turtle", "text/turtle", "ttl", ("application/x-turtle", "text/n3", "text/rdf+n3"),
           rdf=ox.RdfFormat.TURTLE, short_names=("ttl", "n3")),
    Format("ntriples", "application/n-triples", "nt", ("text/plain",), rdf=ox.RdfFormat.N_TRIPLES,
           short_names=("nt", "n-triples")),
    Format("jsonld", "application/ld+json", "jsonld", ("application/json", "application/x-json+ld"),
           rdf=ox.RdfFormat.JSON_LD, short_names=("json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", "rdf", ("application/xml", "text/xml"), rdf=ox.RdfFormat.RDF_XML,
           short_names=("xml", "rdf", "rdf+xml")),
)

def negotiate(table: tuple[Format, ...], accept: MIMEAccept, format_param: str | None = None) -> Format:
    """The format to answer with, or NotAcceptable listing what is offered."""
    if format_param:
        wanted = format_param.strip().lower()
        for fmt in table:
            if wanted == fmt.name or wanted in fmt.short_names:
                return fmt
        if "/" in wanted:  # media types, possibly a list like an Accept header
            try:
                return negotiate(table, parse_accept_header(wanted, MIMEAccept))
            except NotAcceptable:
                pass
        raise NotAcceptable(f"format={format_param!r} is not offered here", offered(table))
    if not accept:  # no Accept header: the default
        return table[0]
    best, best_score = None, None
    for index, fmt in enumerate(table):
        for media in fmt.accepts():
            for pattern, quality in accept:
                specificity = _match(pattern, media)
                if specificity is None or quality <= 0:
                    continue
                # Higher q wins; then the more specific pattern; then our own media type over an
                # alias (so text/* picks text/csv, not text/xml); then the table's order.
                score = (quality, specificity, media == fmt.media_type, -index)
                if best_score is None or score > best_score:
                    best, best_score = fmt, score
    if best is None:
        raise NotAcceptable("none of the media types in Accept is offered here", offered(table))
    return best


def _match(pattern: str, media: str) -> int | None:
    """How specifically an Accept entry matches a media type: 2 exact, 1 type/*, 0 */*, None no match."""
    pattern = pattern.split(";", 1)[0].strip().lower()
    if pattern == media:
        return 2
    if pattern == "*/*" or pattern == "*":
        return 0
    if pattern.endswith("/*") and media.startswith(pattern[:-1]):
        return 1
    return None


def explicit_quality(accept: MIMEAccept, media_types) -> float:
    """The best q a client gives any of ``media_types`` by name (wildcards do not count); media types
    are compared without regard to case, as RFC 9110 says."""
    wanted = {m.lower() for m in media_types}
    return max((q for media, q in accept if media.split(";", 1)[0].strip().lower() in wanted), default=0)


HTML_TYPES = ("text/html", "application/xhtml+xml")

# Media types of the other files a release holds (its RDF files take theirs from the tables above).
#: RDF Patch (https://afs.github.io/rdf-patch/): not registered with IANA; the type its authors use.
RDF_PATCH = "application/rdf-patch"
MARKDOWN = "text/markdown"
JSON = "application/json"
GZIP = "application/gzip"
PLAIN_TEXT = "text/plain"


def prefers_html(accept: MIMEAccept, others) -> bool:
    """A person's browser: HTML asked for by name, at least as much as any of ``others``."""
    html = explicit_quality(accept, HTML_TYPES)
    return html > 0 and html >= explicit_quality(accept, others)


def offered(table: tuple[Format, ...]) -> list[str]:
    return [fmt.media_type for fmt in table]


def by_name(table: tuple[Format, ...], name: str) -> Format:
    return next(fmt for fmt in table if fmt.name == name)
