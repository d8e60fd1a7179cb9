"""Namespaces, prefixes and the rule for minting IRIs: the one source of truth.

Every IRI the project mints sits under one base IRI. The hand-edited Turtle files
spell IRIs under the canonical base ``https://w3id.org/gpai-kg/``; a release built
with another ``base_iri`` setting is moved there by :func:`rebase` as it is written,
so the code always works with the canonical namespaces below.

The IRI rule (also in the README)::

    {base}id/{kind}/{key}

* ``kind`` is one of :data:`KINDS` (the kind of thing, never its current role);
* ``key`` is lower-case ASCII letters and digits in hyphen-separated words
  (``--`` joins the keys of the things a relation links, as in memberships);
* countries use their ISO 3166-1 alpha-2 code (``id/country/fr``), events start with
  their year (``id/event/2022-tokyo-summit``), everything else a short English name;
* an IRI, once published, never changes meaning; blank nodes are used only for
  auxiliary nodes nobody links to (time intervals and instants, and the reification
  nodes that say which source states which statement).

>>> NS.mint("country", "fr")
rdflib.term.URIRef('https://w3id.org/gpai-kg/id/country/fr')
>>> NS.split(NS.mint("membership", "gpai--fr"))
('membership', 'gpai--fr')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    TIME,
    VOID,
    XSD,
)

CANONICAL_BASE = "https://w3id.org/gpai-kg/"

SCHEMA = Namespace("https://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ISO639 = Namespace("http://id.loc.gov/vocabulary/iso639-1/")
WD = Namespace("http://www.wikidata.org/entity/")
DBR = Namespace("http://dbpedia.org/resource/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
#: DCAT 3's versioning terms (dcat:version, previousVersion, hasVersion…), which rdflib's DCAT predates.
DCAT3 = Namespace(str(DCAT))

#: The W3C and community vocabularies we reuse, by their usual prefixes.
VOCABULARIES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "void": str(VOID),
    "prov": str(PROV),
    "org": str(ORG),
    "time": str(TIME),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "vcard": str(VCARD),
    "sh": str(SH),
    "sd": str(SD),
    "spdx": str(SPDX),
    "adms": str(ADMS),
    "iso639": str(ISO639),
    "wd": str(WD),
    "dbr": str(DBR),
}

#: The kinds of resource we mint, each with its own path and Turtle prefix.
KINDS: tuple[str, ...] = (
    "country",
    "organisation",
    "body",
    "person",
    "post",
    "membership",
    "invitation",
    "participation",
    "event",
    "place",
    "document",
    "claim",
    "concept",
    "source",
    "project",
    "adherence",
)

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-{1,2}[a-z0-9]+)*$")
#: Local names of ontology terms and shapes (``gpai:datePrecision``, ``gpaish:EventShape``).
TERM_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: The ontology's version IRIs (``ontology/version/1.0.0``).
VERSION_PATTERN = re.compile(r"^version/[0-9]+(?:\.[0-9]+)*$")

@dataclass(frozen=True)
class LinkTarget:
    """Another open dataset we link to with ``skos:exactMatch``."""

    title: str
    uri_space: str
    homepage: str


#: The datasets we link to, keyed by the name used in linkset IRIs and reports.
LINK_TARGETS: dict[str, LinkTarget] = {
    "wikidata": LinkTarget("Wikidata", str(WD), "https://www.wikidata.org/"),
    "dbpedia": LinkTarget("DBpedia", str(DBR), "https://www.dbpedia.org/"),
    "geonames": LinkTarget("GeoNames", "https://sws.geonames.org/", "https://www.geonames.org/"),
}


class Namespaces:
    """The project's own namespaces for one base IRI."""

    def __init__(self, base: str = CANONICAL_BASE) -> None:
        if not base.endswith("/"):
            raise ValueError(f"a base IRI must end with '/': {base!r}")
        self.base = base
        self.ontology_iri = URIRef(base + "ontology")
        self.gpai = Namespace(base + "ontology/")
        self.shapes_iri = URIRef(base + "shapes")
        self.shapes = Namespace(base + "shapes/")
        self.id = Namespace(base + "id/")
        self.graph = Namespace(base + "graph/")
        self.releases = Namespace(base + "releases/")
        self.dataset = URIRef(base + "dataset")

    def release(self, version: str) -> URIRef:
        """The IRI of one release (a version of the dataset); its files are under it, after a '/'.

        >>> NS.release("2026-12-01"), NS.changes("2026-12-01")
        (rdflib.term.URIRef('https://w3id.org/gpai-kg/releases/2026-12-01'), rdflib.term.URIRef('https://w3id.org/gpai-kg/releases/2026-12-01#changes'))
        """
        return URIRef(f"{self.releases}{version}")

    def changes(self, version: str) -> URIRef:
        """The IRI of the change set a release publishes against its predecessor (also its patch's id)."""
        return URIRef(f"{self.releases}{version}#changes")

    def kind_namespace(self, kind: str) -> Namespace:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of resource {kind!r}; expected one of {', '.join(KINDS)}")
        return Namespace(f"{self.id}{kind}/")

    def mint(self, kind: str, key: str) -> URIRef:
        """The IRI of the resource of ``kind`` with ``key``, following the IRI rule."""
        if not KEY_PATTERN.fullmatch(key):
            raise ValueError(f"{key!r} is not a valid key: use lower-case letters, digits and hyphens")
        return URIRef(self.kind_namespace(kind) + key)

    def split(self, iri: str) -> tuple[str, str] | None:
        """``(kind, key)`` for an IRI minted by :meth:`mint`, else None."""
        prefix = str(self.id)
        if not iri.startswith(prefix):
            return None
        kind, _, key = iri[len(prefix):].partition("/")
        if kind in KINDS and KEY_PATTERN.fullmatch(key):
            return kind, key
        return None

    def resource_iri(self, path: str) -> str | None:
        """The IRI a path under the base names, if it follows the IRI rule; else None.

        >>> NS.resource_iri("id/country/rs"), NS.resource_iri("ontology/Country"), NS.resource_iri("shapes")
        ('https://w3id.org/gpai-kg/id/country/rs', 'https://w3id.org/gpai-kg/ontology/Country', 'https://w3id.org/gpai-kg/shapes')
        >>> NS.resource_iri("id/country/x> ?p ?o } #"), NS.resource_iri("id/nation/rs"), NS.resource_iri("ontology/a/b")
        (None, None, None)
        """
        if path in ("ontology", "shapes"):
            return self.base + path
        root, _, rest = path.partition("/")
        if root == "id":
            kind, _, key = rest.partition("/")
            return self.base + path if kind in KINDS and KEY_PATTERN.fullmatch(key) else None
        if root in ("ontology", "shapes") and TERM_PATTERN.fullmatch(rest):
            return self.base + path
        if root == "ontology" and VERSION_PATTERN.fullmatch(rest):
            return self.base + path
        return None

    def prefixes(self) -> dict[str, str]:
        """Every prefix we use, ours and the reused vocabularies', for Turtle and SPARQL."""
        ours = {"gpai": str(self.gpai), "gpaish": str(self.shapes)}
        ours.update({kind: str(self.kind_namespace(kind)) for kind in KINDS})
        return {**VOCABULARIES, **ours}

    def sparql_prologue(self) -> str:
        return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in self.prefixes().items())

    def bind(self, graph: Graph) -> Graph:
        for prefix, iri in self.prefixes().items():
            graph.bind(prefix, iri, override=True, replace=True)
        return graph


NS = Namespaces()
GPAI = NS.gpai
GPAISH = NS.shapes


def rebase(graph: Graph, base: str, *, source: str = CANONICAL_BASE) -> Graph:
    """A copy of ``graph`` with every IRI under ``source`` moved under ``base``."""
    if base == source:
        return graph

    def move(term):
        if isinstance(term, URIRef) and term.startswith(source):
            return URIRef(base + term[len(source):])
        if isinstance(term, Literal) and term.datatype == XSD.anyURI and term.startswith(source):
            return Literal(base + term[len(source):], datatype=XSD.anyURI)  # e.g. sh:namespace
        return term

    moved = Graph()
    for s, p, o in graph:
        moved.add((move(s), move(p), move(o)))
    return Namespaces(base).bind(moved)


__all__ = [
    "ADMS",
    "CANONICAL_BASE",
    "DBR",
    "DCAT",
    "DCAT3",
    "DCTERMS",
    "FOAF",
    "GPAI",
    "GPAISH",
    "ISO639",
    "KINDS",
    "LINK_TARGETS",
    "LinkTarget",
    "NS",
    "Namespaces",
    "ORG",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "SPDX",
    "TIME",
    "VCARD",
    "VOCABULARIES",
    "VOID",
    "WD",
    "XSD",
    "rebase",
]
