"""The build's derivation step: facts computed from the curated data, never typed by hand.

* ISO 3166-1 alpha-3 and numeric codes and country names in the graph's languages, from
  pycountry's copy of the ISO 3166 data (the iso-codes project), keyed by the curated
  alpha-2 code. A curated label in a language wins over pycountry's.
* ``gpai:notBefore`` / ``gpai:notAfter`` on every dated instant: the first and last day the
  instant can fall on at its precision, so SPARQL can compare dates of any precision.
* ``org:memberOf`` from each member to the organisation of each of its current
  memberships (role ``gpai:memberRole``, no end), the shortcut ORG offers next to the
  n-ary ``org:Membership``.
* The superclass types the ontology declares (``rdfs:subClassOf``, transitively): a
  ``gpai:Summit`` is also a ``schema:Event``, a ``gpai:Country`` also an
  ``org:FormalOrganization`` and a ``schema:Country``, so that queries without inference
  find them.

The derived triples form their own graph, with their source described in it.
"""

from __future__ import annotations

import calendar
import gettext
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from .namespaces import GPAI, ISO639, NS, SCHEMA

#: The languages every country and GPAI body is named in: BCP 47 tag -> pycountry locale.
LANGUAGES: dict[str, str] = {
    "en": "en",
    "fr": "fr",
    "es": "es",
    "de": "de",
    "ja": "ja",
    "zh-Hans": "zh_CN",
}

#: The same tags as Oxigraph and our pages spell them (lower case).
LABEL_LANGUAGES: tuple[str, ...] = tuple(tag.lower() for tag in LANGUAGES)

PYCOUNTRY_SOURCE = NS.mint("source", "pycountry-iso-3166")
GPAI_ORG = NS.mint("organisation", "gpai")


@dataclass(frozen=True)
class DerivationProblem:
    focus: URIRef
    path: URIRef
    value: object
    message: str


def derive(data: Graph, ontology: Graph | None = None) -> tuple[Graph, list[DerivationProblem]]:
    """Triples derived from ``data`` (a new graph) and the problems found on the way.

    ``ontology`` gives the class hierarchy whose superclass types are materialised.
    """
    derived = NS.bind(Graph())
    problems: list[DerivationProblem] = []
    _countries(data, derived, problems)
    _date_bounds(data, derived, problems)
    _member_of(data, derived)
    if ontology is not None:
        _superclass_types(data, ontology, derived)
    return derived, problems


def _countries(data: Graph, out: Graph, problems: list[DerivationProblem]) -> None:
    used = False
    for country, code in data.subject_objects(GPAI.isoAlpha2):
        record = pycountry.countries.get(alpha_2=str(code)) if re.fullmatch(r"[A-Z]{2}", str(code)) else None
        if record is None:
            problems.append(DerivationProblem(
                country, GPAI.isoAlpha2, code,
                f"{str(code)!r} is not an ISO 3166-1 alpha-2 code known to pycountry {_pycountry_version()}"))
            continue
        used = True
        out.add((country, GPAI.isoAlpha3, Literal(record.alpha_3)))
        out.add((country, GPAI.isoNumeric, Literal(record.numeric)))
        curated = {lit.language for lit in data.objects(country, RDFS.label) if isinstance(lit, Literal)}
        common = getattr(record, "common_name", None)
        official = getattr(record, "official_name", None)
        for tag, locale in LANGUAGES.items():
            if tag.lower() not in {(lang or "").lower() for lang in curated}:
                out.add((country, RDFS.label, Literal(_name(locale, common, record.name), lang=tag)))
            if official:
                out.add((country, SCHEMA.legalName, Literal(_translate(locale, official), lang=tag)))
        if common and common != record.name:
            out.add((country, SKOS.altLabel, Literal(record.name, lang="en")))
        out.add((country, PROV.wasDerivedFrom, PYCOUNTRY_SOURCE))
    if used:
        out.add((PYCOUNTRY_SOURCE, RDF.type, PROV.Entity))
        out.add((PYCOUNTRY_SOURCE, RDFS.label, Literal(
            f"ISO 3166-1 codes and country names from the iso-codes project, "
            f"as packaged by pycountry {_pycountry_version()}", lang="en")))
        out.add((PYCOUNTRY_SOURCE, SCHEMA.url, URIRef("https://pypi.org/project/pycountry/")))
        out.add((PYCOUNTRY_SOURCE, DCTERMS.language, ISO639.en))
        out.add((PYCOUNTRY_SOURCE, SCHEMA.version, Literal(_pycountry_version())))


def _name(locale: str, common: str | None, name: str) -> str:
    """A country's usual name in ``locale``: its common name where one is translated."""
    if common:
        translated = _translate(locale, common)
        if translated != common or locale == "en":
            return translated
    return _translate(locale, name)


@lru_cache(maxsize=None)
def _translations(locale: str) -> gettext.NullTranslations:
    if locale == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])


def _translate(locale: str, text: str) -> str:
    return _translations(locale).gettext(text)


@lru_cache(maxsize=1)
def _pycountry_version() -> str:
    from importlib.metadata import version

    return version("pycountry")


_POSITIONS = {
    TIME.inXSDDate: re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
    TIME.inXSDgYearMonth: re.compile(r"^(\d{4})-(\d{2})$"),
    TIME.inXSDgYear: re.compile(r"^(\d{4})$"),
}


def date_bounds(prop: URIRef, lexical: str) -> tuple[date, date]:
    """First and last day an instant given by ``prop`` with ``lexical`` can fall on.

    >>> date_bounds(TIME.inXSDgYearMonth, "2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    """
    match = _POSITIONS[prop].match(lexical)
    if not match:
        raise ValueError(f"{lexical!r} is not a valid {prop.split('#')[-1][2:]} value")
    parts = [int(p) for p in match.groups()]
    if prop == TIME.inXSDDate:
        day = date(*parts)
        return day, day
    if prop == TIME.inXSDgYearMonth:
        year, month = parts
        if not 1 <= month <= 12:
            raise ValueError(f"{lexical!r} has no month {month}")
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    (year,) = parts
    return date(year, 1, 1), date(year, 12, 31)


def _date_bounds(data: Graph, out: Graph, problems: list[DerivationProblem]) -> None:
    for prop in _POSITIONS:
        for instant, value in data.subject_objects(prop):
            try:
                first, last = date_bounds(prop, str(value))
            except ValueError as exc:
                problems.append(DerivationProblem(instant, prop, value, str(exc)))
                continue
            out.add((instant, GPAI.notBefore, Literal(first, datatype=XSD.date)))
            out.add((instant, GPAI.notAfter, Literal(last, datatype=XSD.date)))


def _member_of(data: Graph, out: Graph) -> None:
    """``org:memberOf`` for each current membership with the member role (no end)."""
    for membership in set(data.subjects(ORG.role, GPAI.memberRole)):
        if any((interval, TIME.hasEnd, None) in data for interval in data.objects(membership, ORG.memberDuring)):
            continue
        for member in data.objects(membership, ORG.member):
            for organisation in data.objects(membership, ORG.organization):
                out.add((member, ORG.memberOf, organisation))


def superclasses(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """Each class of ``ontology`` with the (transitive) superclasses it declares, itself excluded.

    >>> g = Graph()
    >>> _ = g.add((GPAI.MemberCountClaim, RDFS.subClassOf, GPAI.CountClaim))
    >>> _ = g.add((GPAI.CountClaim, RDFS.subClassOf, GPAI.Claim))
    >>> sorted(c.split("/")[-1] for c in superclasses(g)[GPAI.MemberCountClaim])
    ['Claim', 'CountClaim']
    """
    closure: dict[URIRef, set[URIRef]] = {}
    for cls in set(ontology.subjects(RDFS.subClassOf, None)):
        if isinstance(cls, URIRef):
            closure[cls] = {c for c in ontology.transitive_objects(cls, RDFS.subClassOf)
                            if isinstance(c, URIRef) and c != cls}
    return closure


def _superclass_types(data: Graph, ontology: Graph, out: Graph) -> None:
    closure = superclasses(ontology)
    for subject, cls in data.subject_objects(RDF.type):
        for parent in closure.get(cls, ()):
            if (subject, RDF.type, parent) not in data:
                out.add((subject, RDF.type, parent))
