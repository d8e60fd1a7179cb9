"""The build: validate, then write a versioned release, atomically.

A release is a folder ``{dist}/releases/{version}/`` holding every serialisation of the
graph, the ontology and the shapes, a VoID/DCAT description and a ``SHA256SUMS`` file.
``{dist}/latest`` is a symbolic link to the newest release.

Invalid sources never produce a release: :func:`build` raises
:class:`~gpai_kg.errors.ValidationFailed` before it writes anything. The release is written
into a temporary folder beside its final place and moved there in one rename, so a
failure half-way (a full disk, a crash) leaves the previous release as it was.

Serialisation runs on Oxigraph (fast) after RDFC-1.0 canonicalisation, with quads sorted,
so the same sources and version give byte-identical files.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .config import Settings
from .errors import BuildError, ValidationFailed
from .namespaces import CANONICAL_BASE, LINK_TARGETS, Namespaces, rebase
from .project import Project
from .validate import validate
from .void import LINK_PREDICATE, Publisher, describe, sha256

VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")


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


@dataclass
class Release:
    """A built release on disk."""

    version: str
    path: Path
    base_iri: str
    triples: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def file(self, name: str) -> Path:
        return self.path / name


def release_version(settings: Settings, now: datetime | None = None) -> str:
    """The version to stamp: the ``release`` setting, else the UTC date (``SOURCE_DATE_EPOCH`` wins)."""
    if settings.release:
        if not VERSION_PATTERN.match(settings.release):
            raise BuildError(f"release version {settings.release!r} must be letters, digits, '.', '_' or '-'")
        return settings.release
    return build_time(now).date().isoformat()


def build_time(now: datetime | None = None) -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except ValueError:
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    return now or datetime.now(UTC)


def build(project: Project, settings: Settings) -> Release:
    """Validate the sources and write a release; raise ValidationFailed if they are invalid."""
    started = time.perf_counter()
    version = release_version(settings)
    result = validate(project)
    if not result.ok:
        raise ValidationFailed(result.report)

    base = settings.base_iri
    ns = Namespaces(base)
    graphs = {
        "data": result.data + result.derived,
        "ontology": result.ontology,
        "shapes": result.shapes,
    }
    if base != CANONICAL_BASE:
        graphs = {name: rebase(g, base) for name, g in graphs.items()}
    dataset = _dataset(graphs, ns)

    releases = project.dist / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=releases))
    try:
        for artefact in ARTEFACTS:
            _write(dataset, artefact, tmp / artefact.name, ns)
        void = describe(graphs["data"], ns, version, build_time(), tmp,
                        [(a, tmp / a.name) for a in ARTEFACTS],
                        Publisher(settings.publisher, settings.contact or ns.base))
        _write_graph(void, tmp / VOID_FILE, ns)
        _write_checksums(tmp)
        final = releases / version
        _replace_dir(tmp, final)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"could not write the release into {releases}: {exc}") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _point_latest(project.dist, final)
    return Release(version, final, base, {name: len(g) for name, g in graphs.items()},
                   round(time.perf_counter() - started, 3))


def graph_iri(ns: Namespaces, name: str) -> ox.NamedNode:
    """The IRI of a release's named graph (``data``, ``ontology``, ``shapes``)."""
    return ox.NamedNode(str(ns.graph) + name)


def _dataset(graphs: dict[str, Graph], ns: Namespaces) -> ox.Dataset:
    dataset = ox.Dataset()
    for name, graph in graphs.items():
        target = graph_iri(ns, name)
        for triple in ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                               format=ox.RdfFormat.N_TRIPLES):
            dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object, target))
    # Stable blank node labels, so a rebuild of the same sources is byte-identical.
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def _sorted_quads(dataset: ox.Dataset, graphs: tuple[str, ...], ns: Namespaces) -> list[ox.Quad]:
    wanted = {graph_iri(ns, g) for g in graphs}
    return sorted((q for q in dataset if q.graph_name in wanted), key=str)


def _write(dataset: ox.Dataset, artefact: Artefact, path: Path, ns: Namespaces) -> None:
    quads = _sorted_quads(dataset, artefact.graphs, ns)
    if artefact.linkset:
        space = LINK_TARGETS[artefact.linkset].uri_space
        quads = [q for q in quads if q.predicate.value == str(LINK_PREDICATE)
                 and isinstance(q.object, ox.NamedNode) and q.object.value.startswith(space)]
    if artefact.format is ox.RdfFormat.JSON_LD:
        payload = _json_ld([q.triple for q in quads], ns)
    elif artefact.format.supports_datasets:
        payload = ox.serialize(quads, format=artefact.format)
    else:
        prefixes = ns.prefixes() if artefact.format is ox.RdfFormat.TURTLE else None
        payload = ox.serialize([q.triple for q in quads], format=artefact.format, prefixes=prefixes)
    if artefact.gzip:
        # mtime=0 keeps the gzip header, and so the file, reproducible.
        with gzip.GzipFile(path, "wb", mtime=0) as out:
            out.write(payload)
    else:
        path.write_bytes(payload)


def _json_ld(triples: list[ox.Triple], ns: Namespaces) -> bytes:
    """Compact JSON-LD with our prefixes as context (Oxigraph writes only expanded JSON-LD)."""
    graph = Graph()
    for t in triples:  # keep Oxigraph's canonical blank node labels (rdflib's parser renames them)
        graph.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
    context = {p: iri for p, iri in ns.prefixes().items() if p not in ("sh", "gpaish")}
    document = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    # JSON-LD arrays of values are sets: sort them so rebuilds are byte-identical.
    return (json.dumps(_sorted_json(document), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _sorted_json(value):
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _sorted_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _write_graph(graph: Graph, path: Path, ns: Namespaces) -> None:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in
                         ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                                  format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    path.write_bytes(ox.serialize(sorted((q.triple for q in dataset), key=str),
                                  format=ox.RdfFormat.TURTLE, prefixes=ns.prefixes()))


def _write_checksums(folder: Path) -> None:
    lines = [f"{sha256(p)}  {p.name}\n" for p in sorted(folder.iterdir()) if p.is_file()]
    (folder / CHECKSUMS_FILE).write_text("".join(lines), encoding="utf-8")


def _replace_dir(tmp: Path, final: Path) -> None:
    """Move ``tmp`` to ``final``; a release of the same version is replaced, never half-written."""
    os.chmod(tmp, 0o755)
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(tmp, final)


def _point_latest(dist: Path, final: Path) -> None:
    link = dist / "latest"
    tmp_link = dist / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    os.symlink(Path("releases") / final.name, tmp_link)
    os.replace(tmp_link, link)  # atomic: readers see the old or the new release


def latest_release(dist: Path) -> Path | None:
    """The folder of the newest release under ``dist``, or None."""
    link = dist / "latest"
    if link.exists():
        return link.resolve()
    return None
