"""The releases kept in the dist folder: which there are, in what order, and what each says of itself.

Each release's VoID names the release it follows (``dcat:previousVersion``), so the kept releases
form a chain from the latest back to the first; :func:`kept_releases` lists that chain newest first,
then any release off it (built before releases recorded their predecessor), newest first by date.

The build asks :func:`predecessor` which release a new one follows: the latest, unless the version
being built is already kept (a rebuild keeps its place in the chain). A release that another one
follows is never rebuilt: its successor's change set was computed against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import BuildError, DamagedRelease, ReleaseNotFound
from .namespaces import ADMS, DCTERMS, VOID, Namespaces
from .release_files import is_release_folder, latest_release, releases_dir
from .store import release_namespaces, release_previous, release_void


@dataclass(frozen=True)
class KeptRelease:
    """A release folder, with what its VoID says about it."""

    version: str
    folder: Path
    base: str | None = None
    issued: str | None = None       # dcterms:issued, as the VoID writes it
    triples: int | None = None      # void:triples of the knowledge graph
    previous: str | None = None     # the version it follows
    notes: str | None = None        # adms:versionNotes
    problem: str | None = None      # why its VoID cannot be read

    @property
    def has_changes(self) -> bool:
        """Whether it publishes a change set (every release but a first one does)."""
        return self.previous is not None


def read_release(folder: Path) -> KeptRelease:
    """What a release's VoID says about it (a VoID that cannot be read is noted, not raised)."""
    folder = Path(folder)
    try:
        void = release_void(folder)
    except DamagedRelease as exc:
        return KeptRelease(folder.name, folder, problem=str(exc))
    ns = release_namespaces(folder, void)
    me, dataset = str(ns.release(folder.name)), str(ns.dataset)

    def fact(subject: str, predicate) -> ox.Term | None:
        return next((t.object for t in void if t.subject.value == subject and t.predicate.value == str(predicate)),
                    None)

    issued = fact(me, DCTERMS.issued) or fact(dataset, DCTERMS.issued)
    triples = fact(dataset, VOID.triples)
    notes = fact(me, ADMS.versionNotes)
    return KeptRelease(folder.name, folder, ns.base, issued.value if issued is not None else None,
                       int(triples.value) if triples is not None else None, release_previous(void, ns),
                       notes.value if notes is not None else None)


def kept_releases(dist: Path) -> list[KeptRelease]:
    """Every release kept under ``dist``, newest first: the chain from the latest, then the others."""
    folder = releases_dir(dist)
    found = {p.name: read_release(p) for p in sorted(folder.iterdir()) if is_release_folder(p)} \
        if folder.is_dir() else {}
    ordered: list[KeptRelease] = []
    latest = latest_release(dist)
    current = found.get(latest.name) if latest is not None else None
    while current is not None and current not in ordered:
        ordered.append(current)
        current = found.get(current.previous) if current.previous else None
    rest = sorted((r for r in found.values() if r not in ordered), key=lambda r: (r.issued or "", r.version),
                  reverse=True)
    return ordered + rest


def find_release(dist: Path, version: str) -> KeptRelease:
    """The kept release ``version``, or ReleaseNotFound naming those there are."""
    releases = kept_releases(dist)
    for release in releases:
        if release.version == version:
            return release
    kept = ", ".join(r.version for r in releases)
    raise ReleaseNotFound(f"no release {version!r} under {dist}: "
                          + (f"the releases kept there are {kept}" if kept else "run `gpai-kg build` first"))


def predecessor(dist: Path, version: str) -> KeptRelease | None:
    """The release a new build of ``version`` follows, or None for a first release."""
    releases = {r.version: r for r in kept_releases(dist)}
    successors = sorted(r.version for r in releases.values() if r.previous == version)
    if successors:
        raise BuildError(f"release {version} is kept and release {successors[0]} follows it: a release another "
                         f"one builds on is never rebuilt (its change set was computed against it); build a new "
                         f"version instead (--release)")
    existing = releases.get(version)
    if existing is not None:  # a rebuild keeps its place in the chain
        return releases.get(existing.previous) if existing.previous else None
    latest = latest_release(dist)
    if latest is None or latest.name not in releases:
        return None
    return releases[latest.name]


def namespaces(release: KeptRelease) -> Namespaces:
    return Namespaces(release.base) if release.base else release_namespaces(release.folder)
