"""Downloads: the served release's files, streamed from disk, never re-serialised (every kept
release's files, at their versioned URLs, are in :mod:`gpai_kg.web.releases`).

:mod:`gpai_kg.web.conditional` gives strong ETags (the files' SHA-256), Last-Modified,
conditional requests (304, 412) and byte ranges (206, 416) as RFC 9110 says; the media type
comes from the release's table of artefacts.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, make_response, render_template, request, url_for

from ..release_files import VOID_FILE
from ..errors import NotFound
from ..formats import GRAPH_FORMATS, negotiate, prefers_html
from .conditional import send_release_file

blueprint = Blueprint("dumps", __name__)


@blueprint.get("/dumps/")
def index():
    """The downloadable files: a table for people, JSON for programs."""
    service = current_app.extensions["gpai_kg"]
    dumps = [{"name": d.name, "url": url_for("dumps.download", name=d.name, _external=True),
              "media_type": d.media_type, "bytes": d.path.stat().st_size, "sha256": _digest(d)}
             for d in service.dumps.values()]
    if prefers_html(request.accept_mimetypes, ("application/json",)):
        response = make_response(render_template("dumps.html", dumps=dumps, source=service.source))
    else:
        response = jsonify({"source": service.source, "dumps": dumps})
    response.vary.add("Accept")
    return response


def _digest(dump) -> str | None:
    return dump.etag[len("sha256-"):] if dump.etag.startswith("sha256-") else None


@blueprint.get("/dumps/<name>")
def download(name: str):
    dump = current_app.extensions["gpai_kg"].dumps.get(name)
    if dump is None:
        raise NotFound(f"no dump named {name!r}; see /dumps/ for the list")
    return send_dump(dump)


@blueprint.get("/.well-known/void")
def void():
    """The dataset's VoID and DCAT description (RFC 8615 well-known location from the VoID spec)."""
    service = current_app.extensions["gpai_kg"]
    if service.void_path is None:
        raise NotFound("this service serves RDF files given on its command line, which have no VoID description")
    if request.args.get("format", "").lower() == "html" or (
            not request.args.get("format") and prefers_html(request.accept_mimetypes,
                                                            [m for f in GRAPH_FORMATS for m in f.accepts()])):
        response = make_response(render_template("dataset.html", **dataset_view(service)))
        response.vary.add("Accept")
        return response
    fmt = negotiate(GRAPH_FORMATS, request.accept_mimetypes, request.args.get("format"))
    if fmt.rdf == ox.RdfFormat.TURTLE:
        response = send_release_file(service.void_path, fmt.content_type, service.dumps[VOID_FILE].etag)
    else:
        response = Response(ox.serialize(service.void, format=fmt.rdf), content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def send_dump(dump, immutable: bool = False):
    """A release file; ``immutable`` for a versioned URL (/releases/{version}/…), whose bytes never change."""
    media = dump.media_type
    if media.startswith("text/") or media.endswith(("+json", "n-triples", "n-quads", "rdf-patch")):
        media += "; charset=utf-8"
    # A versioned URL names bytes that never change; /dumps/ follows the release being served.
    return send_release_file(dump.path, media, dump.etag, download_name=dump.name,
                             max_age=31_536_000 if immutable else 300, immutable=immutable)


def dataset_view(service) -> dict:
    """The VoID/DCAT description as a page: the dataset, then each thing it describes."""
    from rdflib import Graph

    from .linked_data import presenter
    from .i18n import reader_language

    graph = Graph().parse(data=ox.serialize(service.void, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    view = presenter(graph, reader_language())
    dataset = next((s for s in graph.subjects() if str(s) == str(service.ns.dataset)), None)
    others = sorted({s for s in graph.subjects() if s != dataset and not _blank(s)}, key=str)
    return {"view": view, "dataset": dataset, "others": others}


def _blank(node) -> bool:
    from rdflib import BNode

    return isinstance(node, BNode)
