"""The kinds of thing search and reconciliation filter by: short names, class IRIs or CURIEs.

>>> from gpai_kg.namespaces import NS
>>> type_filter(["countries"], NS).classes
('https://w3id.org/gpai-kg/ontology/Country',)
>>> type_filter(["foaf:Person"], NS).classes
('http://xmlns.com/foaf/0.1/Person',)
>>> type_filter(["nations"], NS)
Traceback (most recent call last):
...
gpai_kg.errors.BadRequest: unknown type 'nations': use a class IRI, a CURIE (gpai:Country) or one of members, countries, bodies, organisations, events, people, projects, outputs, documents, places, sources, claims, concepts
"""

from __future__ import annotations

from .errors import BadRequest
from .namespaces import FOAF, ORG, PROV, SCHEMA, SKOS, Namespaces
from .search_index import MEMBER, TypeFilter

#: name -> (title, classes (any), classes excluded). ("gpai", X) is X in the release's own ontology.
SEARCH_TYPES: dict[str, tuple[str, tuple, tuple]] = {
    "members": ("GPAI members", (MEMBER,), ()),
    "countries": ("Countries", (("gpai", "Country"),), ()),
    "bodies": ("GPAI bodies", (ORG.OrganizationalUnit,), ()),
    "organisations": ("Organisations", (ORG.FormalOrganization, SCHEMA.Organization, FOAF.Organization),
                      (("gpai", "Country"),)),
    "events": ("Summits, meetings and other events", (SCHEMA.Event,), ()),
    "people": ("People", (FOAF.Person,), ()),
    "projects": ("Projects", (("gpai", "Project"),), ()),
    "outputs": ("Reports and other outputs", (("gpai", "Output"),), ()),
    "documents": ("Declarations and other documents", (("gpai", "Declaration"), SCHEMA.Legislation), ()),
    "places": ("Places", (SCHEMA.Place, SCHEMA.City), ()),
    "sources": ("Sources", (PROV.Entity,), (("gpai", "Claim"), ("gpai", "Output"))),
    "claims": ("Claims", (("gpai", "Claim"),), ()),
    "concepts": ("Concepts", (SKOS.Concept,), ()),
}


def _iri(cls, ns: Namespaces) -> str:
    if cls == MEMBER:
        return MEMBER
    return str(ns.gpai[cls[1]]) if isinstance(cls, tuple) else str(cls)


def classes_of(name: str, ns: Namespaces) -> tuple[tuple[str, ...], tuple[str, ...]]:
    _, classes, excluded = SEARCH_TYPES[name]
    return tuple(_iri(c, ns) for c in classes), tuple(_iri(c, ns) for c in excluded)


def type_filter(values: list[str], ns: Namespaces) -> TypeFilter | None:
    """The filter for ``values`` (any of them), or BadRequest naming the one not understood."""
    classes: list[str] = []
    excluded: list[str] = []
    prefixes = ns.prefixes()
    for value in values:
        value = value.strip()
        if value in SEARCH_TYPES:
            include, exclude = classes_of(value, ns)
            classes += include
            excluded += exclude if len(values) == 1 else ()
        elif value.startswith(("http://", "https://")) and " " not in value:
            classes.append(value)
        elif ":" in value and value.split(":", 1)[0] in prefixes:
            prefix, local = value.split(":", 1)
            classes.append(prefixes[prefix] + local)
        else:
            raise BadRequest(f"unknown type {value[:100]!r}: use a class IRI, a CURIE (gpai:Country) or one of "
                             + ", ".join(SEARCH_TYPES))
    if not classes:
        return None
    return TypeFilter(tuple(dict.fromkeys(classes)), tuple(dict.fromkeys(excluded)))


def type_names(classes: list[str], ns: Namespaces) -> list[str]:
    """The short names whose classes include any of ``classes`` (for property proposals)."""
    return [name for name in SEARCH_TYPES if set(classes_of(name, ns)[0]) & set(classes)]


__all__ = ["SEARCH_TYPES", "classes_of", "type_filter", "type_names"]
