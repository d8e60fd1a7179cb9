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
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV

from ..gate import Template
from ..namespaces import SCHEMA

from ..describe import PRECISIONS, Presenter
from ..errors import NotFound
from .cache import cached
from .charts import Mark, steps, timeline_svg
from .i18n import LANGUAGES, reader_language
from .paging import PAGE_SIZE, page_number

blueprint = Blueprint("pages", __name__)

#: The index pages: name → (title, classes whose instances it lists, classes whose instances it leaves
#: to another index). A class is a full IRI, or ("gpai", local name) for our own ontology's, whose
#: namespace depends on the release's base.
INDEXES: dict[str, tuple[str, tuple, tuple]] = {
    "members": ("Members", (), ()),   # from queries/views/members.rq, with their join dates
    "countries": ("Countries", (("gpai", "Country"),), ()),
    "bodies": ("Bodies", (ORG.OrganizationalUnit,), ()),
    "organisations": ("Organisations", (ORG.FormalOrganization,), (("gpai", "Country"),)),
    "events": ("Summits and meetings", (("gpai", "Summit"), ("gpai", "MinisterialMeeting"), SCHEMA.Event), ()),
    "people": ("People", (FOAF.Person,), ()),
    "projects": ("Projects", (("gpai", "Project"),), ()),
    "outputs": ("Reports and other outputs", (("gpai", "Output"),), ()),
    "sources": ("Sources", (PROV.Entity,), (("gpai", "Claim"), ("gpai", "Output"))),
    "claims": ("Claims", (("gpai", "Claim"),), ()),
}

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


def index_classes(kind: str, ns, part: int = 1) -> list[NamedNode]:
    """The classes an index lists (part 2: those it leaves out), in the release's namespaces."""
    return [NamedNode(str(ns.gpai[c[1]]) if isinstance(c, tuple) else str(c)) for c in INDEXES[kind][part]]


def _service():
    return current_app.extensions["gpai_kg"]


def _presenter(lang: str) -> Presenter:
    from rdflib import Graph
    return Presenter(Graph(), _service().ns, lang, local_prefix=request.script_root + "/")


def _query_link(text: str) -> str:
    return url_for("pages.query_ui") + "?" + urlencode({"query": text})


@blueprint.get("/")
def home():
    lang = reader_language()
    return cached("home", lang, request.url_root, render=lambda: _home(lang))


def _home(lang: str):
    service = _service()
    members = _members()
    view = _presenter(lang)
    summits = service.view_rows("summits")
    marks = [Mark(date.fromisoformat(r["start"].value), _short(r["name"].value),
                  view.href(r["event"].value)[0])
             for r in summits if r["kind"].value.endswith("Summit")]
    joins = [(date.fromisoformat(m["earliest"]), m["name"]) for m in members]
    lefts = [date.fromisoformat(m["left"]) for m in members if m["left"]]
    points = steps(joins, lefts)
    until = max([date.today(), *(p.day for p in points)])
    return render_template(
        "home.html", lang=lang, languages=LANGUAGES, members=members,
        chart=timeline_svg(points, marks, until),
        chart_queries=[(name, _query_link(service.views[name].text)) for name in ("members", "summits")],
        indexes=INDEXES, dataset_jsonld=_dataset_jsonld(),
        triples=service.triples, source=service.source,
    )


def _short(name: str) -> str:
    """"GPAI Summit 2022 (Tokyo)" → "Tokyo 2022": chart labels must be short."""
    match = re.match(r".*?(\d{4}).*\((.+)\)", name)
    return f"{match.group(2)} {match.group(1)}" if match else name


def _members() -> list[dict]:
    service = _service()
    view = _presenter("en")
    rows = []
    for r in service.view_rows("members"):
        rows.append({
            "href": view.href(r["member"].value)[0],
            "name": r["name"].value,
            "joined": r["joined"].value,
            "precision": PRECISIONS.get(URIRef(r["precision"].value), ""),
            "earliest": r["earliest"].value,
            "founding": r["founding"].value == "true",
            "left": r["left"].value if "left" in r else None,
        })
    return rows


@blueprint.get("/browse/<kind>")
def browse(kind: str):
    if kind not in INDEXES:
        raise NotFound(f"no index called {kind!r}: try one of {', '.join(INDEXES)}")
    lang = reader_language()
    return cached("browse", kind, lang, render=lambda: _browse(kind, lang))


def _browse(kind: str, lang: str):
    title = INDEXES[kind][0]
    if kind == "members":
        return render_template("browse.html", lang=lang, languages=LANGUAGES, kind=kind, title=title,
                               members=_members(), items=None, total=None, indexes=INDEXES)
    service = _service()
    classes, excluded = index_classes(kind, service.ns), index_classes(kind, service.ns, 2) or [NOTHING]
    total = int(service.select(COUNT_INSTANCES, classes=classes, excluded=excluded)[0]["n"].value)
    number, last = page_number(total)
    rows = service.select(INSTANCES, classes=classes, excluded=excluded, lang=OxLiteral(lang), limit=PAGE_SIZE,
                          offset=(number - 1) * PAGE_SIZE)
    view = _presenter(lang)
    items = []
    for r in rows:
        label = r.get("o") or r.get("e") or r.get("a")
        items.append({"href": view.href(r["s"].value)[0], "curie": view.curie(URIRef(r["s"].value)),
                      "label": label.value if label else view.curie(URIRef(r["s"].value)),
                      "lang": (label.language if label is not None and label.language else None)})
    return render_template("browse.html", lang=lang, languages=LANGUAGES, kind=kind, title=title, items=items,
                           total=total, page_number=number, last_page=last, members=None, indexes=INDEXES)


@blueprint.get("/query")
def query_ui():
    service = _service()
    examples = [{"name": q.name, "title": q.title, "description": q.description, "text": q.text,
                 "run": _query_link(q.text), "services": q.services} for q in service.examples]
    return render_template("query.html", lang=reader_language(), languages=LANGUAGES, examples=examples,
                           prefixes=service.ns.prefixes(), endpoint=url_for("sparql.endpoint"))


def _dataset_jsonld() -> str:
    """schema.org Dataset markup for search engines, from the release's VoID description."""
    service = _service()
    base = request.url_root
    data = {"@context": "https://schema.org/", "@type": "Dataset",
            "name": "GPAI Knowledge Graph", "url": base,
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "isAccessibleForFree": True,
            "distribution": [{"@type": "DataDownload", "contentUrl": base.rstrip("/") + url_for("dumps.download", name=d.name),
                              "encodingFormat": d.media_type} for d in service.dumps.values()]}
    if service.release_version is not None:
        data["description"] = service.dataset_fact(str(DCTERMS.description)) or ""
        data["version"] = service.release_version
        data["identifier"] = str(service.ns.dataset)
        data["dateModified"] = service.dataset_fact(str(DCTERMS.issued)) or ""
    # Escape "<" so the JSON can never close the script element it sits in.
    return json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")
