"""Downloads: the release's files, streamed from disk, never re-serialised.

Werkzeug's ``send_file`` gives ETag, Last-Modified, conditional requests (304) and byte
ranges (206); the media type comes from the release's table of artefacts.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, send_file, url_for

from ..errors import NotFound

blueprint = Blueprint("dumps", __name__, url_prefix="/dumps")


@blueprint.get("/")
def index():
    service = current_app.extensions["gpai_kg"]
    return jsonify({"source": service.source, "dumps": [
        {"name": d.name, "url": url_for("dumps.download", name=d.name, _external=True),
         "media_type": d.media_type, "bytes": d.path.stat().st_size}
        for d in service.dumps.values()]})


@blueprint.get("/<name>")
def download(name: str):
    dump = current_app.extensions["gpai_kg"].dumps.get(name)
    if dump is None:
        raise NotFound(f"no dump named {name!r}; see /dumps/ for the list")
    response = send_file(dump.path, mimetype=dump.media_type, as_attachment=True,
                         download_name=dump.name, conditional=True, etag=True, max_age=300)
    if dump.media_type.startswith("text/") or dump.media_type.endswith(("+json", "n-triples", "n-quads")):
        response.headers["Content-Type"] = dump.media_type + "; charset=utf-8"
    return response
