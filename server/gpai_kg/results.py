"""Query results to bytes, with a cap on rows that says when it cut.

Oxigraph serialises a whole result stream and cannot stop at a row limit, so SELECT results
are written here, by the W3C formats (SPARQL 1.1 Query Results JSON, XML, CSV and TSV);
graphs are capped in Python and written by Oxigraph.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from .formats import Format

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Rendered:
    body: bytes
    rows: int
    truncated: bool


def render(result, fmt: Format, max_rows: int) -> Rendered:
    """Serialise a pyoxigraph query result in ``fmt``, keeping at most ``max_rows`` rows or triples."""
    if isinstance(result, ox.QueryBoolean):
        return Rendered(_boolean(bool(result), fmt.name), 1, False)
    if isinstance(result, ox.QueryTriples):
        triples = list(islice(result, max_rows + 1))
        truncated = len(triples) > max_rows
        del triples[max_rows:]
        return Rendered(ox.serialize(triples, format=fmt.rdf), len(triples), truncated)
    names = [v.value for v in result.variables]
    rows = list(islice(result, max_rows + 1))
    truncated = len(rows) > max_rows
    del rows[max_rows:]
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.name]
    return Rendered(writer(names, rows), len(rows), truncated)


def _boolean(value: bool, name: str) -> bytes:
    if name == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if name == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    # CSV/TSV have no boolean form; answer as a one-cell table, as Oxigraph and Jena do.
    return ("_askResult\r\n" if name == "csv" else "?_askResult\n").encode() + (
        b"true" if value else b"false") + (b"\r\n" if name == "csv" else b"\n")


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(term.subject),  # RDF 1.2 triple term
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def _json(names: list[str], rows: list) -> bytes:
    bindings = []
    for row in rows:
        binding = {}
        for name in names:
            term = row[name]
            if term is not None:
                binding[name] = _json_term(term)
        bindings.append(binding)
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
            f"</predicate><object>{_xml_term(term.object)}</object></triple>")


def _xml(names: list[str], rows: list) -> bytes:
    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    out.extend(f"<variable name={quoteattr(n)}/>" for n in names)
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        for name in names:
            term = row[name]
            if term is not None:
                out.append(f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>")
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out).encode("utf-8")


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _csv(names: list[str], rows: list) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_csv_value(row[n]) for n in names])
    return buffer.getvalue().encode("utf-8")


def _tsv(names: list[str], rows: list) -> bytes:
    # TSV cells are terms in Turtle/N-Triples syntax, which escapes tabs and newlines.
    lines = ["\t".join("?" + n for n in names)]
    for row in rows:
        lines.append("\t".join("" if row[n] is None else str(row[n]) for n in names))
    return ("\n".join(lines) + "\n").encode("utf-8")
