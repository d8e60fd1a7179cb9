"""Comparing two releases: what was added and removed, as data, as a patch and as a changelog.

A release's ``gpai-kg.nq`` holds its three graphs (data, ontology, shapes) as N-Quads, written by
Oxigraph, with blank nodes labelled by their molecule (:mod:`gpai_kg.blank_nodes`): the same quad
is the same line in every release. So two releases compare as two sets of lines, which is fast
(two releases of a million triples in a few seconds) and exact. A release built before blank nodes
were labelled that way is relabelled first, the same way.

A comparison writes (:data:`gpai_kg.release_files.CHANGE_FILES`):

* the triples of the knowledge graph added and removed, in N-Triples (``added.nt``, ``removed.nt``);
* an RDF Patch that turns the old dataset (all three graphs) into the new one (:mod:`gpai_kg.rdf_patch`),
  checked before it is written: read back by Oxigraph's parser and applied to the old release's
  quads, it must give the new release's, quad for quad;
* a changelog by resource and kind, in Markdown and JSON (:mod:`gpai_kg.changelog`).
"""

from __future__ import annotations

import itertools
import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from .blank_nodes import MOLECULE, label_blank_nodes, stably_labelled
from .changelog import changelog, markdown
from .errors import GpaiKgError
from .namespaces import Namespaces
from .rdf_patch import PatchError, apply_patch, read_patch, write_patch
from .release_files import CHANGE_FILES, RELEASE_DUMP, ChangeFile
from .releases import KeptRelease
from .store import read_verified

_NQUADS = ox.RdfFormat.N_QUADS


class DiffError(GpaiKgError):
    """Two releases that cannot be compared, or a change set that failed its own check."""


@dataclass
class Snapshot:
    """One release's quads as N-Quads lines (as Oxigraph writes them), blank nodes labelled stably.

    ``lines`` is a set, to compare releases; ``ordered`` the same lines sorted, to find a subject's
    lines by bisection and to walk them in memory order (walking a million-line set is several times
    slower: its order is its hashes').
    """

    version: str
    base: str
    lines: set[str]
    previous: str | None = None     # the release it follows, if it names one
    issued: str | None = None
    relabelled: bool = False        # built before stable blank node labels: relabelled here
    ordered: list[str] = field(default_factory=list, repr=False)
    # Relabelled only: the lines as the file gives them, and each molecule's quads there, by new label.
    source: set[str] = field(default_factory=set, repr=False)
    originals: dict[str, list[ox.Quad]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if len(self.ordered) != len(self.lines):
            self.ordered = sorted(self.lines)

    @classmethod
    def of_release(cls, release: KeptRelease) -> Snapshot:
        # The dump as its build wrote it, read once: checked against SHA256SUMS in memory.
        text = read_verified(release.folder, RELEASE_DUMP).decode("utf-8")
        relabel = not stably_labelled(text)
        originals: dict[str, list[ox.Quad]] = {}
        if relabel:
            ordered = sorted(_relabel(text, originals))
        else:
            ordered = text.split("\n")
            ordered.sort()  # the build writes them sorted: one pass that finds them in order
        del ordered[:bisect_right(ordered, "")]  # the empty line after the last newline
        source = set(text.split("\n")) - {""} if relabel else set()
        return cls(release.version, release.base or "", set(ordered), release.previous, release.issued, relabel,
                   ordered, source, originals)

    @classmethod
    def of_quads(cls, version: str, base: str, quads: Iterable[ox.Quad], previous: str | None = None,
                 issued: str | None = None) -> Snapshot:
        """A release about to be written, from its quads (their blank nodes labelled stably already)."""
        return cls(version, base, {f"{q} ." for q in quads}, previous, issued)

    @cached_property
    def ns(self) -> Namespaces:
        return Namespaces(self.base)

    @cached_property
    def published(self) -> set[str]:
        """The IRIs this release publishes: ours (under its base, by the IRI rule), with a description."""
        prefix = "<" + self.base
        start = bisect_left(self.ordered, prefix)
        subjects = set()
        for line in itertools.islice(self.ordered, start, None):  # ours are one block of the sorted lines
            if not line.startswith(prefix):
                break
            subjects.add(line[1:line.index(">")])
        cut = len(self.base)
        return {iri for iri in subjects if self.ns.resource_iri(iri[cut:]) is not None}

    def about(self, iris: Iterable[str]) -> list[str]:
        """The lines whose subject is one of ``iris``."""
        found = []
        for iri in sorted(iris):
            prefix = f"<{iri}> "
            index = bisect_left(self.ordered, prefix)
            while index < len(self.ordered) and self.ordered[index].startswith(prefix):
                found.append(self.ordered[index])
                index += 1
        return found

    def rewritten(self) -> Snapshot:
        """The same quads, written as this Oxigraph writes them (for releases another version wrote)."""
        quads = ox.parse("\n".join(self.ordered), format=_NQUADS)
        return Snapshot(self.version, self.base, {f"{q} ." for q in quads}, self.previous, self.issued,
                        self.relabelled, source=self.source, originals=self.originals)


def _relabel(text: str, originals: dict[str, list[ox.Quad]] | None = None) -> set[str]:
    rows = text.split("\n")
    lines = {row for row in rows if "_:" not in row}
    blank = [row for row in rows if "_:" in row]
    lines.update(f"{q} ." for q in label_blank_nodes(ox.parse("\n".join(blank), format=_NQUADS), originals))
    lines.discard("")
    return lines


@dataclass
class Comparison:
    """What separates two releases, quad by quad."""

    old: Snapshot
    new: Snapshot
    added: list[ox.Quad]
    removed: list[ox.Quad]
    log: dict = field(default_factory=dict)

    @property
    def ns(self) -> Namespaces:
        return self.new.ns

    def in_graph(self, quads: list[ox.Quad], name: str) -> list[ox.Triple]:
        graph = ox.NamedNode(f"{self.ns.graph}{name}")
        return [q.triple for q in quads if q.graph_name == graph]


def compare(old: Snapshot, new: Snapshot) -> Comparison:
    """Compare two releases of the same base IRI, with a changelog."""
    if old.base != new.base:
        raise DiffError(f"release {old.version} was built with its IRIs under {old.base} and release "
                        f"{new.version} under {new.base}: build both with the same base_iri to compare them")
    added, removed = _differences(old, new)
    if set(added) & set(removed):  # one quad written two ways: another Oxigraph wrote one of them
        old, new = old.rewritten(), new.rewritten()
        added, removed = _differences(old, new)
    comparison = Comparison(old, new, added, removed)
    comparison.log = changelog(comparison)
    return comparison


def _differences(old: Snapshot, new: Snapshot) -> tuple[list[ox.Quad], list[ox.Quad]]:
    return _parse(new.lines - old.lines), _parse(old.lines - new.lines)


def _parse(lines: set[str]) -> list[ox.Quad]:
    return sorted(ox.parse("\n".join(lines), format=_NQUADS), key=str)


def patch_text(comparison: Comparison) -> str:
    ns = comparison.ns
    previous = ns.changes(comparison.old.version) if comparison.old.previous else None
    return write_patch(comparison.added, _as_published(comparison.old, comparison.removed),
                       patch_id=str(ns.changes(comparison.new.version)), previous_id=str(previous) if previous else None)


def _as_published(old: Snapshot, removed: list[ox.Quad]) -> list[ox.Quad]:
    """The quads to delete, with the blank node labels of the old release's file.

    A relabelled release (built before stable labels) names its blank nodes otherwise. A molecule
    changes as a whole (any change gives it a new label), so each removed molecule is deleted as the
    file gives it. The patch then gives, from the file as published, the new release up to the labels
    of the blank nodes that did not change.
    """
    if not old.relabelled:
        return removed
    ground = [q for q in removed if not _has_blank_node(q)]
    molecules = sorted({MOLECULE.fullmatch(t.value).group(1) for q in removed for t in (q.subject, q.object)
                        if isinstance(t, ox.BlankNode)})
    return ground + sorted((q for m in molecules for q in old.originals[m]), key=str)


def _has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def check_patch(comparison: Comparison, text: str) -> None:
    """Apply the patch, as Oxigraph reads it, to the old release's quads as its file gives them: it must
    give the new release's (relabelled, if the old one's labels were not stable)."""
    old = comparison.old
    try:
        result = apply_patch(old.source if old.relabelled else old.lines, read_patch(text))
    except PatchError as exc:
        raise DiffError(f"the patch from {comparison.old.version} to {comparison.new.version} does not apply: "
                        f"{exc}") from None
    if old.relabelled:
        result = _relabel("\n".join(result))
    if result != comparison.new.lines:
        missing, extra = len(comparison.new.lines - result), len(result - comparison.new.lines)
        raise DiffError(f"the patch from {comparison.old.version} to {comparison.new.version} does not give "
                        f"release {comparison.new.version}: {missing} quads missing, {extra} too many")


def write_change_set(comparison: Comparison, folder: Path, *, in_release: bool) -> dict[ChangeFile, Path]:
    """Write the change set into ``folder`` (file names of a release, or of ``gpai-kg diff``)."""
    patch = patch_text(comparison)
    check_patch(comparison, patch)
    contents = {
        "added": ox.serialize(comparison.in_graph(comparison.added, "data"), format=ox.RdfFormat.N_TRIPLES),
        "removed": ox.serialize(comparison.in_graph(comparison.removed, "data"), format=ox.RdfFormat.N_TRIPLES),
        "patch": patch.encode("utf-8"),
        "markdown": markdown(comparison.log).encode("utf-8"),
        "json": (json.dumps(comparison.log, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for change in CHANGE_FILES:
        path = folder / (change.name if in_release else change.diff_name)
        path.write_bytes(contents[change.key])
        written[change] = path
    return written
