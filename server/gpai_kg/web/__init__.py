"""The web service: an app factory, one blueprint per HTTP concern.

    create_app(config=None)

``config`` holds setting overrides (see :mod:`gpai_kg.config`); nothing heavy happens at
import. The routes, by (path, method):

==========================  ==========  ==============================================
``/sparql``                 GET, POST   SPARQL 1.1 Protocol; GET without a query: service description
``/dumps/``                 GET         the downloadable files, as JSON
``/dumps/<name>``           GET, HEAD   one file (ETag, Last-Modified, ranges)
``/health``                 GET         liveness and the dataset's size
``/-/version.json``         GET         versions of the service and its engines
``/-/settings.json``        GET         the settings in force
==========================  ==========  ==============================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from ..config import Settings
from ..service import Service


def create_app(config: Mapping[str, Any] | None = None, service: Service | None = None) -> Flask:
    settings = Settings.load(config)
    app = Flask("gpai_kg")
    app.json.sort_keys = False
    app.config["GPAI_KG_SETTINGS"] = settings
    app.extensions["gpai_kg"] = service = service or Service.from_settings(settings)
    service.start()  # query workers up (and the store loaded) before the first request

    from . import dumps, errors, meta, sparql

    errors.init_app(app)
    for module in (sparql, dumps, meta):
        app.register_blueprint(module.blueprint)
    return app
