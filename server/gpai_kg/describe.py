"""What the linked-data face says about one resource: its data document and its HTML view.

The data document is the resource's bounded description, fetched with one CONSTRUCT
(:data:`DESCRIPTION`, the resource filled in as an RDF term):

* its outgoing triples, and the blank nodes under them (time intervals and instants);
* the labels (and URLs) of what it links to;
* the triples that point at it, with their subjects' labels;
* the memberships it takes part in, in full, with the labels of their parties and sources;
* the reification nodes that say which source states which of its statements;
* for ontology terms: the property shapes whose path it is, and a few uses as examples.

The HTML page is rendered from that same graph (:class:`Presenter`), so the page and the
data cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME

from .gate import Template
from .namespaces import LINK_TARGETS, SCHEMA, Namespaces

LABEL_PREDICATES = (SKOS.prefLabel, RDFS.label, SCHEMA.name, DCTERMS.title)
DESCRIPTION_PREDICATES = (RDFS.comment, SKOS.definition, DCTERMS.description, SCHEMA.description)
LINK_PREDICATES = (SKOS.exactMatch, OWL.sameAs)
TERM_TYPES = (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
              RDF.Property)
DATE_PREDICATES = (TIME.inXSDDate, TIME.inXSDDateTimeStamp, TIME.inXSDgYearMonth, TIME.inXSDgYear)
PRECISIONS = {TIME.unitDay: "day", TIME.unitMonth: "month", TIME.unitYear: "year"}
def N_(text: str) -> str:
    """Marks a string for the interface's message catalogues; the page translates it when it shows it."""
    return text


#: How a page says a date's precision (English here; the web layer's gettext translates).
PRECISION_NOTES = {"day": N_("to the day"), "month": N_("to the month"), "year": N_("to the year")}
MEMBERSHIP_PARTIES = (ORG.member, ORG.organization)

_ADJACENT = " ".join(f"<{p}>" for p in (*LABEL_PREDICATES, SCHEMA.url))
_PARTIES = "|".join(f"<{p}>" for p in MEMBERSHIP_PARTIES)


def _description_text() -> str:
    # Built once from constants; the resource is the parameter $r, filled with an RDF term.
    r = "$r"
    return f"""CONSTRUCT {{
  {r} ?p ?o . ?o ?lp ?l . ?p <{RDFS.label}> ?pl . ?b ?bp ?bo . ?c ?cp ?co .
  ?s ?ip {r} . ?s ?slp ?sl .
  ?m ?mp ?mo . ?mo ?mlp ?ml . ?mb ?mbp ?mbo . ?mc ?mcp ?mco .
  ?shape <{SH.property}> ?ps . ?ps ?psp ?pso . ?shape ?shlp ?shl .
  ?xs {r} ?xo . ?xs ?xlp ?xl .
  ?st ?stp ?sto .
}} WHERE {{
  {{ {r} ?p ?o }}
  UNION {{ {r} ?p ?o . ?o ?lp ?l VALUES ?lp {{ {_ADJACENT} }} }}
  UNION {{ {r} ?p ?o . ?p <{RDFS.label}> ?pl }}
  UNION {{ {r} ?p1 ?b FILTER(isBlank(?b)) ?b ?bp ?bo }}
  UNION {{ {r} ?p1 ?b1 FILTER(isBlank(?b1)) ?b1 ?p2 ?c FILTER(isBlank(?c)) ?c ?cp ?co }}
  UNION {{ ?s ?ip {r} }}
  UNION {{ ?s ?ip {r} . ?s ?slp ?sl VALUES ?slp {{ {_ADJACENT} }} }}
  UNION {{ ?m {_PARTIES} {r} . ?m ?mp ?mo }}
  UNION {{ ?m {_PARTIES} {r} . ?m ?mp ?mo . ?mo ?mlp ?ml VALUES ?mlp {{ {_ADJACENT} }} }}
  UNION {{ ?m {_PARTIES} {r} . ?m ?mp1 ?mb FILTER(isBlank(?mb)) ?mb ?mbp ?mbo }}
  UNION {{ ?m {_PARTIES} {r} . ?m ?mp1 ?mb1 FILTER(isBlank(?mb1)) ?mb1 ?mp2 ?mc FILTER(isBlank(?mc))
           ?mc ?mcp ?mco }}
  UNION {{ ?shape <{SH.property}> ?ps . ?ps <{SH.path}> {r} . ?ps ?psp ?pso
           OPTIONAL {{ ?shape ?shlp ?shl VALUES ?shlp {{ <{RDFS.label}> <{RDFS.comment}> }} }} }}
  UNION {{ ?st <{RDF.subject}> {r} . ?st ?stp ?sto }}
  UNION {{ {{ SELECT ?xs ?xo WHERE {{ ?xs {r} ?xo }} LIMIT 5 }}
           OPTIONAL {{ ?xs ?xlp ?xl VALUES ?xlp {{ {_ADJACENT} }} }} }}
}}"""


#: The CONSTRUCT query whose result is the data document of the resource ``$r``.
DESCRIPTION = Template(_description_text(), "description")


# --- Presenting the description to people ---------------------------------------------------

@dataclass
class Value:
    """One value as shown on a page: a link, a literal or a nested description."""

    text: str
    href: str | None = None
    lang: str | None = None
    note: str | None = None        # datatype, precision, CURIE…
    external: bool = False
    children: list[tuple[Value, list[Value]]] = field(default_factory=list)
    sources: list[Value] = field(default_factory=list)   # the sources that state this value (reification)
    inferred: str | None = None                           # a curator's note, when inferred or translated


@dataclass
class Membership:
    party: Value             # the other side: the member, or the organisation
    role: Value | None
    start: Value | None
    end: Value | None
    sources: list[Value]
    group: Value | None = None   # what the page groups it under: the organisation, or the role


@dataclass
class ExternalLink:
    dataset: str
    href: str


class Presenter:
    """Turns a description graph into values for templates, in the reader's language."""

    def __init__(self, graph: Graph, ns: Namespaces, lang: str, local_prefix: str = "/",
                 gettext=lambda text: text, term_labels: dict | None = None) -> None:
        self.graph = graph
        self.ns = ns
        self.lang = lang
        self.local_prefix = local_prefix
        self._ = gettext                         # the interface's words, in the reader's language
        self.term_labels = term_labels or {}     # labels of the terms of reused vocabularies
        self._curies = {iri: prefix for prefix, iri in ns.prefixes().items()}

    # names ------------------------------------------------------------------------------
    def labels(self, node) -> dict[str, str]:
        """The node's label in each language it has one in (preferred predicate first)."""
        found: dict[str, str] = {}
        for predicate in LABEL_PREDICATES:
            for label in self.graph.objects(node, predicate):
                if isinstance(label, Literal):
                    found.setdefault((label.language or "").lower(), str(label))
        return found

    def label(self, node) -> tuple[str, str | None]:
        """(text, language tag) of the best label for the reader, falling back to English."""
        labels = self.labels(node)
        for lang in (self.lang, self.lang.split("-")[0], "en", ""):
            if lang in labels:
                return labels[lang], lang or None
        known = self.term_labels.get(str(node))
        if known is not None:  # a term of a reused vocabulary (org:memberOf): its label, translated
            return str(known), self.lang
        if labels:
            lang = sorted(labels)[0]
            return labels[lang], lang or None
        return self.curie(node), None

    def description(self, node) -> tuple[str, str | None] | None:
        texts = {}
        for predicate in DESCRIPTION_PREDICATES:
            for text in self.graph.objects(node, predicate):
                if isinstance(text, Literal):
                    texts.setdefault((text.language or "").lower(), str(text))
        for lang in (self.lang, "en", ""):
            if lang in texts:
                return texts[lang], lang or None
        return None

    def curie(self, node) -> str:
        iri = str(node)
        best = max((ns for ns in self._curies if iri.startswith(ns)), key=len, default=None)
        if best is None:
            return iri
        return f"{self._curies[best]}:{iri[len(best):]}"

    def href(self, iri: str) -> tuple[str, bool]:
        """Where a link to ``iri`` goes: a local path for our own IRIs, else the IRI itself."""
        if iri.startswith(self.ns.base):
            return self.local_prefix + iri[len(self.ns.base):], False
        return iri, True

    # values -----------------------------------------------------------------------------
    def value(self, node, depth: int = 0) -> Value:
        if isinstance(node, Literal):
            note = None
            if node.datatype is not None:
                note = self.curie(node.datatype)
            return Value(str(node), lang=node.language, note=note)
        if isinstance(node, BNode):
            return self._blank(node, depth)
        href, external = self.href(str(node))
        text, lang = self.label(node)
        note = self.curie(node) if text != self.curie(node) else None
        return Value(text, href=href, lang=lang, note=note, external=external)

    def _blank(self, node: BNode, depth: int) -> Value:
        types = set(self.graph.objects(node, RDF.type))
        if TIME.Instant in types or any(self.graph.objects(node, p) for p in DATE_PREDICATES):
            return self.instant(node) or Value(self._(N_("(no date)")))
        if TIME.Interval in types:
            start = self._first(node, TIME.hasBeginning)
            end = self._first(node, TIME.hasEnd)
            begin_text = self.instant(start).text if start is not None else "?"
            end_text = self.instant(end).text if end is not None else self._(N_("present"))
            return Value(f"{begin_text} – {end_text}")
        if depth >= 2:
            return Value("…")
        return Value("", children=self.properties(node, depth + 1))

    def instant(self, node) -> Value | None:
        for predicate in DATE_PREDICATES:
            date = self._first(node, predicate)
            if date is not None:
                precision = PRECISIONS.get(self._first(node, self.ns.gpai.datePrecision))
                note = self._(PRECISION_NOTES[precision]) if precision else None
                sources = [self.value(s) for s in sorted(self.graph.objects(node, PROV.wasDerivedFrom))]
                return Value(str(date), note=note, sources=sources)
        return None

    def _first(self, node, predicate):
        return next(iter(sorted(self.graph.objects(node, predicate))), None)

    def properties(self, node, depth: int = 0, skip=()) -> list[tuple[Value, list[Value]]]:
        rows = []
        stated = self.statement_sources(node) if depth == 0 else {}
        for predicate in sorted(set(self.graph.predicates(node)), key=self.curie):
            if predicate in skip:
                continue
            values = []
            for o in sorted(self.graph.objects(node, predicate), key=_sort_key):
                v = self.value(o, depth)
                v.sources, v.inferred = stated.get((predicate, o), ([], None))
                values.append(v)
            rows.append((self.value(predicate), values))
        return rows

    def statement_sources(self, node) -> dict[tuple, tuple[list[Value], str | None]]:
        """(predicate, object) → the sources (and curator's note) its reification nodes give."""
        found: dict[tuple, tuple[list[Value], str | None]] = {}
        for statement in self.graph.subjects(RDF.subject, node):
            predicate = self._first(statement, RDF.predicate)
            obj = self._first(statement, RDF.object)
            if predicate is None or obj is None:
                continue
            sources, note = found.get((predicate, obj), ([], None))
            sources = sources + [self.value(s) for s in sorted(self.graph.objects(statement, PROV.wasDerivedFrom))]
            if (statement, self.ns.gpai.inferred, Literal(True)) in self.graph:
                editorial = self._first(statement, SKOS.editorialNote)
                note = str(editorial) if editorial is not None else self._(N_("inferred by a curator"))
            found[(predicate, obj)] = (sources, note)
        return found

    # sections of a resource page -------------------------------------------------------
    def external_links(self, node) -> list[ExternalLink]:
        links = []
        for predicate in LINK_PREDICATES:
            for target in sorted(self.graph.objects(node, predicate)):
                name = next((t.title for t in LINK_TARGETS.values() if str(target).startswith(t.uri_space)),
                            "elsewhere")
                links.append(ExternalLink(name, str(target)))
        return links

    def memberships(self, node) -> list[Membership]:
        rows = []
        for party_predicate, other_predicate in ((ORG.member, ORG.organization), (ORG.organization, ORG.member)):
            for membership in self.graph.subjects(party_predicate, node):
                other = self._first(membership, other_predicate)
                interval = self._first(membership, ORG.memberDuring)
                start = self._first(interval, TIME.hasBeginning) if interval is not None else None
                end = self._first(interval, TIME.hasEnd) if interval is not None else None
                role = self._first(membership, ORG.role)
                party = self.value(other) if other is not None else Value("?")
                role_value = self.value(role) if role is not None else None
                rows.append(Membership(
                    party=party, role=role_value,
                    start=self.instant(start) if start is not None else None,
                    end=self.instant(end) if end is not None else None,
                    sources=[self.value(s) for s in sorted(self.graph.objects(membership, PROV.wasDerivedFrom))],
                    # A member's page groups by organisation; an organisation's page by role.
                    group=party if party_predicate == ORG.member else role_value,
                ))
        return sorted(rows, key=lambda m: ((m.group.text if m.group else ""), (m.start.text if m.start else "9999"),
                                           m.party.text))

    def incoming(self, node) -> list[tuple[Value, Value]]:
        """(subject, predicate) of the triples pointing at ``node``, memberships aside."""
        rows = []
        for subject, predicate in self.graph.subject_predicates(node):
            if predicate in MEMBERSHIP_PARTIES or predicate == SH.path or isinstance(subject, BNode):
                continue
            rows.append((self.value(subject), self.value(predicate)))
        return sorted(rows, key=lambda r: (r[1].text, r[0].text))

    def sources(self, node) -> list[Value]:
        return [self.value(s) for s in sorted(self.graph.objects(node, PROV.wasDerivedFrom))]

    def shapes(self, node) -> list[Value]:
        """The node shapes that target this class or constrain this property."""
        shapes = set(self.graph.subjects(SH.targetClass, node))
        for property_shape in self.graph.subjects(SH.path, node):
            shapes.update(self.graph.subjects(SH.property, property_shape))
            if not isinstance(property_shape, BNode):
                shapes.add(property_shape)
        return sorted((self.value(s) for s in shapes), key=lambda v: v.text)

    def examples(self, node) -> list[tuple[Value, Value]]:
        """A few (subject, object) uses of a property."""
        return sorted(((self.value(s), self.value(o)) for s, o in self.graph.subject_objects(node)),
                      key=lambda r: r[0].text)[:5]

    def is_term(self, node) -> bool:
        return any(t in TERM_TYPES for t in self.graph.objects(node, RDF.type))


def _sort_key(term) -> tuple:
    return (isinstance(term, BNode), isinstance(term, Literal), getattr(term, "language", None) or "", str(term))


__all__ = ["DESCRIPTION", "Presenter", "Value", "Membership", "ExternalLink"]
