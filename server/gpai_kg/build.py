"""The build: validate, then write a versioned release, atomically, after the one before it.

A release is a folder ``{dist}/releases/{version}/`` holding every serialisation of the
graph, the ontology and the shapes, a VoID/DCAT description and a ``SHA256SUMS`` file.
``{dist}/latest`` is a symbolic link to the newest release; earlier releases are kept.

Each release follows the latest one before it (:func:`gpai_kg.releases.predecessor`): its VoID
names it, and it publishes the change set against it (``changes.*``, :mod:`gpai_kg.diff`). An IRI
the predecessor published must still be described, if only as deprecated (``owl:deprecated
true``) or replaced (``dcterms:isReplacedBy``): otherwise the build refuses the release.

Invalid sources never produce a release: :func:`build` raises
:class:`~gpai_kg.errors.ValidationFailed` before it writes anything. The release is written
into a temporary folder beside its final place and moved there in one rename, so a
failure half-way (a full disk, a crash) leaves the previous release as it was.

Serialisation runs on Oxigraph (fast), with quads sorted and blank nodes labelled by the
RDFC-1.0 canonical form of their molecule (:mod:`gpai_kg.blank_nodes`), so the same sources,
version and predecessor give byte-identical files.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .blank_nodes import label_blank_nodes
from .changelog import summary
from .config import Settings
from .diff import Comparison, Snapshot, compare, write_change_set
from .errors import BuildError, DamagedRelease, ValidationFailed
from .namespaces import CANONICAL_BASE, LINK_TARGETS, OWL, Namespaces, rebase
from .project import Project
from .release_files import (ARTEFACTS, CHANGE_FILES, CHECKSUMS_FILE, VOID_FILE, Artefact,  # noqa: F401 (re-exported)
                            is_version, latest_release, releases_dir)
from .releases import KeptRelease, predecessor
from .store import release_void, verify_release
from .validate import validate
from .void import LINK_PREDICATE, History, Publisher, describe, sha256

#: How many IRIs a refusal names (the rest are counted).
SHOWN_IRIS = 5


@dataclass
class Release:
    """A built release on disk."""

    version: str
    path: Path
    base_iri: str
    triples: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    previous: str | None = None     # the release it follows
    notes: str | None = None        # its version notes

    def file(self, name: str) -> Path:
        return self.path / name


def release_version(settings: Settings, now: datetime | None = None) -> str:
    """The version to stamp: the ``release`` setting, else the UTC date (``SOURCE_DATE_EPOCH`` wins)."""
    if settings.release:
        if not is_version(settings.release):
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


def build(project: Project, settings: Settings, notes: str | None = None) -> Release:
    """Validate the sources and write a release; raise ValidationFailed if they are invalid.

    ``notes``: the curator's words on this release, put before the summary of its changes in its
    version notes.
    """
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
    release = write_release(project.dist, ns, version, _quads(graphs, ns), graphs["data"], notes,
                            Publisher(settings.publisher, settings.contact or ns.base))
    release.seconds = round(time.perf_counter() - started, 3)
    return release


def write_release(dist: Path, ns: Namespaces, version: str, quads: list[ox.Quad], data: Graph,
                  notes: str | None = None, publisher: Publisher | None = None) -> Release:
    """Write ``quads`` (blank nodes labelled stably) as release ``version`` into ``dist``, after its predecessor.

    ``data`` is the knowledge graph as an rdflib graph, for the VoID's statistics.
    """
    releases = releases_dir(dist)
    releases.mkdir(parents=True, exist_ok=True)
    issued = build_time()
    previous = _checked_predecessor(dist, version, ns)
    comparison = None
    if previous is not None:
        old = Snapshot.of_release(previous)
        new = Snapshot.of_quads(version, ns.base, quads, previous.version, _issued(issued))
        _keep_published_iris(old, new)  # before anything is written
        comparison = compare(old, new)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=releases))
    try:
        for artefact in ARTEFACTS:
            _write(quads, artefact, tmp / artefact.name, ns)
        changes = ()
        if comparison is not None:
            changes = tuple(write_change_set(comparison, tmp, in_release=True).items())
        history = History(previous.version if previous else None, _notes(notes, comparison), changes,
                          *_ontology_versions(quads, ns, previous))
        void = describe(data, ns, version, issued, tmp, [(a, tmp / a.name) for a in ARTEFACTS], publisher, history)
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
    _point_latest(dist, final)
    counts: dict[str, int] = {}
    for quad in quads:
        name = quad.graph_name.value[len(str(ns.graph)):]
        counts[name] = counts.get(name, 0) + 1
    return Release(version, final, ns.base, {name: counts.get(name, 0) for name in ("data", "ontology", "shapes")},
                   previous=previous.version if previous else None, notes=history.notes)


def _issued(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _checked_predecessor(dist: Path, version: str, ns: Namespaces) -> KeptRelease | None:
    previous = predecessor(dist, version)
    if previous is None:
        return None
    try:
        verify_release(previous.folder)
    except DamagedRelease as exc:
        raise BuildError(f"the previous release {previous.version} is damaged ({exc}): restore it before building "
                         f"on it, or move it out of {releases_dir(dist)}") from None
    if previous.base != ns.base:
        raise BuildError(f"the previous release {previous.version} has its IRIs under {previous.base}, this build "
                         f"under {ns.base}: build releases for another base_iri into another dist folder")
    return previous


def _keep_published_iris(old: Snapshot, new: Snapshot) -> None:
    """Refuse a release that drops an IRI its predecessor published (the stable-IRI rule)."""
    gone = sorted(old.published - new.published)
    if not gone:
        return
    shown = ", ".join(f"<{iri}>" for iri in gone[:SHOWN_IRIS])
    more = f" and {len(gone) - SHOWN_IRIS} more" if len(gone) > SHOWN_IRIS else ""
    raise BuildError(f"release {new.version} would remove {len(gone)} IRI{'s' if len(gone) > 1 else ''} that "
                     f"release {old.version} published: {shown}{more}. A published IRI stays: keep it described, or "
                     f"say in data/ that it is `owl:deprecated true` (it then answers 410 Gone) or "
                     f"`dcterms:isReplacedBy` its new IRI (a 301 to it)")


def _notes(notes: str | None, comparison: Comparison | None) -> str:
    told = summary(comparison.log) if comparison is not None else "The first release kept here."
    return f"{notes.strip()} {told}" if notes and notes.strip() else told


def _ontology_versions(quads: list[ox.Quad], ns: Namespaces, previous: KeptRelease | None) -> tuple:
    """(this release's ontology version IRI, the one it revises, if the ontology changed since one)."""
    current = _version_iri((q.triple for q in quads), ns)
    if previous is None:
        return current, None
    before = _version_iri(ox.parse(path=str(previous.folder / "ontology.ttl"), format=ox.RdfFormat.TURTLE), ns)
    if before and before != current:
        return current, before
    # The same ontology as the previous release's: the version it revised is the one that release named.
    return current, next((t.object.value for t in release_void(previous.folder)
                          if t.subject.value == str(ns.ontology_iri)
                          and t.predicate.value == str(OWL.priorVersion)), None)


def _version_iri(triples, ns: Namespaces) -> str | None:
    return next((t.object.value for t in triples if t.subject.value == str(ns.ontology_iri)
                 and t.predicate.value == str(OWL.versionIRI)), None)


def graph_iri(ns: Namespaces, name: str) -> ox.NamedNode:
    """The IRI of a release's named graph (``data``, ``ontology``, ``shapes``)."""
    return ox.NamedNode(str(ns.graph) + name)


def _quads(graphs: dict[str, Graph], ns: Namespaces) -> list[ox.Quad]:
    """The release's quads, each graph in its named graph, blank nodes labelled by their molecule."""
    quads = set()
    for name, graph in graphs.items():
        target = graph_iri(ns, name)
        for triple in ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                               format=ox.RdfFormat.N_TRIPLES):
            quads.add(ox.Quad(triple.subject, triple.predicate, triple.object, target))
    # Stable blank node labels: a rebuild is byte-identical, and an unchanged molecule keeps its
    # labels in the next release (gpai_kg.blank_nodes).
    return label_blank_nodes(quads)


def _sorted_quads(quads: list[ox.Quad], graphs: tuple[str, ...], ns: Namespaces) -> list[ox.Quad]:
    wanted = {graph_iri(ns, g) for g in graphs}
    return sorted((q for q in quads if q.graph_name in wanted), key=str)


def _write(all_quads: list[ox.Quad], artefact: Artefact, path: Path, ns: Namespaces) -> None:
    quads = _sorted_quads(all_quads, artefact.graphs, ns)
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
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)  # as written


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


