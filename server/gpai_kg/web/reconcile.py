"""The W3C Reconciliation Service API 0.2 at ``/reconcile``, as OpenRefine speaks it.

================================  ==========  ==============================================
``/reconcile``                    GET         the service manifest
``/reconcile``                    GET, POST   ``queries=``: a reconciliation batch; ``extend=``: data extension
``/reconcile/suggest/<kind>``     GET         suggest ``entity``, ``type`` or ``property`` (``prefix``, ``cursor``)
``/reconcile/flyout/<kind>``      GET         a small HTML preview of a suggested item (``id``)
``/reconcile/preview``            GET         an entity's HTML card (``id``), for OpenRefine's pop-up
``/reconcile/view``               GET         303 to an entity's page (``id``)
``/reconcile/properties``         GET         properties worth fetching for a ``type`` (data extension)
================================  ==========  ==============================================

Entity ids are the graph's IRIs; type ids are class IRIs; property ids are short names
(:data:`gpai_kg.reconcile_properties.PROPERTIES`). Every answer is JSON but the preview; every
endpoint allows cross-origin requests (the specification requires it).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from flask_babel import gettext
from markupsafe import escape

from .. import __version__
from ..errors import BadRequest, NotFound
from ..reconcile import BATCH_SIZE, parse_batch, parse_json, reconcile
from ..reconcile_properties import PROPERTIES, PROPERTY_SETTINGS, Values, extension, proposals
from ..search_index import best_text
from ..search_types import classes_of, type_filter, type_names
from .i18n import LANGUAGES, reader_language
from .search import local_page, type_label

blueprint = Blueprint("reconcile", __name__)

#: The types offered first (manifest ``defaultTypes``): our search types, by the class that names them.
DEFAULT_TYPES = ("countries", "organisations", "bodies", "people", "events", "projects", "outputs", "sources")
MAX_IDS = 200
MAX_CURSOR = 1000
SUGGESTIONS = 10


def _service():
    return current_app.extensions["gpai_kg"]


def _root() -> str:
    return request.url_root.rstrip("/")


def _lang() -> str:
    asked = request.values.get("lang", "").lower()
    return asked if asked in LANGUAGES else reader_language()


@blueprint.route("/reconcile", methods=["GET", "POST"])
def endpoint():
    service = _service()
    queries, extend = request.values.get("queries"), request.values.get("extend")
    if queries is not None and extend is not None:
        raise BadRequest("send queries= or extend=, not both")
    if queries is not None:
        return jsonify(reconcile(service, parse_batch(queries), _lang()))
    if extend is not None:
        return jsonify(_extend(service, extend))
    if request.method == "POST":
        raise BadRequest("a POST to /reconcile carries queries= (a reconciliation batch) or extend= "
                         "(a data extension query), form-encoded")
    return jsonify(manifest(service))


def manifest(service) -> dict:
    root = _root()
    lang = "en"
    types = []
    for name in DEFAULT_TYPES:
        cls = classes_of(name, service.ns)[0][0]
        types.append({"id": cls, "name": service.search_index.class_label(cls, lang)})
    return {
        "versions": ["0.2"],
        "name": "GPAI Knowledge Graph",
        "identifierSpace": str(service.ns.id),
        "schemaSpace": str(service.ns.gpai),
        "documentation": root + "/api",
        "serviceVersion": __version__,
        "batchSize": BATCH_SIZE,
        "defaultTypes": types,
        "view": {"url": root + "/reconcile/view?id={{id}}"},
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": 400, "height": 180},
        "suggest": {kind: {"service_url": root + "/reconcile", "service_path": f"/suggest/{kind}",
                           "flyout_service_path": f"/flyout/{kind}?id=${{id}}"}
                    for kind in ("entity", "type", "property")},
        "extend": {"propose_properties": {"service_url": root + "/reconcile", "service_path": "/properties"},
                   "property_settings": PROPERTY_SETTINGS},
    }


def _extend(service, text: str) -> dict:
    query = parse_json(text, "extend")
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list) \
            or not isinstance(query.get("properties"), list):
        raise BadRequest('extend must be a JSON object {"ids": […], "properties": [{"id": …}, …]}')
    ids, properties = query["ids"], query["properties"]
    if not all(isinstance(i, str) for i in ids):
        raise BadRequest("extend.ids must be entity ids (strings)")
    if len(ids) > MAX_IDS:
        raise BadRequest(f"extend.ids has {len(ids)} ids; at most {MAX_IDS} at once")
    for item in properties:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise BadRequest("extend.properties must be objects with an id")
        if item["id"] not in PROPERTIES:
            raise BadRequest(f"unknown property {item['id'][:100]!r}; /reconcile/properties lists them")
        settings = item.get("settings", {})
        if not isinstance(settings, dict):
            raise BadRequest("a property's settings must be an object")
        item["settings"] = _settings(settings)
    return extension(service, ids, properties)


def _settings(settings: dict) -> dict:
    out = {}
    lang = settings.get("lang", "en")
    if not isinstance(lang, str) or lang.lower() not in LANGUAGES:
        raise BadRequest(f"setting lang must be one of {', '.join(LANGUAGES)}")
    out["lang"] = lang.lower()
    limit = settings.get("limit", 0)
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise BadRequest("setting limit must be a whole number (0: no limit)") from None
    if limit < 0:
        raise BadRequest("setting limit must be a whole number (0: no limit)")
    out["limit"] = limit
    return out


# --- Suggest and flyout ---------------------------------------------------------------------

def _prefix_and_cursor() -> tuple[str, int]:
    prefix = request.args.get("prefix")
    if prefix is None:
        raise BadRequest("give the text typed so far in prefix")
    if len(prefix) > 200 or "\x00" in prefix:
        raise BadRequest("prefix must be at most 200 characters, without NUL")
    cursor = request.args.get("cursor", "0")
    if not cursor.isdigit() or int(cursor) > MAX_CURSOR:
        raise BadRequest(f"cursor must be a whole number up to {MAX_CURSOR}")
    return prefix, int(cursor)


@blueprint.get("/reconcile/suggest/<kind>")
def suggest(kind: str):
    service = _service()
    prefix, cursor = _prefix_and_cursor()
    lang = _lang()
    if kind == "entity":
        asked = request.args.getlist("type")
        types = type_filter(asked, service.ns) if asked else None
        hits = service.search(prefix, types, cursor + SUGGESTIONS)[cursor:] if prefix.strip() else []
        result = []
        for hit in hits:
            item = {"id": hit.iri, "name": hit.label(lang)[0]}
            description = hit.description(lang)
            if description:
                item["description"] = description[0]
            kind_iri = hit.data.get("type")
            item["notable"] = [{"id": kind_iri, "name": type_label(kind_iri, lang, service)}] \
                if kind_iri else []
            result.append(item)
        return jsonify({"result": result})
    if kind == "type":
        return jsonify({"result": _types(service, prefix, lang)[cursor:cursor + SUGGESTIONS]})
    if kind == "property":
        folded = prefix.strip().lower()
        found = [{"id": p.id, "name": p.name, "description": p.description} for p in PROPERTIES.values()
                 if folded in p.id.lower() or folded in p.name.lower()]
        return jsonify({"result": found[cursor:cursor + SUGGESTIONS]})
    raise NotFound(f"no suggest service for {kind[:40]!r}: entity, type or property")


def _types(service, prefix: str, lang: str) -> list[dict]:
    from ..search_text import key

    index = service.search_index
    wanted = key(prefix)
    out = []
    for iri, info in sorted(index.classes.items(), key=lambda item: -item[1]["count"]):
        names = [key(label) for label in info["labels"].values()] + [key(iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1])]
        if wanted and not any(n.startswith(wanted) or f" {wanted}" in f" {n}" for n in names) and wanted != key(iri):
            continue
        item = {"id": iri, "name": type_label(iri, lang, service), "description": f"{info['count']} entities"}
        broader = [{"id": b, "name": type_label(b, lang, service)} for b in info["broader"]]
        if broader:
            item["broader"] = broader
        out.append(item)
    return out


@blueprint.get("/reconcile/flyout/<kind>")
def flyout(kind: str):
    service = _service()
    item_id = _id()
    lang = _lang()
    if kind == "entity":
        hit = service.search_index.entity(item_id)
        if hit is None:
            raise NotFound(f"no entity {item_id[:200]!r}")
        description = hit.description(lang)
        html = (f"<p><strong>{escape(hit.label(lang)[0])}</strong> "
                f"<small>{escape(type_label(hit.data['type'], lang, service)) if hit.data['type'] else ''}"
                f"</small></p>" + (f"<p>{escape(description[0])}</p>" if description else ""))
    elif kind == "type":
        info = service.search_index.classes.get(item_id)
        if info is None:
            raise NotFound(f"no type {item_id[:200]!r}")
        html = f"<p><strong>{escape(type_label(item_id, lang, service))}</strong>: {info['count']} entities</p>"
    elif kind == "property":
        prop = PROPERTIES.get(item_id)
        if prop is None:
            raise NotFound(f"no property {item_id[:200]!r}")
        html = f"<p><strong>{escape(prop.name)}</strong>: {escape(prop.description)}</p>"
    else:
        raise NotFound(f"no flyout service for {kind[:40]!r}: entity, type or property")
    return jsonify({"id": item_id, "html": html})


def _id() -> str:
    value = request.args.get("id")
    if not value:
        raise BadRequest("give the id of the entity, type or property in id")
    if len(value) > 2000 or "\x00" in value:
        raise BadRequest("id is too long or holds NUL characters")
    return value


# --- Preview, view and property proposals -----------------------------------------------------

def N_(text: str) -> str:
    return text


#: What the preview card shows, in the reader's words (the property ids are the API's, in English).
CARD_FACTS = {"isoAlpha2": N_("ISO code (2 letters)"), "isoAlpha3": N_("ISO code (3 letters)"),
              "wikidata": N_("Wikidata item"), "gpaiJoined": N_("Joined GPAI"),
              "gpaiJoinedPrecision": N_("Precision of the date"), "gpaiFounding": N_("Founding member")}
#: Values of those facts that are words: a date's precision, yes or no.
CARD_VALUES = {"day": N_("day"), "month": N_("month"), "year": N_("year"), "true": N_("yes"), "false": N_("no")}


@blueprint.get("/reconcile/preview")
def preview():
    service = _service()
    iri = _id()
    lang = _lang()
    hit = service.search_index.entity(iri)
    if hit is None:
        raise NotFound(f"no entity {iri[:200]!r}")
    values = Values(service, [iri])
    facts = []
    for pid, name in CARD_FACTS.items():
        found = [v.get("str") or v.get("id") for v in values.get(iri, pid, lang)] if hit.data.get("member") or \
            pid in ("isoAlpha2", "isoAlpha3", "wikidata") else []
        if found:
            facts.append((gettext(name), ", ".join(gettext(CARD_VALUES[v]) if v in CARD_VALUES else v
                                                   for v in found)))
    description = best_text(hit.data["descriptions"], lang)
    response = Response(render_template(
        "reconcile_preview.html", lang=lang, label=hit.label(lang)[0], iri=iri, page=local_page(iri, service),
        type=type_label(hit.data["type"], lang, service) if hit.data["type"] else None,
        description=description[0] if description else None, member=hit.data.get("member"), facts=facts))
    response.headers["Content-Language"] = lang
    return response


@blueprint.get("/reconcile/view")
def view():
    service = _service()
    iri = _id()
    page = local_page(iri, service)
    if page is None or service.search_index.entity(iri) is None:
        raise NotFound(f"no entity {iri[:200]!r}")
    return redirect(page, code=303)


@blueprint.get("/reconcile/properties")
def propose():
    service = _service()
    asked = request.args.get("type")
    limit = request.args.get("limit")
    if limit is not None and (not limit.isdigit() or int(limit) < 1):
        raise BadRequest("limit must be a positive whole number")
    names: list[str] = []
    if asked:
        names = [asked] if asked in DEFAULT_TYPES or asked in ("members",) else \
            type_names(list(type_filter([asked], service.ns).classes), service.ns)
    body = {"properties": proposals(names, int(limit) if limit else None)}
    if asked:
        body["type"] = asked
    if limit:
        body["limit"] = int(limit)
    return jsonify(body)
