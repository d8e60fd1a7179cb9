"""Health, versions and settings."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify

blueprint = Blueprint("meta", __name__)


def _service():
    return current_app.extensions["gpai_kg"]


@blueprint.get("/health")
def health():
    """Whether this server can answer queries: 200, or 503 when its store does not answer.

    Meant for load balancers and orchestrators: a replica whose store is down leaves the pool.
    """
    service = _service()
    backend = _backend_health(service)
    serving = {"release": service.release_version, "checksums_verified": service.checksum is not None,
               "sha256sums": service.checksum} if service.release_version else {"files": list(service.dumps)}
    response = jsonify({"ok": backend["answers"], "source": service.source, "serving": serving,
                        "triples": service.triples, "graphs": len(service.graphs), "store": service.backend.mode,
                        "backend": backend})
    response.status_code = 200 if backend["answers"] else 503
    response.headers["Cache-Control"] = "no-store"
    return response


#: Seconds a store's answer to the health probe is reused: a load balancer polling every instance
#: several times a second must not take a query worker each time; a store that stops answering is
#: still seen within this.
HEALTH_TTL = 1.0
_last_health: dict = {}


def _backend_health(service) -> dict:
    now = time.monotonic()
    seen = _last_health.get(id(service))
    if seen is None or now - seen[0] > HEALTH_TTL:
        seen = _last_health[id(service)] = (now, service.backend.health())
    return seen[1]


@blueprint.get("/-/version.json")
def version():
    return jsonify(_service().version_info())


@blueprint.get("/-/settings.json")
def settings():
    return jsonify(current_app.config["GPAI_KG_SETTINGS"].public())
