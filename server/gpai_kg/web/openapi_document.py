"""The OpenAPI 3.1 description of the HTTP API, built from the same tables the routes use.

Media types come from :mod:`gpai_kg.formats` and the release's artefacts, resource kinds from
the IRI rule (:mod:`gpai_kg.namespaces`), search types and reconciliation property ids from
their modules: a format, a kind or a property added there is described here without a second
list to keep. ``tests/test_openapi.py`` checks that every route of the application is
described, and fuzzes the running server against this description with Schemathesis.
"""

from __future__ import annotations

from .. import __version__
from ..build import ARTEFACTS
from ..formats import GRAPH_FORMATS, RESULT_FORMATS
from ..namespaces import KEY_PATTERN, KINDS, TERM_PATTERN
from ..release_files import VERSION_PATTERN
from ..reconcile import BATCH_SIZE
from ..reconcile_properties import PROPERTIES
from ..search_types import SEARCH_TYPES
from .i18n import LANGUAGES

JSON = "application/json"
HTML = "text/html"
FORM = "application/x-www-form-urlencoded"

# --- Schemas -------------------------------------------------------------------------------------

ERROR = {"type": "object", "required": ["ok", "status", "error"],
         "properties": {"ok": {"const": False}, "status": {"type": "integer"}, "title": {"type": "string"},
                        "error": {"type": "string", "description": "what was wrong, for a person to read"}},
         "description": "Every error of the read API, whatever its status (extra members give details: "
                        "`limit`, `offered`…)."}
OBJECT = {"type": "object"}
ENTITY_REF = {"type": "object", "required": ["id", "name"],
              "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
SEARCH_RESULT = {
    "type": "object", "required": ["iri", "label", "type", "description", "member", "matched", "page"],
    "properties": {
        "iri": {"type": "string", "format": "iri"},
        "label": {"type": "string", "description": "in the language asked, else English, else any"},
        "lang": {"type": ["string", "null"], "description": "the label's language"},
        "type": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["iri", "label"], "properties": {
            "iri": {"type": "string"}, "label": {"type": "string"}}}]},
        "description": {"type": ["string", "null"], "description": "the first sentence of its description"},
        "member": {"type": "boolean", "description": "a member of GPAI"},
        "page": {"type": ["string", "null"], "description": "its HTML page on this server"},
        "matched": {"type": "object", "required": ["text", "kind", "level"], "properties": {
            "text": {"type": "string"}, "lang": {"type": ["string", "null"]},
            "kind": {"enum": ["label", "alt", "id", "iri"]},
            "level": {"enum": ["exact", "prefix", "words", "some words"]}}},
    }}
SEARCH_RESPONSE = {"type": "object", "required": ["query", "lang", "types", "results"], "properties": {
    "query": {"type": "string"}, "lang": {"type": "string"}, "types": {"type": "array", "items": {"type": "string"}},
    "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchResult"}}}}
MANIFEST = {"type": "object", "required": ["versions", "name", "identifierSpace", "schemaSpace"],
            "description": "The service manifest of the W3C Reconciliation Service API 0.2.",
            "properties": {"versions": {"type": "array", "items": {"type": "string"}}, "name": {"type": "string"},
                           "identifierSpace": {"type": "string"}, "schemaSpace": {"type": "string"},
                           "defaultTypes": {"type": "array", "items": ENTITY_REF}, "batchSize": {"type": "integer"}}}
CANDIDATE = {"type": "object", "required": ["id", "name", "score", "match"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
    "score": {"type": "number"}, "match": {"type": "boolean"}, "type": {"type": "array", "items": ENTITY_REF},
    "features": {"type": "array", "items": {"type": "object", "required": ["id", "value"], "properties": {
        "id": {"type": "string"}, "value": {"type": ["number", "boolean"]}}}}}}
RESULT_BATCH = {"type": "object", "description": "One result per query id, candidates best first.",
                "additionalProperties": {"type": "object", "required": ["result"], "properties": {
                    "result": {"type": "array", "items": {"$ref": "#/components/schemas/ReconciliationCandidate"}}}}}
EXTENSION = {"type": "object", "required": ["meta", "rows"], "properties": {
    "meta": {"type": "array", "items": ENTITY_REF},
    "rows": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": {
        "type": "array", "items": {"type": "object"}}}}}}
SUGGESTIONS = {"type": "object", "required": ["result"], "properties": {
    "result": {"type": "array", "items": {"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"}}}}}}
DUMP_LIST = {"type": "object", "required": ["source", "dumps"], "properties": {
    "source": {"type": "string"},
    "dumps": {"type": "array", "items": {"type": "object", "required": ["name", "url", "media_type", "bytes"],
                                         "properties": {"name": {"type": "string"}, "url": {"type": "string"},
                                                        "media_type": {"type": "string"},
                                                        "bytes": {"type": "integer"}}}}}}
HEALTH = {"type": "object", "required": ["ok", "source", "triples", "graphs", "store"], "properties": {
    "ok": {"type": "boolean"}, "source": {"type": "string"}, "serving": OBJECT, "triples": {"type": "integer"},
    "graphs": {"type": "integer"}, "store": {"type": "string"}, "backend": OBJECT}}
SPARQL_RESULTS_JSON = {"type": "object", "required": ["head"], "properties": {
    "head": OBJECT, "results": OBJECT, "boolean": {"type": "boolean"}}}

SCHEMAS = {"Error": ERROR, "SearchResult": SEARCH_RESULT, "SearchResponse": SEARCH_RESPONSE, "Manifest": MANIFEST,
           "ReconciliationCandidate": CANDIDATE, "ReconciliationResultBatch": RESULT_BATCH,
           "DataExtensionResponse": EXTENSION, "Suggestions": SUGGESTIONS, "DumpList": DUMP_LIST, "Health": HEALTH}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# --- Responses -----------------------------------------------------------------------------------

ERRORS = {  # status: (component name, description)
    400: ("BadRequest", "A parameter is missing, malformed or out of range; `error` says which."),
    403: ("Forbidden", "Refused: this service is read-only (SPARQL Update)."),
    404: ("NotFound", "Nothing here, or nothing is known about that resource."),
    406: ("NotAcceptable", "None of the media types asked for (Accept, format=) is offered; `offered` lists them."),
    410: ("Gone", "An IRI the curators deprecated (owl:deprecated): kept, never reused, no longer described; "
                  "`last_description` gives its description in the last release that had one."),
    412: ("PreconditionFailed", "If-Match or If-Unmodified-Since did not hold."),
    413: ("ContentTooLarge", "The request, or the batch it carries, is larger than this service takes."),
    415: ("UnsupportedMediaType", "A request body of a media type or charset not accepted here."),
    416: ("RangeNotSatisfiable", "The byte range asked for is not in the file."),
    429: ("TooManyRequests", "Admission control: too many queries from this client at once, or too much time "
                            "used; Retry-After says when to come back."),
    500: ("ReleaseDamaged", "A kept release whose files no longer match its SHA256SUMS: none of them is served "
                            "(`kind`: damaged-release, `release`)."),
    502: ("BadGateway", "The external SPARQL store did not answer as it should."),
    503: ("ServiceUnavailable", "Busy, stopping, or the query ran out of its time or memory (`limit`)."),
    504: ("GatewayTimeout", "The external SPARQL store did not answer in time."),
}


def _error_response(status: int, html: bool = False) -> dict:
    """A documented error; on pages for people, a browser preferring HTML gets the message as a page."""
    name, description = ERRORS[status]
    content = {JSON: {"schema": _ref("Error")}}
    if html:
        content[HTML] = {"schema": {"type": "string"}}
    response = {"description": description, "content": content}
    if status in (429, 503):
        response["headers"] = {"Retry-After": {"description": "seconds to wait before trying again",
                                               "schema": {"type": "string"}}}
    return response


def errors(*statuses: int, html: bool = False) -> dict:
    return {str(s): {"$ref": f"#/components/responses/{ERRORS[s][0]}{'Page' if html else ''}"} for s in statuses}


#: The statuses a route that runs a query can answer besides its own: limits and the store.
QUERY_ERRORS = (429, 502, 503, 504)


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {HTML: {"schema": {"type": "string"}}}}


def _with_html(response: dict) -> dict:
    """The same answer, or a page for people (a browser that prefers HTML)."""
    return {**response, "content": {**response["content"], HTML: {"schema": {"type": "string"}}}}


def _any_of(formats, description: str, json_schema: dict | None = None) -> dict:
    content = {}
    for fmt in formats:
        content.setdefault(fmt.media_type, {"schema": json_schema if fmt.media_type.endswith("json") and json_schema
                                            else {"type": "string"}})
    return {"description": description, "content": content}


#: A GET answered from the answer cache (gpai_kg.web.answer_cache) has a strong ETag: If-None-Match gets 304.
NOT_MODIFIED = {"304": {"description": "Not modified: the ETag sent in If-None-Match is the answer's."}}


#: An IRI the curators replaced (dcterms:isReplacedBy) moves for good to the same view of its replacement.
WITHDRAWN = {"301": {"description": "An IRI the curators replaced (dcterms:isReplacedBy): the same view of its "
                                    "replacement.",
                     "headers": {"Location": {"description": "where it is now", "schema": {"type": "string"}}}}}


def _see_other(description: str) -> dict:
    return {"description": description, "headers": {
        "Location": {"description": "where to go", "schema": {"type": "string"}},
        "Link": {"description": "the resource's documents, rel=alternate", "schema": {"type": "string"}}}}


# --- Parameters ----------------------------------------------------------------------------------

def _query(name: str, description: str, schema: dict | None = None, required: bool = False, **extra) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}, **extra}


def _path(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema or {"type": "string"}}


FORMAT_NAMES = sorted({n for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS) for n in (fmt.name, *fmt.short_names)})
LANG = _query("lang", "the language of names and descriptions (default: Accept-Language, then English)",
              {"type": "string", "enum": list(LANGUAGES)})
GRAPH_FORMAT = _query("format", "a graph format, overriding Accept: "
                      + ", ".join(n for fmt in GRAPH_FORMATS for n in (fmt.name, *fmt.short_names))
                      + ", a media type, or html", {"type": "string"})
KIND = _path("kind", "the kind of resource, as the IRI rule names it", {"type": "string", "enum": list(KINDS)})
KEY = _path("key", "the resource's key", {"type": "string", "pattern": KEY_PATTERN.pattern})
TERM = _path("term", "the local name of an ontology term", {"type": "string", "pattern": TERM_PATTERN.pattern})
VERSION = {"type": "string", "pattern": f"^{VERSION_PATTERN.pattern}$"}
ENTITY_ID = _query("id", "an entity id (one of the graph's IRIs)", {"type": "string", "maxLength": 2000},
                   required=True)


# --- The document --------------------------------------------------------------------------------

def document(server_url: str, base_iri: str) -> dict:
    """The OpenAPI description, for a server at ``server_url`` serving a graph under ``base_iri``."""
    responses = {}
    for status, (name, _) in ERRORS.items():
        responses[name] = _error_response(status)
        responses[name + "Page"] = _error_response(status, html=True)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "GPAI Knowledge Graph",
            "version": __version__,
            "summary": "An open linked-data knowledge graph of the Global Partnership on AI.",
            "description": "Read-only: SPARQL 1.1 Protocol, linked-data documents, release files, search by name "
                           "in every language, the W3C Reconciliation Service API 0.2 (for OpenRefine), health. "
                           "Every route answers cross-origin requests (CORS) but the HTML pages. Errors are "
                           "JSON: `{\"ok\": false, \"status\", \"title\", \"error\"}`.",
            "license": {"name": "Data: CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": server_url}],
        "externalDocs": {"description": "Resource IRIs are minted under " + base_iri, "url": base_iri},
        "tags": [{"name": n, "description": d} for n, d in (
            ("SPARQL", "The SPARQL 1.1 Protocol (queries only)"),
            ("Linked data", "Resource IRIs, their data documents and pages"),
            ("Downloads", "The release's files"),
            ("Releases", "Every kept release, what changed in each, and what each said"),
            ("Search", "Search every name and identifier, in every language"),
            ("Reconciliation", "The W3C Reconciliation Service API 0.2"),
            ("Pages", "HTML for people"),
            ("Service", "Health, versions, settings and this description"))],
        "paths": {**_sparql_paths(), **_linked_data_paths(), **_download_paths(), **_search_paths(),
                  **_reconcile_paths(), **_page_paths(), **_service_paths()},
        "components": {"schemas": SCHEMAS, "responses": responses},
    }


def _op(tag: str, summary: str, responses: dict, parameters: list | None = None, **extra) -> dict:
    op = {"tags": [tag], "summary": summary, "responses": responses, **extra}
    if parameters:
        op["parameters"] = parameters
    return op


def _sparql_paths() -> dict:
    protocol = [
        _query("default-graph-uri", "a graph of the query's default graph (repeatable)",
               {"type": "array", "items": {"type": "string"}}, explode=True),
        _query("named-graph-uri", "a named graph of the query's dataset (repeatable)",
               {"type": "array", "items": {"type": "string"}}, explode=True),
        _query("format", "the answer's format, overriding Accept: " + ", ".join(FORMAT_NAMES) + ", or a media type"),
        _query("timeout", "seconds the query may run, at most the server's limit", {"type": "string"}),
    ]
    answers = {"200": _any_of((*RESULT_FORMATS, *GRAPH_FORMATS), "Results (SELECT, ASK) or a graph (CONSTRUCT, "
                              "DESCRIBE); without a query, the SPARQL Service Description.", SPARQL_RESULTS_JSON),
               **errors(400, 403, 406, 413, *QUERY_ERRORS)}
    form = {"type": "object", "properties": {"query": {"type": "string"}, **{
        p["name"]: p["schema"] for p in protocol}}}
    return {"/sparql": {
        "get": _op("SPARQL", "Query (query=); without a query, the service description",
                   {**answers, **NOT_MODIFIED}, [_query("query", "a SPARQL 1.1 query"), *protocol]),
        "post": _op("SPARQL", "Query, in a form or as an application/sparql-query body",
                    {**answers, **errors(415)}, protocol[:2] + protocol[2:],
                    requestBody={"required": True, "content": {FORM: {"schema": form},
                                                               "application/sparql-query": {
                                                                   "schema": {"type": "string"}}}}),
    }}


def _linked_data_paths() -> dict:
    negotiated = [GRAPH_FORMAT, LANG]
    resolve = {"303": _see_other("To the resource's page (browsers, no Accept) or its data document (RDF "
                                 "media types, */*)."), **WITHDRAWN, **errors(404, 406, 410, *QUERY_ERRORS)}
    graph = _any_of(GRAPH_FORMATS, "The resource's description (its statements, their sources, its names).")
    ext = _path("ext", "the format", {"type": "string", "enum": [fmt.extension for fmt in GRAPH_FORMATS]})
    return {
        "/id/{kind}/{key}": {"get": _op("Linked data", "A resource IRI: 303 to its page or data document",
                                        resolve, [KIND, KEY, *negotiated])},
        "/ontology": {"get": _op("Linked data", "The ontology's IRI: 303 to its page or document", resolve,
                                 negotiated)},
        "/ontology/{term}": {"get": _op("Linked data", "An ontology term's IRI (or a version IRI): 303",
                                        resolve, [TERM, *negotiated])},
        "/shapes": {"get": _op("Linked data", "The SHACL shapes' IRI (and a shape's, /shapes/{name}): 303",
                               resolve, negotiated)},
        "/dataset": {"get": _op("Linked data", "The dataset's IRI (and its linksets'): 303 to the home page or "
                                "the VoID description", {"303": _see_other("To / or /.well-known/void."),
                                                         **errors(406)}, [GRAPH_FORMAT])},
        "/data/id/{kind}/{key}.{ext}": {"get": _op(
            "Linked data", "A resource's data document (also /data/ontology….ext, /data/shapes….ext)",
            {"200": graph, **NOT_MODIFIED, **WITHDRAWN, **errors(404, 410, *QUERY_ERRORS)}, [KIND, KEY, ext])},
        "/page/id/{kind}/{key}": {"get": _op(
            "Pages", "A resource's HTML page (also /page/ontology…, /page/shapes…)",
            {"200": _html("The page."), **NOT_MODIFIED, **WITHDRAWN, **errors(404, 410, *QUERY_ERRORS, html=True)},
            [KIND, KEY, LANG, _query("page", "the page of the list of what refers to it", {"type": "string"})])},
    }


def _download_paths() -> dict:
    media = sorted({"application/gzip" if a.gzip else a.media_type for a in ARTEFACTS} | {"text/plain"})
    file = {"description": "The file (or the byte range asked for: 206).",
            "headers": {h: {"schema": {"type": "string"}} for h in ("ETag", "Last-Modified", "Accept-Ranges")},
            "content": {m: {"schema": {"type": "string"}} for m in media}}
    answers = {"200": file, "206": file, "304": {"description": "Not modified (If-None-Match, If-Modified-Since)."},
               **errors(404, 412, 416, 500)}
    name = _path("name", "the file's name, as /dumps/ lists them")
    get = _op("Downloads", "A release file, with ETag, Last-Modified, conditional requests and byte ranges",
              answers, [name])
    head = {**get, "summary": "The same, headers only"}
    version = _path("version", "a kept release, as /releases/ lists them (its VoID gives these URLs)", VERSION)
    return {
        "/dumps/": {"get": _op("Downloads", "The downloadable files: JSON, or a table for browsers", {"200": {
            "description": "The files.", "content": {JSON: {"schema": _ref("DumpList")},
                                                     HTML: {"schema": {"type": "string"}}}}})},
        "/dumps/{name}": {"get": get, "head": head},
        "/releases/{version}/{name}": {"get": {**get, "parameters": [version, name]},
                                       "head": {**head, "parameters": [version, name]}},
        **_release_paths(version),
        "/.well-known/void": {"get": _op(
            "Downloads", "The dataset's VoID and DCAT description (a page for browsers, format=html)",
            {"200": _with_html(_any_of(GRAPH_FORMATS, "The description.")), "304": {"description": "Not modified."},
             **errors(404, 406, 412)}, [GRAPH_FORMAT])},
    }


def _release_paths(version: dict) -> dict:
    """The kept releases (gpai_kg.web.releases): their index, each release, its data documents."""
    moved = {"301": {"description": "To the same with (or without) the trailing slash.",
                     "headers": {"Location": {"description": "where to go", "schema": {"type": "string"}}}}}
    described = _with_html(_any_of(GRAPH_FORMATS, "Its DCAT/VoID description, or a page for people."))
    ext = _path("ext", "the format", {"type": "string", "enum": [fmt.extension for fmt in GRAPH_FORMATS]})
    return {
        "/releases": {"get": _op("Releases", "The releases' index (see /releases/)", moved)},
        "/releases/": {"get": _op("Releases", "Every kept release, newest first: a page, or a DCAT catalogue",
                                  {"200": described, **NOT_MODIFIED, **errors(406)}, [GRAPH_FORMAT, LANG])},
        "/releases/{version}/": {"get": _op("Releases", "One release (see /releases/{version})",
                                            {**moved, **errors(404)}, [version])},
        "/releases/{version}": {"get": _op("Releases", "One kept release: what changed since the one before "
                                           "and its files, or its VoID/DCAT",
                                           {"200": described, **NOT_MODIFIED, **errors(404, 406, 500)},
                                           [version, GRAPH_FORMAT, LANG])},
        "/releases/{version}/data/id/{kind}/{key}.{ext}": {"get": _op(
            "Releases", "A resource's data document as that release described it",
            {"200": _any_of(GRAPH_FORMATS, "The description in that release."), **NOT_MODIFIED,
             **errors(404, 500, *QUERY_ERRORS)}, [version, KIND, KEY, ext])},
    }


def _search_paths() -> dict:
    types = ", ".join(SEARCH_TYPES)
    return {
        "/api/search": {"get": _op(
            "Search", "Search every label, alternative label, acronym and identifier, in every language",
            {"200": _json(_ref("SearchResponse"), "Best first: exact names and identifiers, then names that "
                          "start with the query, then names containing its words; GPAI, its members and "
                          "bodies before other things, sources last."), **NOT_MODIFIED, **errors(400, 429, 503)},
            [_query("q", "the text: a name in any language (case, accents and width do not count), a prefix, "
                         "words, an ISO 3166-1 code, a Wikidata QID, a GeoNames ID or an IRI",
                    {"type": "string", "minLength": 1, "maxLength": 200}, required=True),
             LANG,
             _query("type", f"only these types (repeated or comma-separated): {types}, a class IRI or a CURIE",
                    {"type": "array", "items": {"type": "string"}}, explode=True),
             _query("limit", "results, 1 to 50 (default 10)", {"type": "integer", "minimum": 1, "maximum": 50})])},
        "/api/search/types": {"get": _op("Search", "The type names /api/search filters by", {"200": _json(
            {"type": "object", "required": ["types"], "properties": {"types": {"type": "array", "items": {
                "type": "object", "required": ["name", "title", "classes"]}}}}, "The types.")})},
    }


def _reconcile_paths() -> dict:
    queries = {"type": "string", "description": "a reconciliation query batch, JSON: {\"q0\": {\"query\": "
               "\"Serbie\", \"type\": \"…/ontology/Country\", \"properties\": [{\"pid\": \"isoAlpha2\", "
               f"\"v\": \"RS\"}}]}}, …}} (at most {BATCH_SIZE} queries)"}
    extend = {"type": "string", "description": "a data extension query, JSON: {\"ids\": [entity IRIs], "
              "\"properties\": [{\"id\": \"gpaiJoined\", \"settings\": {\"lang\": \"fr\", \"limit\": 0}}]}; "
              "property ids: " + ", ".join(PROPERTIES)}
    answer = {"200": _json({"anyOf": [_ref("Manifest"), _ref("ReconciliationResultBatch"),
                                      _ref("DataExtensionResponse")]},
                           "Without parameters, the manifest; with queries=, the result batch; with extend=, the "
                           "data extension response."), **errors(400, 413, *QUERY_ERRORS)}
    lang = _query("lang", "the language of names and descriptions", {"type": "string"})
    kind = _path("kind", "what to suggest", {"type": "string", "enum": ["entity", "type", "property"]})
    return {
        "/reconcile": {
            "get": _op("Reconciliation", "The manifest; reconcile (queries=); extend (extend=)", answer,
                       [_query("queries", queries["description"]), _query("extend", extend["description"]), lang]),
            "post": _op("Reconciliation", "Reconcile or extend, form-encoded, as OpenRefine sends them", answer,
                        requestBody={"required": True, "content": {FORM: {"schema": {
                            "type": "object", "properties": {"queries": queries, "extend": extend,
                                                             "lang": {"type": "string"}}}}}}),
        },
        "/reconcile/suggest/{kind}": {"get": _op(
            "Reconciliation", "Suggest entities, types or properties from what is typed",
            {"200": _json(_ref("Suggestions"), "Best first."), **errors(400, 404, 429, 503)},
            [kind, _query("prefix", "the text typed so far", {"type": "string", "maxLength": 200}, required=True),
             _query("cursor", "how many suggestions to skip", {"type": "integer", "minimum": 0, "maximum": 1000}),
             _query("type", "entity: only these types", {"type": "array", "items": {"type": "string"}},
                    explode=True), lang])},
        "/reconcile/flyout/{kind}": {"get": _op(
            "Reconciliation", "A small HTML preview of a suggested item",
            {"200": _json({"type": "object", "required": ["id", "html"], "properties": {
                "id": {"type": "string"}, "html": {"type": "string"}}}, "The preview."), **errors(400, 404)},
            [kind, {**ENTITY_ID, "description": "the entity, type or property id"}, lang])},
        "/reconcile/preview": {"get": _op(
            "Reconciliation", "An entity's HTML card (OpenRefine's preview pop-up)",
            {"200": _html("The card."), **errors(400, 404, *QUERY_ERRORS)}, [ENTITY_ID, lang])},
        "/reconcile/view": {"get": _op(
            "Reconciliation", "303 to an entity's page", {"303": _see_other("To its page."), **errors(400, 404)},
            [ENTITY_ID])},
        "/reconcile/properties": {"get": _op(
            "Reconciliation", "The properties worth fetching for a type (data extension proposals)",
            {"200": _json({"type": "object", "required": ["properties"], "properties": {
                "properties": {"type": "array", "items": ENTITY_REF}, "type": {"type": "string"},
                "limit": {"type": "integer"}}}, "The properties."), **errors(400)},
            [_query("type", "a type id (class IRI) or a type name"),
             _query("limit", "at most this many", {"type": "integer", "minimum": 1})])},
    }


def _page_paths() -> dict:
    page = _query("page", "the page of a long list", {"type": "string"})
    return {
        "/": {"get": _op("Pages", "Home: the members, their timeline and map, the dataset",
                         {"200": _html("The page."), **NOT_MODIFIED, **errors(*QUERY_ERRORS, html=True)}, [LANG])},
        "/browse": {"get": _op("Pages", "Every index, with its size (also /browse/)",
                               {"200": _html("The page."), **NOT_MODIFIED, **errors(*QUERY_ERRORS, html=True)},
                               [LANG])},
        "/browse/{kind}": {"get": _op(
            "Pages", "An index of one kind of thing", {"200": _html("The page."), **NOT_MODIFIED,
                                                      **errors(404, *QUERY_ERRORS, html=True)},
            [_path("kind", "members, countries, bodies, organisations, events, people, projects, outputs, "
                           "sources or claims"), LANG, page])},
        "/charts": {"get": _op("Pages", "Reports per working group and year; members in other bodies",
                               {"200": _html("The page."), **NOT_MODIFIED, **errors(*QUERY_ERRORS, html=True)},
                               [LANG])},
        "/query": {"get": _op("Pages", "The query editor (YASGUI) and the gallery of example queries",
                              {"200": _html("The page."), **NOT_MODIFIED}, [LANG])},
        "/search": {"get": _op(
            "Pages", "The search box's page of results (without JavaScript, or on Enter)",
            {"200": _html("The results."), **errors(400, 429, 503, html=True)},
            [_query("q", "the text", {"type": "string", "maxLength": 200}),
             _query("type", "only these types", {"type": "array", "items": {"type": "string"}}, explode=True),
             LANG])},
        "/api": {"get": _op("Service", "This description, rendered (Swagger UI, served from here)",
                            {"200": _html("The page.")})},
    }


def _service_paths() -> dict:
    return {
        "/health": {"get": _op("Service", "Liveness and the dataset's size",
                               {"200": _json(_ref("Health"), "Up: the store answers."),
                                "503": _json(_ref("Health"), "The store does not answer.")})},
        "/-/version.json": {"get": _op("Service", "Versions of the service and its engines",
                                       {"200": _json(OBJECT, "Versions.")})},
        "/-/settings.json": {"get": _op("Service", "The settings in force", {"200": _json(OBJECT, "Settings.")})},
        "/openapi.json": {"get": _op("Service", "This description", {"200": _json(OBJECT, "OpenAPI 3.1.")})},
    }


__all__ = ["document"]
