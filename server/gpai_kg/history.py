"""Each resource's history: in which releases it changed, and how, from the change sets they publish.

Every release after the first publishes ``changes.json`` (:mod:`gpai_kg.changelog`): its changes
by resource. The served release and those before it (:meth:`gpai_kg.archive.Archive.chain`) are
read once per process, each ``changes.json`` checked against its release's ``SHA256SUMS`` first,
and indexed by IRI: a resource's history holds the changes to it and those that name it (a
member's page shows the membership that joined it). Resource pages show it; a deprecated IRI's
410 says where its last description is.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from .errors import DamagedRelease
from .releases import KeptRelease
from .store import verify_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Change:
    kind: str
    text: str
    about: str | None = None        # another resource's change that names this one: that resource
    about_label: str | None = None


@dataclass(frozen=True)
class Entry:
    """The changes to one resource in one release."""

    version: str
    issued: str | None
    previous: str | None
    changes: tuple[Change, ...]

    @property
    def kinds(self) -> set[str]:
        return {c.kind for c in self.changes if c.about is None}


@dataclass
class ResourceHistory:
    """What the change sets say of a resource, newest release first."""

    chain: list[KeptRelease]                     # the served release and those before it, newest first
    unreadable: list[str] = field(default_factory=list)

    @cached_property
    def _index(self) -> dict[str, list[Entry]]:
        index: dict[str, dict[str, list[Change]]] = {}
        for release in self.chain:
            if not release.has_changes:
                continue
            try:
                log_ = json.loads(verify_file(release.folder, "changes.json").read_text(encoding="utf-8"))
            except (DamagedRelease, OSError, ValueError) as exc:
                log.warning("the change set of release %s cannot be read: %s", release.version, exc)
                self.unreadable.append(release.version)
                continue
            for resource in log_.get("resources", []):
                for record in resource.get("changes", []):
                    if resource["iri"]:
                        index.setdefault(resource["iri"], {}).setdefault(release.version, []).append(
                            Change(record["kind"], record["text"]))
                    for other in record.get("related", []):
                        if other != resource["iri"] and resource["iri"]:
                            index.setdefault(other, {}).setdefault(release.version, []).append(
                                Change(record["kind"], record["text"], resource["iri"],
                                       resource.get("label") or resource.get("curie")))
        by_version = {r.version: r for r in self.chain}
        return {iri: [Entry(v, by_version[v].issued, by_version[v].previous, tuple(changes))
                      for v, changes in versions.items()]
                for iri, versions in index.items()}

    def of(self, iri: str) -> list[Entry]:
        """The releases that changed ``iri`` (or a resource naming it), newest first."""
        return self._index.get(iri, [])

    def withdrawn_in(self, iri: str) -> Entry | None:
        """The release in which ``iri`` was deprecated or replaced, if a change set says so."""
        return next((e for e in self.of(iri) if e.kinds & {"deprecated", "replaced"}), None)

    @property
    def oldest(self) -> str | None:
        return self.chain[-1].version if self.chain else None


@dataclass(frozen=True)
class PageEntry:
    """One release's changes as a resource page lists them."""

    version: str
    href: str                         # the release's page
    issued: str | None                # as the VoID gives it …
    day: date | None                  # … and its day, for the reader's calendar
    changes: tuple[str, ...]
    previous: str | None              # the release before it …
    before: str | None                # … and the resource's data document as that release gave it


@dataclass(frozen=True)
class PageHistory:
    entries: tuple[PageEntry, ...]
    kept: int                         # how many releases the history covers …
    oldest: str | None                # … back to this one
    unreadable: tuple[str, ...]       # releases whose change set could not be read


def page_history(history: ResourceHistory, iri: str, release_url, data_url) -> PageHistory | None:
    """The history section of a resource page; ``release_url(version)`` and ``data_url(version)`` make its links
    (``data_url`` gives None for a release whose documents are not served).

    None when no release is kept (a server of RDF files). The change texts are the changelog's, in
    English, as the release publishes them; the page's own words are the template's.
    """
    if not history.chain:
        return None
    kept = {r.version for r in history.chain}
    entries = tuple(
        PageEntry(e.version, release_url(e.version), e.issued, _day(e.issued),
                  tuple(c.text if c.about is None else f"{c.about_label or c.about}: {c.text}" for c in e.changes),
                  e.previous, data_url(e.previous) if e.previous in kept else None)
        for e in history.of(iri))
    return PageHistory(entries, len(history.chain), history.oldest, tuple(history.unreadable))


def _day(issued: str | None) -> date | None:
    try:
        return date.fromisoformat(issued[:10]) if issued else None
    except ValueError:
        return None
