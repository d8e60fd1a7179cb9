"""The properties the reconciliation service knows: to refine a match and to extend a spreadsheet.

One table (:data:`PROPERTIES`) serves the property suggest service, the property proposals, the
property constraints of reconciliation queries and data extension, so that a property has one
id everywhere, as the Reconciliation API 0.2 asks. Each property reads its values either from the
search index (names, identifiers) or with a SPARQL template through the checked door: the
entities asked for enter the query only as IRIs (``VALUES ?e { $entities }``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from .describe import PRECISIONS
from .gate import Template
from .namespaces import ORG, PROV, TIME, Namespaces
from .search_index import best_text

WIKIDATA_SERVICE = "https://wikidata.reconci.link/en/api"
LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("de", "Deutsch"), ("ja", "日本語"),
                    ("zh-hans", "简体中文")]
#: The settings data extension accepts (manifest ``extend.property_settings``).
PROPERTY_SETTINGS = [
    {"name": "lang", "label": "Language", "type": "select", "default": "en",
     "help_text": "Language of names and descriptions (English when there is none in it)",
     "choices": [{"value": code, "name": name} for code, name in LANGUAGE_CHOICES]},
    {"name": "limit", "label": "Limit", "type": "number", "default": 0,
     "help_text": "Most values to return per row (0: all)"},
]


@dataclass(frozen=True)
class Property:
    id: str
    name: str
    description: str
    for_types: tuple[str, ...] = ()   # search type names it is proposed for; () for every type
    source: str = "sparql"            # index | sparql
    entity_values: bool = False       # values are entities of this service (or of Wikidata)
    identifier: bool = False          # an identifier: a match on it is strong evidence


COUNTRY = ("countries", "members")
PROPERTIES: dict[str, Property] = {p.id: p for p in (
    Property("label", "Name", "The name, in the language of the setting", source="index"),
    Property("description", "Description", "A short description, in the language of the setting", source="index"),
    Property("type", "Type", "The most specific type", source="index"),
    Property("isoAlpha2", "ISO 3166-1 alpha-2 code", "Two-letter country code (RS)", COUNTRY, "index",
             identifier=True),
    Property("isoAlpha3", "ISO 3166-1 alpha-3 code", "Three-letter country code (SRB)", COUNTRY, "index",
             identifier=True),
    Property("isoNumeric", "ISO 3166-1 numeric code", "Numeric country code (688)", COUNTRY, "index",
             identifier=True),
    Property("wikidata", "Wikidata QID", "The Wikidata item (skos:exactMatch), reconciled against Wikidata",
             (), "index", entity_values=True, identifier=True),
    Property("geonames", "GeoNames ID", "The GeoNames record (skos:exactMatch)", COUNTRY, "index", identifier=True),
    Property("gpaiMember", "GPAI member", "true when a current member of GPAI", COUNTRY),
    Property("gpaiJoined", "GPAI join date", "When it joined GPAI, as precisely as the sources say (2021-11)",
             COUNTRY),
    Property("gpaiJoinedPrecision", "GPAI join date precision", "day, month or year", COUNTRY),
    Property("gpaiJoinedDate", "GPAI join date (first possible day)",
             "The first day the join date can be, as a date (2021-11 gives 1 November 2021)", COUNTRY),
    Property("gpaiFounding", "GPAI founding member", "true for the 15 founding members", COUNTRY),
    Property("gpaiLeft", "GPAI leaving date", "When its GPAI membership ended, if it did", COUNTRY),
    Property("gpaiMembershipSources", "Sources of the GPAI membership",
             "The documents that state the membership or its date", COUNTRY, entity_values=True),
    Property("memberOf", "Member of", "The organisations it is a member of now (org:memberOf)",
             ("countries", "members", "organisations"), entity_values=True),
    Property("organisation", "Organisation",
             "The organisations and bodies it is a member of or holds a post in, and those they belong to",
             ("people", "countries", "members", "organisations"), entity_values=True),
    Property("sources", "Sources", "The documents the statements about it come from (prov:wasDerivedFrom)",
             entity_values=True),
)}


@lru_cache(maxsize=8)
def _templates(base: str) -> dict[str, Template]:
    ns = Namespaces(base)
    gpai = ox.NamedNode(str(ns.mint("organisation", "gpai")))
    prologue = (f"PREFIX org: <{ORG}>\nPREFIX time: <{TIME}>\nPREFIX prov: <{PROV}>\n"
                f"PREFIX gpai: <{ns.gpai}>\n")
    membership = f"?m org:member ?e ; org:organization {gpai} ; org:role gpai:memberRole ."
    return {
        "membership": Template(prologue + f"""
            SELECT ?e ?m ?founding ?d ?ym ?y ?precision ?first ?endd ?endym ?endy WHERE {{
              VALUES ?e {{ $entities }}
              {membership}
              OPTIONAL {{ ?m org:role ?founding FILTER(?founding = gpai:foundingMemberRole) }}
              OPTIONAL {{ ?m org:memberDuring ?interval . ?interval time:hasBeginning ?start .
                         OPTIONAL {{ ?start time:inXSDDate ?d }} OPTIONAL {{ ?start time:inXSDgYearMonth ?ym }}
                         OPTIONAL {{ ?start time:inXSDgYear ?y }} OPTIONAL {{ ?start gpai:datePrecision ?precision }}
                         OPTIONAL {{ ?start gpai:notBefore ?first }} }}
              OPTIONAL {{ ?m org:memberDuring ?interval2 . ?interval2 time:hasEnd ?end .
                         OPTIONAL {{ ?end time:inXSDDate ?endd }} OPTIONAL {{ ?end time:inXSDgYearMonth ?endym }}
                         OPTIONAL {{ ?end time:inXSDgYear ?endy }} }}
            }}""", "reconcile-membership"),
        "gpaiMembershipSources": Template(prologue + f"""
            SELECT DISTINCT ?e ?v WHERE {{ VALUES ?e {{ $entities }} {membership} ?m prov:wasDerivedFrom ?v }}""",
                                          "reconcile-membership-sources"),
        "memberOf": Template(prologue + """
            SELECT DISTINCT ?e ?v WHERE { VALUES ?e { $entities } ?e org:memberOf ?v }""", "reconcile-member-of"),
        "organisation": Template(prologue + """
            SELECT DISTINCT ?e ?v WHERE {
              VALUES ?e { $entities } ?m org:member ?e ; org:organization ?o . ?o org:subOrganizationOf* ?v
            }""", "reconcile-organisation"),
        "sources": Template(prologue + """
            SELECT DISTINCT ?e ?v WHERE { VALUES ?e { $entities } ?e prov:wasDerivedFrom ?v }""",
                            "reconcile-sources"),
    }


class Values:
    """Property values of some entities, fetched once per request: index look-ups and a few queries."""

    def __init__(self, service, iris: list[str]) -> None:
        self.service = service
        self.iris = [iri for iri in dict.fromkeys(iris) if _is_iri(iri)]
        self.index = service.search_index
        self.hits = self.index.entities(self.iris)
        self._names = self.index.names(h.entity for h in self.hits.values())
        self._rows: dict[str, list[dict]] = {}

    def _select(self, name: str) -> list[dict]:
        if name not in self._rows:
            entities = [ox.NamedNode(iri) for iri in self.iris]
            self._rows[name] = (self.service.select(_templates(self.service.ns.base)[name], entities=entities)
                                if entities else [])
        return self._rows[name]

    def identifiers(self, iri: str, prop: str) -> list[str]:
        hit = self.hits.get(iri)
        if hit is None:
            return []
        return [text for _, text, _, kind, p in self._names.get(hit.entity, ()) if p == prop]

    def entity_iris(self, iri: str, prop: str) -> list[str]:
        return [row["v"].value for row in self._select(prop) if row["e"].value == iri
                and isinstance(row["v"], ox.NamedNode)]

    def memberships(self, iri: str) -> list[dict]:
        return [row for row in self._select("membership") if row["e"].value == iri]

    def get(self, iri: str, prop: str, lang: str = "en") -> list[dict]:
        """The values of ``prop`` for ``iri``, as data extension values ({"str"}, {"id", "name"}, {"date"})."""
        hit = self.hits.get(iri)
        if prop == "label":
            found = hit and best_text(hit.data["labels"], lang)
            return [{"str": found[0]}] if found else []
        if prop == "description":
            found = hit and best_text(hit.data["descriptions"], lang)
            return [{"str": found[0]}] if found else []
        if prop == "type":
            return [{"str": self.index.class_label(hit.data["type"], lang)}] if hit and hit.data["type"] else []
        if prop == "wikidata":
            name = hit.label(lang)[0] if hit else ""
            return [{"id": qid, "name": name or qid} for qid in self.identifiers(iri, "wikidata")]
        if PROPERTIES[prop].source == "index":
            return [{"str": value} for value in self.identifiers(iri, prop)]
        if prop == "gpaiMember":
            return [{"str": "true" if hit and hit.data.get("member") else "false"}] if hit else []
        if prop.startswith("gpai") and prop != "gpaiMembershipSources":
            return _membership_values(self.memberships(iri), prop)
        return [self.entity_value(value, lang) for value in self.entity_iris(iri, prop)]

    def entity_value(self, iri: str, lang: str) -> dict:
        hit = self.index.entity(iri)
        return {"id": iri, "name": hit.label(lang)[0] if hit else iri}

    def name_keys(self, iri: str) -> list[str]:
        """The folded names and identifiers of an entity, to compare a spreadsheet value with."""
        hit = self.index.entity(iri)
        if hit is None:
            return []
        return [k for k, *_ in self.index.names([hit.entity]).get(hit.entity, ())]


def _membership_values(rows: list[dict], prop: str) -> list[dict]:
    out = []
    for row in rows:
        if prop == "gpaiFounding":
            out.append({"str": "true" if row.get("founding") is not None else "false"})
            continue
        stated = next((row[k].value for k in ("d", "ym", "y") if row.get(k) is not None), None)
        if prop == "gpaiJoined" and stated:
            out.append({"str": stated})
        elif prop == "gpaiJoinedPrecision" and row.get("precision") is not None:
            out.append({"str": PRECISIONS.get(_uri(row["precision"].value), row["precision"].value)})
        elif prop == "gpaiJoinedDate" and row.get("first") is not None:
            out.append({"date": row["first"].value + "T00:00:00Z"})
        elif prop == "gpaiLeft":
            ended = next((row[k].value for k in ("endd", "endym", "endy") if row.get(k) is not None), None)
            if ended:
                out.append({"str": ended})
    unique = []
    for value in out:
        if value not in unique:
            unique.append(value)
    return unique


def _uri(value: str):
    from rdflib import URIRef
    return URIRef(value)


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except (ValueError, TypeError):
        return False
    return "://" in value


def extension(service, ids: list[str], properties: list[dict]) -> dict:
    """A data extension response: ``meta`` for each property, ``rows`` for each id (empty when unknown)."""
    values = Values(service, ids)
    meta = []
    for item in properties:
        prop = PROPERTIES[item["id"]]
        entry = {"id": prop.id, "name": prop.name}
        if prop.id == "wikidata":
            entry["service"] = WIKIDATA_SERVICE
        meta.append(entry)
    rows: dict[str, dict[str, list]] = defaultdict(dict)
    for iri in ids:
        for item in properties:
            settings = item.get("settings") or {}
            found = values.get(iri, item["id"], settings.get("lang", "en")) if iri in values.hits else []
            limit = settings.get("limit", 0)
            rows[iri][item["id"]] = found[:limit] if limit else found
    return {"meta": meta, "rows": dict(rows)}


def proposals(type_names: list[str], limit: int | None) -> list[dict]:
    """The properties worth fetching for entities of a type (a search type name; None: any)."""
    chosen = [p for p in PROPERTIES.values()
              if not p.for_types or not type_names or set(p.for_types) & set(type_names)]
    chosen.sort(key=lambda p: (not p.for_types, list(PROPERTIES).index(p.id)))
    if limit:
        chosen = chosen[:limit]
    return [{"id": p.id, "name": p.name, "description": p.description} for p in chosen]


__all__ = ["PROPERTIES", "PROPERTY_SETTINGS", "Property", "Values", "extension", "proposals"]
