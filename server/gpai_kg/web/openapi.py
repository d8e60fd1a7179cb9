"""``/openapi.json`` (the HTTP API described in OpenAPI 3.1) and ``/api`` (that description rendered).

The page renders it with Swagger UI, vendored under ``static/vendor/swagger-ui`` like YASGUI
(``scripts/vendor_swagger_ui.py``): nothing is loaded from elsewhere, so it works offline.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from .i18n import LANGUAGES, reader_language
from .openapi_document import document

blueprint = Blueprint("openapi", __name__)


@blueprint.get("/openapi.json")
def description():
    # The server URL is the one the client used, so the description is right behind any host name.
    service = current_app.extensions["gpai_kg"]
    response = jsonify(document(request.url_root.rstrip("/"), service.ns.base))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.get("/api")
def page():
    return render_template("api_docs.html", spec=url_for("openapi.description"), lang=reader_language(),
                           languages=LANGUAGES)
