"""The pages people start from: the home page, the query UI and the index of each kind of thing."""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, PROV

from ..build import CHECKSUMS_FILE, VOID_FILE
from ..gate import Template
from ..namespaces import SCHEMA

from ..describe import PRECISIONS, Presenter
from ..errors import NotFound
from .cache import cached
from .charts import PALETTE, Mark, bars_svg, steps, timeline_svg
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from .i18n import reader_language
from .paging import PAGE_SIZE, page_number
from .query_words import query_words
from .worldmap import OVERLAP_COLOURS, MapLabels, members_map_svg, overlap_rows, year_rows

blueprint = Blueprint("pages", __name__)

#: The index pages: name → (title, classes whose instances it lists, classes whose instances it leaves
#: to another index). A class is a full IRI, or ("gpai", local name) for our own ontology's, whose
#: namespace depends on the release's base.
INDEXES: dict[str, tuple[str, tuple, tuple]] = {
    "members": (_l("Members"), (), ()),   # from queries/views/members.rq, with their join dates
    "countries": (_l("Countries"), (("gpai", "Country"),), ()),
    "bodies": (_l("Bodies"), (ORG.OrganizationalUnit,), ()),
    "organisations": (_l("Organisations"), (ORG.FormalOrganization,), (("gpai", "Country"),)),
    "events": (_l("Summits and meetings"), (("gpai", "Summit"), ("gpai", "MinisterialMeeting"), SCHEMA.Event), ()),
    "people": (_l("People"), (FOAF.Person,), ()),
    "projects": (_l("Projects"), (("gpai", "Project"),), ()),
    "outputs": (_l("Reports and other outputs"), (("gpai", "Output"),), ()),
    "sources": (_l("Sources"), (PROV.Entity,), (("gpai", "Claim"), ("gpai", "Output"))),
    "claims": (_l("Claims"), (("gpai", "Claim"),), ()),
}
#: Indexes listed by date, newest first, with the date shown.
DATED = {"events", "outputs"}

COUNT_INSTANCES = Template("""
    SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
      VALUES ?c { $classes } ?s a ?c FILTER(isIRI(?s))
      FILTER NOT EXISTS { VALUES ?x { $excluded } ?s a ?x }
    }""", "count-instances")
# Sorted outside the grouping subquery: Virtuoso refuses ORDER BY over aggregate aliases.
INSTANCES = Template("""
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?s ?o ?e ?a WHERE {
      { SELECT ?s (SAMPLE(?own) AS ?o) (SAMPLE(?en) AS ?e) (SAMPLE(?any) AS ?a) WHERE {
          VALUES ?c { $classes } ?s a ?c FILTER(isIRI(?s))
          FILTER NOT EXISTS { VALUES ?x { $excluded } ?s a ?x }
          OPTIONAL { ?s rdfs:label ?own FILTER(lang(?own) = $lang) }
          OPTIONAL { ?s rdfs:label ?en FILTER(lang(?en) = "en") }
          OPTIONAL { ?s rdfs:label ?any }
        } GROUP BY ?s }
    }
    ORDER BY LCASE(STR(COALESCE(?o, ?e, ?a, STR(?s)))) ?s
    LIMIT $limit OFFSET $offset""", "instances")


#: A class nothing is an instance of: VALUES needs at least one value.
NOTHING = NamedNode("urn:x-gpai-kg:no-class")


# The same, dated (an event's start, an output's issue date), newest first.
DATED_INSTANCES = Template("""
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX schema: <https://schema.org/>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT ?s ?o ?e ?a ?d WHERE {
      { SELECT ?s (SAMPLE(?own) AS ?o) (SAMPLE(?en) AS ?e) (SAMPLE(?any) AS ?a) (MIN(STR(?date)) AS ?d) WHERE {
          VALUES ?c { $classes } ?s a ?c FILTER(isIRI(?s))
          FILTER NOT EXISTS { VALUES ?x { $excluded } ?s a ?x }
          OPTIONAL { ?s schema:startDate|dcterms:issued ?date }
          OPTIONAL { ?s rdfs:label ?own FILTER(lang(?own) = $lang) }
          OPTIONAL { ?s rdfs:label ?en FILTER(lang(?en) = "en") }
          OPTIONAL { ?s rdfs:label ?any }
        } GROUP BY ?s }
    }
    ORDER BY DESC(?d) LCASE(STR(COALESCE(?o, ?e, ?a, STR(?s)))) ?s
    LIMIT $limit OFFSET $offset""", "dated-instances")


def index_classes(kind: str, ns, part: int = 1) -> list[NamedNode]:
    """The classes an index lists (part 2: those it leaves out), in the release's namespaces."""
    return [NamedNode(str(ns.gpai[c[1]]) if isinstance(c, tuple) else str(c)) for c in INDEXES[kind][part]]


def _service():
    return current_app.extensions["gpai_kg"]


def _presenter(lang: str) -> Presenter:
    from rdflib import Graph
    return Presenter(Graph(), _service().ns, lang, local_prefix=request.script_root + "/", gettext=gettext)


def _query_link(text: str) -> str:
    return url_for("pages.query_ui") + "?" + urlencode({"query": text})


def in_language(names: dict[str, str], lang: str) -> tuple[str, str]:
    """(name, its language) in the reader's language, else English, else any."""
    for tag in (lang, "en"):
        if tag in names:
            return names[tag], tag
    tag = sorted(names)[0] if names else ""
    return names.get(tag, ""), tag


def _by_first(rows: list[dict], key: str) -> dict[str, tuple[dict, dict[str, str]]]:
    """View rows with a row per name, gathered per ``key``: (the first row, names by language)."""
    gathered: dict[str, tuple[dict, dict[str, str]]] = {}
    for r in rows:
        first, names = gathered.setdefault(r[key].value, (r, {}))
        names.setdefault((r["name"].language or "").lower(), r["name"].value)
    return gathered


@blueprint.get("/")
def home():
    lang = reader_language()
    return cached("home", lang, request.url_root, render=lambda: _home(lang))


def _home(lang: str):
    service = _service()
    members = _members(lang)
    view = _presenter(lang)
    marks = []
    for first, names in _by_first(service.view_rows("summits"), "event").values():
        if first["kind"].value.endswith("Summit"):
            name = in_language(names, lang)[0]
            marks.append(Mark(date.fromisoformat(first["start"].value), _short(name), view.href(first["event"].value)[0]))
    joins = [(date.fromisoformat(m["earliest"]), m["name"]) for m in members]
    lefts = [date.fromisoformat(m["left"]) for m in members if m["left"]]
    points = steps(joins, lefts)
    until = max([date.today(), *(p.day for p in points)])
    sizes = {iri.rsplit("/", 1)[1]: n for iri, n in service.graphs.items()}
    return render_template(
        "home.html", members=members,
        chart=timeline_svg(points, marks, until, labels=_chart_words()),
        summit_links=marks, world_map=_year_map(lang),
        map_query=("map-members", _query_link(service.views["map-members"].text)),
        chart_queries=[(name, _query_link(service.views[name].text)) for name in ("members", "summits")],
        indexes=INDEXES, dataset_jsonld=_dataset_jsonld(),
        triples=service.triples, graph_sizes=_Sizes(sizes), release_version=service.release_version,
    )


class _Sizes(dict):
    """Graph sizes by the graph's last path segment, 0 for one the service does not hold."""

    def __getattr__(self, name: str) -> int:
        return self.get(name, 0)


def _chart_words() -> dict[str, str]:
    return {"title": gettext("GPAI members over time"), "members": gettext("members"),
            "summary": gettext("%(first)s members on %(first_day)s; %(last)s members from %(last_day)s."),
            "left": gettext("a member left")}


def _named(rows: list[dict], key: str, lang: str) -> list[dict]:
    """View rows with a row per name, one per ``key`` with its name in the reader's language."""
    return [{**first, "name": in_language(names, lang)[0]} for first, names in _by_first(rows, key).values()]


def _map_labels(categories: list[tuple[str, str]], summary: str, legend: str) -> MapLabels:
    return MapLabels(categories, summary, legend, gettext("Not a member"),
                     count=lambda n: ngettext("%(num)s country", "%(num)s countries", n),
                     entry=gettext("{category}: {count}"), link=gettext("{name} ({category})"),
                     listing=gettext("{category}: {count}: {names}."),
                     off_map=gettext("Also a member, not a country on the map: {names}."),
                     separator=gettext(", "))


def _year_map(lang: str) -> str:
    """GPAI's members today on a world map, coloured by the year they joined."""
    view = _presenter(lang)
    rows, years = year_rows(_named(_service().view_rows("map-members"), "member", lang),
                            lambda iri: view.href(iri)[0])
    summary = gettext("GPAI's %(count)s members today, by the year they joined. Each member country on the "
                      "map is a link to its page.", count=len(rows))
    return members_map_svg(rows, gettext("GPAI's members by the year they joined"),
                           _map_labels([(y, y) for y in years], summary, gettext("Year joined")), id="map-years")


#: The other bodies GPAI's members belong to, as the overlap map's legend names them.
OVERLAP_NAMES = {"oecd-g7-g20": _l("OECD, G7 and G20"), "oecd-g20": _l("OECD and G20"), "oecd-g7": _l("OECD and G7"),
                 "oecd": _l("OECD only"), "g7-g20": _l("G7 and G20"), "g7": _l("G7 only"), "g20": _l("G20 only"),
                 "none": _l("None of the three")}


def _overlap_map(lang: str) -> str:
    """GPAI's members today on a world map, coloured by their membership of the OECD, the G7 and the G20."""
    view = _presenter(lang)
    rows, keys = overlap_rows(_named(_service().view_rows("map-overlap"), "member", lang),
                              lambda iri: view.href(iri)[0])
    summary = gettext("GPAI's %(count)s members today, by their membership of the OECD, the G7 and the G20. "
                      "Each member country on the map is a link to its page.", count=len(rows))
    return members_map_svg(rows, gettext("GPAI's members in the OECD, the G7 and the G20"),
                           _map_labels([(k, str(OVERLAP_NAMES[k])) for k in keys], summary, gettext("Member of")),
                           colours=OVERLAP_COLOURS, id="map-overlap")


def _short(name: str) -> str:
    """"GPAI Summit 2022 (Tokyo)" → "Tokyo 2022": chart labels must be short."""
    match = re.match(r".*?(\d{4}).*\((.+)\)", name)
    return f"{match.group(2)} {match.group(1)}" if match else name


def _members(lang: str) -> list[dict]:
    service = _service()
    view = _presenter(lang)
    rows = []
    for first, names in _by_first(service.view_rows("members"), "member").values():
        name, name_lang = in_language(names, lang)
        rows.append({
            "iri": first["member"].value,
            "href": view.href(first["member"].value)[0],
            "name": name, "name_lang": name_lang,
            "joined": first["joined"].value,
            "precision": PRECISIONS.get(URIRef(first["precision"].value), ""),
            "earliest": first["earliest"].value,
            "founding": first["founding"].value in ("true", "1"),
            "left": first["left"].value if "left" in first else None,
        })
    return sorted(rows, key=lambda m: (m["earliest"], m["name"]))


@blueprint.get("/browse/")
@blueprint.get("/browse", strict_slashes=False)
def browse_all():
    lang = reader_language()
    return cached("browse-all", lang, render=lambda: _browse_all(lang))


def _browse_all(lang: str):
    """Every index, with how many things it lists."""
    service = _service()
    counts = {"members": len(_by_first(service.view_rows("members"), "member"))}
    for kind in INDEXES:
        if kind != "members":
            classes = index_classes(kind, service.ns)
            excluded = index_classes(kind, service.ns, 2) or [NOTHING]
            counts[kind] = int(service.select(COUNT_INSTANCES, classes=classes, excluded=excluded)[0]["n"].value)
    return render_template("browse.html", kind=None, title=_l("Browse"), items=None, members=None,
                           counts=counts, indexes=INDEXES)


@blueprint.get("/browse/<kind>")
def browse(kind: str):
    if kind not in INDEXES:
        raise NotFound(f"no index called {kind!r}: try one of {', '.join(INDEXES)}")
    lang = reader_language()
    return cached("browse", kind, lang, render=lambda: _browse(kind, lang))


def _browse(kind: str, lang: str):
    title = INDEXES[kind][0]
    if kind == "members":
        return render_template("browse.html", kind=kind, title=title,
                               members=_members(lang), items=None, total=None, indexes=INDEXES)
    service = _service()
    classes, excluded = index_classes(kind, service.ns), index_classes(kind, service.ns, 2) or [NOTHING]
    total = int(service.select(COUNT_INSTANCES, classes=classes, excluded=excluded)[0]["n"].value)
    number, last = page_number(total)
    template = DATED_INSTANCES if kind in DATED else INSTANCES
    rows = service.select(template, classes=classes, excluded=excluded, lang=OxLiteral(lang), limit=PAGE_SIZE,
                          offset=(number - 1) * PAGE_SIZE)
    view = _presenter(lang)
    items = []
    for r in rows:
        label = r.get("o") or r.get("e") or r.get("a")
        items.append({"href": view.href(r["s"].value)[0], "curie": view.curie(URIRef(r["s"].value)),
                      "label": label.value if label else view.curie(URIRef(r["s"].value)),
                      "lang": (label.language if label is not None and label.language else None),
                      "date": r["d"].value if "d" in r else None})
    return render_template("browse.html", kind=kind, title=title, items=items,
                           total=total, page_number=number, last_page=last, members=None, indexes=INDEXES)


@blueprint.get("/charts")
def charts():
    lang = reader_language()
    return cached("charts", lang, render=lambda: _charts(lang))


def _charts(lang: str):
    """Reports per working group and year, and the members' overlap with the OECD, the G7 and the G20."""
    service = _service()
    view = _presenter(lang)
    reports = next(q for q in service.examples if q.name == "reports-per-working-group-per-year")
    per_body: dict[str, tuple[str, dict[int, int]]] = {}
    for r in service.select(Template(reports.text, reports.name)):
        name = r["bodyName"].value
        per_body.setdefault(r["body"].value, (name, {}))[1][int(r["year"].value)] = int(r["reports"].value)
    years = sorted({year for _, counts in per_body.values() for year in counts})
    series = sorted(per_body.values(), key=lambda item: -sum(item[1].values()))
    total = sum(sum(counts.values()) for _, counts in series)
    bars = bars_svg(years, series, title=gettext("Reports per working group and year"),
                    summary=gettext("%(total)s dated reports from %(first)s to %(last)s, by the body that produced "
                                    "them.", total=total, first=years[0] if years else "", last=years[-1] if years else ""))
    # Overlap: each member's bodies today, as combinations.
    members: dict[str, tuple[dict[str, str], set[str]]] = {}
    for r in service.view_rows("memberships-overlap"):
        names, bodies = members.setdefault(r["member"].value, ({}, set()))
        names.setdefault((r["name"].language or "").lower(), r["name"].value)
        if "body" in r:
            bodies.add(r["body"].value)
    combinations: dict[tuple[str, ...], list[dict]] = {}
    for iri, (names, bodies) in members.items():
        name, name_lang = in_language(names, lang)
        key = tuple(b for b in ("OECD", "G7", "G20", "Bletchley") if b in bodies)
        combinations.setdefault(key, []).append({"href": view.href(iri)[0], "name": name, "lang": name_lang})
    overlap = sorted(((key, sorted(rows, key=lambda m: m["name"])) for key, rows in combinations.items()),
                     key=lambda item: (-len(item[1]), item[0]))
    counts = {body: sum(1 for _, bodies in members.values() if body in bodies) for body in ("OECD", "G7", "G20", "Bletchley")}
    return render_template("charts.html", bars=bars, overlap_map=_overlap_map(lang), series=list(zip(PALETTE * 4, series)), years=years,
                           overlap=overlap, counts=counts, members_total=len(members),
                           queries=[(reports.name, _query_link(reports.text)),
                                    ("memberships-overlap", _query_link(service.views["memberships-overlap"].text)),
                                    ("map-overlap", _query_link(service.views["map-overlap"].text))])


@blueprint.get("/query")
def query_ui():
    service = _service()
    examples = [{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                 "run": _query_link(q.text), "services": q.services} for q in service.examples]
    return render_template("query.html", examples=examples, prefixes=service.ns.prefixes(),
                           endpoint=url_for("sparql.endpoint"), words=query_words())


def _dataset_jsonld() -> str:
    """schema.org Dataset markup for search engines, from the release's VoID description."""
    service = _service()
    base = request.url_root
    fact, facts = service.dataset_fact, service.dataset_facts
    data = {"@context": "https://schema.org/", "@type": "Dataset",
            "name": "GPAI Knowledge Graph", "url": base,
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "isAccessibleForFree": True,
            # The data files (not the checksum list, nor the description this markup already gives).
            "distribution": [{"@type": "DataDownload", "name": d.name,
                              "contentUrl": base.rstrip("/") + url_for("dumps.download", name=d.name),
                              "encodingFormat": d.media_type}
                             for d in service.dumps.values() if d.name not in (CHECKSUMS_FILE, VOID_FILE)]}
    if service.release_version is not None:
        data["description"] = fact(str(DCTERMS.description)) or ""
        data["version"] = service.release_version
        data["identifier"] = str(service.ns.dataset)
        data["dateModified"] = fact(str(DCTERMS.issued)) or ""
        data["keywords"] = facts(str(DCAT.keyword))
        data["spatialCoverage"] = {"@type": "Place", "name": "Worldwide"}
        agent = fact(str(DCTERMS.publisher))
        if agent:
            organisation = {"@type": "Organization", "name": fact(str(FOAF.name), agent)}
            contact = fact(str(FOAF.mbox), agent) or fact(str(FOAF.homepage), agent)
            if contact and contact.startswith("mailto:"):
                organisation["email"] = contact[len("mailto:"):]
            elif contact:
                organisation["url"] = contact
            data["creator"] = data["publisher"] = organisation
        period = fact(str(DCTERMS.temporal))
        if period:
            span = [fact(str(DCAT.startDate), period), fact(str(DCAT.endDate), period)]
            data["temporalCoverage"] = "/".join(v or ".." for v in span)
    # Escape "<" so the JSON can never close the script element it sits in.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")
