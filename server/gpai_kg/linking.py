"""Checking our links to Wikidata against Wikidata itself, and proposing new ones.

``check`` reads what we link from the release, asks a Wikidata-compatible endpoint about
those entities in batched ``VALUES`` queries, and compares:

* ISO 3166-1 codes (P297 alpha-2, P298 alpha-3, P299 numeric) and the GeoNames ID (P1566);
* memberships of GPAI (P463 statements, their start time P580 at its precision) with ours;
* the DBpedia link with the one derived from the English Wikipedia article (sitelink);
* labels in our languages (differences are reported, not counted as disagreements: names
  legitimately differ, codes and dates do not).

``propose`` turns what Wikidata has and we lack into Turtle for a curator to review: QIDs
found by exact English label for resources with none, labels in missing languages, DBpedia
links from English Wikipedia titles, each citing a source that records the endpoint and date.
"""

from __future__ import annotations

import json
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from .derive import LABEL_LANGUAGES as LANGUAGES
from .namespaces import CANONICAL_BASE, DBR, WD, Namespaces
from .queries import select as _select
from .wikidata import WikidataClient, batches

GEONAMES = "https://sws.geonames.org/"
ENWIKI = "https://en.wikipedia.org/"
GPAI_NAME = "Global Partnership on Artificial Intelligence"
PRECISION_CHARS = {"day": 10, "month": 7, "year": 4}
WIKIBASE_PRECISION = {11: "day", 10: "month", 9: "year"}
LINKABLE_KINDS = ("country", "organisation", "place", "person")
CODES = {"P297": "isoAlpha2", "P298": "isoAlpha3", "P299": "isoNumeric"}

PREFIXES = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pqv: <http://www.wikidata.org/prop/qualifier/value/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


# --- Our side ------------------------------------------------------------------------------------

def select(store: ox.Store, query: str) -> list[dict]:
    """Rows of a SELECT over the union of the release's graphs."""
    return _select(store, query, union=True)


@dataclass
class Ours:
    """What the release says about one resource we link (or could link) to Wikidata."""

    iri: str
    qid: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)        # P297/P298/P299 → our value
    geonames: str | None = None
    dbpedia: str | None = None
    joined: tuple[str, str] | None = None                      # (date text, precision) in GPAI


def our_resources(store: ox.Store, ns: Namespaces) -> dict[str, Ours]:
    """Every resource of a linkable kind, with its Wikidata link if it has one (``ns``: the release's)."""
    ours: dict[str, Ours] = {}
    kinds = " ".join(f'"{k}"' for k in LINKABLE_KINDS)
    for row in select(store, f"""
        SELECT DISTINCT ?r WHERE {{ ?r ?p ?o FILTER(isIRI(?r) && STRSTARTS(STR(?r), "{ns.id}"))
          BIND(STRBEFORE(STRAFTER(STR(?r), "{ns.id}"), "/") AS ?kind) VALUES ?k {{ {kinds} }} FILTER(?kind = ?k) }}"""):
        iri = row["r"].value
        ours[iri] = Ours(iri)
    for row in select(store, "SELECT ?r ?o WHERE { ?r <http://www.w3.org/2004/02/skos/core#exactMatch> ?o }"):
        resource, target = ours.get(row["r"].value), row["o"].value
        if resource is None:
            continue
        if target.startswith(str(WD)):
            resource.qid = target[len(str(WD)):]
        elif target.startswith(GEONAMES):
            resource.geonames = target[len(GEONAMES):].strip("/")
        elif target.startswith(str(DBR)):
            resource.dbpedia = target
    for row in select(store, "SELECT ?r ?l WHERE { ?r <http://www.w3.org/2000/01/rdf-schema#label> ?l }"):
        resource, label = ours.get(row["r"].value), row["l"]
        if resource is not None and label.language:
            resource.labels.setdefault(label.language.lower(), label.value)
    for code, local in CODES.items():
        for row in select(store, f"SELECT ?r ?v WHERE {{ ?r <{ns.gpai[local]}> ?v }}"):
            if row["r"].value in ours:
                ours[row["r"].value].codes[code] = row["v"].value
    for row in select(store, f"""
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?member ?joined ?precision WHERE {{
          ?m a <{ns.gpai.PartnershipMembership}> ; org:organization <{ns.mint("organisation", "gpai")}> ;
             org:member ?member ; org:memberDuring/time:hasBeginning ?start .
          ?start <{ns.gpai.datePrecision}> ?precision ;
                 time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?joined }}"""):
        if row["member"].value in ours:
            precision = row["precision"].value.rsplit("unit", 1)[-1].lower()
            ours[row["member"].value].joined = (row["joined"].value, precision)
    return ours


# --- Their side ----------------------------------------------------------------------------------

@dataclass
class Theirs:
    exists: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    claims: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))   # P297… → values
    memberships: list[tuple[str, str] | None] = field(default_factory=list)        # (time, precision)
    enwiki: str | None = None


def fetch(client: WikidataClient, qids: list[str], gpai_qid: str | None, progress=None) -> dict[str, Theirs]:
    languages = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    membership = (f"""UNION {{ ?item p:P463 ?st . ?st ps:P463 wd:{gpai_qid} . BIND("P463" AS ?prop)
                 OPTIONAL {{ ?st pqv:P580 ?tv . ?tv wikibase:timeValue ?value ; wikibase:timePrecision ?precision }} }}"""
                  if gpai_qid else "")
    found: dict[str, Theirs] = {qid: Theirs() for qid in qids}
    for batch in batches(sorted(qids)):
        values = " ".join(f"wd:{qid}" for qid in batch)
        rows = client.select(f"""{PREFIXES}
SELECT ?item ?prop ?value ?precision WHERE {{
  VALUES ?item {{ {values} }}
  {{ ?item schema:version ?value BIND("exists" AS ?prop) }}
  UNION {{ ?item rdfs:label ?value BIND("label" AS ?prop) FILTER(LANG(?value) IN ({languages})) }}
  UNION {{ ?item wdt:P297 ?value BIND("P297" AS ?prop) }}
  UNION {{ ?item wdt:P298 ?value BIND("P298" AS ?prop) }}
  UNION {{ ?item wdt:P299 ?value BIND("P299" AS ?prop) }}
  UNION {{ ?item wdt:P1566 ?value BIND("P1566" AS ?prop) }}
  UNION {{ ?value schema:about ?item ; schema:isPartOf <{ENWIKI}> BIND("enwiki" AS ?prop) }}
  {membership}
}}""")
        for row in rows:
            theirs = found[row["item"]["value"].rsplit("/", 1)[-1]]
            prop, value = row["prop"]["value"], row.get("value", {})
            if prop == "exists":
                theirs.exists = True
            elif prop == "label":
                theirs.labels[value["xml:lang"].lower()] = value["value"]
            elif prop == "enwiki":
                theirs.enwiki = value["value"]
            elif prop == "P463":
                precision = row.get("precision", {}).get("value")
                theirs.memberships.append(
                    (value["value"], WIKIBASE_PRECISION.get(int(precision), "day")) if value else None)
            else:
                theirs.claims[prop].add(value["value"])
        if progress is not None:
            progress(len(batch))
    return found


def find_by_label(client: WikidataClient, labels: dict[str, str]) -> dict[str, list[str]]:
    """QIDs whose English label is exactly each given label: {our IRI: [QIDs]}."""
    found: dict[str, list[str]] = defaultdict(list)
    for batch in batches(sorted(labels.items())):
        values = " ".join(f"({_literal(label)} <{iri}>)" for iri, label in batch)
        for row in client.select(f"""{PREFIXES}
SELECT ?ours ?item WHERE {{ VALUES (?label ?ours) {{ {values} }} ?item rdfs:label ?label }}"""):
            found[row["ours"]["value"]].append(row["item"]["value"].rsplit("/", 1)[-1])
    return {iri: sorted(qids) for iri, qids in found.items()}


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False) + "@en"


# --- Comparing ----------------------------------------------------------------------------------

def dbpedia_of(article: str) -> str:
    """The DBpedia IRI for an English Wikipedia article URL.

    >>> dbpedia_of("https://en.wikipedia.org/wiki/Montreal")
    'http://dbpedia.org/resource/Montreal'
    >>> dbpedia_of("https://en.wikipedia.org/wiki/C%C3%B4te_d%27Ivoire")
    "http://dbpedia.org/resource/Côte_d'Ivoire"
    """
    title = urllib.parse.unquote(article.split("/wiki/", 1)[1])
    return str(DBR) + title.replace(" ", "_")


def same_day(ours: tuple[str, str], theirs: tuple[str, str]) -> bool:
    """Whether two dates agree at the coarser of their precisions.

    >>> same_day(("2021-11", "month"), ("2021-11-11T00:00:00Z", "day"))
    True
    >>> same_day(("2020-06-15", "day"), ("2020-06-16T00:00:00Z", "day"))
    False
    """
    chars = min(PRECISION_CHARS[ours[1]], PRECISION_CHARS[theirs[1]])
    return ours[0][:chars] == theirs[0].lstrip("+")[:chars]


def compare(ours: dict[str, Ours], theirs: dict[str, Theirs], gpai_qid: str | None) -> dict:
    agreements, disagreements, label_differences, unresolved = [], [], [], []
    for iri in sorted(ours):
        resource = ours[iri]
        if resource.qid is None:
            continue
        found = theirs[resource.qid]
        if not found.exists:
            unresolved.append({"resource": iri, "qid": resource.qid})
            continue

        def agree(prop, value):
            agreements.append({"resource": iri, "qid": resource.qid, "property": prop, "value": value})

        def differ(prop, mine, other, message):
            disagreements.append({"resource": iri, "qid": resource.qid, "property": prop,
                                  "ours": mine, "theirs": other, "message": message})

        for code, mine in sorted(resource.codes.items()):
            other = sorted(found.claims.get(code, ()))
            if code == "P299":
                mine, other = mine.zfill(3), [v.zfill(3) for v in other]
            if mine in other:
                agree(code, mine)
            else:
                differ(code, mine, other or None, f"{CODES[code]} {mine} but Wikidata {code} says "
                       + (", ".join(other) if other else "nothing"))
        if resource.geonames:
            other = sorted(found.claims.get("P1566", ()))
            if resource.geonames in other:
                agree("P1566", resource.geonames)
            else:
                differ("P1566", resource.geonames, other or None,
                       f"GeoNames {resource.geonames} but Wikidata P1566 says " + (", ".join(other) or "nothing"))
        if resource.dbpedia and found.enwiki:
            derived = dbpedia_of(found.enwiki)
            if derived == resource.dbpedia:
                agree("enwiki", derived)
            else:
                differ("enwiki", resource.dbpedia, derived, "our DBpedia link is not the English Wikipedia article's")
        if resource.joined and gpai_qid:
            _compare_membership(resource, found, agree, differ)
        for lang in LANGUAGES:
            if lang in resource.labels and lang in found.labels:
                if resource.labels[lang] == found.labels[lang]:
                    agree(f"label@{lang}", resource.labels[lang])
                else:
                    label_differences.append({"resource": iri, "qid": resource.qid, "language": lang,
                                              "ours": resource.labels[lang], "theirs": found.labels[lang]})
    unlinked = [{"resource": iri, "label": ours[iri].labels.get("en")} for iri in sorted(ours) if ours[iri].qid is None]
    return {
        "summary": {"agreements": len(agreements), "disagreements": len(disagreements),
                    "label_differences": len(label_differences), "unresolved": len(unresolved),
                    "unlinked": len(unlinked)},
        "disagreements": disagreements, "unresolved": unresolved, "label_differences": label_differences,
        "unlinked": unlinked, "agreements": agreements,
    }


def _compare_membership(resource: Ours, found: Theirs, agree, differ) -> None:
    mine = resource.joined
    if not found.memberships:
        differ("P463", mine[0], None, "member of GPAI since " + mine[0] + ", but Wikidata has no P463 GPAI statement")
        return
    dated = [m for m in found.memberships if m is not None]
    if any(same_day(mine, other) for other in dated):
        agree("P463", mine[0])
    elif not dated:
        differ("P463", mine[0], None, "Wikidata's P463 GPAI statement has no start time (P580)")
    else:
        times = sorted(other[0] for other in dated)
        differ("P463", mine[0], times, f"joined GPAI {mine[0]} ({mine[1]}), but Wikidata P580 says {', '.join(times)}")


# --- Running it ---------------------------------------------------------------------------------

def gpai_item(ours: dict[str, Ours], client: WikidataClient, ns: Namespaces) -> tuple[str | None, str | None]:
    """GPAI's QID and how it was found: our link, else an exact English label match."""
    iri = str(ns.mint("organisation", "gpai"))
    gpai = ours.get(iri)
    if gpai is not None and gpai.qid:
        return gpai.qid, "linked"
    candidates = find_by_label(client, {iri: GPAI_NAME}).get(iri, [])
    if len(candidates) == 1:
        return candidates[0], "found by its English label; not linked in our data"
    return None, None


def check(store: ox.Store, client: WikidataClient, today: date, ns: Namespaces, progress=None) -> dict:
    ours = our_resources(store, ns)
    gpai_qid, how = gpai_item(ours, client, ns)
    qids = sorted({r.qid for r in ours.values() if r.qid})
    theirs = fetch(client, qids, gpai_qid, progress)
    report = compare(ours, theirs, gpai_qid)
    return {"endpoint": client.endpoint, "checked": today.isoformat(),
            "gpai": {"qid": gpai_qid, "found": how}, **report}


def markdown(report: dict) -> str:
    """The report for people."""
    s = report["summary"]
    lines = [f"# Link report: {report['endpoint']}, {report['checked']}", "",
             f"GPAI's item: {report['gpai']['qid'] or 'not found'}"
             + (f" ({report['gpai']['found']})" if report['gpai']['found'] else ""), "",
             "| agreements | disagreements | label differences | unresolved | unlinked |", "|---:|---:|---:|---:|---:|",
             f"| {s['agreements']} | {s['disagreements']} | {s['label_differences']} | {s['unresolved']} | {s['unlinked']} |",
             ""]
    sections = [
        ("Disagreements", "disagreements", lambda d: f"- <{d['resource']}> ({d['qid']}, {d['property']}): {d['message']}"),
        ("Links that do not resolve", "unresolved", lambda d: f"- <{d['resource']}> → {d['qid']}: no such entity"),
        ("Label differences", "label_differences",
         lambda d: f"- <{d['resource']}> @{d['language']}: ours \"{d['ours']}\", Wikidata \"{d['theirs']}\""),
        ("Resources with no Wikidata link", "unlinked", lambda d: f"- <{d['resource']}> {d['label'] or ''}".rstrip()),
    ]
    for title, key, line in sections:
        lines += [f"## {title} ({len(report[key])})", ""] + [line(d) for d in report[key]] + [""]
    return "\n".join(lines)


def write_report(report: dict, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    as_json, as_markdown = folder / "link-report.json", folder / "link-report.md"
    as_json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    as_markdown.write_text(markdown(report), encoding="utf-8")
    return as_json, as_markdown


# --- Proposals ----------------------------------------------------------------------------------

def propose(store: ox.Store, client: WikidataClient, today: date, ns: Namespaces, progress=None) -> str:
    """Turtle proposing what Wikidata has and we lack, citing one source for the answers.

    The proposals are for data/, whose files spell IRIs under the canonical base: a release built
    with another base_iri has its IRIs written back there.
    """
    ours = our_resources(store, ns)
    qids = sorted({r.qid for r in ours.values() if r.qid})
    theirs = fetch(client, qids, None, progress)
    unlinked = {iri: r.labels["en"] for iri, r in ours.items() if r.qid is None and "en" in r.labels
                and not iri.startswith(str(ns.kind_namespace("person")))}
    found = find_by_label(client, unlinked)
    source = Namespaces().mint("source", f"wikidata-proposals-{today.isoformat()}")
    statements: dict[str, list[str]] = defaultdict(list)
    languages = {"en"}
    notes = []
    for iri, candidates in sorted(found.items()):
        if len(candidates) == 1:
            statements[iri].append(f"skos:exactMatch wd:{candidates[0]}")
        else:
            notes.append(f"# <{iri}> \"{unlinked[iri]}\": several items carry this label: {', '.join(candidates)}")
    for iri in sorted(ours):
        resource = ours[iri]
        if resource.qid is None or not theirs[resource.qid].exists:
            continue
        found_there = theirs[resource.qid]
        for lang in LANGUAGES:
            if lang not in resource.labels and lang in found_there.labels:
                statements[iri].append(f"rdfs:label {json.dumps(found_there.labels[lang], ensure_ascii=False)}@{lang}")
                languages.add(lang.split("-")[0])
        if resource.dbpedia is None and found_there.enwiki:
            statements[iri].append(f"skos:exactMatch <{dbpedia_of(found_there.enwiki)}>")
    out = [
        "# Proposed additions from a Wikidata-compatible endpoint, written by `gpai-kg link propose`.",
        "# Review each statement; move this file (or the statements you keep) into data/ to accept them.",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix iso639: <http://id.loc.gov/vocabulary/iso639-1/> .",
        "@prefix wd: <http://www.wikidata.org/entity/> .",
        "", *notes, "" if notes else "",
        f"<{source}> a prov:Entity , schema:Dataset ;",
        f'    rdfs:label "Answers of the SPARQL endpoint {client.endpoint} on {today.isoformat()} '
        f'(gpai-kg link propose)"@en ;',
        f"    schema:url <{client.endpoint}> ;",
        f'    dcterms:issued "{today.isoformat()}"^^xsd:date ;',
        "    dcterms:language " + " , ".join(f"iso639:{lang}" for lang in sorted(languages)) + " .",
        "",
    ]
    for iri in sorted(statements):
        canonical = CANONICAL_BASE + iri[len(ns.base):] if iri.startswith(ns.base) else iri
        out.append(f"<{canonical}> " + " ;\n    ".join(statements[iri] + [f"prov:wasDerivedFrom <{source}>"]) + " .")
        out.append("")
    return "\n".join(out)


def count_proposals(turtle: str) -> int:
    return sum(1 for t in ox.parse(turtle.encode(), format=ox.RdfFormat.TURTLE)
               if t.predicate.value != "http://www.w3.org/ns/prov#wasDerivedFrom"
               and not t.subject.value.startswith(str(Namespaces().kind_namespace("source"))))
