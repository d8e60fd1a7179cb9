"""Health, versions and settings."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

blueprint = Blueprint("meta", __name__)


def _service():
    return current_app.extensions["gpai_kg"]


@blueprint.get("/health")
def health():
    service = _service()
    return jsonify({"ok": True, "source": service.source, "triples": service.store.triples,
                    "graphs": len(service.store.graphs), "store": service.store_mode})


@blueprint.get("/-/version.json")
def version():
    return jsonify(_service().version_info())


@blueprint.get("/-/settings.json")
def settings():
    return jsonify(current_app.config["GPAI_KG_SETTINGS"].public())
