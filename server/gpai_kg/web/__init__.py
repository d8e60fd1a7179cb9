"""The web service: an app factory, one blueprint per HTTP concern.

    create_app(config=None)

``config`` holds setting overrides (see :mod:`gpai_kg.config`); nothing heavy happens at
import. The routes, by (path, method):

================================  ==========  ==============================================
``/``                             GET         home: members, membership timeline, dataset JSON-LD
``/query``                        GET         YASGUI on /sparql and the gallery of example queries
``/browse/``                      GET         every index, with its size
``/browse/<kind>``                GET         an index of members, bodies, events, people, sources…
``/charts``                       GET         reports per working group and year; members in other bodies
``/id/…``, ``/ontology…``,        GET         resource IRIs: 303 to their page or data document
``/shapes…``, ``/dataset…``
``/page/<path>``                  GET         a resource's HTML page (or the ontology's documentation)
``/data/<path>.<ext>``            GET         a resource's data document: ttl, nt, jsonld, rdf
``/sparql``                       GET, POST   SPARQL 1.1 Protocol; GET without a query: service description
``/.well-known/void``             GET         the dataset's VoID and DCAT description (an HTML page for browsers)
``/dumps/``                       GET         the downloadable files, as JSON (a table for browsers)
``/dumps/<name>``                 GET, HEAD   one file (ETag, Last-Modified, ranges)
``/releases/``                    GET         the kept releases: HTML, or DCAT by content negotiation
``/releases/<version>``           GET         one release: HTML, or its VoID/DCAT
``/releases/<version>/<name>``    GET, HEAD   a file of any kept release, at the versioned URL its VoID gives
``/releases/<version>/data/…``    GET         a resource's data document as that release gave it
``/api/search``                   GET         search every name and identifier (JSON); ``/api/search/types``
``/search``                       GET         the search box's page of results
``/reconcile…``                   GET, POST   the W3C Reconciliation Service API 0.2 (see web/reconcile.py)
``/openapi.json``, ``/api``       GET         the OpenAPI description of the HTTP API, and its page
``/health``                       GET         liveness and the dataset's size
``/-/version.json``               GET         versions of the service and its engines
``/-/settings.json``              GET         the settings in force
================================  ==========  ==============================================

HTML pages speak the reader's language: ``?lang=`` (kept in a cookie), else Accept-Language; see
:mod:`gpai_kg.web.i18n`. The read API (everything but the HTML pages) answers cross-origin requests (CORS), without
credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from urllib.parse import urlencode

from pathlib import Path

from flask import Flask, request
from flask_babel import Babel, format_date, format_number, gettext
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import Settings
from ..service import CLIENT, Service
from .answer_cache import AnswerCache
from .cache import ResponseCache
from .i18n import COOKIE, LANGUAGES, babel_locale, reader_language


def create_app(config: Mapping[str, Any] | None = None, service: Service | None = None) -> Flask:
    settings = Settings.load(config)
    app = Flask("gpai_kg", static_folder="web/static", template_folder="web/templates")
    app.json.sort_keys = False
    app.config["GPAI_KG_SETTINGS"] = settings
    # A body longer than any query we accept is refused (413) before it is read.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_FORM_MEMORY_SIZE"] = body_limit(settings)
    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies,
                                x_host=settings.trusted_proxies)
    # Outermost: repeated GETs are answered before Flask, the proxy fix or a query worker see them.
    app.extensions["gpai_kg_answers"] = app.wsgi_app = AnswerCache(app.wsgi_app)
    app.extensions["gpai_kg"] = service = service or Service.from_settings(settings)
    app.extensions["gpai_kg_cache"] = ResponseCache()  # the release is immutable while it is served
    service.start()  # query workers up (and the store loaded) before the first request

    from . import dumps, errors, linked_data, meta, openapi, pages, reconcile, releases, search, sparql
    from .sparql import TRUNCATED_HEADER

    errors.init_app(app)
    for module in (sparql, dumps, meta, linked_data, pages, releases, search, reconcile, openapi):
        app.register_blueprint(module.blueprint)
    CORS(app, resources=[r"/sparql", r"/data/*", r"/dumps/*", r"/releases/*", r"/.well-known/*", r"/id/*",
                         r"/ontology*", r"/shapes*", r"/dataset*", r"/health", r"/-/*", r"/api/*", r"/reconcile*",
                         r"/openapi.json"],
         methods=["GET", "HEAD", "POST", "OPTIONS"],  # a read-only API
         supports_credentials=False, send_wildcard=True,
         expose_headers=[TRUNCATED_HEADER, "Link", "Content-Location", "Retry-After"])
    Babel(app, locale_selector=babel_locale,
          default_translation_directories=str(Path(__file__).parent / "translations"))
    app.before_request(_note_client)
    app.after_request(_security_headers)
    app.after_request(_keep_language)
    app.context_processor(_template_helpers)
    return app


def body_limit(settings: Settings) -> int:
    """The largest request body accepted: a query of max_query_bytes, form-encoded (%XX for each byte),
    with room for the other protocol parameters."""
    return 3 * settings.max_query_bytes + 64 * 1024


def _note_client() -> None:
    # Admission control counts queries per client address (gpai_kg.admission).
    CLIENT.set(request.remote_addr or "(unknown)")


def _security_headers(response):
    # Errors echo request input as JSON or text: never let a browser sniff them into HTML.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _keep_language(response):
    """A language asked for with ?lang= is kept, in a cookie, for the next pages."""
    asked = request.args.get("lang", "").lower()
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    if response.mimetype == "text/html":
        # The interface's language; names in data keep their own lang attributes.
        response.headers["Content-Language"] = bcp47(reader_language())
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def _template_helpers() -> dict:
    def with_args(**changes) -> str:
        args = {**request.args.to_dict(), **{k: str(v) for k, v in changes.items()}}
        return request.path + "?" + urlencode(args)

    lang = reader_language()
    return {
        "lang": lang,
        "languages": LANGUAGES,
        "lang_url": lambda code: with_args(lang=code),
        "page_url": lambda n: with_args(page=n),
        "bcp47": bcp47,
        "format_number": format_number,
        "format_date": lambda day: format_date(day, format="medium"),
        "precision_name": lambda precision: PRECISION_NAMES[precision]() if precision in PRECISION_NAMES else "",
    }


#: A date's precision, in the interface's words.
PRECISION_NAMES = {"day": lambda: gettext("day"), "month": lambda: gettext("month"), "year": lambda: gettext("year")}


def bcp47(tag: str) -> str:
    """A language tag as BCP 47 writes it (zh-hans → zh-Hans), for lang and hreflang attributes."""
    parts = tag.split("-")
    return "-".join([parts[0]] + [p.title() if len(p) == 4 else p.upper() if len(p) == 2 else p for p in parts[1:]])
