"""What a release folder holds, and where releases live in the dist folder: one table of each.

``{dist}/releases/{version}/`` holds the files below, ``{dist}/latest`` links to the newest. The
build writes these tables out; ``serve``, ``load``, ``diff`` and ``releases`` read them back. They
live apart from :mod:`gpai_kg.build` so that the readers need not import the build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .formats import GZIP, JSON, MARKDOWN, PLAIN_TEXT, RDF_PATCH
from .namespaces import LINK_TARGETS

#: A release version: a folder name and a URL path segment, so nothing that could climb out of
#: either (no '/', no leading '.'). Every version read from a user or a URL is checked against it.
VERSION_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")  # whole strings only: fullmatch


@dataclass(frozen=True)
class Artefact:
    """One file of a release: its name, media type and which graph(s) it holds."""

    name: str
    media_type: str
    format: ox.RdfFormat
    graphs: tuple[str, ...]
    title: str
    gzip: bool = False
    linkset: str | None = None   # a key of LINK_TARGETS: only our links into that dataset


#: Every file a release holds (besides void.ttl and SHA256SUMS), in one table.
ARTEFACTS: tuple[Artefact, ...] = (
    Artefact("gpai-kg.ttl", "text/turtle", ox.RdfFormat.TURTLE, ("data",),
             "The knowledge graph in Turtle"),
    Artefact("gpai-kg.ttl.gz", "text/turtle", ox.RdfFormat.TURTLE, ("data",),
             "The knowledge graph in Turtle, gzipped", gzip=True),
    Artefact("gpai-kg.nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("data",),
             "The knowledge graph in N-Triples"),
    Artefact("gpai-kg.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, ("data",),
             "The knowledge graph in JSON-LD"),
    Artefact("gpai-kg.nq", "application/n-quads", ox.RdfFormat.N_QUADS,
             ("data", "ontology", "shapes"),
             "The knowledge graph, ontology and shapes as named graphs in N-Quads"),
    Artefact("ontology.ttl", "text/turtle", ox.RdfFormat.TURTLE, ("ontology",),
             "The GPAI ontology in Turtle"),
    Artefact("shapes.ttl", "text/turtle", ox.RdfFormat.TURTLE, ("shapes",),
             "The SHACL shapes, in Turtle: the data conforms to them with the ontology merged in "
             "(the shapes target classes the data gets through the ontology's subclasses)"),
    # One linkset per dataset we link to, for those who want only the links (VoID linksets).
    *(Artefact(f"linkset-{name}.nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("data",),
               f"Links from the GPAI Knowledge Graph to {target.title} (skos:exactMatch), in N-Triples",
               linkset=name)
      for name, target in LINK_TARGETS.items()),
)
VOID_FILE = "void.ttl"
CHECKSUMS_FILE = "SHA256SUMS"
#: The dump every reader of a release starts from: all three graphs, blank nodes labelled stably.
RELEASE_DUMP = "gpai-kg.nq"


@dataclass(frozen=True)
class ChangeFile:
    """One file of a change set: its name in a release and in the folder ``gpai-kg diff`` writes."""

    key: str
    name: str          # in the release: /releases/{version}/{name}
    diff_name: str     # in the output folder of `gpai-kg diff`
    media_type: str
    title: str


#: The change set a release publishes against its predecessor (none for a first release).
CHANGE_FILES: tuple[ChangeFile, ...] = (
    ChangeFile("added", "changes.added.nt", "added.nt", "application/n-triples",
               "Triples of the knowledge graph added since the previous release, in N-Triples"),
    ChangeFile("removed", "changes.removed.nt", "removed.nt", "application/n-triples",
               "Triples of the knowledge graph removed since the previous release, in N-Triples"),
    ChangeFile("patch", "changes.rdfp", "patch.rdfp", RDF_PATCH,
               "An RDF Patch that turns the previous release's dataset (gpai-kg.nq) into this one's"),
    ChangeFile("markdown", "changes.md", "changelog.md", MARKDOWN,
               "What changed since the previous release, by kind and by resource, in Markdown"),
    ChangeFile("json", "changes.json", "changelog.json", JSON,
               "What changed since the previous release, by resource, in JSON"),
)
CHANGES_BY_KEY: dict[str, ChangeFile] = {c.key: c for c in CHANGE_FILES}


def releases_dir(dist: Path) -> Path:
    return Path(dist) / "releases"


def is_release_folder(path: Path) -> bool:
    """A kept release, not a build in progress (``.tmp-…``) or a release being replaced (``.old-…``)."""
    return path.is_dir() and is_version(path.name)


def is_version(version: str) -> bool:
    """Whether ``version`` can name a release (``$`` would let a trailing newline through: fullmatch)."""
    return VERSION_PATTERN.fullmatch(version) is not None


def latest_release(dist: Path) -> Path | None:
    """The folder of the newest release under ``dist``, or None."""
    link = Path(dist) / "latest"
    if link.exists():
        return link.resolve()
    return None


@dataclass(frozen=True)
class Dump:
    """A file offered for download (``/dumps/{name}``, ``/releases/{version}/{name}``)."""

    name: str
    path: Path
    media_type: str
    etag: str      # names its content: its SHA-256 from SHA256SUMS (files mode: size and time)


def release_dumps(folder: Path, sums: dict[str, str]) -> dict[str, Dump]:
    """A release's files, by name, with their media types and ETags (their SHA-256, from SHA256SUMS)."""
    dumps = {}
    for artefact in ARTEFACTS:
        media = GZIP if artefact.gzip else artefact.media_type
        dumps[artefact.name] = Dump(artefact.name, folder / artefact.name, media, "sha256-" + sums[artefact.name])
    dumps[VOID_FILE] = Dump(VOID_FILE, folder / VOID_FILE, "text/turtle", "sha256-" + sums[VOID_FILE])
    for change in CHANGE_FILES:  # a first release has none
        if change.name in sums:
            dumps[change.name] = Dump(change.name, folder / change.name, change.media_type,
                                      "sha256-" + sums[change.name])
    dumps[CHECKSUMS_FILE] = Dump(CHECKSUMS_FILE, folder / CHECKSUMS_FILE, PLAIN_TEXT,
                                 stat_etag(folder / CHECKSUMS_FILE))
    return dumps


def stat_etag(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_size:x}-{stat.st_mtime_ns:x}"
