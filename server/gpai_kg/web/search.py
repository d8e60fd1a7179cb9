"""Search by name: ``GET /api/search?q=&lang=&type=&limit=``, for programs and for the search box.

Every label, alternative label, acronym and identifier, in every language (:mod:`gpai_kg.search_index`):
exact names and identifiers first, then names that start with the query, then names that contain its
words; within each, GPAI, its members and bodies first, sources last. JSON, cacheable, CORS.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import force_locale

from ..errors import BadRequest
from ..search_index import LEVELS, Hit
from ..search_types import SEARCH_TYPES, type_filter
from .answer_cache import CACHEABLE
from .i18n import BABEL_LOCALES, LANGUAGES, reader_language
from .terms import TERM_LABELS

blueprint = Blueprint("search", __name__)

MAX_QUERY = 200
MAX_LIMIT = 50
DEFAULT_LIMIT = 10


def _service():
    return current_app.extensions["gpai_kg"]


@blueprint.get("/api/search")
def search():
    service = _service()
    q = request.args.get("q", "")
    if not q.strip():
        raise BadRequest("give the text to search for in q (q=serb)")
    if len(q) > MAX_QUERY or "\x00" in q:
        raise BadRequest(f"q is {len(q)} characters long; names are searched with at most {MAX_QUERY}"
                         if len(q) > MAX_QUERY else "q must not contain NUL characters")
    lang = request.args.get("lang")
    if lang is not None and lang.lower() not in LANGUAGES:
        raise BadRequest(f"unknown lang {lang[:40]!r}: use one of {', '.join(LANGUAGES)}")
    lang = lang.lower() if lang else reader_language()
    limit = _limit(request.args.get("limit"))
    asked = [t for value in request.args.getlist("type") for t in value.split(",") if t.strip()]
    types = type_filter(asked, service.ns) if asked else None
    hits = service.search(q, types, limit)
    response = jsonify({"query": q, "lang": lang, "types": asked,
                        "results": [result(hit, lang, service) for hit in hits]})
    # The same for the same request while the release is served: kept by the answer cache (ETag, max-age),
    # so the keystrokes of an autocomplete that come again cost nothing. Without lang=, the language is
    # the reader's: Accept-Language or the language cookie.
    response.headers[CACHEABLE] = "1"
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@blueprint.get("/search")
def page():
    """The search box's page without JavaScript (or on Enter): the results as a list."""
    service = _service()
    lang = reader_language()
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY or "\x00" in q:
        raise BadRequest(f"search for at most {MAX_QUERY} characters, without NUL")
    asked = [t for value in request.args.getlist("type") for t in value.split(",") if t.strip()]
    types = type_filter(asked, service.ns) if asked else None
    limit = 50
    results = [result(hit, lang, service) for hit in service.search(q, types, limit)] if q else []
    return render_template("search.html", lang=lang, languages=LANGUAGES, query=q, results=results, limit=limit)


@blueprint.get("/api/search/types")
def types():
    """The type names /api/search's ``type`` takes, with their classes."""
    from ..search_types import classes_of

    service = _service()
    return jsonify({"types": [{"name": name, "title": title, "classes": list(classes_of(name, service.ns)[0])}
                              for name, (title, _, _) in SEARCH_TYPES.items()]})


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(value)


def result(hit: Hit, lang: str, service) -> dict:
    label, label_lang = hit.label(lang)
    description = hit.description(lang)
    kind = hit.data.get("type")
    out = {"iri": hit.iri, "label": label, "lang": label_lang or None,
           "type": {"iri": kind, "label": type_label(kind, lang, service)} if kind else None,
           "description": description[0] if description else None,
           "member": bool(hit.data.get("member")),
           "matched": {"text": hit.name or hit.iri, "lang": hit.lang or None, "kind": hit.kind,
                       "level": LEVELS[hit.level]},
           "page": local_page(hit.iri, service)}
    return out


def type_label(iri: str, lang: str, service) -> str:
    """A class's name in ``lang``: the ontology's own label in it, else the interface's name for a term of
    another vocabulary (gpai_kg.web.terms, translated in the catalogues), else the best label there is."""
    index = service.search_index
    own = index.classes.get(iri, {}).get("labels", {})
    if lang in own:
        return own[lang]
    if iri in TERM_LABELS:
        with force_locale(BABEL_LOCALES[lang]):
            return str(TERM_LABELS[iri])
    return index.class_label(iri, lang)


def local_page(iri: str, service) -> str | None:
    """The path of the HTML page this server gives ``iri`` (one of its resources), else None."""
    base = service.ns.base
    path = iri[len(base):] if iri.startswith(base) else None
    if path is None or service.ns.resource_iri(path) is None:
        return None
    return url_for("linked_data.page", path=path)
