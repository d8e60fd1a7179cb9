"""Health, versions and settings."""

from __future__ import annotations

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
    backend = service.backend.health()
    serving = {"release": service.release_version, "checksums_verified": service.checksum is not None,
               "sha256sums": service.checksum} if service.release_version else {"files": list(service.dumps)}
    response = jsonify({"ok": backend["answers"], "source": service.source, "serving": serving,
                        "triples": service.triples, "graphs": len(service.graphs), "store": service.backend.mode,
                        "backend": backend})
    response.status_code = 200 if backend["answers"] else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/-/version.json")
def version():
    return jsonify(_service().version_info())


@blueprint.get("/-/settings.json")
def settings():
    return jsonify(current_app.config["GPAI_KG_SETTINGS"].public())
