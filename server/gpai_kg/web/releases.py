"""Every kept release, at its versioned URLs: the index, each release, its files, its data documents.

================================================  =============================================
``/releases/``                                    the releases: HTML for people; DCAT (Turtle, or any
                                                  RDF format by content negotiation) for machines
``/releases/{version}``                           one release: HTML, or its VoID/DCAT description
``/releases/{version}/{name}``                    one of its files (ETag, ranges; cached for a year)
``/releases/{version}/data/{path}.{ext}``         a resource's data document as that release gave it
================================================  =============================================

A version is looked up among the releases the server found at start-up, never turned into a path.
An earlier release is checked against its ``SHA256SUMS`` on first use (:class:`gpai_kg.archive.Archive`);
a damaged one answers 500, naming the file, and is not served.
"""

from __future__ import annotations

import json
from datetime import date

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from pyoxigraph import NamedNode

from ..archive import Archive
from ..changelog import KINDS
from ..describe import DESCRIPTION
from ..errors import NotFound
from ..formats import GRAPH_FORMATS, Format
from ..release_files import CHANGE_FILES, VOID_FILE
from ..store import verify_file
from .cache import cached
from .conditional import send_release_file
from .dumps import send_dump
from .i18n import reader_language
from .linked_data import BY_EXTENSION, EXISTS, RESOURCE_ROOTS, TRUNCATED_HEADER, _choose, _data, _iri

blueprint = Blueprint("releases", __name__)


def _service():
    return current_app.extensions["gpai_kg"]


def _archive() -> Archive:
    archive = _service().archive
    if archive is None:
        raise NotFound("this service serves RDF files given on its command line, which have no releases")
    return archive


@blueprint.get("/releases")
def index_without_slash():
    return redirect(url_for("releases.index", **request.args), code=301)


@blueprint.get("/releases/")
def index():
    archive = _archive()
    fmt = _choose(request.accept_mimetypes, request.args.get("format"))
    if fmt is not None:
        return _graph(archive.catalogue(), fmt)
    return _vary(cached("releases", reader_language(), render=lambda: render_template(
        "releases.html", releases=list(archive.releases.values()),
        days={v: _day(r.issued) for v, r in archive.releases.items()},
        problems={v: archive.problem(v) for v in archive.releases}, served=archive.served, formats=GRAPH_FORMATS)))


@blueprint.get("/releases/<version>/")
def release_with_slash(version: str):
    _archive().get(version)
    return redirect(url_for("releases.release", version=version, **request.args), code=301)


@blueprint.get("/releases/<version>")
def release(version: str):
    archive = _archive()
    kept = archive.verified(version)
    fmt = _choose(request.accept_mimetypes, request.args.get("format"))
    if fmt is not None:
        if fmt.rdf == ox.RdfFormat.TURTLE:
            dump = archive.files(version)[VOID_FILE]
            response = send_release_file(dump.path, fmt.content_type, dump.etag, max_age=31_536_000, immutable=True)
            response.vary.add("Accept")
            return response
        return _graph(list(archive.void(version)), fmt)
    def render():
        files = archive.files(version)
        changes = None
        if kept.has_changes:
            log = json.loads(verify_file(kept.folder, "changes.json").read_text(encoding="utf-8"))
            changes = {"kinds": log["kinds"], "triples": log["triples"], "resources": len(log["resources"])}
        return render_template("release.html", release=kept, day=_day(kept.issued), served=archive.served,
                               files=[(d, d.path.stat().st_size) for d in files.values()], changes=changes,
                               kinds={k: KIND_TITLES.get(k, k) for k in KINDS}, formats=GRAPH_FORMATS,
                               change_files={c.name for c in CHANGE_FILES})

    return _vary(cached("release", version, reader_language(), render=render))


@blueprint.get("/releases/<version>/<name>")
def release_file(version: str, name: str):
    """The versioned download URLs the VoID gives, for every kept release."""
    service = _service()
    files = service.dumps if version == service.release_version else _archive().files(version)
    dump = files.get(name)
    if dump is None:
        raise NotFound(f"no file named {name!r} in release {version}; see /releases/{version}")
    return send_dump(dump, immutable=True)


@blueprint.get("/releases/<version>/data/<path:path>.<ext>")
def data(version: str, path: str, ext: str):
    """A resource's data document as release ``version`` gave it (the served release's from the query store)."""
    fmt = BY_EXTENSION.get(ext)
    if fmt is None or not path.startswith(RESOURCE_ROOTS):
        raise NotFound(f"no data document at {request.path}: ask for .ttl, .nt, .jsonld or .rdf")
    iri = _iri(path)  # a 404 before any query, for a path that breaks the IRI rule
    service = _service()
    archive = _archive()
    if version == service.release_version:
        return cached("data", path, fmt.name, render=lambda: _data(path, iri, fmt))
    archive.verified(version)
    return cached("release-data", version, path, fmt.name, render=lambda: _earlier(version, path, iri, fmt))


def _earlier(version: str, path: str, iri: str, fmt: Format) -> Response:
    archive = _archive()
    if not archive.ask(version, EXISTS, resource=NamedNode(iri)):
        raise NotFound(f"release {version} says nothing about <{iri}>")
    rendered = archive.construct(version, DESCRIPTION, fmt, r=NamedNode(iri))
    response = Response(rendered.body, content_type=fmt.content_type)
    response.headers["Content-Location"] = request.path
    if rendered.truncated:
        response.headers[TRUNCATED_HEADER] = f"max-rows={archive.max_rows}"
    # RFC 5829: the document as the served release gives it is the latest version of this one.
    response.headers["Link"] = (f'<{iri}>; rel="describes", '
                                f'<{url_for("linked_data.data", path=path, ext=fmt.extension)}>; rel="latest-version", '
                                f'<{url_for("releases.release", version=version)}>; rel="collection"')
    return response


def _day(issued: str | None) -> date | None:
    try:
        return date.fromisoformat(issued[:10]) if issued else None
    except ValueError:
        return None


#: The kinds of change (gpai_kg.changelog.KINDS) as a release page titles them, in the reader's language.
KIND_TITLES = {
    "member-joined": _l("Members joined"),
    "member-dated-differently": _l("Memberships dated differently"),
    "source-added": _l("Sources added"),
    "source-cited": _l("Sources newly cited"),
    "source-withdrawn": _l("Sources no longer cited"),
    "label-changed": _l("Labels changed"),
    "label-added": _l("Labels added"),
    "label-removed": _l("Labels removed"),
    "claim-added": _l("Claims added"),
    "appeared": _l("IRIs that appeared"),
    "replaced": _l("IRIs replaced"),
    "deprecated": _l("IRIs deprecated"),
    "disappeared": _l("IRIs that disappeared"),
    "date-changed": _l("Dates changed"),
    "value-changed": _l("Values changed"),
    "statement-added": _l("Statements added"),
    "statement-removed": _l("Statements removed"),
    "statements-changed": _l("Other changes"),
}


def _graph(triples: list[ox.Triple], fmt: Format) -> Response:
    prefixes = _service().ns.prefixes() if fmt.rdf == ox.RdfFormat.TURTLE else None
    body = ox.serialize(sorted(triples, key=str), format=fmt.rdf, **({"prefixes": prefixes} if prefixes else {}))
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def _vary(response: Response) -> Response:
    response.vary.add("Accept")
    response.vary.add("Accept-Language")
    return response
