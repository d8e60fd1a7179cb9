"""Dereferencing (Cool URIs): every IRI under the base answers in a browser and in RDF clients.

A resource IRI (``/id/…``, ``/ontology/…``, ``/shapes/…``) names a thing, not a document, so
it answers ``303 See Other`` to a document about it, chosen by content negotiation:

* ``/page/{path}``: the HTML page (browsers; clients that send no Accept header);
* ``/data/{path}.ttl|.nt|.jsonld|.rdf``: the data document (``*/*``, as curl sends, gets Turtle).

``?format=`` overrides Accept. Both documents come from the same description query
(:mod:`gpai_kg.describe`); their IRIs link to each other with ``Link: rel=alternate``.

An IRI, once published, stays. One the curators replaced (``dcterms:isReplacedBy``) answers
``301 Moved Permanently`` to its replacement, and so do its page and data document; one they
deprecated (``owl:deprecated true``) answers ``410 Gone``, saying where its last description is.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS
from werkzeug.datastructures import MIMEAccept

from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode

from ..describe import DESCRIPTION, Presenter
from ..errors import Gone, NotAcceptable, NotFound
from ..formats import HTML_TYPES, GRAPH_FORMATS, Format, explicit_quality, negotiate, offered, prefers_html
from ..gate import Template
from ..history import page_history
from ..results import rdf_document
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from .cache import cached
from .i18n import reader_language
from .terms import TERM_LABELS
from .paging import PAGE_SIZE, page_number
from .sparql import TRUNCATED_HEADER

blueprint = Blueprint("linked_data", __name__)

RESOURCE_ROOTS = ("id", "ontology", "shapes")
BY_EXTENSION: dict[str, Format] = {fmt.extension: fmt for fmt in GRAPH_FORMATS}


def _service():
    return current_app.extensions["gpai_kg"]


def _iri(path: str) -> str:
    """The IRI a local path names under the IRI rule, or 404 before any query runs."""
    iri = _service().ns.resource_iri(path)
    if iri is None:
        raise NotFound(f"no resource at {request.path}: our IRIs follow the rule {{base}}id/{{kind}}/{{key}} "
                       f"(and {{base}}ontology/…, {{base}}shapes/…)")
    return iri


EXISTS = Template("ASK { { $resource ?p ?o } UNION { ?s ?p $resource } }", "exists")
IS_VERSION = Template("ASK { ?ontology <http://www.w3.org/2002/07/owl#versionIRI> $version }", "is-version")


# --- 303s -------------------------------------------------------------------------------------

@blueprint.get("/id/<path:rest>", defaults={"root": "id"})
@blueprint.get("/ontology", defaults={"root": "ontology", "rest": ""})
@blueprint.get("/ontology/<path:rest>", defaults={"root": "ontology"})
@blueprint.get("/shapes", defaults={"root": "shapes", "rest": ""})
@blueprint.get("/shapes/<path:rest>", defaults={"root": "shapes"})
def resolve(root: str, rest: str):
    path = f"{root}/{rest}" if rest else root
    iri = _iri(path)
    moved = _withdrawn(iri, lambda new: request.script_root + "/" + new)
    if moved is not None:
        return moved
    if root == "ontology" and rest.startswith("version/"):
        # The version IRI of the ontology served names this version of it: its documents are the
        # ontology's. Other versions are not served here.
        if not _service().ask(IS_VERSION, version=NamedNode(iri)):
            raise NotFound(f"<{iri}> is not the version of the ontology this release serves")
        path = "ontology"
    elif not _exists(iri):
        raise NotFound(f"nothing is known about <{iri}>")
    fmt = _choose(request.accept_mimetypes, request.args.get("format"))
    if fmt is None:
        target = url_for("linked_data.page", path=path, lang=request.args.get("lang"))
    else:
        target = url_for("linked_data.data", path=path, ext=fmt.extension)
    response = redirect(target, code=303)
    response.vary.add("Accept")
    _link_alternates(response, path)
    return response


@blueprint.get("/dataset", defaults={"rest": ""})
@blueprint.get("/dataset/<path:rest>")
def dataset(rest: str):
    # The dataset, its linksets and its catalogue are described by the VoID document.
    fmt = _choose(request.accept_mimetypes, request.args.get("format"))
    target = url_for("pages.home") if fmt is None else url_for("dumps.void", format=fmt.name)
    response = redirect(target, code=303)
    response.vary.add("Accept")
    return response


def _choose(accept: MIMEAccept, format_param: str | None) -> Format | None:
    """The data format to answer with, or None for HTML."""
    if format_param:
        if format_param.lower() in ("html", "text/html"):
            return None
        return negotiate(GRAPH_FORMATS, accept, format_param)
    if not accept:                                  # no Accept header: a person, most likely
        return None
    html = explicit_quality(accept, HTML_TYPES)
    rdf = explicit_quality(accept, [media for fmt in GRAPH_FORMATS for media in fmt.accepts()])
    if html and html >= rdf:
        return None
    try:
        return negotiate(GRAPH_FORMATS, accept)     # */* alone gets Turtle
    except NotAcceptable:
        raise NotAcceptable("nothing offered matches the Accept header",
                            [HTML_TYPES[0], *offered(GRAPH_FORMATS)]) from None


def _exists(iri: str) -> bool:
    return _service().ask(EXISTS, resource=NamedNode(iri))


def _withdrawn(iri: str, local_url) -> Response | None:
    """None for a live IRI; for one the curators replaced, a 301 to ``local_url(the replacement's path)``
    (or to the replacement itself, if it is not ours); for one they deprecated, 410 Gone."""
    service = _service()
    if iri not in service.tombstones:
        return None
    replacement = service.tombstones[iri]
    if replacement is not None:
        base = service.ns.base
        moved = replacement[len(base):] if replacement.startswith(base) else None
        target = local_url(moved) if moved and moved.startswith(RESOURCE_ROOTS) else replacement
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, code=301)
    details = {"deprecated": iri}
    withdrawn = service.history.withdrawn_in(iri)
    where = ""
    if withdrawn is not None and withdrawn.previous and service.archive and withdrawn.previous in service.archive.releases:
        path = iri[len(service.ns.base):]
        last = url_for("releases.data", version=withdrawn.previous, path=path, ext="ttl")
        details.update(deprecated_in=withdrawn.version, last_description=last)
        where = f" since release {withdrawn.version}; release {withdrawn.previous} last described it: {last}"
    raise Gone(f"<{iri}> is deprecated: the IRI stays ours and is never reused, but nothing is said about it "
               f"any more{where}", **details)


def _link_alternates(response: Response, path: str) -> None:
    links = [f'<{url_for("linked_data.page", path=path)}>; rel="alternate"; type="text/html"']
    for fmt in GRAPH_FORMATS:
        href = url_for("linked_data.data", path=path, ext=fmt.extension)
        links.append(f'<{href}>; rel="alternate"; type="{fmt.media_type}"')
    response.headers["Link"] = ", ".join(links)


# --- Data documents ---------------------------------------------------------------------------

@blueprint.get("/data/<path:path>.<ext>")
def data(path: str, ext: str):
    # The route splits at the first dot; the extension is what follows the last (…/version/1.1.0.ttl).
    path, _, ext = f"{path}.{ext}".rpartition(".")
    fmt = BY_EXTENSION.get(ext)
    if fmt is None or not path.startswith(RESOURCE_ROOTS):
        raise NotFound(f"no data document at {request.path}: ask for .ttl, .nt, .jsonld or .rdf")
    iri = _iri(path)
    moved = _withdrawn(iri, lambda new: url_for("linked_data.data", path=new, ext=ext))
    if moved is not None:
        return moved
    response = cached("data", path, fmt.name, render=lambda: _data(path, iri, fmt))
    # A person who follows a "Turtle" link from a page sees the document rather than saves it.
    if prefers_html(request.accept_mimetypes, fmt.accepts()):
        response.headers["Content-Type"] = fmt.display_type
        response.headers["Content-Disposition"] = "inline"
    response.vary.add("Accept")
    return response


def _data(path: str, iri: str, fmt: Format) -> Response:
    if not _exists(iri):
        raise NotFound(f"nothing is known about <{iri}>")
    service = _service()
    outcome = service.construct(DESCRIPTION, "ntriples", r=NamedNode(iri))
    response = Response(rdf_document(outcome.body, fmt, iri, service.ns.prefixes()), content_type=fmt.content_type)
    response.headers["Content-Location"] = request.path
    if outcome.truncated:
        response.headers[TRUNCATED_HEADER] = f"max-rows={current_app.config['GPAI_KG_SETTINGS'].max_rows}"
    _link_alternates(response, path)
    response.headers["Link"] += f', <{_iri(path)}>; rel="describes"'
    return response


# --- HTML pages -------------------------------------------------------------------------------

@blueprint.get("/page/<path:path>")
def page(path: str):
    if not path.startswith(RESOURCE_ROOTS):
        raise NotFound(f"no page at {request.path}")
    iri = _iri(path)
    moved = _withdrawn(iri, lambda new: url_for("linked_data.page", path=new))
    if moved is not None:
        return moved
    lang = reader_language()
    return cached("page", path, lang, render=lambda: _page(path, iri, lang))


def _page(path: str, iri: str, lang: str) -> Response:
    service = _service()
    outcome = service.construct(DESCRIPTION, "ntriples", r=NamedNode(iri))
    graph = Graph().parse(data=outcome.body.decode("utf-8"), format="nt")
    if not len(graph):
        raise NotFound(f"nothing is known about <{iri}>")
    view = presenter(graph, lang)
    node = URIRef(iri)
    incoming = view.incoming(node)
    page, _ = page_number(len(incoming))
    term = view.is_term(node)
    title, title_lang = view.label(node)
    cite = Citations()
    sources = view.sources(node)
    cite(sources)  # the resource's own sources come first in the notes
    memberships = view.memberships(node)
    response = Response(render_template(
        "resource.html",
        lang=lang, iri=iri, path=path, view=view, node=node, truncated=outcome.truncated,
        title=title, title_lang=title_lang,
        description=view.description(node),
        names=sorted(view.labels(node).items()),
        types=[view.value(t) for t in sorted(graph.objects(node, RDF.type))],
        properties=view.properties(node, skip=(RDF.type, RDFS.label, RDFS.comment, SKOS.exactMatch,
                                                  PROV.wasDerivedFrom)),
        links=view.external_links(node),
        membership_groups=_grouped(memberships),
        sources=sources, cite=cite,
        incoming=incoming[(page - 1) * PAGE_SIZE:page * PAGE_SIZE],
        incoming_total=len(incoming), page_number=page, page_size=PAGE_SIZE,
        term=term, shapes=view.shapes(node) if term else [], examples=view.examples(node) if term else [],
        ontology_terms=_ontology_terms(view) if (node, RDF.type, OWL.Ontology) in graph else None,
        alternates=[(fmt, url_for("linked_data.data", path=path, ext=fmt.extension)) for fmt in GRAPH_FORMATS],
        history=page_history(service.history, iri, lambda v: url_for("releases.release", version=v),
                             lambda v: None if service.archive.problem(v) else
                             url_for("releases.data", version=v, path=path, ext="ttl")),
    ))
    response.headers["Content-Language"] = lang
    _link_alternates(response, path)
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def presenter(graph: Graph, lang: str) -> Presenter:
    """Values for the templates, in the reader's language (interface words through the catalogues)."""
    return Presenter(graph, _service().ns, lang, local_prefix=request.script_root + "/", gettext=gettext,
                     term_labels=TERM_LABELS)


class Citations:
    """Sources cited once per page, as numbered notes: ``cite(sources)`` gives their numbers."""

    def __init__(self) -> None:
        self.notes: list = []
        self._numbers: dict[str, int] = {}

    def __call__(self, sources) -> list[int]:
        numbers = []
        for source in sources:
            key = source.href or source.text
            if key not in self._numbers:
                self.notes.append(source)
                self._numbers[key] = len(self.notes)
            numbers.append(self._numbers[key])
        return sorted(set(numbers))


def _grouped(memberships) -> list[tuple]:
    """Memberships under their group (the organisation on a member's page, the role on an organisation's)."""
    groups: dict[str, tuple] = {}
    for m in memberships:
        key = m.group.text if m.group else ""
        groups.setdefault(key, (m.group, []))[1].append(m)
    return list(groups.values())


#: The ontology page's sections: the OWL type of a term → its heading.
TERM_GROUPS = {OWL.Class: _l("Classes"), OWL.ObjectProperty: _l("Object properties"),
               OWL.DatatypeProperty: _l("Datatype properties"), OWL.AnnotationProperty: _l("Annotation properties")}


ONTOLOGY_TERMS = Template("""
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?term ?type (SAMPLE(COALESCE(?own, ?en)) AS ?label) WHERE {
      VALUES ?type { $types }
      ?term rdfs:isDefinedBy $ontology ; a ?type .
      OPTIONAL { ?term rdfs:label ?own FILTER(lang(?own) = $lang) }
      OPTIONAL { ?term rdfs:label ?en FILTER(lang(?en) = "en") }
    } GROUP BY ?term ?type""", "ontology-terms")


def _ontology_terms(view: Presenter) -> dict[str, list]:
    """The ontology's classes and properties, for its own page, by section."""
    service = _service()
    rows = service.select(ONTOLOGY_TERMS, types=[NamedNode(str(t)) for t in TERM_GROUPS],
                          ontology=NamedNode(str(service.ns.ontology_iri)), lang=OxLiteral(view.lang))
    groups: dict[str, list] = {name: [] for name in TERM_GROUPS.values()}
    for row in rows:
        term = URIRef(row["term"].value)
        label = row["label"].value if "label" in row else view.curie(term)
        label_lang = row["label"].language if "label" in row else None
        groups[TERM_GROUPS[URIRef(row["type"].value)]].append(
            (label, view.href(str(term))[0], view.curie(term), label_lang))
    return {name: sorted(items, key=lambda i: i[0].lower()) for name, items in groups.items() if items}
